"""Pose extraction from a video file with MediaPipe Pose (the optional 'pose' extra).

Frames are decoded with PyAV, turned upright when the file carries a display rotation, and fed in
order to MediaPipe Pose in video mode (tracking and landmark smoothing across frames). The result
is the canonical (frames, 33, 4) array of `analysis.engine.pose`, one row per decoded frame.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from analysis.engine.pose import N_LANDMARKS, empty_poses

MISSING_EXTRA = "pose extraction needs the 'pose' extra: pip install .[pose]"
PROGRESS_EVERY = 10  # frames between progress callbacks
# Fewer decoded frames than this share of the count the container states means a truncated file
# (a little slack: edit lists may hide a frame or two).
MIN_DECODED_SHARE = 0.95
# MediaPipe's landmark model per model_complexity; only 'full' ships inside the wheel, the others
# are downloaded on first use, which an offline server cannot do.
_LANDMARK_MODELS = {0: "pose_landmark_lite", 1: "pose_landmark_full", 2: "pose_landmark_heavy"}


class ExtractionError(Exception):
    """The video could not be read (not a video, no video stream, undecodable frames)."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ExtractedPoses:
    """Poses of every decoded frame; rows where no person was found are NaN.

    `width`/`height` are the size of the images MediaPipe saw: the display orientation when the
    frames were rotated upright. `rotation_deg` is the counter-clockwise turn that was applied.
    """

    keypoints: np.ndarray
    fps: float
    width: int
    height: int
    n_detected: int
    rotation_deg: int
    seconds: float

    @property
    def n_frames(self) -> int:
        return len(self.keypoints)


def mediapipe_available() -> bool:
    """Whether the optional MediaPipe dependency is installed."""
    return importlib.util.find_spec("mediapipe") is not None


def extract_poses(
    path: str | Path,
    *,
    model_complexity: int = 1,
    progress: Callable[[int, int], None] | None = None,
    rotate: bool = True,
) -> ExtractedPoses:
    """Run MediaPipe Pose over every frame of the video at `path`.

    `progress(done, total)` is called every few frames and at the end; `total` is the stream's
    frame count as the container states it (an estimate; 0 when unknown). With `rotate`, frames
    are turned by the stream's display rotation first, so the poses are in display orientation.
    Raises ExtractionError for a file that cannot be decoded (or that decodes to clearly fewer
    frames than its container states: a truncated upload), RuntimeError without mediapipe.
    """
    if not mediapipe_available():
        raise RuntimeError(MISSING_EXTRA)
    pose_solution = _pose_solution(model_complexity)

    started = time.perf_counter()
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise ExtractionError(f"cannot open {Path(path).name} as a video: {exc}") from exc
    with container:
        if not container.streams.video:
            raise ExtractionError(f"{Path(path).name} has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        total = _frame_count(stream)
        rows: list[np.ndarray] = []
        times: list[float] = []
        quarter_turns = 0
        size = (0, 0)
        with pose_solution(
            static_image_mode=False,
            model_complexity=model_complexity,
            smooth_landmarks=True,
        ) as pose:
            try:
                for frame in container.decode(stream):
                    if not rows:
                        quarter_turns = _quarter_turns(frame, stream) if rotate else 0
                    image = frame.to_ndarray(format="rgb24")
                    if quarter_turns:
                        image = np.ascontiguousarray(np.rot90(image, quarter_turns))
                    if not rows:
                        size = (image.shape[1], image.shape[0])
                    elif (image.shape[1], image.shape[0]) != size:
                        raise ExtractionError(
                            f"frame {len(rows)}: the frame size changed mid-stream "
                            f"({size[0]}x{size[1]} -> {image.shape[1]}x{image.shape[0]})"
                        )
                    rows.append(_landmarks(pose.process(image)))
                    if frame.time is not None:
                        times.append(frame.time)
                    if progress is not None and len(rows) % PROGRESS_EVERY == 0:
                        progress(len(rows), max(total, len(rows)))
            except av.FFmpegError as exc:
                raise ExtractionError(
                    f"{Path(path).name}: decoding failed at frame {len(rows)}: {exc}"
                ) from exc
        if not rows:
            raise ExtractionError(f"{Path(path).name}: no video frame could be decoded")
        if stream.frames and len(rows) < MIN_DECODED_SHARE * stream.frames:
            raise ExtractionError(
                f"{Path(path).name}: only {len(rows)} of its {stream.frames} frames could be "
                "decoded; the file looks truncated"
            )
        fps = _frame_rate(stream, times)
    if progress is not None:
        progress(len(rows), len(rows))

    keypoints = np.stack(rows).astype(np.float32)
    return ExtractedPoses(
        keypoints=keypoints,
        fps=fps,
        width=size[0],
        height=size[1],
        n_detected=int((~np.isnan(keypoints[:, :, 0])).any(axis=1).sum()),
        rotation_deg=90 * quarter_turns,
        seconds=time.perf_counter() - started,
    )


def _pose_solution(model_complexity: int):
    if model_complexity not in _LANDMARK_MODELS:
        raise ValueError(f"model_complexity must be 0, 1 or 2, not {model_complexity!r}")
    import mediapipe  # optional extra; checked by the caller

    model = (
        Path(mediapipe.__file__).parent
        / "modules"
        / "pose_landmark"
        / f"{_LANDMARK_MODELS[model_complexity]}.tflite"
    )
    if not model.exists():
        raise RuntimeError(
            f"model_complexity={model_complexity} needs {model.name}, which this mediapipe "
            "install does not include (mediapipe would download it); use model_complexity=1"
        )
    return mediapipe.solutions.pose.Pose


def _landmarks(results) -> np.ndarray:
    """MediaPipe's result for one image as a (33, 4) row, NaN when no person was found."""
    if results.pose_landmarks is None:
        return empty_poses(1)[0]
    row = np.array(
        [(lm.x, lm.y, lm.z, lm.visibility) for lm in results.pose_landmarks.landmark],
        dtype=np.float32,
    )
    assert row.shape == (N_LANDMARKS, 4)
    row[:, 3] = np.clip(row[:, 3], 0.0, 1.0)
    return row


def _quarter_turns(frame: av.VideoFrame, stream: av.video.stream.VideoStream) -> int:
    """Counter-clockwise quarter turns (for np.rot90) that show the frame upright.

    PyAV 14+ reports the display matrix as `frame.rotation`, counter-clockwise degrees; older
    files/versions put a clockwise 'rotate' tag in the stream metadata.
    """
    degrees = getattr(frame, "rotation", None)
    if not degrees:
        tag = stream.metadata.get("rotate")
        try:
            degrees = -int(float(tag)) if tag else 0
        except ValueError:
            degrees = 0
    return round(degrees / 90) % 4


def _frame_count(stream: av.video.stream.VideoStream) -> int:
    if stream.frames:
        return int(stream.frames)
    if stream.duration and stream.time_base and stream.average_rate:
        return int(round(float(stream.duration * stream.time_base * stream.average_rate)))
    return 0


def _frame_rate(stream: av.video.stream.VideoStream, times: list[float]) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate:
            return float(rate)
    if len(times) >= 2 and times[-1] > times[0]:
        return (len(times) - 1) / (times[-1] - times[0])
    raise ExtractionError("the video states no frame rate")
