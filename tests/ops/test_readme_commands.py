"""The README's commands, run as written (issue #21): the restore rehearsal (verify, restore into a
scratch file, a server on it with the inline worker off), the S3 setup (credentials from the
environment, a bucket that must exist, the check), the upload temp folder a setting names, and a
migrate_db --dry-run that creates nothing. `./dev manage` becomes this venv's `manage.py`; paths
and ports are moved to scratch ones."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
WORKER_LOG = "inline video worker started"


def block_after(marker: str) -> list[str]:
    """The command lines of the first ```sh block after `marker` (comments dropped)."""
    start = README.index(marker)
    m = re.search(r"```sh\n(.*?)```", README[start:], re.S)
    assert m, marker
    lines = [line.split("  #", 1)[0].rstrip() for line in m.group(1).splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def shell(line: str) -> str:
    return line.replace("./dev manage", f"{sys.executable} manage.py")


def scratch_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SWINGVISION_", "AWS_"))}
    env.update(
        SWINGVISION_VAR_DIR=str(tmp / "var"),
        SWINGVISION_DB=f"sqlite:///{tmp / 'prod.db'}",
        SWINGVISION_STORAGE=f"file://{tmp / 'videos'}",
        SWINGVISION_BACKUP_LOCATION=f"file://{tmp / 'backups'}",
    )
    env.update(extra)
    return env


def run(line: str, env: dict, *, check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run(
        ["bash", "-c", shell(line)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    if check:
        assert r.returncode == 0, (line, r.stdout[-2000:], r.stderr[-2000:])
    return r


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_until_up(line: str, env: dict, port: int) -> str:
    """Start the documented server line, wait for /healthz, stop it; its output."""
    proc = subprocess.Popen(
        ["bash", "-c", shell(line)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.5)
        time.sleep(2)  # the worker, were it on, starts with the server
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
    return out


def test_the_documented_restore_rehearsal_runs_with_the_worker_off(tmp_path):
    lines = block_after("**Rehearse a restore**")
    assert len(lines) == 3 and "SWINGVISION_INLINE_WORKER=0" in lines[2], lines
    env = scratch_env(tmp_path)
    run("./dev manage migrate_db", env)
    run("./dev manage backup", env)
    rehearsal = tmp_path / "rehearsal.db"
    port = free_port()
    moved = [
        line.replace("/tmp/rehearsal.db", str(rehearsal)).replace(
            "127.0.0.1:8001", f"127.0.0.1:{port}"
        )
        for line in lines
    ]
    verified = run(moved[0], env)
    assert "ok" in (verified.stdout + verified.stderr).lower()
    run(moved[1], env)
    assert rehearsal.exists()
    out = serve_until_up(moved[2], env, port)
    assert WORKER_LOG not in out, out[-2000:]
    # The same server without the setting would have started the worker (the check can fail).
    unsafe = moved[2].replace("SWINGVISION_INLINE_WORKER=0 ", "")
    assert WORKER_LOG in serve_until_up(unsafe, env, port)


def test_the_documented_s3_setup_runs(tmp_path):
    from moto.server import ThreadedMotoServer

    lines = block_after("**Videos in S3 (setup).**")
    assert any("storage_lifecycle" in line for line in lines), lines
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        env = scratch_env(tmp_path, SWINGVISION_S3_ENDPOINT_URL=endpoint)
        script = "\n".join(
            line.replace("AWS_ACCESS_KEY_ID=...", "AWS_ACCESS_KEY_ID=testing").replace(
                "AWS_SECRET_ACCESS_KEY=...", "AWS_SECRET_ACCESS_KEY=testing"
            )
            for line in lines
        )
        assert "..." not in script, script
        # The bucket must exist: before it does, the check says so and fails.
        missing = run("set -e\n" + script, env, check=False)
        assert missing.returncode != 0
        assert "bucket" in (missing.stdout + missing.stderr).lower(), missing.stderr[-1500:]
        import boto3

        bucket = re.search(r"s3://([^/\s]+)", script).group(1)
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).create_bucket(Bucket=bucket)
        done = run("set -e\n" + script, env)
        assert "days after upload" in done.stdout and "expire after" in done.stdout, done.stdout
    finally:
        server.stop()


def test_the_upload_temp_folder_is_created(tmp_path):
    env = scratch_env(tmp_path, SWINGVISION_UPLOAD_TMP="upload-tmp/nested")
    r = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert (tmp_path / "upload-tmp" / "nested").is_dir()


@pytest.mark.parametrize("line", ["./dev manage migrate_db --dry-run"])
def test_a_dry_run_creates_no_database(tmp_path, line):
    assert "--dry-run" in README and "touches nothing" in README
    env = scratch_env(tmp_path, SWINGVISION_DB=f"sqlite:///{tmp_path / 'new' / 'none.db'}")
    out = run(line, env).stdout
    assert "(not applied)" in out
    assert not (tmp_path / "new").exists()
