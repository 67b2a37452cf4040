"""Every statement the CrateDB dialect can issue parses with CrateDB's own grammar; every SQLite
statement compiles against the migrated schema; every query exists for both dialects."""

from __future__ import annotations

import sqlite3

import pytest
from cratedb_sqlparse import sqlparse

from swingvision.db.gateway import TABLES, refresh_sql
from swingvision.db.migrate import migration_files
from swingvision.db.queries import DIALECTS, compile_sql, dialect_only_names, load_queries
from swingvision.ops.crate import ops_queries, representative_statements


def crate_statements() -> list[tuple[str, str]]:
    out = []
    for f in migration_files("crate"):
        out += [(f"migration {f.version}_{f.name} #{i}", s) for i, s in enumerate(f.statements)]
    out += [(f"query {n}", q.sql) for n, q in sorted(load_queries("crate").items())]
    out += [(f"refresh {t}", refresh_sql(t)) for t in TABLES]
    # Backups and replication: their CrateDB-only queries, and the statements built from
    # checked identifiers (swingvision/ops/crate.py) for representative names.
    out += [(f"ops query {n}", q.sql) for n, q in sorted(ops_queries().items())]
    out += [(f"ops {label}", sql) for label, sql in representative_statements()]
    return out


def assert_parses_in_crate(sql: str) -> None:
    statements = sqlparse(sql, raise_exception=True)
    assert len(statements) == 1, f"expected one statement, got {len(statements)}"


@pytest.mark.parametrize(("label", "sql"), crate_statements(), ids=lambda v: str(v)[:60])
def test_crate_statement_parses(label, sql):
    assert_parses_in_crate(sql)


@pytest.mark.parametrize(
    "mutation",
    [
        lambda s: s.replace("SELECT", "SELEC", 1),
        lambda s: s.replace("FROM", "FORM", 1),
        lambda s: s.replace("ORDER BY", "ORDER", 1),
        lambda s: s.replace("LIMIT ?", "LIMIT", 1),
    ],
    ids=["keyword", "from", "order-by", "limit"],
)
def test_a_planted_syntax_error_fails_the_check(mutation):
    sql = load_queries("crate")["videos_for_player"].sql
    assert_parses_in_crate(sql)
    planted = mutation(sql)
    assert planted != sql
    with pytest.raises(Exception):  # noqa: B017 - the grammar's own exception types vary
        assert_parses_in_crate(planted)


def test_every_query_exists_for_both_dialects():
    names = {d: set(load_queries(d)) for d in DIALECTS}
    assert names["sqlite"] == names["crate"]
    for d in DIALECTS:
        other = next(o for o in DIALECTS if o != d)
        missing = dialect_only_names(d) - set(load_queries(other))
        assert not missing, f"{d} defines {missing} that {other} lacks"


def test_sqlite_statements_compile_against_the_schema(tmp_path):
    conn = sqlite3.connect(tmp_path / "s.db")
    for f in migration_files("sqlite"):
        for statement in f.statements:
            conn.execute(statement)
    conn.execute(load_queries("sqlite")["schema_migrations_create"].sql)
    for name, q in load_queries("sqlite").items():
        conn.execute(f"EXPLAIN {q.sql}", [None] * len(q.params)), name


def test_placeholders_skip_quotes_and_casts():
    sql, params = compile_sql("SELECT ':x', a::TEXT, \"b:c\" FROM t WHERE id = :id AND n > :n")
    assert sql == "SELECT ':x', a::TEXT, \"b:c\" FROM t WHERE id = ? AND n > ?"
    assert params == ("id", "n")
