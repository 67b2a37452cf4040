"""Poses of a rotated phone clip are in display orientation, the orientation of its rendition:
MediaPipe on an iPhone-style HEVC .mov (portrait stored as landscape plus a display matrix) finds
the same joints as on the upright frames and as on the rendition the coach watches."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from analysis.engine.extract import extract_poses, mediapipe_available
from analysis.engine.pose import BODY_JOINTS
from swingvision.videos.renditions import transcode
from tests.poses.test_pose_extract import _video_frames

from . import phone_media

FRAMES = 24

pytestmark = pytest.mark.slow


def test_poses_of_a_rotated_hevc_clip_line_up_with_its_rendition(tmp_path):
    assert mediapipe_available(), "the 'pose' extra must be installed: pip install .[pose]"
    frames = _video_frames(FRAMES)  # the real swing, upright
    upright_clip = phone_media.write_video(
        tmp_path / "upright.mp4",
        iter(frames),
        codec="libx264",
        rate=Fraction(30),
        options={"crf": "16", "preset": "ultrafast"},
    )
    phone = phone_media.write_video(
        tmp_path / "IMG_0001.MOV",
        iter(frames),
        codec="libx265",
        rate=Fraction(30),
        container="mov",
        display_rotation=-90,
        codec_tag="hvc1",
        options={"preset": "ultrafast", "crf": "16", "x265-params": "log-level=error"},
    )
    with av.open(str(phone)) as container:
        first = next(container.decode(video=0))
        assert (first.width, first.height, first.rotation) == (492, 354, -90)  # stored sideways

    from_phone = extract_poses(phone)
    assert from_phone.rotation_deg == 270 and (from_phone.width, from_phone.height) == (354, 492)
    rendition = transcode(phone, tmp_path / "playback.mp4", fps=30.0)
    assert (rendition.width, rendition.height, rendition.rotation) == (354, 492, 270)
    from_rendition = extract_poses(rendition.path)
    assert from_rendition.rotation_deg == 0
    from_upright = extract_poses(upright_clip)
    body = list(BODY_JOINTS)
    seen = ~np.isnan(from_phone.keypoints[:, body, 0])
    assert seen.mean() > 0.9
    for other in (from_rendition, from_upright):
        assert other.n_frames == from_phone.n_frames == FRAMES
        diff = np.abs(from_phone.keypoints[:, body, :2] - other.keypoints[:, body, :2])
        assert np.nanmedian(diff) < 0.01, np.nanmedian(diff)
