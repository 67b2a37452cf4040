"""Every label a coach or player reads is a word, not an identifier (issue #21): each page of the app,
rendered for a player, their coach and an admin, is scanned for internal names (snake_case such as
shoulder_turn_deg, tempo_ratio) in its visible text and in the tooltips, labels, placeholders and
alt texts it shows. Raw data an admin edits on purpose (<code>, <pre>, form values) is not text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from swingvision.db.managers import SYSTEM, managers
from tests.dashboard.helpers import add_swing

from .test_access_matrix import _kwarg_values, fill, routes

# An internal name: lower-case words joined by underscores (shoulder_turn_deg, x_factor_deg,
# tempo_ratio, toe_up), or a unit suffix glued to a name.
IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|_deg\b|_ratio\b|_px\b|_ms\b")
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
NOT_TEXT = {"script", "style", "code", "pre", "kbd", "textarea", "template"}


class Reader(HTMLParser):
    """The text a person reads: character data outside NOT_TEXT, and shown attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in NOT_TEXT:
            self.skip += 1
        if self.skip:
            return
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self.parts.append(value)
        # What a text box shows is read too (the feedback editor's aspect, say).
        kind = dict(attrs).get("type", "text")
        if tag == "input" and kind in ("text", "search") and dict(attrs).get("value"):
            self.parts.append(dict(attrs)["value"])

    def handle_endtag(self, tag):
        if tag in NOT_TEXT and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def identifiers(html: str, *, with_names: bool = False) -> list:
    """What looks like an internal name in the text a person reads: "'name' in 'text'" each,
    or (name, that) pairs `with_names`."""
    reader = Reader()
    reader.feed(html)
    found = []
    for part in reader.parts:
        for m in IDENTIFIER.finditer(part):
            hit = f"{m.group(0)!r} in {part.strip()[:120]!r}"
            found.append((m.group(0), hit) if with_names else hit)
    return found


def test_the_scanner_finds_identifiers():
    assert identifiers("<p>Shoulder turn (shoulder_turn_deg)</p>")
    assert identifiers('<th title="tempo_ratio">Tempo</th>')
    assert not identifiers("<p>Shoulder turn</p><code>shoulder_turn_deg</code>")
    assert identifiers('<input name="aspect" value="tempo_ratio">')
    assert not identifiers('<input type="hidden" value="tempo_ratio"><script>a_b = 1</script>')


@pytest.fixture(scope="module")
def real_swing(world, gateway):
    """A swing the engine analysed, so the pages show every metric, event and feedback item."""
    from swingvision.db.managers import managers

    video, analysis, _ = add_swing(managers(gateway), world.users["player"], days_ago=1, seed=5)
    return video, analysis


@pytest.mark.parametrize("role", ["player", "coach", "admin"])
def test_no_page_shows_an_internal_name(world, real_swing, gateway, role):
    client = world.client(role)
    video, analysis = real_swing
    # Usernames and emails are what people chose (other tests' users share the database): an
    # admin's user list shows them as they are.
    users = managers(gateway).users.all(SYSTEM, limit=100_000)
    chosen = {u.username for u in users} | {part for u in users for part in u.email.split("@")}
    problems = []
    for values in (
        _kwarg_values(world),
        {**_kwarg_values(world), "video_id": video.id, "analysis_id": analysis.id},
    ):
        for route, pattern in routes():
            if route.startswith("api/"):
                continue
            url = fill(route, values)
            r = client.get(url)
            if r.status_code != 200 or not r["Content-Type"].startswith("text/html"):
                continue
            for name, hit in identifiers(r.content.decode(), with_names=True):
                if name not in chosen:
                    problems.append(f"{url} ({pattern.name}) as {role}: {hit}")
    assert not problems, "\n".join(sorted(set(problems)))
