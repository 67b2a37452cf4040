"""A recorded lesson's file: what it holds (probed with PyAV) and its MP4 rendition.

Browsers record with MediaRecorder: Chromium and Firefox write WebM (VP8/VP9 with Opus), which
Safari on iOS does not play everywhere, and Chromium's WebM has neither a duration nor a seek
index in its header, so no browser can seek in it before it has read it all. Safari writes a
fragmented MP4. Every lesson therefore gets one rendition that every browser plays and seeks: H.264
(yuv420p) and AAC in an MP4 with its index at the front. A recording's frame rate is variable (the
canvas stream sends a frame when the picture changes): each frame keeps its time.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from swingvision.videos.mp4 import add_h264, mp4_rewrite, mux
from swingvision.videos.probe import ProbeError, container_layout, describe_format, is_image_format

log = logging.getLogger("swingvision.lessons")

VIDEO_CODECS = {"vp8", "vp9", "h264", "av1"}
AUDIO_CODECS = {"opus", "aac", "vorbis"}
CONTAINERS = {"matroska,webm": "video/webm", "mov,mp4,m4a,3gp,3g2,mj2": "video/mp4"}
ACCEPTED = "a WebM or MP4 recording"
RENDITION_CONTENT_TYPE = "video/mp4"
MAX_SIDE = 1920
PRESET = "veryfast"
CRF = 23
AUDIO_BITRATE = 128_000
MS = Fraction(1, 1000)


class LessonMediaError(Exception):
    """The file is not a recording we can keep or convert; the message says why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LessonInfo:
    container: str
    content_type: str
    video_codec: str
    audio_codec: str | None
    width: int
    height: int
    duration_s: float

    def as_metadata(self) -> dict[str, Any]:
        meta = {
            "container": self.container,
            "codec": self.video_codec,
            "width": self.width,
            "height": self.height,
        }
        if self.audio_codec:
            meta["audio_codec"] = self.audio_codec
        return meta


def _stream_end(container: Any, streams: list) -> float:
    """The media's length from its packets (a recording's header states none): the latest end
    of a packet, less the earliest start, over every stream. Demuxing only: no decoding."""
    first, last = math.inf, 0.0
    for packet in container.demux(*streams):
        if packet.pts is None or packet.time_base is None:
            continue
        start = float(packet.pts * packet.time_base)
        end = start + float((packet.duration or 0) * packet.time_base)
        first = min(first, start)
        last = max(last, end)
    return max(0.0, last - (first if math.isfinite(first) else 0.0))


def probe_lesson(path: str | Path, *, max_seconds: float) -> LessonInfo:
    """What a recording is, or LessonMediaError: one video stream (VP8/VP9/H.264/AV1), an
    optional audio stream (Opus/AAC/Vorbis), a first frame that decodes, at most max_seconds."""
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, OSError, UnicodeDecodeError) as e:
        # The decoder's message names the server's temporary file: it stays in the log, as one
        # line (a refused upload is no fault of the server's).
        log.warning("lesson upload %s: not a recording: %s", path, e)
        raise LessonMediaError(
            f"the file is not a video recording that can be read (send {ACCEPTED})"
        ) from None
    try:
        with container:
            name = container.format.name
            if name not in CONTAINERS:
                if is_image_format(name):
                    raise LessonMediaError(f"not a video: it looks like {describe_format(name)}")
                raise LessonMediaError(f"the recording is {describe_format(name)}; send {ACCEPTED}")
            try:
                # Nothing but the container in the file (see videos/probe.py: served back from
                # our origin, a page glued to a video must not pass as one).
                container_layout(path, name)
            except ProbeError as e:
                raise LessonMediaError(str(e)) from None
            if not container.streams.video:
                raise LessonMediaError("the recording has no picture")
            video = container.streams.video[0]
            codec = video.codec_context.name
            if codec not in VIDEO_CODECS:
                raise LessonMediaError(f"the picture is {codec}, not VP8, VP9, H.264 or AV1")
            audio = container.streams.audio[0] if container.streams.audio else None
            audio_codec = audio.codec_context.name if audio is not None else None
            if audio_codec is not None and audio_codec not in AUDIO_CODECS:
                raise LessonMediaError(f"the sound is {audio_codec}, not Opus, AAC or Vorbis")
            first = next(iter(container.decode(video)), None)
            if first is None:
                raise LessonMediaError("no picture of the recording can be decoded")
            width, height = first.width, first.height
            container.seek(0)
            streams = [video] + ([audio] if audio is not None else [])
            duration = _stream_end(container, streams)
    except av.FFmpegError as e:
        raise LessonMediaError(f"the recording is damaged ({e})") from None
    if duration <= 0:
        raise LessonMediaError("the recording is empty (no length)")
    if duration > max_seconds:
        raise LessonMediaError(
            f"the recording is {duration:.0f} s long; a lesson is at most {max_seconds:.0f} s"
        )
    return LessonInfo(
        container=name,
        content_type=CONTAINERS[name],
        video_codec=codec,
        audio_codec=audio_codec,
        width=width,
        height=height,
        duration_s=round(duration, 3),
    )


def output_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, MAX_SIDE / max(width, height, 1))
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def transcode_lesson(source: str | Path, dest: str | Path) -> dict[str, Any]:
    """Write the MP4 rendition of a recording to `dest`; returns its facts for the metadata.
    Each frame keeps its time (in milliseconds); the sound is re-encoded to AAC."""
    started = time.perf_counter()
    dest = Path(dest)
    with mp4_rewrite(
        source,
        dest,
        error=LessonMediaError,
        what="recording",
        no_video="the recording has no picture",
    ) as (src, out, vin):
        ain = src.streams.audio[0] if src.streams.audio else None
        vout = aout = None
        last_pts = -1
        frames = 0
        size = (0, 0)
        streams = [vin] + ([ain] if ain is not None else [])
        if ain is not None:
            aout = out.add_stream("aac", rate=48_000)
            aout.codec_context.bit_rate = AUDIO_BITRATE
            aout.codec_context.layout = (
                "stereo" if ain.codec_context.layout.nb_channels > 1 else "mono"
            )
            resampler = av.AudioResampler(
                format="fltp", layout=aout.codec_context.layout.name, rate=48_000
            )
        for packet in src.demux(*streams):
            for frame in packet.decode():
                if packet.stream.type == "video":
                    if vout is None:
                        size = output_size(frame.width, frame.height)
                        vout = add_h264(
                            out,
                            size,
                            rate=30,
                            time_base=MS,
                            options={"preset": PRESET, "crf": str(CRF)},
                        )
                    pts = round(frame.time * 1000) if frame.time is not None else last_pts + 33
                    if pts <= last_pts:
                        continue  # a repeated time: the frame before stays on screen
                    last_pts = pts
                    image = frame.reformat(width=size[0], height=size[1], format="yuv420p")
                    image.pts, image.time_base = pts, MS
                    mux(out, vout, image)
                    frames += 1
                elif aout is not None:
                    frame.pts = None
                    for chunk in resampler.resample(frame):
                        mux(out, aout, chunk)
        if vout is None:
            raise LessonMediaError("no picture of the recording could be decoded")
        mux(out, vout)
        if aout is not None:
            for chunk in resampler.resample(None):
                mux(out, aout, chunk)
            mux(out, aout)
    return {
        "codec": "h264",
        "audio_codec": "aac" if ain is not None else None,
        "container": "mp4",
        "width": size[0],
        "height": size[1],
        "frames": frames,
        "size_bytes": dest.stat().st_size,
        "seconds": round(time.perf_counter() - started, 3),
    }
