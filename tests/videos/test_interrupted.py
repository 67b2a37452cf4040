"""An upload whose client disconnects half-way leaves no row, no blob and no temporary file."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest

from swingvision.db.managers import SYSTEM

from . import media


def wait_for(predicate, timeout: float = 15.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def request_bytes(
    live_url, player, cookies, body: bytes, ctype: str, *, to: str = "upload", json: bool = False
) -> bytes:
    """The head of a raw POST of `body` to the player's page `to` (upload, lessons) with the
    session's cookies; `json` asks for a JSON answer."""
    accept = "Accept: application/json\r\n" if json else ""
    return (
        f"POST /players/{player.id}/{to}/ HTTP/1.1\r\n"
        f"Host: {urlsplit(live_url).netloc}\r\n"
        f"Cookie: sessionid={cookies['sessionid'].value}; csrftoken={cookies['csrftoken'].value}\r\n"
        f"{accept}"
        f"Content-Type: {ctype}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()


def send_whole(live_url, request: bytes) -> bytes:
    """Send a raw request whole and read the answer to its end."""
    p = urlsplit(live_url)
    with socket.create_connection((p.hostname, p.port), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.fixture
def session(team, login_client):
    c = login_client(team.coach)
    c.get(f"/players/{team.player.id}/upload/")  # sets the CSRF cookie
    return c.cookies


@pytest.fixture(scope="module")
def big_video(tmp_path_factory):
    """A few MB, so the upload is still streaming when the client goes away."""
    d = tmp_path_factory.mktemp("interrupt")
    return media.make_video(d / "big.mp4", frames=90, width=320, height=240, noise=True)


def parts(session, video_bytes: bytes, *, pose: bytes | None = None, club: str = ""):
    out = [("csrfmiddlewaretoken", session["csrftoken"].value)]
    out.append(("file", "big.mp4", "video/mp4", video_bytes))
    if club:
        out.append(("club", club))
    if pose is not None:
        out.append(("pose_file", "poses.csv", "text/csv", pose))
    return out


def send_and_hang_up(live_url, head: bytes, body: bytes, cut: int, upload_tmp, *, saw_file=True):
    parts_ = urlsplit(live_url)
    sock = socket.create_connection((parts_.hostname, parts_.port), timeout=10)
    try:
        sock.sendall(head + body[:cut])
        if saw_file:
            # The server is streaming the video to a temporary file: it really was mid-upload.
            assert wait_for(lambda: any(upload_tmp.iterdir())), "no temporary file appeared"
    finally:
        sock.shutdown(socket.SHUT_RDWR)
        sock.close()


def test_a_client_that_disconnects_half_way(
    live_url, team, session, big_video, upload_tmp, state, mgr
):
    data = big_video.read_bytes()
    assert len(data) > 1_000_000
    body, ctype = media.multipart(parts(session, data))
    head = request_bytes(live_url, team.player, session, body, ctype)
    before = state()
    send_and_hang_up(live_url, head, body, len(body) // 2, upload_tmp)
    assert wait_for(lambda: not any(upload_tmp.iterdir())), list(upload_tmp.iterdir())
    time.sleep(0.5)  # let the view finish its answer to nobody
    assert state() == before
    assert mgr.videos.count_for_player(SYSTEM, team.player.id) == 0


def test_a_disconnect_after_the_video_but_inside_the_pose_file(
    live_url, team, session, big_video, upload_tmp, state, mgr
):
    """The video part arrived whole; the request did not: nothing is kept."""
    data = big_video.read_bytes()
    pose = media.pose_csv(90)
    body, ctype = media.multipart(parts(session, data, pose=pose))
    head = request_bytes(live_url, team.player, session, body, ctype)
    before = state()
    send_and_hang_up(live_url, head, body, len(body) - len(pose) // 2, upload_tmp)
    assert wait_for(lambda: not any(upload_tmp.iterdir()))
    time.sleep(0.5)
    assert state() == before


def test_a_disconnect_inside_a_form_field_after_the_video(
    live_url, team, session, big_video, upload_tmp, state
):
    data = big_video.read_bytes()
    # Trailing spaces are dropped by the form cleaning, so the cut value would pass on its own.
    body, ctype = media.multipart(parts(session, data, club="Driver" + " " * 300))
    head = request_bytes(live_url, team.player, session, body, ctype)
    before = state()
    send_and_hang_up(live_url, head, body, len(body) - 150, upload_tmp, saw_file=False)
    assert wait_for(lambda: not any(upload_tmp.iterdir()))
    time.sleep(0.5)
    assert state() == before


def test_the_same_request_sent_whole_is_stored(live_url, team, session, big_video, upload_tmp, mgr):
    """The control: the very bytes of the tests above, all sent, make a video."""
    data = big_video.read_bytes()
    body, ctype = media.multipart(parts(session, data, club="7-iron"))
    head = request_bytes(live_url, team.player, session, body, ctype)
    answer = send_whole(live_url, head + body)
    assert answer.startswith(b"HTTP/1.1 302"), answer[:300]
    videos = mgr.videos.for_player(SYSTEM, team.player.id)
    assert [v.filename for v in videos] == ["big.mp4"] and videos[0].metadata["club"] == "7-iron"
    assert not any(upload_tmp.iterdir())
