"""Phone-like videos made with PyAV for the phone tests: what iPhones and Android phones record.

- iPhone: HEVC (libx265) in a QuickTime .mov, tagged `hvc1`, the portrait picture stored as
  landscape pixels with a display matrix turning it a quarter clockwise (what older FFmpeg showed
  as the `rotate=90` tag; the matrix reads -90, counter-clockwise), index at the end.
- Android: H.264 in an MP4 with the index at the end, at 240 fps for slow motion, keyframes far
  apart (libx264's default: every 250 frames).
- WebM: VP9 (libvpx-vp9) at its default keyframe spacing.
- Low light: H.264 whose frame times wander (a variable frame rate).

Frames are the synthetic swing (analysis.engine.synth.render_frame) drawn upright at the display size,
optionally with the frame number burned in (tests/browser/coded_swing.burn_code), so the overlay
sync test can read which frame the browser shows.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from analysis.engine.pose_io import export_pose_csv
from analysis.engine.synth import SwingParams, SyntheticSwing, generate_swing, render_frame
from swingvision.videos.mp4 import mux
from tests.browser.coded_swing import burn_code

# Short swings (about 1.8 s): the engine finds all 8 events, and files stay small.
SHORT = {"address_s": 0.3, "follow_s": 0.35, "finish_s": 0.25}


def short_swing(*, fps: float, width: int, height: int, seed: int = 5) -> SyntheticSwing:
    return generate_swing(
        SwingParams(fps=fps, width=width, height=height, seed=seed, noise=0.002, **SHORT)
    )


def baked_slow_motion() -> SyntheticSwing:
    """A 240 fps swing to write into a 30 fps file (8x slow motion), small."""
    return generate_swing(
        SwingParams(fps=240.0, width=160, height=120, seed=21, noise=0.002, **SHORT)
    )


def swing_frames(swing: SyntheticSwing, *, codes: bool = False) -> Iterator[np.ndarray]:
    p = swing.params
    for i in range(swing.n_frames):
        img = render_frame(
            swing.keypoints[i], swing.club_head[i], p.width, p.height, left_handed=p.left_handed
        )
        yield burn_code(img, i) if codes else img


def pose_csv(swing: SyntheticSwing, *, with_fps: bool = True) -> bytes:
    """The swing's poses as a pose file (our CSV export), with or without its frame rate."""
    return export_pose_csv(swing.keypoints, swing.fps if with_fps else None).encode()


def write_video(
    path: Path,
    frames: Iterator[np.ndarray],
    *,
    codec: str,
    rate: Fraction,
    container: str | None = None,
    display_rotation: int = 0,
    codec_tag: str | None = None,
    options: dict[str, str] | None = None,
    faststart: bool = False,
    stamps_ms: list[int] | None = None,
) -> Path:
    """Encode upright frames. `display_rotation` (counter-clockwise degrees, as the display
    matrix reads) stores the pixels turned the other way, as a phone does. `stamps_ms` gives each
    frame its own time (a variable frame rate) in a 1/1000 s time base."""
    turns = round(display_rotation / 90) % 4
    out = av.open(
        str(path), "w", format=container, options={"movflags": "+faststart"} if faststart else {}
    )
    with out:
        stream = out.add_stream(codec, rate=rate)
        time_base = Fraction(1, 1000) if stamps_ms is not None else 1 / rate
        stream.codec_context.time_base = time_base
        if codec_tag:
            stream.codec_tag = codec_tag
        if display_rotation:
            stream.set_display_rotation(display_rotation)
        stream.options = options or {}
        for i, upright in enumerate(frames):
            coded = np.ascontiguousarray(np.rot90(upright, -turns)) if turns else upright
            if i == 0:
                stream.height, stream.width = coded.shape[:2]
                stream.pix_fmt = "yuv420p"
            frame = av.VideoFrame.from_ndarray(coded, format="rgb24")
            frame.pts = stamps_ms[i] if stamps_ms is not None else i
            frame.time_base = time_base
            mux(out, stream, frame)
        mux(out, stream)
    return path


