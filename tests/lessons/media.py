"""Recordings like a browser's MediaRecorder makes: WebM with VP8 and Opus, written with PyAV."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np


def make_recording(
    path: Path,
    *,
    seconds: float = 2.0,
    fps: int = 25,
    audio: bool = True,
    width: int = 320,
    height: int = 180,
    noise: bool = False,
) -> Path:
    """A moving bar and, with `audio`, a 440 Hz tone for `seconds`; `noise` makes every frame
    random (a large file: several MB a second at 640x360)."""
    rng = np.random.default_rng(0)
    with av.open(str(path), "w", format="webm") as out:
        v = out.add_stream("libvpx", rate=fps)
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        if noise:
            v.bit_rate = 20_000_000
        a = out.add_stream("libopus", rate=48_000) if audio else None
        if a is not None:
            a.codec_context.layout = "mono"
        for i in range(int(seconds * fps)):
            if noise:
                img = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
            else:
                img = np.zeros((height, width, 3), np.uint8)
            x = (i * 4) % (width - 10)
            img[:, x : x + 10] = 255
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            for p in v.encode(frame):
                out.mux(p)
        for p in v.encode():
            out.mux(p)
        if a is not None:
            rate, n, total = 48_000, 960, int(seconds * 48_000)
            for t in range(0, total, n):
                tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(t, t + n) / rate)
                frame = av.AudioFrame.from_ndarray(
                    tone.astype(np.float32).reshape(1, -1), format="flt", layout="mono"
                )
                frame.sample_rate, frame.pts = rate, t
                for p in a.encode(frame):
                    out.mux(p)
            for p in a.encode():
                out.mux(p)
    return path


def tracks(path: Path) -> dict:
    """What PyAV finds in a file: its video and audio codecs and its duration in seconds (from
    the packets: a browser's WebM states none in its header)."""
    with av.open(str(path)) as c:
        video = [s.codec_context.name for s in c.streams.video]
        audio = [s.codec_context.name for s in c.streams.audio]
        first, last = float("inf"), 0.0
        for packet in c.demux():
            if packet.pts is None:
                continue
            start = float(packet.pts * packet.time_base)
            first = min(first, start)
            last = max(last, start + float((packet.duration or 0) * packet.time_base))
    return {"video": video, "audio": audio, "duration": last - (first if first < last else 0)}
