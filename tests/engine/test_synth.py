"""The synthetic swing generator: truth consistent with its poses; rendering."""

from fractions import Fraction

import av
import numpy as np
import pytest

from analysis.engine import EVENT_NAMES
from analysis.engine.synth import SwingParams, generate_swing, render_video


def _yaw_deg(kp, lead, trail, frame):
    """Horizontal-plane angle of a line in a clean face-on swing (x across, z depth)."""
    d = kp[frame, trail, :3] - kp[frame, lead, :3]
    return np.degrees(np.arctan2(d[2], -d[0]))


@pytest.mark.parametrize("fps", [30.0, 240.0])
def test_turns_in_the_poses_equal_the_truth(fps):
    """The truth turns are the poses' turns at the instant of the top (between frames at
    30 fps: read there by interpolation, as the engine does at its sub-frame top)."""
    s = generate_swing(
        SwingParams(fps=fps, shoulder_turn_deg=97, hip_turn_deg=48, width=480, height=480)
    )
    a, t = s.events["address"], s.event_times["top"]
    c = s.clean_keypoints
    frames = np.arange(s.n_frames)

    def turn(lead, trail):
        yaw = np.array([_yaw_deg(c, lead, trail, f) for f in frames])
        return float(np.interp(t, frames, yaw)) - yaw[a]

    shoulder, hip = turn(11, 12), turn(23, 24)
    assert shoulder == pytest.approx(s.metrics["shoulder_turn_deg"], abs=0.5)
    assert s.metrics["shoulder_turn_deg"] == pytest.approx(97, abs=0.5)
    assert hip == pytest.approx(s.metrics["hip_turn_deg"], abs=0.5)
    assert s.metrics["x_factor_deg"] == pytest.approx(shoulder - hip, abs=1.0)


@pytest.mark.parametrize("fps", [30.0, 29.97, 60.0, 240.0])
def test_events_ordered_and_frame_count(fps):
    p = SwingParams(fps=fps, view="down-the-line")
    s = generate_swing(p)
    total = p.address_s + p.backswing_s + p.downswing_s + p.follow_s + p.finish_s
    assert s.n_frames == round(total * fps)
    frames = [s.events[k] for k in EVENT_NAMES]
    assert list(s.events) == list(EVENT_NAMES)
    assert frames == sorted(frames) and len(set(frames)) == 8
    assert s.events["address"] == int(np.floor(p.address_s * fps + 1e-9))
    assert s.metrics["tempo_ratio"] == pytest.approx(p.backswing_s / p.downswing_s)
    assert s.keypoints.shape == (s.n_frames, 33, 4) and s.keypoints.dtype == np.float32
    assert s.club_head.shape == (s.n_frames, 2)


def test_lead_arm_horizontal_at_mid_backswing():
    s = generate_swing(SwingParams(fps=240, noise=0))
    c = s.clean_keypoints
    for name in ("mid_backswing", "mid_downswing"):
        f = s.events[name]
        assert abs(c[f, 15, 1] - c[f, 11, 1]) < 0.01


def test_deterministic_by_seed_and_left_handed_is_a_mirror():
    a = generate_swing(SwingParams(seed=7, dropout=0.05))
    b = generate_swing(SwingParams(seed=7, dropout=0.05))
    np.testing.assert_array_equal(a.keypoints, b.keypoints)
    c = generate_swing(SwingParams(seed=8, dropout=0.05))
    assert not np.array_equal(np.nan_to_num(a.keypoints), np.nan_to_num(c.keypoints))
    lh = generate_swing(SwingParams(seed=7, left_handed=True))
    rh = generate_swing(SwingParams(seed=7))
    np.testing.assert_allclose(lh.keypoints[:, 11, 0], 1 - rh.keypoints[:, 12, 0], atol=1e-6)
    assert lh.events == rh.events


def test_dropouts_lower_confidence():
    s = generate_swing(SwingParams(dropout=0.1, seed=3))
    conf = s.keypoints[..., 3]
    assert np.isnan(s.keypoints).any() or (conf < 0.2).any()


@pytest.mark.parametrize(
    ("fps", "override", "expected_rate"),
    [(30.0, None, Fraction(30)), (29.97, None, Fraction(30000, 1001)), (240.0, 30.0, Fraction(30))],
)
def test_render_video_probe_and_pixels(tmp_path, fps, override, expected_rate):
    p = SwingParams(fps=fps, width=320, height=240, noise=0.0, finish_s=0.2, address_s=0.2)
    s = generate_swing(p)
    path = tmp_path / "swing.mp4"
    render_video(s, path, frame_rate_override=override)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.width, stream.height) == (320, 240)
        assert stream.average_rate == expected_rate
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(frames) == s.n_frames
    # The head disc is drawn where the keypoints say: skin colour at the nose pixel.
    f = s.events["address"]
    x, y = s.keypoints[f, 0, :2] * (320, 240)
    pixel = frames[f][int(y), int(x)].astype(int)
    assert np.abs(pixel - (224, 172, 128)).max() < 30


def test_render_video_resamples_time(tmp_path):
    s = generate_swing(SwingParams(fps=120, width=160, height=120, finish_s=0.2))
    path = tmp_path / "rt.mp4"
    render_video(s, path, fps=30)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        n = sum(1 for _ in container.decode(stream))
        assert stream.average_rate == 30
    assert n == (s.n_frames - 1) // 4 + 1
