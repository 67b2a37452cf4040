"""Fuzzing every form, JSON body, upload and query string with hypothesis: random and hostile
strings, huge values, repeated fields and JSON values of the wrong type, unicode, SQL and HTML
metacharacters. Never a 500; and whatever was stored comes back escaped on the pages that show it
(no script injection).

To fuzz another endpoint, add one `Endpoint(...)` line to ENDPOINTS: who sends it, the method, the
URL (formatted with the world's ids), the field names and, for bodies that only store when other
fields are valid, a `base` of valid values the fuzzed ones replace. The guard tests at the end fail
when a routed URL that takes POST/PUT/PATCH, or reads a query parameter, is neither here nor in
NOT_FUZZED.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.clients import logged_in
from tests.factories import account

XSS_MARKERS = ("<script>alert(", "<img src=x", "<svg onload")
# The same markup as it must come back: escaped in HTML, or in a json_script block.
ESCAPED_MARKERS = (
    "&lt;script&gt;alert(",
    "&lt;img src=x",
    "&lt;svg onload",
    "\\u003Cscript\\u003Ealert(",
    "\\u003Cimg src=x",
    "\\u003Csvg onload",
)
MARKUP = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>")
# Numbers as a browser or a script may send them that int()/float() mishandle (issue 19, 3):
# digits str.isdigit() takes and int() refuses (superscripts, circled) or takes (Arabic-Indic,
# fullwidth), integers too long for int() (4,300 digits) or for any column, floats that are not
# finite, and Python's own spellings (underscores, padding).
NUMBERS = (
    "²",
    "¹",
    "³.x",
    "²." + "1",
    "①",
    "٣",
    "１２",
    "1_000",
    " 3 ",
    "+3",
    "-0",
    "0x10",
    "1e999",
    "-1e999",
    "Infinity",
    "-Infinity",
    "NaN",
    "9" * 400,
    "9" * 5000,
    "0." + "1" * 5000,
)
# Sent alone in every field before the random mixes (markup first): control characters, SQL,
# numbers out of range or in other scripts, unicode, huge.
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
    *NUMBERS,
)
# Every endpoint also gets each of these as its Range header (the video views parse it).
RANGE_HEADERS = (
    "bytes=" + "9" * 5000 + "-",
    "bytes=-" + "9" * 5000,
    "bytes=0-" + "9" * 400,
    "bytes=²-",
    "bytes=٣-٤",
    "bytes=" + ",".join(["0-1"] * 2000),
    "bytes=" + " " * 10_000 + "0-1",
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
    # values some fields take, so random mixes also get past validation
    "custom",
    "2024-02-29",
    "9999-12-31",
    "0001-01-01",
    "swings",
    "same",
    "any",
    "top",
    "impact",
    "5",
    "keypoints",
    "metrics",
    "recent",
    "status",
]

# Unicode digits: decimal ones of every script (Nd, which int() reads) and the others (No:
# superscripts, fractions, circled numbers, which str.isdigit() takes and int() refuses).
unicode_digits = st.text(st.characters(categories=("Nd", "No")), min_size=1, max_size=6)
text = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(NUMBERS),
    st.text(max_size=80),
    unicode_digits,
    st.tuples(unicode_digits, st.sampled_from(("", ".", "-", ".x", "e9"))).map("".join),
    st.integers(min_value=500, max_value=25_000).map(lambda n: "<'\"&;%a" * n),  # huge values
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=20, max_value=6000).map(lambda n: "9" * n),  # huge numbers
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
# A field is missing, one value, or repeated (a list where one value is expected).
field_value = st.one_of(st.none(), text, st.lists(text, min_size=2, max_size=3))


class _Omit:
    def __repr__(self) -> str:
        return "<omitted>"


OMIT = _Omit()  # a JSON field left out (None is JSON's null there)
json_value = st.recursive(
    st.one_of(
        text,
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.integers(min_value=10**300, max_value=10**400),
        st.floats(allow_nan=True, allow_infinity=True),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.one_of(st.sampled_from(("x", "y", "joint", "kind", "text")), st.text(max_size=8)),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=8,
)
# Bodies a JSON endpoint gets before its fields are fuzzed: not JSON, not an object, too deep,
# too large, not UTF-8.
RAW_JSON_BODIES = (
    b"",
    b"null",
    b"[]",
    b'"text"',
    b"{",
    b"\xff\xfe{}",
    b'{"kind": "text", "kind": 1}',
    b"[" * 30_000 + b"]" * 30_000,  # nested too deep for the parser, yet under the size limit
    b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    b'{"text": "' + b"x" * 70_000 + b'"}',
    # Numbers JSON parsers take: too long for int() (ValueError past 4,300 digits), NaN and
    # Infinity (Python's json reads them), a float that overflows to infinity.
    b'{"frame": ' + b"9" * 5000 + b"}",
    b'{"frame": NaN}',
    b'{"frame": -Infinity}',
    b'{"frame": 1e400}',
    b'{"kind": "text", "text": "x", "points": [{"x": 1e400, "y": NaN}]}',
    b'{"kind": "text", "text": "x", "points": [{"x": ' + b"1" * 5000 + b', "y": 0}]}',
)


@dataclass(frozen=True)
class Endpoint:
    name: str
    role: str
    method: str  # "GET" (query string), else the body's method
    url: str  # formatted with the ids of test_fuzz_endpoint (player_id, video_id, ...)
    fields: tuple[str, ...]
    htmx: bool = False
    # "form" (urlencoded), "json" (an object of the fields) or "multipart" (see `parts`)
    body: str = "form"
    # Valid values the fuzzed ones replace: a lone fuzzed field then still gets stored.
    base: dict = field(default_factory=dict)
    # multipart: builds one request's data (fields and fresh file parts) from the fuzzed values;
    # fields it pops are pseudo-fields (a file's name or content).
    parts: Callable[[dict], dict] | None = None
    examples: int = 30
    # (role, url): pages where the MARKUP the sweep stores must then show, escaped, more often
    # than before (proof the escaping checks saw stored values, not pages without them).
    shows: tuple[tuple[str, str], ...] = ()


def _metric_fields() -> tuple[str, ...]:
    from analysis.engine import METRICS

    names = list(METRICS)[:4]
    return tuple(f"{n}_{end}" for n in names for end in ("lo", "hi"))


def _one(value, default: str) -> str:
    """A fuzzed value where one string is needed (the first of a repeated field)."""
    if isinstance(value, list):
        value = value[0] if value else None
    return default if value in (None, "") else str(value)


@cache
def _small_video() -> bytes:
    from tests.videos.media import video_bytes

    return video_bytes(frames=12)


@cache
def _pose_csv() -> str:
    from tests.videos.media import pose_csv

    return pose_csv(12).decode()


def _video_upload(values: dict) -> dict:
    """A real 12-frame video under the fuzzed name `filename`, beside the fuzzed form fields."""
    name = _one(values.pop("filename", None), "swing.mp4")
    return {**values, "file": SimpleUploadedFile(name, _small_video(), content_type="video/mp4")}


def _empty_upload(values: dict) -> dict:
    """The form fields with an empty file: refused (4xx) after the fields were read."""
    return {**values, "file": SimpleUploadedFile("empty.mp4", b"", content_type="video/mp4")}


def _pose_upload(values: dict) -> dict:
    """pose_file from the fuzzed `content` (each of a repeated one a file) and `filename`."""
    name = _one(values.pop("filename", None), "pose.csv")
    content = values.pop("content", None)
    contents = content if isinstance(content, list) else [content if content is not None else ""]
    files = [SimpleUploadedFile(name, str(c).encode("utf-8", "surrogatepass")) for c in contents]
    return {**values, "pose_file": files if len(files) > 1 else files[0]}


@cache
def _recording() -> bytes:
    import tempfile
    from pathlib import Path

    from tests.lessons.media import make_recording

    with tempfile.TemporaryDirectory() as d:
        return make_recording(Path(d) / "r.webm", seconds=1.0, width=64, height=48).read_bytes()


_WORLD_IDS: dict[str, str] = {}  # the ids of test_fuzz_endpoint's world, for body builders


def _lesson_upload(values: dict) -> dict:
    """A real short recording under the fuzzed name `filename`; `video_ids` "SWING" stands for
    the world's swing (so a valid lesson is stored and its title shows)."""
    name = _one(values.pop("filename", None), "lesson.webm")
    ids = values.get("video_ids")
    if ids == "SWING":
        values["video_ids"] = _WORLD_IDS["video_id"]
    file = SimpleUploadedFile(name, _recording(), content_type="video/webm")
    return {**values, "file": file}


