"""Named queries carry their description: the comment under the `-- name:` line is kept by the
loader (the gateway's slow-query log prints it), and a comment above that line is refused."""

from __future__ import annotations

import pytest

from swingvision.db.queries import DIALECTS, load_queries, parse_file
from swingvision.ops.crate import ops_queries


def query_sets() -> dict[str, dict]:
    sets = {d: load_queries(d) for d in DIALECTS}
    sets["crate ops"] = ops_queries()
    return sets


@pytest.mark.parametrize("label", [*DIALECTS, "crate ops"])
def test_every_query_has_a_description(label):
    queries = query_sets()[label]
    assert queries, f"no {label} queries loaded"
    bare = sorted(f"{q.source}: {name}" for name, q in queries.items() if not q.description.strip())
    assert not bare, "queries without a description under their '-- name:' line:\n" + "\n".join(
        bare
    )


def test_a_description_reaches_the_loaded_query():
    q = load_queries("sqlite")["audit_for_target"]
    assert q.description.startswith("The history of one record (the user and video pages)")
    assert "\n" not in q.description  # the comment lines joined into one line
    assert not q.description.startswith("--")


def test_the_comment_under_a_name_line_is_the_description(tmp_path):
    path = tmp_path / "things.sql"
    path.write_text(
        "-- Things: a file header above the first query is allowed.\n"
        "\n"
        "-- name: things_get\n"
        "-- One thing by id:\n"
        "--   a real-time Get.\n"
        "SELECT id FROM things\n"
        "-- an aside inside the statement is not part of the description\n"
        "WHERE id = :id;\n"
        "\n"
        "-- name: things_count\n"
        "SELECT count(*) FROM things\n"
    )
    parsed = parse_file(path)
    assert parsed["things_get"] == (
        "SELECT id FROM things\nWHERE id = :id",
        "One thing by id: a real-time Get.",
    )
    assert parsed["things_count"] == ("SELECT count(*) FROM things", "")


def test_a_comment_above_a_name_line_is_refused(tmp_path):
    path = tmp_path / "things.sql"
    path.write_text(
        "-- name: things_get\n"
        "-- One thing by id.\n"
        "SELECT id FROM things WHERE id = :id\n"
        "\n"
        "-- How many things there are (placed where the loader would drop it).\n"
        "-- name: things_count\n"
        "SELECT count(*) FROM things\n"
    )
    with pytest.raises(ValueError, match=r"after query 'things_get' belongs under the next"):
        parse_file(path)
