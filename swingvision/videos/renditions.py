"""Browser renditions: an uploaded video re-encoded so every browser plays and seeks it frame by frame.

Phones record HEVC in QuickTime files with a rotation flag (iPhone), or H.264/HEVC in MP4 with the
index at the end (Android), at 30-240 fps, and in low light at a variable frame rate. Chromium plays
no HEVC at all, and a file whose keyframes are seconds apart makes every frame step a long decode.

When a rendition is made (`rendition_reasons`): unless the original is H.264 in an MP4 (not a
QuickTime .mov) with its index at the front, or VP8/VP9 in WebM, AND it is upright (no display
rotation), at a constant frame rate, 8-bit 4:2:0 (yuv420p), at most 1920x1080, with keyframes no
further apart than the rendition's own (`gop_for`). Rows probed before these facts were recorded
get a rendition too: unknown means "not known to play well".

What a rendition is (`transcode`): H.264 (libx264, High profile, yuv420p) in an MP4 with the index
at the front (movflags=+faststart); the pixels turned upright (no rotation metadata left); scaled
down to fit 1920x1080 if larger (poses are fractions of the frame, so the overlay is unaffected);
every decoded frame written once, in order, at a constant rate, so frame N of the rendition is frame
N of the poses. For a variable-frame-rate original that rate is the average (frames / duration, the
probe's `fps`), recorded as `rendition.from_vfr`; the replay maps time to frame with it. A keyframe
at least every second (every half second above 60 fps), for quick seeking. No audio: the replay is
muted. The original stays in the store for the retention period; the replay plays the rendition,
and both are deleted together (videos/retention.py).
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.conf import settings

from swingvision.db.managers import Managers
from swingvision.db.records import Video
from swingvision.storage import RENDITIONS_PREFIX, BlobNotFound, get_store

from .mp4 import add_h264, mp4_rewrite, mux
from .probe import MATROSKA_FAMILY, MP4_FAMILY, container_family

log = logging.getLogger("swingvision.videos")

RENDITION_VERSION = 1
CONTENT_TYPE = "video/mp4"
MAX_LONG_SIDE, MAX_SHORT_SIDE = 1920, 1080
# x264: "veryfast" keeps a 1080p transcode within a few times the decode alone on two cores;
# CRF 22 keeps a club shaft and the hands sharp at swing speed.
PRESET = "veryfast"
CRF = 22
MAX_GOP = 120  # frames a seek may decode at most, whatever the frame rate
PLAYABLE = {("h264", MP4_FAMILY), ("vp8", MATROSKA_FAMILY), ("vp9", MATROSKA_FAMILY)}
PLAYABLE_PIX_FMTS = {"yuv420p"}


class RenditionError(Exception):
    """The video could not be re-encoded; the message says why (kept in metadata)."""


def rendition_key(player_id: str, video_id: str) -> str:
    return f"{RENDITIONS_PREFIX}{player_id}/{video_id}/playback.mp4"


def gop_for(fps: float) -> int:
    """The keyframe interval in frames: one second up to 60 fps, half a second above (a 240 fps
    slow-motion clip steps backwards through at most 120 frames), never more than MAX_GOP."""
    fps = float(fps) if fps and fps > 0 else 30.0
    frames = round(fps) if fps <= 60 else round(fps / 2)
    return max(1, min(MAX_GOP, frames))


def output_size(width: int, height: int) -> tuple[int, int]:
    """The rendition's size (display orientation): the original's, fitted into 1920x1080 (either
    way round), both sides even for 4:2:0."""
    long_side, short_side = max(width, height), min(width, height)
    scale = min(1.0, MAX_LONG_SIDE / long_side, MAX_SHORT_SIDE / short_side)
    w = max(2, int(round(width * scale / 2)) * 2)
    h = max(2, int(round(height * scale / 2)) * 2)
    return w, h


def rendition_reasons(meta: dict[str, Any]) -> list[str]:
    """Why this video needs a browser rendition (empty: the original plays as it is)."""
    codec = meta.get("codec")
    container = container_family(meta.get("container"))
    reasons = []
    if (codec, container) not in PLAYABLE:
        named = meta.get("container") or "an unknown container"
        reasons.append(f"{codec or 'unknown codec'} in {named}")
    elif container == MP4_FAMILY and meta.get("brand") == "qt":
        reasons.append("QuickTime (.mov) file")
    if container == MP4_FAMILY and meta.get("faststart") is not True:
        reasons.append("index at the end of the file (no fast start)")
    rotation = meta.get("rotation") or 0
    if rotation:
        reasons.append(f"turned {rotation}° (counter-clockwise) for display by metadata")
    if meta.get("variable_frame_rate") is not False:
        reasons.append("variable (or unknown) frame rate")
    pix_fmt = meta.get("pix_fmt")
    if pix_fmt not in PLAYABLE_PIX_FMTS:
        reasons.append(f"pixel format {pix_fmt or 'unknown'}")
    width, height = meta.get("width") or 0, meta.get("height") or 0
    if not width or not height or output_size(width, height) != (width, height):
        reasons.append(f"frame size {width}x{height} (larger than 1920x1080, or unknown)")
    gap = meta.get("max_keyframe_gap")
    if not isinstance(gap, int) or gap > gop_for(meta.get("fps") or 30.0):
        reasons.append(f"keyframes {gap or 'an unknown number of'} frames apart (slow seeking)")
    return reasons


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendition:
    """A transcoded file and what it is."""

    path: Path
    width: int
    height: int
    rate: Fraction  # constant frame rate: frame i is shown at i / rate
    frame_count: int
    gop: int
    from_vfr: bool
    rotation: int  # the counter-clockwise turn applied to the pixels
    seconds: float

    def as_metadata(self, reasons: list[str]) -> dict[str, Any]:
        return {
            "version": RENDITION_VERSION,
            "codec": "h264",
            "container": "mp4",
            "width": self.width,
            "height": self.height,
            "fps": float(self.rate),
            "rate": f"{self.rate.numerator}/{self.rate.denominator}",
            "frame_count": self.frame_count,
            "gop": self.gop,
            "from_vfr": self.from_vfr,
            "rotation_applied": self.rotation,
            "size_bytes": self.path.stat().st_size,
            "seconds": round(self.seconds, 3),
            "reasons": reasons,
        }


def _frame_rate(stream: Any, fps: float | None, vfr: bool) -> Fraction:
    """The rendition's constant rate: the stream's own exact rate when it is constant and agrees
    with the probe; the probe's average (frames / duration) for a variable rate."""
    exact = stream.average_rate or stream.guessed_rate
    if not vfr and exact and (not fps or abs(float(exact) - fps) < 1e-3 * max(fps, 1.0)):
        return Fraction(exact.numerator, exact.denominator)
    if fps and fps > 0:
        return Fraction(str(fps)).limit_denominator(100_000)
    if exact:
        return Fraction(exact.numerator, exact.denominator)
    raise RenditionError("the video states no frame rate")


