"""The drills manager on every configured backend: the seeded library, added drills, safe links."""

from __future__ import annotations

from dataclasses import replace

import pytest

from swingvision.db import NotFound
from swingvision.db.ids import new_id
from swingvision.db.managers import SYSTEM, NotAllowed, ValidationError
from tests.backends import managers_fixture
from tests.factories import account

m = managers_fixture()


def test_the_default_library_is_seeded_once(m):
    from analysis.engine.metrics import METRICS
    from swingvision.coaching.library import default_drills, seed_drills

    seed_drills(m)
    assert seed_drills(m) == 0  # a second run adds nothing
    defaults = default_drills()
    assert {d["id"] for d in defaults} <= {d.id for d in m.drills.all(SYSTEM)}
    scored = {n for n, spec in METRICS.items() if spec.weight > 0}
    assert scored <= set(m.drills.by_aspect(SYSTEM))  # every aspect feedback can name has drills
    # An admin's edit of a default drill survives seeding again.
    admin = account(m, "admin")
    first = defaults[0]
    m.drills.update(admin, first["id"], name="Count to three (slow)", aspect=first["aspect"])
    assert seed_drills(m) == 0
    assert m.drills.get(SYSTEM, first["id"]).name == "Count to three (slow)"
    assert m.drills.get(SYSTEM, first["id"]).created_by == "system"
    with pytest.raises(NotAllowed):
        m.drills.insert_missing(admin, defaults)


def test_coaches_and_admins_add_drills_with_safe_links(m, swing_team):
    coach, player, admin = swing_team["coach"], swing_team["player"], swing_team["admin"]
    with pytest.raises(NotAllowed):
        m.drills.create(player, name="Mine", aspect="tempo_ratio")
    for url in (
        "javascript:alert(1)",
        "ftp://example.com/x",
        "https://",
        "//example.com/x",
        "https://exa mple.com",
        "data:text/html,hi",
    ):
        with pytest.raises(ValidationError) as e:
            m.drills.create(coach, name="Link", aspect="tempo_ratio", video_url=url)
        assert e.value.field == "video_url", url
    with pytest.raises(ValidationError) as e:
        m.drills.create(coach, name="Nope", aspect="swagger")
    assert e.value.field == "aspect"
    with pytest.raises(ValidationError) as e:
        m.drills.create(coach, name=" ", aspect="tempo_ratio")
    assert e.value.field == "name"
    drill = m.drills.create(
        coach,
        name="Feet together",
        aspect="head_sway",
        description="Balance.",
        video_url="https://videos.example.com/feet?t=3",
    )
    assert drill.created_by == coach.id and drill.video_url == "https://videos.example.com/feet?t=3"
    assert drill in m.drills.by_aspect(player)["head_sway"]
    with pytest.raises(NotAllowed):
        m.drills.update(swing_team["other_coach"], drill.id, name="Mine now", aspect="head_sway")
    changed = m.drills.update(
        admin, drill.id, name="Feet together, eyes closed", aspect="head_sway"
    )
    assert changed.name == "Feet together, eyes closed" and changed.video_url is None
    assert m.drills.get(player, drill.id) == changed
    with pytest.raises(NotAllowed):
        m.drills.delete(swing_team["other_coach"], drill.id)
    m.drills.delete(coach, drill.id)
    with pytest.raises(NotFound):
        m.drills.get(coach, drill.id)


