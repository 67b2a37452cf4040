"""What a stored swing says about itself: its frame rates, frame count, slow motion, camera view,
its stored poses as one array and the metric values that count across swings.

Pages, exports, similarity, the managers and the pipeline all read these facts here, so a swing
has one frame count and one capture rate wherever it is shown or analysed.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np

from analysis.engine.core import UNCOUNTED_STATUSES

from .camera import swing_view
from .records import PoseSequence, SwingAnalysis, User, Video

DEFAULT_FPS = 30.0


def _positive(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def _analysis_detail(analysis: SwingAnalysis | None, key: str) -> float | None:
    return _positive((analysis.details or {}).get(key)) if analysis else None


def video_fps(video: Video, analysis: SwingAnalysis | None = None) -> float:
    """The rate of the video's frames (pose frame k is shown at k / fps in the video): the
    browser rendition's when there is one (the average rate of a variable-rate original)."""
    meta = video.metadata
    for key in ("playback_fps", "fps", "pose_fps"):
        value = _positive(meta.get(key))
        if value:
            return value
    return _analysis_detail(analysis, "fps") or DEFAULT_FPS


def capture_fps(video: Video, analysis: SwingAnalysis | None = None) -> float:
    """The rate the swing was filmed at (slow-motion files play slower than they were filmed):
    the rate its analysis used, else the one given at upload, else the file's."""
    return (
        _analysis_detail(analysis, "fps")
        or _positive(video.metadata.get("capture_fps"))
        or video_fps(video)
    )


def slow_motion(video: Video, analysis: SwingAnalysis | None = None) -> float | None:
    """How many times slower than filmed the file plays, or None for a real-time file."""
    filmed, plays = capture_fps(video, analysis), video_fps(video, analysis)
    return filmed / plays if filmed > plays * 1.01 else None


def frame_count(video: Video, analysis: SwingAnalysis | None = None) -> int:
    """How many frames the swing has (0 when nothing says): the video's decoded frames or the
    frames its analysis covered, whichever is more, so every frame either names is in range."""
    values = (_positive(video.metadata.get("frame_count")), _analysis_detail(analysis, "n_frames"))
    return int(max((v for v in values if v), default=0))


def view_of(video: Video, player: User | None = None) -> str:
    """The camera view the swing was filmed from: the video's, else the player's usual one."""
    return swing_view(video.metadata, player.settings if player else None)


def dense_keypoints(seq: PoseSequence, n_frames: int | None = None) -> np.ndarray:
    """The sequence as (n_frames, 33, 4) with NaN rows for frames that have no stored pose."""
    n = int(n_frames if n_frames is not None else (seq.frame_numbers.max() + 1 if len(seq) else 0))
    out = np.full((n, 33, 4), np.nan, dtype=np.float32)
    keep = seq.frame_numbers < n
    out[seq.frame_numbers[keep]] = seq.keypoints[keep]
    return out


def swing_keypoints(video: Video, analysis: SwingAnalysis | None, seq: PoseSequence) -> np.ndarray:
    """The stored poses as (frames, 33, 4): every frame of the swing, NaN rows where none."""
    n = frame_count(video, analysis)
    if len(seq):
        n = max(n, int(seq.frame_numbers.max()) + 1)
    return dense_keypoints(seq, n)


def timing_state(analysis: SwingAnalysis | None) -> str:
    """ "real time", "too slow for real time" (the swing page asks for the capture rate) or
    "confirmed", as the analysis stored it (older analyses: "real time")."""
    timing = (analysis.details or {}).get("timing") if analysis else None
    if isinstance(timing, dict):
        timing = timing.get("state")
    return timing if isinstance(timing, str) else "real time"


class _Measured(Protocol):
    @property
    def metrics(self) -> dict: ...

    @property
    def details(self) -> dict: ...


def counted_metrics(analysis: _Measured) -> dict[str, float]:
    """Metric name -> value, of the values that may be averaged, charted or trended across a
    player's swings: finite numbers whose engine status counts ("scored", "recorded", or no
    status at all from an older engine). A value the swing page shows unscored ("check the
    markers or the camera view", "too uncertain to score", ...) stays on the swing but is left out
    here: a face-on shoulder turn of -9 degrees averaged with 77 made a key metric of 34."""
    statuses = (analysis.details or {}).get("metrics") or {}
    out = {}
    for name, value in (analysis.metrics or {}).items():
        if (type(value) is not float and type(value) is not int) or not math.isfinite(value):
            continue
        detail = statuses.get(name)
        if isinstance(detail, dict) and detail.get("status") in UNCOUNTED_STATUSES:
            continue
        out[name] = float(value)
    return out
