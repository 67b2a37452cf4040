"""Lesson renditions: a browser's recording (WebM, VP8 + Opus, 1280x720 at 30 fps, what the
lesson recorder makes of one stage) turned into the H.264 + AAC fast-start MP4 every phone plays
(swingvision/lessons/media.transcode_lesson), beside decoding the same recording alone with PyAV
(the floor: the MP4 cannot be made faster than the recording can be read).

The recording is a swinging club and a drawn line over a textured backdrop with a little fresh
grain, encoded as a browser does (libvpx realtime), a 440 Hz tone as the voice; made once and
kept under var/bench. Full mode: 60 s;
quick mode: 10 s.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.core import Figure, bench_dir, best_of

WIDTH, HEIGHT, FPS = 1280, 720, 30
# As for swing renditions: the MP4 costs a few times reading the recording (libx264 veryfast
# plus AAC); the real-time factor (in the note) depends on the machine's load.
RATIO_TARGET = 8.0


def make_recording(path: Path, seconds: int) -> Path:
    if path.exists():
        return path
    import av
    import numpy as np

    from swingvision.videos.mp4 import mux

    rng = np.random.default_rng(23)
    texture = rng.normal(0, 14, (HEIGHT // 8, WIDTH // 8, 3)).repeat(8, 0).repeat(8, 1)
    background = np.clip(texture + (120, 140, 125), 0, 255).astype(np.int16)
    tmp = path.with_suffix(".part.webm")
    with av.open(str(tmp), "w", format="webm") as out:
        video = out.add_stream("libvpx", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.bit_rate = 2_500_000  # the recorder's rate
        video.options = {"deadline": "realtime", "cpu-used": "8"}  # as a browser encodes
        audio = out.add_stream("libopus", rate=48_000)
        audio.codec_context.layout = "mono"
        for i in range(seconds * FPS):
            # A swinging bar (the club) and a line drawn over the backdrop, with fresh grain.
            img = background.copy()
            angle = np.pi * (0.5 + 0.4 * np.sin(i / 20))
            for r in range(0, 300, 3):
                x = int(WIDTH / 2 + r * np.cos(angle))
                y = int(HEIGHT / 2 - r * np.sin(angle))
                img[max(0, y - 3) : y + 3, max(0, x - 3) : x + 3] = (230, 230, 230)
            img[200:204, 300:900] = (255, 212, 0)
            img += rng.integers(-2, 3, size=(HEIGHT, WIDTH, 1), dtype=np.int16)
            frame = av.VideoFrame.from_ndarray(np.clip(img, 0, 255).astype(np.uint8), "rgb24")
            frame.pts = i
            mux(out, video, frame)
        mux(out, video)
        n = 960
        for t in range(0, seconds * 48_000, n):
            tone = 0.2 * np.sin(2 * np.pi * 440 * np.arange(t, t + n) / 48_000)
            frame = av.AudioFrame.from_ndarray(
                tone.astype(np.float32).reshape(1, -1), format="flt", layout="mono"
            )
            frame.sample_rate, frame.pts = 48_000, t
            mux(out, audio, frame)
        mux(out, audio)
    tmp.replace(path)
    return path


def decode_all(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(*container.streams))


def run(quick: bool) -> list[Figure]:
    from swingvision.lessons.media import probe_lesson, transcode_lesson

    seconds = 10 if quick else 60
    rec = make_recording(Path(bench_dir()) / f"lesson-720p-{seconds}s.webm", seconds)
    info = probe_lesson(rec, max_seconds=3600)
    decode_s = best_of(lambda: decode_all(rec), repeat=2)
    with tempfile.TemporaryDirectory(prefix="bench-lesson-", dir=bench_dir()) as tmp:
        out = Path(tmp) / "lesson.mp4"
        made = []
        work_s = best_of(lambda: made.append(transcode_lesson(rec, out)), repeat=2)
        mp4 = probe_lesson(out, max_seconds=3600)
    assert abs(mp4.duration_s - info.duration_s) < 0.2, (mp4, info)
    assert mp4.video_codec == "h264" and mp4.audio_codec == "aac"
    speed = info.duration_s / work_s
    ratio = work_s / decode_s
    return [
        Figure(
            name=f"MP4 of a {seconds} s 720p lesson recording (H.264 + AAC, fast start)",
            value=work_s,
            unit="s",
            floor=decode_s,
            floor_label="PyAV decode alone",
            target=f"<= {RATIO_TARGET:g}x decode",
            passed=ratio <= RATIO_TARGET,
            note=(
                f"{speed:.1f}x real time ({info.duration_s:.1f} s); "
                f"{rec.stat().st_size / 1e6:.1f} MB WebM -> {made[-1]['size_bytes'] / 1e6:.1f} MB"
            ),
        )
    ]
