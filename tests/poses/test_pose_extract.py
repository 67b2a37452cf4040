"""MediaPipe pose extraction on the real GolfDB swing video, rotation handling and bad files."""

from __future__ import annotations

import functools
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import av
import numpy as np
import pytest

from analysis.engine import extract
from analysis.engine.extract import (
    ExtractedPoses,
    ExtractionError,
    extract_poses,
    mediapipe_available,
)
from analysis.engine.pose import BODY_JOINTS, LANDMARK_INDEX
from tests.conftest import SHARED_DATA

VIDEO = SHARED_DATA / "golfdb" / "test_video.mp4"
REPO = Path(__file__).resolve().parents[2]


@functools.cache
def _extract_golfdb() -> tuple[ExtractedPoses, list[tuple[int, int]]]:
    calls: list[tuple[int, int]] = []
    result = extract_poses(VIDEO, progress=lambda done, total: calls.append((done, total)))
    return result, calls


def extract_golfdb_poses() -> ExtractedPoses:
    """The poses of the GolfDB test video, extracted once per test session (about 5 s)."""
    return _extract_golfdb()[0]


@pytest.fixture(scope="session")
def golfdb_poses() -> ExtractedPoses:
    assert mediapipe_available(), "the 'pose' extra must be installed: pip install .[pose]"
    return extract_golfdb_poses()


def _write_clip(path: Path, frames: list[np.ndarray], rate: Fraction, rotation: int = 0) -> None:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "18"}
        if rotation:
            stream.set_display_rotation(rotation)
        for image in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def _video_frames(n: int) -> list[np.ndarray]:
    with av.open(str(VIDEO)) as container:
        frames = []
        for frame in container.decode(video=0):
            frames.append(frame.to_ndarray(format="rgb24"))
            if len(frames) == n:
                return frames
    return frames


# ---------------------------------------------------------------------------------------------
# The real swing


def test_real_swing_shape_rate_and_size(golfdb_poses: ExtractedPoses) -> None:
    kp = golfdb_poses.keypoints
    assert kp.shape == (264, 33, 4) and kp.dtype == np.float32
    assert golfdb_poses.fps == pytest.approx(29.97)
    assert (golfdb_poses.width, golfdb_poses.height) == (354, 492)
    assert golfdb_poses.rotation_deg == 0
    assert golfdb_poses.n_detected >= 250
    detected = ~np.isnan(kp[:, :, 0]).all(axis=1)
    assert detected.sum() == golfdb_poses.n_detected
    # Rows are all-or-nothing, and present values are finite with confidence in 0..1.
    assert np.isnan(kp[~detected]).all() and np.isfinite(kp[detected]).all()
    assert ((kp[detected, :, 3] >= 0) & (kp[detected, :, 3] <= 1)).all()


def test_real_swing_keypoints_are_anatomically_plausible(golfdb_poses: ExtractedPoses) -> None:
    kp = golfdb_poses.keypoints
    kp = kp[~np.isnan(kp[:, 0, 0])]

    def y(name: str) -> np.ndarray:
        return kp[:, LANDMARK_INDEX[name], 1]

    hips = (y("left_hip") + y("right_hip")) / 2
    shoulders = (y("left_shoulder") + y("right_shoulder")) / 2
    knees = (y("left_knee") + y("right_knee")) / 2
    ankles = (y("left_ankle") + y("right_ankle")) / 2
    assert (y("nose") < hips).mean() > 0.95
    assert (shoulders < hips).mean() > 0.95
    assert (hips < knees).mean() > 0.95
    assert (knees < ankles).mean() > 0.95
    # The golfer is in the picture: body joints mostly inside the frame and confidently seen.
    body = kp[:, list(BODY_JOINTS)]
    inside = (body[..., :2] > -0.05) & (body[..., :2] < 1.05)
    assert inside.all(axis=-1).mean() > 0.9
    assert np.median(body[..., 3]) > 0.8
    # The swing moves the hands: wrists travel over a good part of the frame height.
    wrists = (y("left_wrist") + y("right_wrist")) / 2
    assert np.ptp(wrists) > 0.2


def test_progress_is_reported_every_few_frames(golfdb_poses: ExtractedPoses) -> None:
    calls = _extract_golfdb()[1]
    assert calls[0] == (10, 264)
    assert calls[-1] == (264, 264)
    assert len(calls) == 264 // 10 + 1
    assert all(b[0] > a[0] for a, b in zip(calls, calls[1:], strict=False))


