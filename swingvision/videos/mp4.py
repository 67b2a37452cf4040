"""Writing an H.264 MP4 with PyAV: the scaffolding a swing's rendition (videos/renditions.py) and a
lesson's rendition (lessons/media.py) share. What they put in it (rotation, frame times, sound)
stays with each."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

import av


@contextmanager
def mp4_rewrite(
    source: str | Path, dest: str | Path, *, error: type[Exception], what: str, no_video: str
) -> Iterator[tuple[Any, Any, Any]]:
    """Open `source` to read and `dest` as an MP4 with its index at the front (movflags=+faststart),
    yielding both containers and the source's first video stream. FFmpeg's errors become `error`
    (the message names `what` when the source does not open; `no_video` is the message when it
    has no video stream); on any failure the half-written `dest` is removed."""
    dest = Path(dest)
    try:
        src = av.open(str(source), metadata_errors="ignore")
    except (av.FFmpegError, OSError) as e:
        raise error(f"cannot open the {what}: {e}") from e
    try:
        with src, av.open(str(dest), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            if not src.streams.video:
                raise error(no_video)
            yield src, out, src.streams.video[0]
    except av.FFmpegError as e:
        dest.unlink(missing_ok=True)
        raise error(f"re-encoding failed: {e}") from e
    except BaseException:
        dest.unlink(missing_ok=True)
        raise


def add_h264(
    out: Any,
    size: tuple[int, int],
    *,
    rate: Any,
    time_base: Fraction,
    options: dict[str, str],
    gop: int | None = None,
) -> Any:
    """A libx264 yuv420p stream of `size` in `out`, its frames timed in `time_base`."""
    stream = out.add_stream("libx264", rate=rate)
    stream.width, stream.height = size
    stream.pix_fmt = "yuv420p"
    stream.codec_context.time_base = time_base
    if gop is not None:
        stream.codec_context.gop_size = gop
    stream.options = options
    return stream


def mux(out: Any, stream: Any, frame: Any = None) -> None:
    """Encode `frame` on `stream` and write the packets to `out`; no frame flushes the encoder."""
    for packet in stream.encode(frame):
        out.mux(packet)