SWING = "/players/{player_id}/swings/{video_id}/"
UPLOAD_FIELDS = ("club", "view", "capture_fps", "filename")
UPLOAD_BASE = {"club": "7-iron", "view": "face-on", "capture_fps": "240"}
PROGRESS_FIELDS = ("range", "start", "end", "view", "club")

ENDPOINTS = [
    Endpoint("login", "anonymous", "POST", "/login/", ("username", "password", "next")),
    Endpoint("login next", "anonymous", "GET", "/login/", ("next",)),
    Endpoint("roster", "coach", "GET", "/roster/", ("q", "sort", "order", "page", "per")),
    Endpoint(
        "roster admin", "admin", "GET", "/roster/", ("q", "sort", "order", "page", "per", "coach")
    ),
    Endpoint(
        "player page",
        "coach",
        "GET",
        "/players/{player_id}/",
        ("status", "from", "to", "page", "view"),
    ),
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
        ("username", "email", "full_name", "role", "coach_id", "active", "next"),
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
        ("status", "filename", "club", "view", "next"),
    ),
    Endpoint("admin analyses", "admin", "GET", "/admin/analyses/", ("player", "page")),
    Endpoint(
        "admin review",
        "admin",
        "POST",
        "/admin/analyses/{player_id}/{analysis_id}/review/",
        ("reviewed", "next"),
    ),
    # `next`: the redirect back after an admin action (forms.back); recompute takes nothing else
    Endpoint(
        "admin progress recompute",
        "admin",
        "POST",
        "/admin/progress/{player_id}/recompute/",
        ("next",),
        examples=15,
    ),
    Endpoint("admin progress", "admin", "GET", "/admin/progress/", ("q", "page")),
    Endpoint(
        "admin audit",
        "admin",
        "GET",
        "/admin/audit/",
        ("actor", "target_type", "target", "player", "before"),
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
    # -- uploads: a real small video with fuzzed fields and name; the fields with an empty file
    Endpoint(
        "upload",
        "coach",
        "POST",
        "/players/{player_id}/upload/",
        UPLOAD_FIELDS,
        body="multipart",
        base=UPLOAD_BASE,
        parts=_video_upload,
        examples=15,
        shows=(("coach", "/players/{player_id}/"),),
    ),
    Endpoint(
        "upload empty file",
        "coach",
        "POST",
        "/players/{player_id}/upload/",
        ("club", "view", "capture_fps"),
        body="multipart",
        parts=_empty_upload,
        examples=15,
    ),
    Endpoint(
        "api upload",
        "coach",
        "POST",
        "/api/v1/players/{player_id}/videos",
        UPLOAD_FIELDS,
        body="multipart",
        base=UPLOAD_BASE,
        parts=_video_upload,
        examples=15,
    ),
    Endpoint(
        "lesson record",
        "coach",
        "POST",
        "/players/{player_id}/lessons/",
        ("title", "video_ids", "filename"),
        body="multipart",
        base={"title": "Hold the top", "video_ids": "SWING"},
        parts=_lesson_upload,
        examples=15,
        shows=(("coach", "/players/{player_id}/lessons/"), ("player", "/players/{player_id}/")),
    ),
    Endpoint(
        "api lessons", "player", "GET", "/api/v1/players/{player_id}/lessons", ("limit", "offset")
    ),
    Endpoint(
        "api pose attach",
        "coach",
        "POST",
        "/api/v1/players/{player_id}/videos/{pose_video_id}/poses",
        ("content", "filename"),
        body="multipart",
        base={"content": _pose_csv},  # a valid pose file for the 12 frames (called in the test)
        parts=_pose_upload,
        examples=20,
    ),
    # -- settings, drills, the coach tools on a swing
    Endpoint(
        "token create",
        "coach",
        "POST",
        "/settings/tokens/",
        ("name",),
        shows=(("coach", "/settings/"),),
    ),
    Endpoint(
        "drill create",
        "coach",
        "POST",
        "/drills/",
        ("name", "aspect", "description", "video_url"),
        base={"name": "Slow backswing", "aspect": "tempo_ratio", "video_url": "https://e.x/v"},
        shows=(("coach", "/drills/"),),
    ),
    Endpoint(
        "drill update",
        "coach",
        "POST",
        "/drills/{drill_id}/",
        ("name", "aspect", "description", "video_url"),
        base={"name": "Pause at the top", "aspect": "tempo_ratio"},
        shows=(("coach", "/drills/"),),
    ),
    Endpoint(
        "swing note",
        "coach",
        "POST",
        SWING + "notes/",
        ("text", "frame"),
        base={"text": "Nice.", "frame": "3"},
        shows=(("coach", SWING), ("coach", SWING + "report/")),
    ),
    Endpoint(
        "swing title",
        "coach",
        "POST",
        SWING + "title/",
        ("title",),
        base={"title": "Range session"},
        # The swing's own page (the player's list pages the world's many fuzzed uploads).
        shows=(("coach", SWING), ("player", SWING)),
    ),
    Endpoint(
        "swing note htmx",
        "coach",
        "POST",
        SWING + "notes/",
        ("text", "frame"),
        base={"text": "Nice.", "frame": "3"},
        htmx=True,
    ),
    Endpoint(
        "annotation add",
        "coach",
        "POST",
        SWING + "annotations/",
        ("kind", "points", "text", "colour", "frame"),
        body="json",
        base={"kind": "text", "points": [{"x": 0.5, "y": 0.5}], "text": "ok", "frame": 3},
        shows=(("coach", SWING),),
    ),
    Endpoint(
        "annotation edit",
        "coach",
        "PATCH",
        SWING + "annotations/{annotation_id}/",
        ("kind", "points", "text", "colour", "frame"),
        body="json",
        shows=(("coach", SWING),),
    ),
    Endpoint(
        "annotation replace",
        "coach",
        "PUT",
        SWING + "annotations/{annotation_id}/",
        ("kind", "points", "text", "colour", "frame"),
        body="json",
        base={"kind": "line", "points": [{"joint": "left_wrist"}, {"x": 0.1, "y": 0.9}]},
        examples=15,
    ),
    Endpoint(
        "event correction",
        "coach",
        "POST",
        SWING + "events/",
        ("event", "frame", "restore"),
        base={"event": "top", "frame": "5"},
        examples=15,
    ),
    Endpoint(
        "event correction json",
        "coach",
        "POST",
        SWING + "events/",
        ("event", "frame"),
        body="json",
        base={"event": "impact", "frame": 8},
        examples=15,
    ),
    Endpoint(
        "capture rate",
        "coach",
        "POST",
        SWING + "capture-rate/",
        ("rate",),
        base={"rate": "real"},
        examples=10,
    ),
    # -- query strings of the pages and data URLs
    Endpoint("swing page", "coach", "GET", SWING, ("part", "debug")),
    Endpoint(
        "similar",
        "coach",
        "GET",
        SWING + "similar/",
        ("kind", "player", "scope", "phase", "view", "hand", "n", "frame"),
    ),
    Endpoint("compare", "coach", "GET", SWING + "compare/", ("mode", "with", "pick", "debug")),
    Endpoint("progress", "coach", "GET", "/players/{player_id}/progress/", PROGRESS_FIELDS),
    Endpoint(
        "progress json", "player", "GET", "/players/{player_id}/progress.json", PROGRESS_FIELDS
    ),
    Endpoint("drills page", "player", "GET", "/drills/", ("aspect",)),
    Endpoint("upload page", "coach", "GET", "/players/{player_id}/upload/", ("part", "video")),
    Endpoint(
        "upload page htmx",
        "coach",
        "GET",
        "/players/{player_id}/upload/",
        ("part", "video"),
        htmx=True,
    ),
    Endpoint("swing export csv", "coach", "GET", SWING + "export.csv", ("part",), examples=15),
    Endpoint("playback", "player", "GET", SWING + "video", ("original",), examples=15),
    Endpoint("thumbnail", "player", "GET", SWING + "thumbs/poster.webp", ("v",), examples=15),
    Endpoint(
        "api video file",
        "coach",
        "GET",
        "/api/v1/players/{player_id}/videos/{video_id}/video",
        ("original",),
        examples=15,
    ),
]