def test_display_rotation_is_applied(tmp_path: Path, golfdb_poses: ExtractedPoses) -> None:
    # A phone stores a portrait clip as landscape pixels plus a display rotation: store the first
    # frames turned a quarter clockwise, with a display matrix turning them back.
    frames = _video_frames(30)
    clip = tmp_path / "portrait.mp4"
    _write_clip(
        clip, [np.ascontiguousarray(np.rot90(f, -1)) for f in frames], Fraction(30000, 1001), 90
    )

    upright = extract_poses(clip)
    assert upright.rotation_deg == 90
    assert (upright.width, upright.height) == (354, 492)
    assert upright.fps == pytest.approx(29.97, rel=1e-4)
    assert upright.n_detected == 30
    body = list(BODY_JOINTS)
    diff = np.abs(upright.keypoints[:, body, :2] - golfdb_poses.keypoints[:30, body, :2])
    assert np.median(diff) < 0.01

    sideways = extract_poses(clip, rotate=False)
    assert sideways.rotation_deg == 0
    assert (sideways.width, sideways.height) == (492, 354)


def test_rotation_fallback_reads_the_legacy_rotate_tag() -> None:
    stream = SimpleNamespace(metadata={"rotate": "90"})  # clockwise, as old muxers tagged it
    assert extract._quarter_turns(SimpleNamespace(rotation=0), stream) == 3
    assert extract._quarter_turns(SimpleNamespace(rotation=-90), stream) == 3
    assert extract._quarter_turns(SimpleNamespace(rotation=180), SimpleNamespace(metadata={})) == 2
    assert extract._quarter_turns(SimpleNamespace(), SimpleNamespace(metadata={})) == 0


# ---------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "cannot open"),
        (b"frame,landmark,x,y\n0,nose,0.5,0.5\n", "cannot open"),
        (b"\x00\x00\x00\x18ftypmp42" + bytes(200), "cannot open"),
    ],
    ids=["missing file", "text file", "empty mp4 box"],
)
def test_undecodable_files_raise_extraction_error(
    tmp_path: Path, content: bytes | None, fragment: str
) -> None:
    path = tmp_path / "upload.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ExtractionError, match=fragment):
        extract_poses(path)


def test_truncated_video_raises_extraction_error(tmp_path: Path) -> None:
    data = VIDEO.read_bytes()
    # The 'moov' index sits at the end of this file: cut it off, and nothing can be read.
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ExtractionError, match="cannot open"):
        extract_poses(cut)
    # With the index in front (faststart), half the frames decode: still a truncated upload.
    fast = tmp_path / "fast.mp4"
    _write_clip(fast, _video_frames(40), Fraction(30))
    half = tmp_path / "half.mp4"
    fast_data = fast.read_bytes()
    assert fast_data.find(b"moov") > fast_data.find(b"mdat")  # PyAV writes the index last
    with (
        av.open(str(fast)) as src,
        av.open(str(half), "w", options={"movflags": "faststart"}) as dst,
    ):
        out = dst.add_stream_from_template(src.streams.video[0])
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is not None:
                packet.stream = out
                dst.mux(packet)
    whole = half.read_bytes()
    half.write_bytes(whole[: len(whole) * 2 // 3])
    with pytest.raises(ExtractionError, match="truncated"):
        extract_poses(half)


def test_audio_only_file_has_no_video_stream(tmp_path: Path) -> None:
    path = tmp_path / "voice.m4a"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=16000)
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 1024), np.float32), format="fltp", layout="mono"
        )
        frame.sample_rate = 16000
        for packet in [*stream.encode(frame), *stream.encode()]:
            out.mux(packet)
    with pytest.raises(ExtractionError, match="no video stream"):
        extract_poses(path)


def test_model_complexity_is_checked() -> None:
    with pytest.raises(ValueError, match="model_complexity"):
        extract_poses(VIDEO, model_complexity=3)


def test_without_mediapipe_extraction_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(extract, "mediapipe_available", lambda: False)
    with pytest.raises(RuntimeError, match=r"pip install \.\[pose\]"):
        extract_poses(VIDEO)


def test_module_imports_without_mediapipe() -> None:
    code = (
        "import sys; sys.modules['mediapipe'] = None\n"
        "import analysis.engine.extract as e\n"
        "assert not e.mediapipe_available()\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
