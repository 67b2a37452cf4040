"""Named SQL queries loaded from .sql files, one set per dialect.

A file holds statements each headed by `-- name: some_query`. Queries in `queries/*.sql` serve both
dialects; a query in `queries/<dialect>/*.sql` replaces the common one of the same name for that
dialect. Parameters are written `:name` and bound by name; the loader rewrites them to `?` and keeps
their order, which both sqlite3 and the crate client accept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
QUERIES_DIR = SQL_DIR / "queries"
DIALECTS = ("sqlite", "crate")

_NAME_RE = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)
# A :param outside quotes; `::` casts and quoted text are skipped by the tokenizer below.
_TOKEN_RE = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|(?<![\w:]):([A-Za-z_]\w*)")


@dataclass(frozen=True, slots=True)
class Query:
    name: str
    sql: str  # with ? placeholders
    params: tuple[str, ...]  # parameter names in placeholder order
    source: str  # file it came from, for error messages


def compile_sql(sql: str) -> tuple[str, tuple[str, ...]]:
    """Rewrite `:name` placeholders to `?`, returning the SQL and the names in order."""
    names: list[str] = []

    def repl(m: re.Match[str]) -> str:
        if m.group(1) is None:
            return m.group(0)
        names.append(m.group(1))
        return "?"

    return _TOKEN_RE.sub(repl, sql), tuple(names)


def parse_file(path: Path) -> dict[str, str]:
    """Split one .sql file into {name: statement}."""
    text = path.read_text()
    parts = _NAME_RE.split(text)
    if parts[0].strip() and not all(
        line.strip().startswith("--") or not line.strip() for line in parts[0].splitlines()
    ):
        raise ValueError(f"{path}: SQL before the first '-- name:' header")
    out: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        statement = "\n".join(
            line for line in body.strip().splitlines() if not line.strip().startswith("--")
        ).strip()
        statement = statement.rstrip(";").strip()
        if name in out:
            raise ValueError(f"{path}: query {name!r} defined twice")
        if not statement:
            raise ValueError(f"{path}: query {name!r} is empty")
        out[name] = statement
    return out


def _load_dir(directory: Path) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for path in sorted(directory.glob("*.sql")):
        for name, sql in parse_file(path).items():
            if name in found:
                raise ValueError(f"query {name!r} defined in {found[name][1]} and {path}")
            found[name] = (sql, str(path.relative_to(SQL_DIR)))
    return found


@cache
def load_queries(dialect: str) -> dict[str, Query]:
    """All queries for a dialect: the common ones with that dialect's replacements."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}")
    merged = _load_dir(QUERIES_DIR)
    merged.update(_load_dir(QUERIES_DIR / dialect))
    out = {}
    for name, (sql, source) in merged.items():
        compiled, params = compile_sql(sql)
        out[name] = Query(name=name, sql=compiled, params=params, source=source)
    return out


def dialect_only_names(dialect: str) -> set[str]:
    """Names a dialect defines in its own folder (each must exist for the other dialect too)."""
    return set(_load_dir(QUERIES_DIR / dialect))