@pytest.fixture(scope="module")
def victim(world, gateway):
    from swingvision.db.managers import managers

    return account(managers(gateway), "player", coach=world.users["coach"], name="Vic Tim")


@pytest.fixture(scope="module")
def pose_video(world, gateway):
    """A swing waiting for analysis with a frame count, so a pose file can be attached to it."""
    import io

    from swingvision.db.managers import SYSTEM, managers
    from swingvision.storage import get_store, video_key

    m = managers(gateway)
    player = world.player
    video = m.videos.create(SYSTEM, player.id, filename="pose-target.mp4", status="uploaded")
    ref = get_store().put(
        video_key(player.id, video.id, "pose-target.mp4"),
        io.BytesIO(_small_video()),
        content_type="video/mp4",
    )
    return m.videos.update(
        video,
        blob_ref=ref,
        metadata={"fps": 30.0, "width": 64, "height": 48, "frame_count": 12},
    )


def _ids(world, victim, pose_video) -> dict[str, str]:
    return {
        "player_id": world.player.id,
        "analysis_id": world.analysis.id,
        "video_id": world.video.id,
        "victim_id": victim.id,
        "pose_video_id": pose_video.id,
        **world.ids,  # drill_id, note_id, annotation_id, lesson_id
    }


def _pages_showing_stored_values(world, victim) -> list[tuple[str, str]]:
    p, a, v = world.player.id, world.analysis.id, world.video.id
    return [
        ("admin", f"/admin/users/{victim.id}/"),
        ("admin", "/admin/users/?role=player"),
        ("admin", "/admin/audit/"),
        ("admin", "/admin/videos/"),
        ("coach", "/roster/"),
        ("coach", f"/players/{p}/"),
        ("player", f"/players/{p}/"),  # with the player's new notes (and lessons)
        ("coach", f"/players/{p}/lessons/"),
        ("coach", f"/players/{p}/settings/"),
        ("coach", f"/players/{p}/analyses/{a}/feedback/"),
        ("coach", f"/players/{p}/upload/"),
        ("coach", f"/players/{p}/swings/{v}/"),
        ("coach", f"/players/{p}/swings/{v}/report/"),
        ("coach", f"/players/{p}/swings/{v}/compare/"),
        ("coach", "/drills/"),
        ("coach", "/settings/"),
        ("player", "/profile/"),
    ]


