"""Upload throughput and memory: a video POSTed over HTTP to the API (multipart parse to a
temporary file, PyAV probe, blob write, row insert), into the local store and into S3 (moto's
server in another process), beside a plain file copy of the same bytes in the same run.

The app runs in this process (Django's threaded live server) on a scratch SQLite database and
store; the client streams the body from disk, so the memory this process gains during an upload
is the server's. Quick mode: a 20 MB video; full mode: 100 MB (and 20 MB, to show memory flat).
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from bench.core import Figure, bench_dir, best_of, coach_and_player, peak_rss_mb

MB = 1024 * 1024
MEMORY_TARGET_MB = 64.0  # S3 keeps up to 4 parts of 8 MB in flight; the rest streams
# End to end through HTTP, Django's multipart parser, the probe and the store, against the bare
# way of moving the same bytes: a plain file copy (local), boto3 alone to the same server (S3).
LOCAL_TARGET = 0.03
S3_TARGET = 0.5


def make_video(path: Path, size: int) -> Path:
    """An H.264 MP4 of at least `size` bytes: lossless 720p noise, every frame a keyframe, made
    once and kept under var/bench (noise does not compress, so each frame is about 1.3 MB)."""
    if path.exists() and path.stat().st_size >= size:
        return path
    import av
    import numpy as np

    tmp = path.with_suffix(".part.mp4")
    rng = np.random.default_rng(1)
    out = av.open(str(tmp), "w", options={"movflags": "+faststart"})
    stream = out.add_stream("libx264", rate=30)
    stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
    stream.options = {"preset": "ultrafast", "crf": "0", "g": "1"}
    written = 0
    while written < size:
        img = rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8)
        for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
            written += packet.size
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    tmp.replace(path)
    return path


class RssSampler:
    """The resident set size of this process, sampled every 5 ms while active (Linux)."""

    def __init__(self) -> None:
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * self.page

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            time.sleep(0.005)

    def __enter__(self) -> RssSampler:
        self.base = self.rss()
        self.peak = self.base
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.base) / MB


def post_video(base_url: str, path: str, token: str, video: Path) -> tuple[int, bytes]:
    """POST the video as multipart, streamed from disk in 1 MB reads."""
    boundary = "bench-boundary-0b6a0cbbf0"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="club"\r\n\r\nDriver\r\n'
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{video.name}"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    host, port = base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=600)
    try:
        conn.putrequest("POST", path)
        conn.putheader("Authorization", f"Bearer {token}")
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(len(head) + video.stat().st_size + len(tail)))
        conn.endheaders()
        conn.send(head)
        with video.open("rb") as fh:
            while chunk := fh.read(MB):
                conn.send(chunk)
        conn.send(tail)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextmanager
def scratch_app(work: Path):
    """The app on a scratch database and store, served on 127.0.0.1; yields (url, player, token)."""
    from django.conf import settings
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    from swingvision import storage
    from swingvision.db import get_db, reset_db
    from swingvision.db.managers import managers
    from swingvision.db.migrate import migrate

    names = ("SWINGVISION_DB", "SWINGVISION_STORAGE", "FILE_UPLOAD_TEMP_DIR", "PASSWORD_HASHERS")
    saved = {k: getattr(settings, k) for k in names}
    (work / "upload-tmp").mkdir()
    settings.SWINGVISION_DB = f"sqlite:///{work / 'bench.db'}"
    settings.SWINGVISION_STORAGE = f"file://{work / 'videos'}"
    settings.FILE_UPLOAD_TEMP_DIR = str(work / "upload-tmp")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    reset_db()
    storage.reset_store()
    thread = None
    try:
        migrate(get_db())
        m = managers()
        coach, player = coach_and_player(m, "benchcoach", "benchplayer", "bench.example")
        _, token = m.tokens.create(coach, name="bench")
        thread = LiveServerThread("127.0.0.1", _StaticFilesHandler, connections_override={}, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait(timeout=30)
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}", player, token
    finally:
        if thread is not None:
            thread.terminate()
        for k, v in saved.items():
            setattr(settings, k, v)
        reset_db()
        storage.reset_store()


@contextmanager
def moto_process():
    """moto's S3 server in a child process (its copy of the objects is not our memory)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("moto's server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def s3_settings(endpoint: str):
    import boto3
    from django.conf import settings

    from swingvision import storage

    keys = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    saved_env = {k: os.environ.get(k) for k in keys}
    os.environ.update({k: "bench" for k in keys})
    saved = (settings.SWINGVISION_STORAGE, settings.SWINGVISION_S3_ENDPOINT_URL)
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket="bench")
    settings.SWINGVISION_STORAGE = "s3://bench/videos"
    settings.SWINGVISION_S3_ENDPOINT_URL = endpoint
    storage.reset_store()
    try:
        yield
    finally:
        settings.SWINGVISION_STORAGE, settings.SWINGVISION_S3_ENDPOINT_URL = saved
        storage.reset_store()
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def measure_upload(
    url: str, player, token: str, video: Path, *, repeat: int
) -> tuple[float, float]:
    """Best seconds per upload and the largest memory growth seen over the runs (MB)."""
    path = f"/api/v1/players/{player.id}/videos"
    best, growth = float("inf"), 0.0
    for _ in range(repeat):
        with RssSampler() as rss:
            t0 = time.perf_counter()
            status, body = post_video(url, path, token, video)
            elapsed = time.perf_counter() - t0
        if status != 201:
            raise RuntimeError(f"upload answered {status}: {body[:300]!r}")
        best = min(best, elapsed)
        growth = max(growth, rss.growth_mb)
    return best, growth


