"""Pose helpers: mirroring and similarity embeddings."""

import numpy as np

from analysis.engine.pose import (
    EMBEDDING_JOINTS,
    LANDMARK_INDEX,
    POSE_EMBEDDING_DIM,
    SWING_EMBEDDING_DIM,
    empty_poses,
    mirror_poses,
    pose_embeddings,
    swing_embedding,
)
from analysis.engine.synth import SwingParams, generate_swing


def test_constants():
    assert POSE_EMBEDDING_DIM == 39 == 3 * len(EMBEDDING_JOINTS)
    assert SWING_EMBEDDING_DIM == 8 * 39


def test_mirror_swaps_sides_and_flips_x():
    kp = generate_swing(SwingParams(seed=1)).keypoints
    m = mirror_poses(kp)
    left, right = LANDMARK_INDEX["left_wrist"], LANDMARK_INDEX["right_wrist"]
    np.testing.assert_allclose(m[:, left, 0], 1 - kp[:, right, 0], atol=1e-6)
    np.testing.assert_array_equal(m[:, left, 1:], kp[:, right, 1:])
    mouth_l, mouth_r = LANDMARK_INDEX["mouth_left"], LANDMARK_INDEX["mouth_right"]
    np.testing.assert_array_equal(m[:, mouth_l, 1], kp[:, mouth_r, 1])
    np.testing.assert_allclose(mirror_poses(m), kp, atol=1e-6)


def test_embeddings_shape_and_missing_joints():
    kp = generate_swing(SwingParams(seed=2)).keypoints.copy()
    kp[3, 15] = np.nan
    emb = pose_embeddings(kp, left_handed=False, aspect=4 / 3)
    assert emb.shape == (len(kp), POSE_EMBEDDING_DIM) and emb.dtype == np.float32
    assert np.isfinite(emb).all()
    wrist = EMBEDDING_JOINTS.index(15)
    assert np.all(emb[3, 3 * wrist : 3 * wrist + 3] == 0)
    # Centred on the hips: hip midpoint is the origin.
    lh, rh = EMBEDDING_JOINTS.index(23), EMBEDDING_JOINTS.index(24)
    mid = 0.5 * (emb[:, 3 * lh : 3 * lh + 3] + emb[:, 3 * rh : 3 * rh + 3])
    np.testing.assert_allclose(mid, 0, atol=1e-5)
    assert pose_embeddings(empty_poses(4), left_handed=False).shape == (4, 39)


def test_left_handed_twin_embeds_like_right_handed():
    params = dict(seed=5, noise=0.0, view="face-on")
    rh = generate_swing(SwingParams(**params))
    lh = generate_swing(SwingParams(left_handed=True, **params))
    e_rh = pose_embeddings(rh.keypoints, left_handed=False, aspect=4 / 3)
    e_lh = pose_embeddings(lh.keypoints, left_handed=True, aspect=4 / 3)
    np.testing.assert_allclose(e_lh, e_rh, atol=1e-4)
    s_rh = swing_embedding(e_rh, rh.events)
    s_lh = swing_embedding(e_lh, lh.events)
    assert s_rh.shape == (SWING_EMBEDDING_DIM,)
    np.testing.assert_allclose(s_lh, s_rh, atol=1e-4)


def test_swing_embedding_weights_and_missing_events():
    emb = np.ones((10, POSE_EMBEDDING_DIM), dtype=np.float32)
    events = {"address": 0, "top": 3, "impact": None, "finish": 99}
    vec = swing_embedding(emb, events).reshape(8, POSE_EMBEDDING_DIM)
    assert vec[0].max() == 1.0 and vec[3].max() == 1.5
    assert not vec[1].any() and not vec[5].any() and not vec[7].any()
