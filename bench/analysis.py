"""Analysis speed: a 900-frame swing through the engine, beside one frame of MediaPipe extraction
on the real GolfDB clip; and the worker's throughput on imported pose files."""

from __future__ import annotations

import io
import time
from pathlib import Path

from bench.core import Figure, best_of, coach_and_player, median, scratch_app

GOLFDB = Path(__file__).resolve().parents[2] / "shared" / "data" / "golfdb" / "test_video.mp4"


def mediapipe_ms_per_frame(n_frames: int = 30) -> float | None:
    """Steady-state MediaPipe Pose time per frame on the real clip (first frame excluded)."""
    from analysis.engine.extract import mediapipe_available

    if not mediapipe_available() or not GOLFDB.exists():
        return None
    import av
    import mediapipe as mp

    with av.open(str(GOLFDB)) as c:
        frames = []
        for frame in c.decode(video=0):
            frames.append(frame.to_ndarray(format="rgb24"))
            if len(frames) > n_frames:
                break
    times = []
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose:
        for i, rgb in enumerate(frames):
            t0 = time.perf_counter()
            pose.process(rgb)
            if i:
                times.append(time.perf_counter() - t0)
    return median(times) * 1000


def run(quick: bool) -> list[Figure]:
    from analysis.engine import analyze
    from analysis.engine.synth import SwingParams, generate_swing

    # 900 frames: a 3 s clip at 300 fps, a fast-swing capture a coach might film in slow motion.
    swing = generate_swing(
        SwingParams(fps=300.0, address_s=1.0, follow_s=0.6, finish_s=0.5, seed=11)
    )
    kp = swing.keypoints[:900]
    assert len(kp) == 900, len(kp)
    analyze(kp, swing.fps)  # warm up
    engine_ms = best_of(lambda: analyze(kp, swing.fps), repeat=5 if quick else 20) * 1000
    mp_ms = mediapipe_ms_per_frame(10 if quick else 60)
    figures = [
        Figure(
            name="analysis of a 900-frame swing",
            value=engine_ms,
            unit="ms",
            floor=mp_ms,
            floor_label="one MediaPipe frame",
            target="< 20 ms and < one MediaPipe frame",
            passed=engine_ms < 20 and (mp_ms is None or engine_ms < mp_ms),
            note="" if mp_ms is not None else "mediapipe not installed: absolute target only",
        )
    ]
    figures.append(worker_throughput(8 if quick else 40))
    return figures


def worker_throughput(n_videos: int) -> Figure:
    """Videos per minute through the worker (pose file import, engine, all writes) beside the
    same pose parsing and engine work with no database or storage."""
    from analysis import worker
    from analysis.engine import analyze
    from analysis.engine.pose_io import export_pose_csv, load_pose_file
    from analysis.engine.synth import SwingParams, generate_swing
    from swingvision.db.managers import SYSTEM
    from swingvision.storage import get_store, video_key

    swing = generate_swing(SwingParams(seed=12))
    csv = export_pose_csv(swing.keypoints, swing.fps).encode()
    t0 = time.perf_counter()
    for _ in range(n_videos):
        pf = load_pose_file(csv, "swing.csv")
        analyze(pf.keypoints, pf.fps)
    floor_per_min = n_videos / (time.perf_counter() - t0) * 60
    with scratch_app("worker") as m:
        coach, player = coach_and_player(m, "bench.coach", "bench.player", "bench.test")
        store = get_store()
        for _ in range(n_videos):
            v = m.videos.create(SYSTEM, player.id, filename="s.mp4", metadata={"fps": swing.fps})
            ref = store.put(video_key(player.id, v.id, "s.csv", kind="poses"), io.BytesIO(csv))
            m.videos.update(v, metadata={**v.metadata, "pose_ref": ref, "pose_filename": "s.csv"})
        t0 = time.perf_counter()
        done = worker.run_once(m)
        per_min = done / (time.perf_counter() - t0) * 60
        statuses = {v.status for v in m.videos.for_player(SYSTEM, player.id, limit=n_videos)}
    assert done == n_videos and statuses == {"analyzed"}, (done, statuses)
    return Figure(
        name=f"worker throughput, imported poses ({swing.n_frames} frames each)",
        value=per_min,
        unit="videos/min",
        floor=floor_per_min,
        floor_label="parse + engine only",
        target="report",
        better="higher",
        note=f"{n_videos} videos",
    )