def _quarter_turns(frame: Any) -> int:
    """Counter-clockwise quarter turns that show the frame upright (PyAV reports the display
    matrix as counter-clockwise degrees; analysis/engine/extract.py turns poses the same way)."""
    return round((getattr(frame, "rotation", 0) or 0) / 90) % 4


def _filter_graph(frame: Any, time_base: Fraction, turns: int, size: tuple[int, int]):
    """Turn upright, scale to `size`, convert to yuv420p: one FFmpeg filter graph in C."""
    from av.filter import Graph

    graph = Graph()
    chain = [
        graph.add_buffer(
            width=frame.width, height=frame.height, format=frame.format, time_base=time_base
        )
    ]
    if turns == 1:
        chain.append(graph.add("transpose", "cclock"))
    elif turns == 3:
        chain.append(graph.add("transpose", "clock"))
    elif turns == 2:
        chain += [graph.add("hflip"), graph.add("vflip")]
    upright = (frame.height, frame.width) if turns % 2 else (frame.width, frame.height)
    if upright != size:
        chain.append(graph.add("scale", f"{size[0]}:{size[1]}"))
    chain.append(graph.add("format", "yuv420p"))
    chain.append(graph.add("buffersink"))
    for a, b in zip(chain, chain[1:], strict=False):
        a.link_to(b)
    graph.configure()
    return graph