def _fuzz_strategy(endpoint: Endpoint, base: dict):
    """One request's fields: each missing, fuzzed, or (when the endpoint has one) its valid value."""
    if endpoint.body == "json":
        return st.fixed_dictionaries(
            {
                f: st.one_of(st.just(OMIT), json_value, *([st.just(base[f])] if f in base else []))
                for f in endpoint.fields
            }
        )
    return st.fixed_dictionaries(
        {
            f: st.one_of(field_value, *([st.just(base[f])] if f in base else []))
            for f in endpoint.fields
        }
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_fuzz_endpoint(endpoint, world, victim, pose_video):
    ids = _ids(world, victim, pose_video)
    _WORLD_IDS.update(ids)
    url = endpoint.url.format(**ids)
    client = world.client(endpoint.role)
    base_headers = {"HX-Request": "true"} if endpoint.htmx else {}
    base = {k: v() if callable(v) else v for k, v in endpoint.base.items()}

    def send(data, extra: dict | None = None) -> None:
        headers = {**base_headers, **(extra or {})}
        if endpoint.method == "GET":
            r = client.get(url, data, headers=headers)
        elif endpoint.body == "json":
            if isinstance(data, dict):
                data = json.dumps({k: v for k, v in data.items() if v is not OMIT})
            r = client.generic(
                endpoint.method, url, data, content_type="application/json", headers=headers
            )
        elif endpoint.body == "multipart":
            r = client.post(url, endpoint.parts(dict(data)), headers=headers)
        else:
            assert endpoint.method == "POST", "a form body goes with POST"
            r = client.post(url, data, headers=headers)
        shown = data if len(repr(data)) < 2000 else repr(data)[:2000] + "..."
        assert r.status_code < 500, (endpoint.name, shown, r.status_code, r.content[:500])
        if 200 <= r.status_code < 300 and r.get("Content-Type", "").startswith("text/html"):
            _assert_escaped(endpoint.name, r.content.decode("utf-8", "replace"))

    def escaped_markup(role: str, page: str) -> int:
        html = world.client(role).get(page.format(**ids)).content.decode()
        return sum(html.count(m) for m in ESCAPED_MARKERS)

    shown_before = {page: escaped_markup(*page) for page in endpoint.shows}
    if endpoint.body == "json":
        for raw in RAW_JSON_BODIES:
            send(raw)
    for header in RANGE_HEADERS:
        send(dict(base), {"Range": header})
    # Every SWEEP value alone in every field, the others valid where the endpoint has valid
    # values (a lone field is likeliest to pass validation and be stored); then hypothesis'
    # random mixes.
    for i, payload in enumerate(SWEEP):
        for f in endpoint.fields:
            send({**base, f: payload})
        if i == len(MARKUP) - 1:  # what this endpoint stored shows (escaped) where it should
            for page, before in shown_before.items():
                assert escaped_markup(*page) > before, f"{endpoint.name}: no new markup on {page}"

    @settings(
        max_examples=endpoint.examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(_fuzz_strategy(endpoint, base))
    def run(values):
        send({k: v for k, v in values.items() if v is not None or endpoint.body == "json"})

    run()
    # Whatever the examples stored, every page that shows it still renders, escaped.
    for role, page in _pages_showing_stored_values(world, victim):
        r = world.client(role).get(page)
        assert r.status_code == 200, (page, r.status_code)
        _assert_escaped(page, r.content.decode())


def _assert_escaped(where: str, html: str) -> None:
    for marker in XSS_MARKERS:
        assert marker not in html, f"{where}: unescaped {marker!r} in the page"


# -- the guard: every URL that takes a body or reads a query parameter is fuzzed above ----------
#
# Found from the URL configuration itself (iter_routes, as the access matrix walks it), so a new
# view is checked the moment it is routed:
# - "takes a body": the view does not answer 405 to POST, PUT or PATCH. Each route is sent those
#   methods by a logged-in admin with every id in its path replaced by one that names nothing:
#   a view that takes the method then fails its lookup (404) or its validation (400) and changes
#   nothing, while one that does not answers 405 before any lookup (require_http_methods, the
#   API's api_view). Simpler and surer than an allowlist of read-only names, which would go stale
#   silently. (The probe's own session is ended by logout: it logs in again.)
# - "reads a query parameter": the names a view (or its template) looks up in request.GET while
#   answering a plain GET, for an admin, a coach and a player, recorded by a QueryDict that notes
#   every lookup. Parameters read only in another branch (progress' start/end, only with
#   range=custom) are not seen here: the ENDPOINTS lines above list those by hand.

WRITE_METHODS = ("POST", "PUT", "PATCH")
NO_SUCH_ID = "zz-no-such-id"

# URL name -> why its body (or query string) is not fuzzed. A name here that the probe would not
# flag fails the guard too, so the list cannot go stale.
NOT_FUZZED: dict[str, str] = {
    # POST-only actions that read no field: only the ids in the path, which the access matrix
    # (tests/security/test_access_matrix.py) and the apps' own tests check.
    "logout": "reads no field; flushes the session",
    "token-revoke": "reads no field: the token id is in the path",
    "drill_delete": "reads no field: the drill id is in the path",
    "swing_note_delete": "reads no field: the note id is in the path",
    "lesson-watched": "reads no field: the lesson id is in the path",
    "lesson-delete": "reads no field: the lesson id is in the path",
    "swing_publish": "reads only version, of the analysis the page showed (test_admin_data.py: "
    "missing, malformed and stale versions)",
    # These two read only `next`, the redirect back (forms.back, fuzzed through the other admin
    # actions above), and act once per swing: repeated requests would only fuzz the refusal.
    "admin_video_rerun": "reads only next; a swing is queued again once",
    "admin_video_delete": "reads only next; a swing is deleted once",
    # GET only (405 to a write): the probe's placeholder is no whole number, so its URL does not
    # match the route and answers 404, not 405.
    "video-frame": "GET only: reads no body and no query",
}


class _RecordingQueryDict(QueryDict):
    """request.GET that notes every name looked up in it (into `_RecordingQueryDict.read`)."""

    read: set[str] = set()

    def __getitem__(self, key):
        _RecordingQueryDict.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        _RecordingQueryDict.read.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        _RecordingQueryDict.read.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        _RecordingQueryDict.read.add(key)
        return super().__contains__(key)


def _recording_get(request):
    from django.core.handlers.wsgi import get_bytes_from_wsgi

    raw = get_bytes_from_wsgi(request.environ, "QUERY_STRING", "")
    return _RecordingQueryDict(raw, encoding=request._encoding)


@dataclass(frozen=True)
class Probe:
    writes: dict[str, set[str]]  # URL name -> the write methods it does not answer 405
    queries: dict[str, set[str]]  # URL name -> the query parameters it read


@pytest.fixture(scope="module")
def probe(world):
    from django.conf import settings as django_settings
    from django.core.handlers.wsgi import WSGIRequest
    from django.utils.functional import cached_property

    from .test_access_matrix import _PARAM, _kwarg_values, fill, routes

    admin = world.users["admin"]

    writes: dict[str, set[str]] = {}
    client = logged_in(admin, raise_request_exception=False)
    for route, pattern in routes():
        url = "/" + _PARAM.sub(NO_SUCH_ID, route)
        for method in WRITE_METHODS:
            r = client.generic(method, url)
            assert r.status_code < 500, (method, url, r.status_code, r.content[:300])
            if r.status_code != 405:
                writes.setdefault(pattern.name or route, set()).add(method)
            session = client.cookies.get(django_settings.SESSION_COOKIE_NAME)
            if session is None or not session.value:  # logged out (by logout)
                client = logged_in(admin, raise_request_exception=False)

    recording = cached_property(_recording_get)
    recording.__set_name__(WSGIRequest, "GET")
    queries: dict[str, set[str]] = {}
    values = _kwarg_values(world)
    clients = {role: world.client(role) for role in ("admin", "coach", "player")}  # logged in first
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(WSGIRequest, "GET", recording)
        for client in clients.values():
            for route, pattern in routes():
                _RecordingQueryDict.read = set()
                client.get(fill(route, values))
                if _RecordingQueryDict.read:
                    queries.setdefault(pattern.name or route, set()).update(
                        _RecordingQueryDict.read
                    )
    return Probe(writes=writes, queries=queries)


class _AnyId(dict):
    def __missing__(self, key: str) -> str:
        return NO_SUCH_ID


def _url_name(endpoint: Endpoint) -> str:
    from django.urls import resolve

    return resolve(endpoint.url.format_map(_AnyId())).url_name


def unfuzzed(endpoints: list[Endpoint], probe: Probe) -> list[str]:
    """What the probe found that neither `endpoints` nor NOT_FUZZED covers (and stale
    NOT_FUZZED names)."""
    bodies = {_url_name(e) for e in endpoints if e.method != "GET"}
    params: dict[str, set[str]] = {}
    for e in endpoints:
        if e.method == "GET":
            params.setdefault(_url_name(e), set()).update(e.fields)
    problems = []
    for name, methods in sorted(probe.writes.items()):
        if name not in bodies and name not in NOT_FUZZED:
            problems.append(
                f"{name} takes {'/'.join(sorted(methods))} but no ENDPOINTS line fuzzes its body "
                "(add one, or add it to NOT_FUZZED with the reason)"
            )
    for name, read in sorted(probe.queries.items()):
        missing = read - params.get(name, set())
        if missing and name not in NOT_FUZZED:
            problems.append(
                f"{name} reads the query parameters {sorted(missing)} that no GET ENDPOINTS "
                "line fuzzes (add them, or add the name to NOT_FUZZED with the reason)"
            )
    flagged = set(probe.writes) | set(probe.queries)
    for name in sorted(set(NOT_FUZZED) - flagged):
        problems.append(f"NOT_FUZZED lists {name}, which neither takes a body nor reads a query")
    return problems


def test_every_write_and_query_parameter_is_fuzzed(probe):
    problems = unfuzzed(ENDPOINTS, probe)
    assert not problems, "\n".join(problems)


def test_the_guard_sees_what_is_left_out(probe):
    """The probe finds writes and query parameters (a broken probe would pass everything), and
    an endpoint or a parameter left out of ENDPOINTS is reported."""
    for name in ("drills", "drill_update", "swing_annotation", "video-upload", "api-video-poses"):
        assert name in probe.writes, name
    assert probe.writes["swing_annotation"] == {"PUT", "PATCH"}
    assert not {"roster", "player", "swing", "similar", "progress"} & set(probe.writes)
    assert {"q", "sort", "page"} <= probe.queries["roster"]
    assert {"kind", "scope", "n"} <= probe.queries["similar"]

    without_drills = [e for e in ENDPOINTS if not e.name.startswith("drill ")]
    assert any(p.startswith("drills takes POST") for p in unfuzzed(without_drills, probe))
    no_per = [
        Endpoint(e.name, e.role, e.method, e.url, tuple(f for f in e.fields if f != "per"))
        if e.url == "/roster/"
        else e
        for e in ENDPOINTS
    ]
    assert any("roster reads" in p and "'per'" in p for p in unfuzzed(no_per, probe))
