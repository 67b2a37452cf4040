"""A request that wants JSON (an /api/ URL, a JSON body, or Accept: application/json) gets its
refusals as JSON {"error": ...}: a CSRF failure, another coach's swing, upload or lesson URL, a URL
that does not exist. A browser's request still gets the page."""

from __future__ import annotations

import pytest
from django.test import Client

JSON = {"Accept": "application/json"}


def _json_error(r, status: int) -> str:
    assert r.status_code == status, (r.status_code, r.content[:200])
    assert r["Content-Type"].startswith("application/json"), r["Content-Type"]
    error = r.json()["error"]
    assert isinstance(error, str) and error
    return error


def _strict(world, role: str) -> Client:
    """The role's session, with CSRF checked as for a browser (and no token sent)."""
    c = Client(enforce_csrf_checks=True, raise_request_exception=False)
    c.cookies = world.client(role).cookies
    return c


@pytest.mark.parametrize(
    "url",
    [
        "/drills/",  # the middleware's check
        "/players/{player}/upload/",  # checked by hand after the upload handlers are set
        "/players/{player}/lessons/",
        "/players/{player}/swings/{video}/title/",
    ],
)
def test_a_csrf_failure_is_json_to_a_json_request(world, url):
    url = url.format(player=world.player.id, video=world.video.id)
    strict = _strict(world, "coach")
    error = _json_error(strict.post(url, {"name": "x"}, headers=JSON), 403)
    assert error.startswith("CSRF check failed") and "X-CSRFToken" in error
    page = strict.post(url, {"name": "x"})
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "url", "said"),
    [
        ("get", "/players/{player}/upload/", "No such player."),
        ("post", "/players/{player}/upload/", "No such player."),
        ("get", "/players/{player}/lessons/{lesson}/", "No such player."),
        ("post", "/players/{player}/lessons/", "No such player."),
        ("get", "/players/{player}/swings/{video}/video", "No such swing."),
        ("get", "/no/such/page/", "no such URL: /no/such/page/"),
    ],
)
def test_another_coachs_urls_are_a_json_404_to_a_json_request(world, method, url, said):
    """The other coach's player does not exist for this coach: 404 as JSON, saying no more than
    the page does."""
    url = url.format(player=world.player.id, video=world.video.id, lesson=world.ids["lesson_id"])
    other = world.client("other_coach")
    error = _json_error(getattr(other, method)(url, headers=JSON), 404)
    assert error == said
    page = getattr(other, method)(url)
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_the_api_keeps_its_own_json_errors(world):
    c = world.client("other_coach")
    error = _json_error(c.get(f"/api/v1/players/{world.player.id}/videos"), 404)
    assert "not found" in error or "no such" in error
    assert (
        _json_error(c.get("/api/v1/nothing-here"), 404) == "no such API URL: /api/v1/nothing-here"
    )


def test_a_views_404_is_json_with_debug_on_too(world, settings):
    """Development runs with DEBUG on, where Django answers a view's 404 with its HTML debug
    page and never calls handler404 (outside re-check): the middleware answers JSON first."""
    settings.DEBUG = True
    url = f"/players/{world.player.id}/lessons/{world.ids['lesson_id']}/"
    other = world.client("other_coach")
    assert _json_error(other.get(url, headers=JSON), 404) == "No such player."
