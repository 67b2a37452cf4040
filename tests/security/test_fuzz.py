"""Fuzzing every form and query string with hypothesis: random and hostile strings, huge values,
repeated fields (wrong types), unicode, SQL and HTML metacharacters. Never a 500; and whatever was
stored comes back escaped on the pages that show it (no script injection).

To fuzz another endpoint, add one `Endpoint(...)` line to ENDPOINTS: who sends it, the method, the
URL (formatted with the world's ids) and the field names.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import make_account

XSS_MARKERS = ("<script>alert(", "<img src=x", "<svg onload")
MARKUP = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>")
# Sent alone in every field before the random mixes: markup, control characters, SQL, numbers
# out of range, unicode, huge.
SWEEP = (
    *MARKUP,
    "a\x00b",
    "a\r\nb",
    "'; DROP TABLE users; --",
    "99999999999999999999999",
    "nan",
    "-1",
    "é🏌️\u202e",
    "x" * 100_000,
)
HOSTILE = [
    "",
    " ",
    "'",
    '"',
    "\\",
    "%",
    "_",
    "'; DROP TABLE users; --",
    "1 OR 1=1",
    "name DESC, (SELECT 1)",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "{{ 7|add:7 }}{% now 'Y' %}",
    "javascript:alert(1)",
    "../../etc/passwd",
    "\x00",
    "\r\n",
    "é🏌️‍♂️ 中文 עברית",
    "\u202e\u200b",
    "-1",
    "0",
    "1e309",
    "NaN",
    "inf",
    "99999999999999999999999",
    "2.5",
    "3.1",
    "left",
    "face-on",
    "player",
    "coach",
    "admin",
    "a" * 300,
]

text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=80),
    st.integers(min_value=500, max_value=25_000).map(lambda n: "<'\"&;%a" * n),  # huge values
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
# A field is missing, one value, or repeated (a list where one value is expected).
field_value = st.one_of(st.none(), text, st.lists(text, min_size=2, max_size=3))


@dataclass(frozen=True)
class Endpoint:
    name: str
    role: str
    method: str  # "GET" (query string) or "POST" (form body)
    url: str  # formatted with player_id, analysis_id, victim_id, video_id
    fields: tuple[str, ...]
    htmx: bool = False


def _metric_fields() -> tuple[str, ...]:
    from analysis.engine import METRICS

    names = list(METRICS)[:4]
    return tuple(f"{n}_{end}" for n in names for end in ("lo", "hi"))


ENDPOINTS = [
    Endpoint("login", "anonymous", "POST", "/login/", ("username", "password", "next")),
    Endpoint("login next", "anonymous", "GET", "/login/", ("next",)),
    Endpoint("roster", "coach", "GET", "/roster/", ("q", "sort", "order", "page")),
    Endpoint("roster admin", "admin", "GET", "/roster/", ("q", "sort", "order", "page", "coach")),
    Endpoint("player page", "coach", "GET", "/players/{player_id}/", ("page",)),
    Endpoint("admin users", "admin", "GET", "/admin/users/", ("q", "role", "page")),
    Endpoint(
        "admin create user",
        "admin",
        "POST",
        "/admin/users/",
        ("username", "email", "full_name", "role", "coach_id", "password"),
    ),
    Endpoint(
        "admin edit user",
        "admin",
        "POST",
        "/admin/users/{victim_id}/",
        ("username", "email", "full_name", "role", "coach_id", "active"),
    ),
    Endpoint(
        "admin inline edit",
        "admin",
        "POST",
        "/admin/users/{victim_id}/",
        ("full_name", "coach_id"),
        htmx=True,
    ),
    Endpoint(
        "admin password", "admin", "POST", "/admin/users/{victim_id}/password/", ("password",)
    ),
    Endpoint("admin videos", "admin", "GET", "/admin/videos/", ("status", "player", "page")),
    Endpoint(
        "admin edit video",
        "admin",
        "POST",
        "/admin/videos/{player_id}/{video_id}/",
        ("status", "filename", "club", "view"),
    ),
    Endpoint("admin analyses", "admin", "GET", "/admin/analyses/", ("player", "page")),
    Endpoint(
        "admin review",
        "admin",
        "POST",
        "/admin/analyses/{player_id}/{analysis_id}/review/",
        ("reviewed",),
    ),
    Endpoint("admin progress", "admin", "GET", "/admin/progress/", ("q", "page")),
    Endpoint(
        "admin audit", "admin", "GET", "/admin/audit/", ("actor", "target_type", "target", "before")
    ),
    Endpoint(
        "player settings",
        "coach",
        "POST",
        "/players/{player_id}/settings/",
        ("handedness", "view", *_metric_fields()),
    ),
    Endpoint(
        "feedback",
        "coach",
        "POST",
        "/players/{player_id}/analyses/{analysis_id}/feedback/",
        (
            "form",
            "rows",
            "index_0",
            "aspect_0",
            "finding_0",
            "recommendation_0",
            "priority_0",
            "remove_0",
            "aspect_1",
            "finding_1",
            "recommendation_1",
            "priority_1",
            "reviewed",
        ),
    ),
    Endpoint("profile", "player", "POST", "/profile/", ("form", "full_name", "email")),
    Endpoint(
        "profile password",
        "other_player",
        "POST",
        "/profile/",
        ("form", "current_password", "new_password", "new_password2"),
    ),
    Endpoint(
        "api videos", "coach", "GET", "/api/v1/players/{player_id}/videos", ("limit", "offset")
    ),
]


@pytest.fixture(scope="module")
def victim(world, gateway):
    from swingvision.db.managers import managers

    return make_account(managers(gateway), "player", coach=world.users["coach"], name="Vic Tim")


def _pages_showing_stored_values(world, victim) -> list[tuple[str, str]]:
    p, a = world.player.id, world.analysis.id
    return [
        ("admin", f"/admin/users/{victim.id}/"),
        ("admin", "/admin/users/?role=player"),
        ("admin", "/admin/audit/"),
        ("admin", "/admin/videos/"),
        ("coach", "/roster/"),
        ("coach", f"/players/{p}/settings/"),
        ("coach", f"/players/{p}/analyses/{a}/feedback/"),
        ("player", "/profile/"),
    ]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_fuzz_endpoint(endpoint, world, victim):
    ids = {
        "player_id": world.player.id,
        "analysis_id": world.analysis.id,
        "video_id": world.video.id,
        "victim_id": victim.id,
    }
    url = endpoint.url.format(**ids)
    client = world.client(endpoint.role)
    headers = {"HX-Request": "true"} if endpoint.htmx else {}

    def send(data: dict) -> None:
        if endpoint.method == "GET":
            r = client.get(url, data, headers=headers)
        else:
            r = client.post(url, data, headers=headers)
        assert r.status_code < 500, (endpoint.name, data, r.status_code, r.content[:500])
        if 200 <= r.status_code < 300 and r.get("Content-Type", "").startswith("text/html"):
            _assert_escaped(endpoint.name, r.content.decode("utf-8", "replace"))

    # Every SWEEP value alone in every field (a lone field is likeliest to pass validation and
    # be stored), then hypothesis' random mixes.
    for payload in SWEEP:
        for f in endpoint.fields:
            send({f: payload})

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(st.fixed_dictionaries({f: field_value for f in endpoint.fields}))
    def run(values):
        send({k: v for k, v in values.items() if v is not None})

    run()
    # Whatever the examples stored, every page that shows it still renders, escaped.
    for role, page in _pages_showing_stored_values(world, victim):
        r = world.client(role).get(page)
        assert r.status_code == 200, (page, r.status_code)
        _assert_escaped(page, r.content.decode())


def _assert_escaped(where: str, html: str) -> None:
    for marker in XSS_MARKERS:
        assert marker not in html, f"{where}: unescaped {marker!r} in the page"