def iphone_hevc(path: Path, swing: SyntheticSwing, *, codes: bool = False) -> Path:
    """The swing as an iPhone portrait clip: HEVC, hvc1, .mov, display matrix -90."""
    return write_video(
        path,
        swing_frames(swing, codes=codes),
        codec="libx265",
        rate=Fraction(round(swing.fps)),
        container="mov",
        display_rotation=-90,
        codec_tag="hvc1",
        options={"preset": "ultrafast", "crf": "20", "x265-params": "log-level=error"},
    )


def android_h264(path: Path, swing: SyntheticSwing) -> Path:
    """The swing as an Android high-speed clip: H.264 in MP4, index at the end, long GOP."""
    return write_video(
        path,
        swing_frames(swing),
        codec="libx264",
        rate=Fraction(round(swing.fps)),
        container="mp4",
        options={"preset": "ultrafast", "crf": "20"},
    )


def vp9_webm(path: Path, swing: SyntheticSwing) -> Path:
    return write_video(
        path,
        swing_frames(swing),
        codec="libvpx-vp9",
        rate=Fraction(round(swing.fps)),
        container="webm",
        options={"deadline": "realtime", "cpu-used": "8", "crf": "32", "b": "0"},
    )


def vfr_stamps(n: int, *, mean_ms: float = 33.4, seed: int = 3) -> list[int]:
    """Frame times in ms that wander around `mean_ms` (30 fps give or take), strictly rising."""
    rng = np.random.default_rng(seed)
    steps = np.clip(rng.normal(mean_ms, 9.0, n - 1), 12, 70).round().astype(int)
    return [0, *np.cumsum(steps).tolist()]


def low_light_vfr(path: Path, swing: SyntheticSwing) -> tuple[Path, list[int]]:
    stamps = vfr_stamps(swing.n_frames)
    write_video(
        path,
        swing_frames(swing),
        codec="libx264",
        rate=Fraction(30),
        container="mp4",
        options={"preset": "ultrafast", "crf": "20"},
        stamps_ms=stamps,
    )
    return path, stamps


# -- the generated set, made once per test process ---------------------------------------------
CLIP_KINDS = ("iphone-hevc", "android-240fps", "vp9-webm", "low-light-vfr")


@dataclass(frozen=True)
class PhoneClip:
    kind: str
    path: Path
    swing: SyntheticSwing
    content_type: str
    reason: str  # a word the rendition's reasons must contain
    display: tuple[int, int]  # width, height as shown


@functools.cache
def phone_clips() -> dict[str, PhoneClip]:
    """The four phone-like uploads of the acceptance tests (about 10 s to make, once)."""
    d = Path(tempfile.mkdtemp(prefix="sv-phone-"))
    atexit.register(shutil.rmtree, d, True)
    portrait = short_swing(fps=30, width=1080, height=1920)
    fast = short_swing(fps=240, width=320, height=240, seed=6)
    small = short_swing(fps=30, width=320, height=240, seed=7)
    vfr_path, _ = low_light_vfr(d / "low-light.mp4", small)
    return {
        "iphone-hevc": PhoneClip(
            "iphone-hevc",
            iphone_hevc(d / "IMG_0042.MOV", portrait, codes=True),
            portrait,
            "video/quicktime",
            "hevc",
            (1080, 1920),
        ),
        "android-240fps": PhoneClip(
            "android-240fps",
            android_h264(d / "VID_240fps.mp4", fast),
            fast,
            "video/mp4",
            "keyframes",
            (320, 240),
        ),
        "vp9-webm": PhoneClip(
            "vp9-webm",
            vp9_webm(d / "swing.webm", small),
            small,
            "video/webm",
            "keyframes",
            (320, 240),
        ),
        "low-light-vfr": PhoneClip(
            "low-light-vfr", vfr_path, small, "video/mp4", "variable", (320, 240)
        ),
    }