def transcode(
    source: str | Path,
    dest: str | Path,
    *,
    fps: float | None = None,
    variable_frame_rate: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Rendition:
    """Write the browser rendition of `source` to `dest` (see the module docstring).

    `fps`/`variable_frame_rate` are the probe's; `progress(done, total)` is called per frame."""
    started = time.perf_counter()
    dest = Path(dest)
    with mp4_rewrite(
        source, dest, error=RenditionError, what="video", no_video="the file has no video stream"
    ) as (src, out, stream):
        stream.thread_type = "AUTO"
        total = int(stream.frames or 0)
        rate = _frame_rate(stream, fps, variable_frame_rate)
        step = Fraction(1) / rate
        gop = gop_for(float(rate))
        graph = encoder = None
        turns = 0
        size = (0, 0)
        written = 0
        for frame in src.decode(stream):
            if graph is None:
                turns = _quarter_turns(frame)
                upright = (frame.height, frame.width) if turns % 2 else (frame.width, frame.height)
                size = output_size(*upright)
                graph = _filter_graph(frame, stream.time_base or step, turns, size)
                encoder = add_h264(
                    out,
                    size,
                    rate=rate,
                    time_base=step,
                    gop=gop,
                    options={
                        "preset": PRESET,
                        "crf": str(CRF),
                        "profile": "high",
                        # Exactly `gop` frames between keyframes (scene cuts would add more).
                        "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0",
                    },
                )
            graph.push(frame)
            upright_frame = graph.pull()
            # The time base the encoder was opened with, not the stream's: the MP4 muxer
            # replaces that with its own timescale when it writes the header.
            upright_frame.pts = written
            upright_frame.time_base = step
            mux(out, encoder, upright_frame)
            written += 1
            if progress is not None:
                progress(written, max(total, written))
        if encoder is None:
            raise RenditionError("no frame of the video could be decoded")
        mux(out, encoder)
    return Rendition(
        path=dest,
        width=size[0],
        height=size[1],
        rate=rate,
        frame_count=written,
        gop=gop,
        from_vfr=bool(variable_frame_rate),
        rotation=90 * turns,
        seconds=time.perf_counter() - started,
    )


# -- the worker's step ------------------------------------------------------------------------
def has_current_rendition(video: Video) -> bool:
    info = video.metadata.get("rendition") or {}
    return bool(video.metadata.get("rendition_ref")) and info.get("version") == RENDITION_VERSION


def ensure_rendition(
    m: Managers, video: Video, *, progress: Callable[[int, int], None] | None = None
) -> Video:
    """Make (or confirm) the video's playback file and record it in its metadata: the worker's
    first step. Returns the updated row. Raises RenditionError when re-encoding fails."""
    if not video.blob_ref or video.status == "expired":
        return video
    store = get_store()
    meta = video.metadata
    reasons = rendition_reasons(meta)
    if not reasons:
        return _record(m, video, {"playback": "original", "playback_fps": meta.get("fps")})
    if has_current_rendition(video) and store.exists(meta["rendition_ref"]):
        return video  # a re-run (re-analysis, a requeued job): the rendition is there already
    temp_root = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None) or None
    try:
        with (
            store.local_copy(video.blob_ref) as source,
            tempfile.TemporaryDirectory(prefix="sv-rendition-", dir=temp_root) as tmp,
        ):
            made = transcode(
                source,
                Path(tmp) / "playback.mp4",
                fps=meta.get("fps"),
                variable_frame_rate=bool(meta.get("variable_frame_rate")),
                progress=progress,
            )
            info = made.as_metadata(reasons)
            ref = store.put_file(
                rendition_key(video.user_id, video.id), made.path, content_type=CONTENT_TYPE
            )
    except BlobNotFound:
        raise RenditionError("the video file is missing from storage") from None
    expected = meta.get("frame_count")
    if isinstance(expected, int) and expected != made.frame_count:
        log.warning(
            "video %s: the rendition has %d frames, the probe counted %d",
            video.id,
            made.frame_count,
            expected,
        )
    log.info(
        "video %s: rendition %dx%d @ %s fps, %d frames in %.1fs (%s)",
        video.id,
        made.width,
        made.height,
        info["rate"],
        made.frame_count,
        made.seconds,
        "; ".join(reasons),
    )
    return _record(
        m,
        video,
        {
            "playback": "rendition",
            "rendition_ref": ref,
            "rendition": info,
            "playback_fps": info["fps"],
        },
    )


def _record(m: Managers, video: Video, changes: dict[str, Any]) -> Video:
    current = m.videos.get_system(video.user_id, video.id)
    meta = {k: v for k, v in current.metadata.items() if k != "rendition_error"}
    meta.update({k: v for k, v in changes.items() if v is not None})
    if meta == current.metadata:
        return current
    return m.videos.update(current, metadata=meta)
