"""Issue 19, finding 1, in Chromium: a player uploads a page dressed as a video and the coach
opens the original while logged in. Nothing of the player's runs on our origin.

The page's script, if it ever ran, would read /profile/ with the coach's session and report to
XSS_MARKER; the test watches every request the coach's browser makes for it."""

from __future__ import annotations

import base64
import io
import json

import pytest
from playwright.sync_api import Error as PlaywrightError

from swingvision.db.managers import SYSTEM
from swingvision.storage import get_store, video_key
from tests.clients import log_in_page
from tests.conftest import screenshot
from tests.videos import media

pytestmark = pytest.mark.browser


@pytest.fixture
def pair(make_user):
    coach = make_user("coach", name="Casey Victim")
    return coach, make_user("player", coach=coach, name="Mal Player")


UPLOAD = """async ([url, name, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const form = new FormData();
  form.append("csrfmiddlewaretoken", document.querySelector("[name=csrfmiddlewaretoken]").value);
  form.append("file", new File([bytes], name, { type: "application/octet-stream" }));
  const r = await fetch(url, { method: "POST", body: form, headers: { Accept: "application/json" } });
  return [r.status, await r.text()];
}"""


def upload_in_page(page, live_url, player, path):
    """What the attacker does from the upload page: post the file with a generic binary type (a
    browser's file picker would label x.html text/html, which the upload refuses outright)."""
    url = f"{live_url}/players/{player.id}/upload/"
    page.goto(url)
    data = base64.b64encode(path.read_bytes()).decode()
    return page.evaluate(UPLOAD, [url, path.name, data])


def open_as_page(page, url):
    """Navigate the coach's tab to the URL, as a click on a link would. An attachment becomes a
    download (Chromium then reports the navigation as aborted); returns the download or None."""
    try:
        with page.expect_download(timeout=10_000) as info:
            try:
                page.goto(url)
            except PlaywrightError as e:
                assert "Download is starting" in str(e) or "ERR_ABORTED" in str(e), e
        return info.value
    except PlaywrightError:
        return None


def test_a_players_page_dressed_as_a_video_never_runs_in_the_coachs_browser(
    browser, live_url, pair, mgr, tmp_path
):
    coach, player = pair
    glued_html = tmp_path / "x.html"
    glued_html.write_bytes(media.XSS_HTML + media.container_bytes("nut"))
    glued_svg = tmp_path / "x.svg"
    glued_svg.write_bytes(media.XSS_SVG + media.container_bytes("mpegts"))
    padded = tmp_path / "swing.html"  # a real MP4 carrying the page in its own padding
    padded.write_bytes(media.container_bytes("mp4") + media.mp4_box(b"free", media.XSS_HTML))

    # The player: the glued files are refused, the padded one is taken (it is a video).
    player_ctx = browser.new_context()
    player_page = player_ctx.new_page()
    log_in_page(player_page, live_url, player.username)
    for path in (glued_html, glued_svg):
        status, text = upload_in_page(player_page, live_url, player, path)
        assert status == 400, text
        assert json.loads(text)["field"] == "file", text
    assert mgr.videos.for_player(SYSTEM, player.id) == []
    status, text = upload_in_page(player_page, live_url, player, padded)
    assert status == 201, text
    player_ctx.close()

    taken = mgr.videos.for_player(SYSTEM, player.id)[0]
    # And a row as the old check let it in: an SVG stored under its own name, no probed type.
    legacy = mgr.videos.create(SYSTEM, player.id, filename="x.svg", status="uploaded")
    ref = get_store().put(
        video_key(player.id, legacy.id, "x.svg"), io.BytesIO(media.XSS_SVG), content_type=""
    )
    legacy = mgr.videos.update(legacy, blob_ref=ref)

    # The coach opens each original while logged in.
    coach_ctx = browser.new_context(accept_downloads=True)
    ran: list[str] = []
    coach_ctx.on("request", lambda r: media.XSS_MARKER in r.url and ran.append(r.url))
    page = coach_ctx.new_page()
    log_in_page(page, live_url, coach.username)
    for video, ext, ctype in ((taken, "mp4", "video/mp4"), (legacy, "bin", None)):
        url = f"{live_url}/players/{player.id}/swings/{video.id}/video?original=1"
        head = page.request.get(url)
        assert head.status == 200
        got = head.headers["content-type"]
        assert got == (ctype or "application/octet-stream"), got
        assert head.headers["x-content-type-options"] == "nosniff"
        assert head.headers["content-disposition"].startswith("attachment;")
        assert "sandbox" in head.headers["content-security-policy"]
        download = open_as_page(page, url)
        assert download is not None, "the original was rendered, not downloaded"
        assert download.suggested_filename.endswith(f".{ext}")
        page.wait_for_timeout(500)
    page.goto(f"{live_url}/players/{player.id}/upload/")
    page.wait_for_load_state("networkidle")
    screenshot(page, "stored-xss-coach")
    assert page.title() != "pwned"
    assert ran == [], ran
    coach_ctx.close()
