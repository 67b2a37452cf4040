"""The inline worker: under `runserver` with SWINGVISION_INLINE_WORKER on, AnalysisConfig.ready()
starts analysis.worker.start_inline_worker, a daemon thread running run_forever.

start_inline_worker has no way to stop its thread (run_forever makes its own stop event). So the
end-to-end test swaps the module's run_forever for the real one bound to a stop event the test
owns: the real start function, thread and loop run, and the thread is stopped and joined at the
end. The thread is a daemon as well, so a failed join cannot hang the test run."""

from __future__ import annotations

import sys
import threading
import time

import pytest
from django.apps import apps

from analysis import worker
from analysis.engine.synth import SwingParams, generate_swing
from tests.dashboard.helpers import account

from .test_worker import queue_pose_file_video

THREAD_NAME = "swingvision-worker"


def worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME and t.is_alive()]


@pytest.fixture
def runserver_child(monkeypatch):
    """The process the dev server's reloader starts: `manage.py runserver` with RUN_MAIN=true."""
    monkeypatch.setattr(sys, "argv", ["manage.py", "runserver"])
    monkeypatch.setenv("RUN_MAIN", "true")
    monkeypatch.setattr(worker, "_inline_started", False)


@pytest.fixture
def stoppable(monkeypatch):
    """run_forever bound to a stop event; on teardown the worker thread is stopped and joined."""
    stop = threading.Event()
    real = worker.run_forever
    monkeypatch.setattr(worker, "run_forever", lambda **kw: real(stop=stop, **kw))
    before = set(worker_threads())
    yield stop
    stop.set()
    for t in set(worker_threads()) - before:
        t.join(timeout=60)
        assert not t.is_alive(), "the inline worker did not stop"


def test_ready_under_runserver_starts_a_worker_that_processes_uploads(
    own_db, settings, runserver_child, stoppable
):
    m = own_db
    player = account(m, "player", coach=account(m, "coach"))
    assert not worker_threads()
    settings.SWINGVISION_INLINE_WORKER = True
    apps.get_app_config("analysis").ready()
    threads = worker_threads()
    assert len(threads) == 1 and threads[0].daemon
    # A second start (ready() runs again, or another app calls it) adds no second thread.
    worker.start_inline_worker()
    assert len(worker_threads()) == 1

    # Uploaded after the worker started: its polling loop finds it.
    swing = generate_swing(SwingParams(seed=3))
    video = queue_pose_file_video(m, player, swing.keypoints, swing.fps)
    deadline = time.monotonic() + 20
    current = video
    while time.monotonic() < deadline:
        current = m.videos.get_system(player.id, video.id)
        if current.status in ("analyzed", "failed"):
            break
        time.sleep(0.2)
    assert current.status == "analyzed", (current.status, current.metadata.get("error"))
    assert m.analyses.latest_for_video_system(video) is not None

    stoppable.set()
    threads[0].join(timeout=60)
    assert not threads[0].is_alive()


@pytest.mark.parametrize(
    ("inline", "argv", "run_main", "starts"),
    [
        (True, ["manage.py", "runserver"], "true", True),
        (True, ["manage.py", "runserver", "--noreload"], None, True),
        (False, ["manage.py", "runserver"], "true", False),
        (True, ["manage.py", "runserver"], None, False),  # the reloader's parent process
        (True, ["manage.py", "process_videos"], "true", False),
        (True, ["gunicorn", "swingvision.wsgi"], None, False),
        (True, ["manage.py"], "true", False),
    ],
    ids=[
        "runserver",
        "noreload",
        "setting-off",
        "reloader-parent",
        "other-command",
        "wsgi",
        "bare",
    ],
)
def test_ready_starts_the_worker_only_where_it_should(
    settings, monkeypatch, inline, argv, run_main, starts
):
    calls: list[int] = []
    monkeypatch.setattr(worker, "start_inline_worker", lambda: calls.append(1))
    monkeypatch.setattr(sys, "argv", argv)
    if run_main is None:
        monkeypatch.delenv("RUN_MAIN", raising=False)
    else:
        monkeypatch.setenv("RUN_MAIN", run_main)
    settings.SWINGVISION_INLINE_WORKER = inline
    apps.get_app_config("analysis").ready()
    assert calls == ([1] if starts else [])


def test_no_thread_when_the_setting_is_off(settings, runserver_child):
    settings.SWINGVISION_INLINE_WORKER = False
    apps.get_app_config("analysis").ready()
    assert not worker_threads() and worker._inline_started is False