def test_a_drill_name_is_one_entry_per_aspect(m, swing_team):
    """Two drills of one name (case and surrounding spaces aside) in one aspect would show as
    the same entry twice: refused on create and on rename, naming `name`; other aspects, and
    saving a drill under its own name, are fine. Seeding skips a default drill a coach's drill
    already names, and stays idempotent."""
    from swingvision.coaching.library import default_drills, seed_drills

    coach, other_coach, admin = swing_team["coach"], swing_team["other_coach"], swing_team["admin"]
    first = m.drills.create(coach, name="Wall drill", aspect="hip_turn_deg")
    for actor, name in (
        (coach, "Wall drill"),
        (other_coach, "  wALL DRILL "),
        (admin, "WALL drill"),
    ):
        with pytest.raises(ValidationError) as e:
            m.drills.create(actor, name=name, aspect="hip_turn_deg")
        assert e.value.field == "name" and "already has a Hip rotation drill" in e.value.message, (
            name
        )
    assert m.drills.create(coach, name="Wall drill", aspect="shoulder_turn_deg")  # another aspect
    second = m.drills.create(coach, name="Step drill", aspect="hip_turn_deg")
    with pytest.raises(ValidationError) as e:
        m.drills.update(coach, second.id, name=" wall Drill", aspect="hip_turn_deg")
    assert e.value.field == "name"
    with pytest.raises(ValidationError) as e:  # moved into an aspect where the name is taken
        m.drills.update(coach, first.id, name="Wall drill", aspect="shoulder_turn_deg")
    assert e.value.field == "name"
    assert m.drills.get(coach, second.id).name == "Step drill"
    # Its own name, written differently: one entry still.
    assert m.drills.update(coach, first.id, name="Wall Drill", aspect="hip_turn_deg").name == (
        "Wall Drill"
    )
    names = [d.name.casefold() for d in m.drills.by_aspect(coach)["hip_turn_deg"]]
    assert len(names) == len(set(names))
    # A twin written before names were checked (straight to the table) is still edited under
    # its name; renaming it onto another taken name is refused as ever.
    twin = replace(second, id=new_id(), name="step DRILL")
    m.drills._write(twin)
    edited = m.drills.update(
        coach, twin.id, name="step DRILL", aspect="hip_turn_deg", description="Legacy twin."
    )
    assert edited.description == "Legacy twin."
    with pytest.raises(ValidationError) as e:
        m.drills.update(coach, twin.id, name="Wall drill", aspect="hip_turn_deg")
    assert e.value.field == "name"
    m.drills.delete(coach, twin.id)
    # A coach's drill named as a default one of its aspect, before that one is seeded.
    seed_drills(m)
    default = default_drills()[0]
    m.drills.delete(admin, default["id"])
    mine = m.drills.create(coach, name=default["name"].upper(), aspect=default["aspect"])
    assert seed_drills(m) == 0  # not added twice over the coach's
    assert seed_drills(m) == 0
    named = [
        d.id
        for d in m.drills.by_aspect(coach)[default["aspect"]]
        if d.name.casefold() == default["name"].casefold()
    ]
    assert named == [mine.id]
    m.drills.delete(coach, mine.id)  # the library as other tests expect it
    assert seed_drills(m) == 1


def test_drill_names_that_look_alike_are_one_name(m, swing_team):
    """A zero-width space, a decomposed accent, a full-width letter or a double space does not
    make another name: refused beside the name it looks like. The stored name keeps no
    invisible characters and is in composed form, so what the library shows is what it
    compares."""
    coach, other_coach = swing_team["coach"], swing_team["other_coach"]
    made = []
    count = m.drills.create(coach, name="Count to four", aspect="tempo_ratio")
    cafe = m.drills.create(coach, name="Caf\u00e9 drill", aspect="tempo_ratio")
    made += [count, cafe]
    for name in (
        "Count to four\u200b",
        "\ufeffCount to fo\u00adur",  # BOM and a soft hyphen
        "Count  to\u00a0four",
        "\uff23ount to four",  # full-width C
        "Cafe\u0301 drill",
        "CAFE\u0301 DRILL",
        # default-ignorable characters that are not format characters (outside re-check)
        "Count to four\u034f",  # combining grapheme joiner
        "Count to four\ufe0f",  # variation selector
        "Count to four\u3164",  # Hangul filler
        "Count\u2800to four",  # Braille blank, a space to the eye
    ):
        with pytest.raises(ValidationError) as e:
            m.drills.create(other_coach, name=name, aspect="tempo_ratio")
        assert e.value.field == "name" and "already has" in e.value.message, ascii(name)
    with pytest.raises(ValidationError) as e:
        m.drills.create(coach, name="\u200b\u2060", aspect="tempo_ratio")
    assert e.value.field == "name" and e.value.message == "is required"
    stored = m.drills.create(
        coach, name="  Step\u200b  and\u00a0pause\u0301 ", aspect="tempo_ratio"
    )
    made.append(stored)
    assert stored.name == m.drills.get(coach, stored.id).name == "Step and paus\u00e9"
    renamed = m.drills.update(coach, cafe.id, name="Cafe\u0301 drill\u200b", aspect="tempo_ratio")
    assert renamed.name == "Caf\u00e9 drill"
    names = [d.name for d in m.drills.by_aspect(coach)["tempo_ratio"]]
    assert names.count("Count to four") == 1 and names.count("Caf\u00e9 drill") == 1
    for d in made:
        m.drills.delete(coach, d.id)