def bare_s3_seconds(endpoint: str, video: Path, *, repeat: int) -> float:
    """boto3's own upload_file of the same bytes to the same server, with the store's settings."""
    import boto3

    from swingvision.storage import get_store

    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    config = get_store().transfer
    return best_of(
        lambda: client.upload_file(str(video), "bench", "bare/video.mp4", Config=config),
        repeat=repeat,
    )


def run(quick: bool) -> list[Figure]:
    sizes = [20] if quick else [20, 100]
    repeat = 2 if quick else 3
    figures: list[Figure] = []
    scratch = Path(bench_dir())
    videos = {mb: make_video(scratch / f"upload-{mb}mb.mp4", mb * MB) for mb in sizes}
    with tempfile.TemporaryDirectory(prefix="bench-upload-", dir=scratch) as tmp:
        work = Path(tmp)
        results: dict[tuple[str, int], tuple[float, float]] = {}
        bare: dict[int, float] = {}
        with scratch_app(work) as (url, player, token):
            smallest = videos[min(videos)]
            # One upload first, uncounted: imports, templates and the decoder's first use are
            # the process warming up, not memory the upload holds.
            measure_upload(url, player, token, smallest, repeat=1)
            for mb, video in videos.items():
                results[("local", mb)] = measure_upload(url, player, token, video, repeat=repeat)
            with moto_process() as endpoint, s3_settings(endpoint):
                measure_upload(url, player, token, smallest, repeat=1)
                for mb, video in videos.items():
                    results[("s3", mb)] = measure_upload(url, player, token, video, repeat=repeat)
                    bare[mb] = bare_s3_seconds(endpoint, video, repeat=repeat)
        for mb, video in videos.items():
            size_mb = video.stat().st_size / MB
            copy_s = best_of(lambda v=video: shutil.copyfile(v, work / "copy.mp4"), repeat=3)
            floor = size_mb / copy_s
            bare_rate = size_mb / bare[mb]
            for store in ("local", "s3"):
                seconds, growth = results[(store, mb)]
                rate = size_mb / seconds
                if store == "local":
                    store_floor, floor_label = floor, "plain file copy"
                    target = f">= {LOCAL_TARGET:g}x floor"
                    passed = rate >= LOCAL_TARGET * floor
                    note = f"{seconds:.2f} s for {size_mb:.1f} MB"
                else:
                    # moto's server is the bottleneck here: the floor is boto3's own upload of
                    # the same file to the same server; the plain copy is in the note.
                    store_floor, floor_label = bare_rate, "boto3 upload_file to the same moto"
                    target = f">= {S3_TARGET:g}x floor"
                    passed = rate >= S3_TARGET * bare_rate
                    note = f"{seconds:.2f} s; plain file copy {floor:.0f} MB/s"
                figures.append(
                    Figure(
                        name=f"upload {mb} MB to the {store} store (HTTP, end to end)",
                        value=rate,
                        unit="MB/s",
                        floor=store_floor,
                        floor_label=floor_label,
                        target=target,
                        passed=passed,
                        better="higher",
                        note=note,
                    )
                )
                figures.append(
                    Figure(
                        name=f"upload {mb} MB to the {store} store: peak memory growth",
                        value=growth,
                        unit="MB",
                        target=f"<= {MEMORY_TARGET_MB:g} MB",
                        passed=growth <= MEMORY_TARGET_MB,
                        note=f"process peak RSS so far {peak_rss_mb():.0f} MB",
                    )
                )
    return figures
