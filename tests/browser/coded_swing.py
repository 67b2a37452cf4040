"""A rendered synthetic swing whose every frame carries its own number, for the overlay sync test.

Each frame is analysis.engine.synth.render_frame's picture with a row of CODE_BITS black/white blocks
burned along the top (most significant bit first; the layout static/js/replay.js reads with
?debug=sync). The video is encoded with PyAV (libx264, yuv420p, an exact Fraction time base), stored
as the swing's blob, and its poses and analysis go through the real pipeline.
"""

from __future__ import annotations

import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np

CODE_BITS = 12  # static/js/replay.js CODE_BITS
CODE_STRIP = 1 / 16  # static/js/replay.js CODE_STRIP: the code's height, of the frame height


def burn_code(img: np.ndarray, number: int) -> np.ndarray:
    """The frame with `number` written as CODE_BITS blocks across its top strip."""
    out = img.copy()
    height, width = out.shape[:2]
    strip = max(2, round(height * CODE_STRIP))
    for bit in range(CODE_BITS):
        on = (number >> (CODE_BITS - 1 - bit)) & 1
        x0, x1 = (bit * width) // CODE_BITS, ((bit + 1) * width) // CODE_BITS
        out[:strip, x0:x1] = 255 if on else 0
    return out


def read_code(img: np.ndarray) -> int:
    """The number burned into a decoded frame (the same sampling as replay.js)."""
    height, width = img.shape[:2]
    y = max(2, round(height * CODE_STRIP)) // 2
    code = 0
    for bit in range(CODE_BITS):
        x = int((bit + 0.5) * width / CODE_BITS)
        r, g, b = (float(c) for c in img[y, x, :3])
        code = code * 2 + (1 if 0.299 * r + 0.587 * g + 0.114 * b > 127 else 0)
    return code


def encode_coded_video(swing, path: Path) -> None:
    import av

    from analysis.engine.synth import render_frame

    p = swing.params
    rate = Fraction(round(p.fps))
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height = p.width, p.height
        stream.pix_fmt = "yuv420p"
        stream.time_base = 1 / rate
        stream.options = {"preset": "ultrafast", "crf": "16"}
        for i in range(swing.n_frames):
            img = render_frame(
                swing.keypoints[i], swing.club_head[i], p.width, p.height, left_handed=p.left_handed
            )
            frame = av.VideoFrame.from_ndarray(burn_code(img, i), format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def decoded_codes(path: Path) -> list[int]:
    """The code of every frame PyAV decodes from the file, in order (checks the encoding)."""
    import av

    with av.open(str(path)) as container:
        return [read_code(f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]


def make_coded_swing(
    m,
    player,
    *,
    video_id: str,
    fps: float = 30.0,
    seed: int = 7,
    size: tuple[int, int] = (480, 360),
    filename: str = "coded.mp4",
    metadata: dict | None = None,
):
    """Generate, render, store and analyse one coded swing (`size` width, height: a portrait
    phone clip is taller than wide); returns (video, swing)."""
    from analysis.engine.synth import SwingParams, generate_swing
    from analysis.pipeline import LoadedPoses, analyze_and_store
    from swingvision.db.managers import SYSTEM
    from swingvision.storage import get_store, video_key

    params = SwingParams(fps=fps, width=size[0], height=size[1], seed=seed, noise=0.002)
    swing = generate_swing(params)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "coded.mp4"
        encode_coded_video(swing, path)
        codes = decoded_codes(path)
        assert codes == list(range(swing.n_frames)), "the burned codes do not survive encoding"
        with path.open("rb") as fh:
            blob_ref = get_store().put(
                video_key(player.id, video_id, filename), fh, content_type="video/mp4"
            )
    video = m.videos.create(
        SYSTEM,
        player.id,
        video_id=video_id,
        filename=filename,
        status="processing",
        metadata={
            "fps": fps,
            "frame_count": swing.n_frames,
            "width": params.width,
            "height": params.height,
            "codec": "h264",
            "view": "face-on",
            "club": "driver",
            **(metadata or {}),
        },
        blob_ref=blob_ref,
        duration_s=swing.n_frames / fps,
    )
    poses = LoadedPoses(
        keypoints=swing.keypoints,
        fps=fps,
        source="synthetic",
        width=params.width,
        height=params.height,
    )
    analyze_and_store(m, video, poses, player=player)
    current = m.videos.get_system(player.id, video.id)
    m.videos.transition(current, "processing", "analyzed")
    return m.videos.get_system(player.id, video.id), swing
