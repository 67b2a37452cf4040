"""Every URL of the app × anonymous, player, another player, coach, another coach and admin gets
the expected status on GET. The URLs come from the URL configuration itself, so a new page is in
the matrix the moment it is routed; its URL kwargs are filled by name from the fixtures (an
unknown name fails the test and says where to add it), and its expectations follow from rules:

- anonymous: 401 under /api/ (which checks its own token or session auth);
- a view marked public (login, health check): 200 for everyone;
- anonymous: 302 to the login page;
- /admin/...: 403 for everyone but an admin;
- /players/<player_id>/... and /api/v1/players/<player_id>/...: 200 for that player, their coach
  and an admin, 404 for another player and another coach;
- anything else: 200 for anyone logged in;

with OVERRIDES below for the exceptions (POST-only views, redirects).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from .conftest import ROLES

LOGGED_IN = tuple(r for r in ROLES if r != "anonymous")
NON_ADMIN = tuple(r for r in LOGGED_IN if r != "admin")
OUTSIDERS = ("other_player", "other_coach")


def _kwarg_values(world) -> dict[str, str]:
    """URL kwarg NAME -> the value that names the fixtures' record. A new kwarg name goes here."""
    return {
        "player_id": world.player.id,
        "user_id": world.player.id,
        "coach_id": world.users["coach"].id,
        "video_id": world.video.id,
        "analysis_id": world.analysis.id,
        "frame": str(world.frame),
        "token_id": world.token_id,
        "name": "poster.webp",  # a swing's thumbnail
        **world.ids,  # drill_id, note_id, annotation_id, lesson_id
    }


def _all(status: int, roles=LOGGED_IN) -> dict[str, int]:
    return dict.fromkeys(roles, status)


def _post_only(*, admin_only: bool = False) -> dict[str, int]:
    """GET on a POST-only view: 405 for whoever gets past the login (and, for admin pages, the
    admin check, which comes first: a non-admin learns nothing about the method)."""
    if admin_only:
        return {**_all(403, NON_ADMIN), "admin": 405}
    return _all(405)


# URL name -> role -> expected status, where the rules above do not hold.
OVERRIDES: dict[str, dict[str, int]] = {
    "home": _all(302),  # a player to their page, the others to the roster
    "favicon": _all(301, ROLES),  # to the static icon, for everyone
    "roster": {"player": 302, "other_player": 302},  # a player has no roster: their own page
    "logout": _post_only(),
    "admin_home": {"admin": 302},  # to the users list
    "admin_user_password": _post_only(admin_only=True),
    "admin_video_rerun": _post_only(admin_only=True),
    "admin_video_delete": _post_only(admin_only=True),
    "admin_analysis_review": _post_only(admin_only=True),
    "admin_progress_recompute": _post_only(admin_only=True),
    "token-create": _post_only(),
    "token-revoke": _post_only(),
    "api-video-poses": _all(405, ROLES),  # POST-only, answered before authentication
    "drill_update": _post_only(),
    "drill_delete": _post_only(),
    "swing_annotation": _post_only(),  # PATCH/DELETE of one drawing
    "swing_note_delete": _post_only(),
    "swing-title": _post_only(),  # renaming a swing
    # The matrix's video file is 2 KB of zeros: no frame to decode, so "no such picture" for the
    # roles that may see the swing too (tests/dashboard/test_swing_titles.py decodes a real one).
    "video-frame": _all(404),
    "lesson-watched": _post_only(),  # the lesson player's first play
    "lesson-delete": _post_only(),
    "swing_publish": _post_only(),
    "swing_capture_rate": _post_only(),
}

_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def iter_routes(resolver=None, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    """(route with its <params>, pattern) for every leaf pattern, recursively through includes."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern).lstrip("^").rstrip("$")
        if isinstance(p, URLResolver):
            yield from iter_routes(p, route)
        else:
            yield route, p


def fill(route: str, values: dict[str, str]) -> str:
    def sub(m: re.Match) -> str:
        name = m.group("name") or m.group("rname")
        if name not in values:
            pytest.fail(
                f"URL {route!r} has a kwarg {name!r} that the access matrix cannot fill: add it "
                f"to _kwarg_values() in {__file__} (the fixture record it should name)"
            )
        return values[name]

    return "/" + _PARAM.sub(sub, route)


def expected(route: str, pattern: URLPattern, role: str) -> int:
    override = OVERRIDES.get(pattern.name or route, {})
    if role in override:
        return override[role]
    if route.startswith("api/"):  # the API checks its own auth (token or session)
        if role == "anonymous":
            return 401
    elif getattr(pattern.callback, "public", False):
        return 200
    elif role == "anonymous":
        return 302
    if route.startswith("admin/"):
        return 200 if role == "admin" else 403
    if re.match(r"(api/v\d+/)?players/<(str:)?player_id>/", route):
        return 404 if role in OUTSIDERS else 200
    return 200


def routes() -> list[tuple[str, URLPattern]]:
    return sorted(iter_routes(), key=lambda rp: rp[0])


def test_the_matrix_sees_every_page():
    """The walk finds this issue's pages and the core ones (a broken walk would test nothing)."""
    names = {p.name for _, p in routes()}
    for name in ("login", "roster", "player", "admin_users", "admin_audit", "player_settings"):
        assert name in names


def test_unknown_kwarg_names_fail_with_a_message():
    with pytest.raises(pytest.fail.Exception, match="add it to _kwarg_values"):
        fill("players/<str:player_id>/drills/<str:mystery_id>/", {"player_id": "p"})


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(world, role):
    client = world.client(role)
    values = _kwarg_values(world)
    problems = []
    for route, pattern in routes():
        url = fill(route, values)
        want = expected(route, pattern, role)
        r = client.get(url)
        if r.status_code != want:
            problems.append(f"GET {url} ({pattern.name}) as {role}: {r.status_code}, want {want}")
            continue
        if want == 302 and role == "anonymous":
            assert r["Location"].startswith("/login/?next="), (url, r["Location"])
    assert not problems, "\n".join(problems)


def test_anonymous_api_gets_json_401(world):
    client = world.client("anonymous")
    for route, _ in routes():
        if route.startswith("api/"):
            r = client.get(fill(route, _kwarg_values(world)))
            if r.status_code == 401:
                assert r["Content-Type"].startswith("application/json")
