"""A lesson upload whose client goes away half-way leaves no row, no blob and no temporary file."""

from __future__ import annotations

import time

import pytest

from swingvision.db.managers import SYSTEM
from swingvision.storage import get_store
from tests.videos.media import multipart
from tests.videos.test_interrupted import request_bytes, send_and_hang_up, send_whole, wait_for

from .media import make_recording


@pytest.fixture(scope="module")
def big_recording(tmp_path_factory) -> bytes:
    """A valid recording of about 2 MB: sent whole, it is stored (the control below), so what
    the interrupted requests leave is down to the interruption alone."""
    path = tmp_path_factory.mktemp("big") / "big.webm"
    make_recording(path, seconds=2, fps=15, width=320, height=240, noise=True)
    return path.read_bytes()


@pytest.fixture
def session(team, login_client):
    c = login_client(team.coach)
    c.get(f"/players/{team.player.id}/swings/{team.video.id}/")  # sets the CSRF cookie
    return c.cookies


def head_for(live_url, player, cookies, body: bytes, ctype: str) -> bytes:
    return request_bytes(live_url, player, cookies, body, ctype, to="lessons", json=True)


def snapshot(team) -> tuple:
    return (
        team.m.lessons.count_for_player(SYSTEM, team.player.id),
        sorted(get_store().keys("lessons/")),
    )


def request_parts(team, session, recording: bytes) -> tuple[bytes, str]:
    return multipart(
        [
            ("csrfmiddlewaretoken", session["csrftoken"].value),
            ("video_ids", team.video.id),
            ("file", "lesson.webm", "video/webm", recording),
            # Trailing spaces are dropped by the title's cleaning: a cut one is valid on its own.
            ("title", "Hold the top" + " " * 400),
        ]
    )


@pytest.mark.parametrize("where", ["inside the recording", "inside the title after it"])
def test_an_interrupted_lesson_upload_leaves_nothing(
    live_url, team, session, upload_tmp, big_recording, where
):
    body, ctype = request_parts(team, session, big_recording)
    cut = len(body) // 2 if where == "inside the recording" else len(body) - 200
    before = snapshot(team)
    send_and_hang_up(
        live_url,
        head_for(live_url, team.player, session, body, ctype),
        body,
        cut,
        upload_tmp,
        saw_file=where == "inside the recording",
    )
    assert wait_for(lambda: not any(upload_tmp.iterdir())), list(upload_tmp.iterdir())
    time.sleep(0.5)  # let the view finish its answer to nobody
    assert snapshot(team) == before


def test_the_same_request_sent_whole_is_stored(live_url, team, session, upload_tmp, big_recording):
    """The control: the very bytes of the tests above, all sent, make a lesson."""
    body, ctype = request_parts(team, session, big_recording)
    head = head_for(live_url, team.player, session, body, ctype)
    before = team.m.lessons.count_for_player(SYSTEM, team.player.id)
    answer = send_whole(live_url, head + body)
    assert answer.startswith(b"HTTP/1.1 201"), answer[:300]
    assert team.m.lessons.count_for_player(SYSTEM, team.player.id) == before + 1
    assert not any(upload_tmp.iterdir())
