"""Small media files made with PyAV for the upload tests: videos, audio, an image, broken files."""

from __future__ import annotations

import struct
import zlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from swingvision.videos.mp4 import mux
from tests.conftest import SHARED_DATA

GOLFDB_VIDEO = SHARED_DATA / "golfdb" / "test_video.mp4"


def make_video(
    path: Path,
    *,
    frames: int = 12,
    width: int = 64,
    height: int = 48,
    fps: int = 30,
    codec: str = "libx264",
    container: str | None = None,
    rotation: int | None = None,
    faststart: bool = False,
    timestamps: list[int] | None = None,
    noise: bool = False,
) -> Path:
    """A short video whose frames differ (a moving bar), so every frame is a real picture.

    `timestamps` (in 1/fps units... of a 1/1000 s time base when given) makes a variable rate."""
    options = {"movflags": "+faststart"} if faststart else {}
    out = av.open(str(path), "w", format=container, options=options)
    stream = out.add_stream(codec, rate=fps)
    stream.width, stream.height = width, height
    stream.pix_fmt = "yuv420p"
    if codec == "libx264":
        stream.options = {"preset": "ultrafast"}
    if rotation is not None:
        stream.set_display_rotation(rotation)
    if timestamps is not None:
        stream.codec_context.time_base = Fraction(1, 1000)
    rng = np.random.default_rng(7)
    for i in range(frames):
        if noise:
            img = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        else:
            img = np.full((height, width, 3), 40, np.uint8)
            x = (i * 5) % width
            img[:, x : x + 4] = (250, 200, 30)
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        if timestamps is not None:
            frame.pts = timestamps[i]
            frame.time_base = Fraction(1, 1000)
        mux(out, stream, frame)
    mux(out, stream)
    out.close()
    return path


def video_bytes(**kw) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = make_video(Path(d) / "v.mp4", **kw)
        return p.read_bytes()


def make_audio(path: Path, *, seconds: float = 0.5, codec: str = "aac") -> Path:
    """Audio only (AAC in .m4a, or PCM in .wav by the suffix)."""
    out = av.open(str(path), "w")
    rate = 44100
    stream = out.add_stream(codec if path.suffix != ".wav" else "pcm_s16le", rate=rate)
    stream.layout = "mono"
    samples = int(seconds * rate)
    t = np.arange(samples) / rate
    fmt = "fltp" if stream.codec_context.name == "aac" else "s16"
    tone = np.sin(2 * np.pi * 440 * t)
    data = tone.astype(np.float32) if fmt == "fltp" else (tone * 20000).astype(np.int16)
    chunk = 1024
    for start in range(0, samples, chunk):
        part = data[start : start + chunk].reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(part, format=fmt, layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        mux(out, stream, frame)
    mux(out, stream)
    out.close()
    return path


def png_bytes(width: int = 8, height: int = 6) -> bytes:
    """A valid PNG written by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + bytes([120, 200, 80] * width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def pose_csv(frames: int, fps: float | None = 30.0) -> bytes:
    """A pose file in our CSV export format with every joint on each of `frames` frames."""
    from analysis.engine.pose import N_LANDMARKS
    from analysis.engine.pose_io import export_pose_csv

    kp = np.zeros((frames, N_LANDMARKS, 4), np.float32)
    kp[..., 0] = np.linspace(0.3, 0.7, N_LANDMARKS)
    kp[..., 1] = np.linspace(0.2, 0.9, N_LANDMARKS)
    kp[..., 0] += np.linspace(0, 0.05, frames)[:, None]
    kp[..., 3] = 0.9
    return export_pose_csv(kp, fps).encode()


def multipart(parts: list[tuple], boundary: str = "sv-test-boundary-7MA4YWxkTrZu0gW") -> tuple:
    """A multipart/form-data body built by hand, so a test controls every byte of it (the test
    client would strip a filename's path). Parts are (name, value) or
    (name, filename, content_type, bytes). Returns (body, content_type)."""
    out = bytearray()
    for part in parts:
        out += f"--{boundary}\r\n".encode()
        if len(part) == 2:
            name, value = part
            out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            out += value.encode() if isinstance(value, str) else value
        else:
            name, filename, content_type, data = part
            out += (
                f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
            out += data
        out += b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


# -- hostile files: a page or a script with a real video glued to it (issue 19) -----------------
XSS_MARKER = "/xss-ran/"
XSS_HTML = (
    b"<!DOCTYPE html><html><body><script>"
    b"fetch('/profile/').then(r => r.text()).then(t => fetch('" + XSS_MARKER.encode() + b"?'"
    b" + t.length)); document.title = 'pwned';</script></body></html>\n"
)
XSS_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="fetch(\'' + XSS_MARKER.encode() + b"')\">"
    b"<script>fetch('" + XSS_MARKER.encode() + b"?svg')</script></svg>\n"
)


def container_bytes(container: str, **kw) -> bytes:
    """A small video in any container FFmpeg writes ("nut", "avi", "mpegts", "matroska", ...)."""
    import tempfile

    codec = "mpeg4" if container == "avi" else kw.pop("codec", "libx264")
    with tempfile.TemporaryDirectory() as d:
        return make_video(Path(d) / "v.bin", container=container, codec=codec, **kw).read_bytes()


def mp4_box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload
