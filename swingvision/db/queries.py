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
    description: str = ""  # the comment under its `-- name:` line (slow-query logs show it)


def compile_sql(sql: str) -> tuple[str, tuple[str, ...]]:
    """Rewrite `:name` placeholders to `?`, returning the SQL and the names in order."""
    names: list[str] = []

    def repl(m: re.Match[str]) -> str:
        if m.group(1) is None:
            return m.group(0)
        names.append(m.group(1))
        return "?"

    return _TOKEN_RE.sub(repl, sql), tuple(names)


def parse_file(path: Path) -> dict[str, tuple[str, str]]:
    """Split one .sql file into {name: (statement, description)}. A query's description is the
    comment right under its `-- name:` line; a comment standing above a `-- name:` line (where it
    would be read as the end of the query before) is refused, so no description is lost."""
    text = path.read_text()
    parts = _NAME_RE.split(text)
    if parts[0].strip() and not all(
        line.strip().startswith("--") or not line.strip() for line in parts[0].splitlines()
    ):
        raise ValueError(f"{path}: SQL before the first '-- name:' header")
    out: dict[str, tuple[str, str]] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        lines = body.strip().splitlines()
        about = []
        while lines and lines[0].strip().startswith("--"):
            about.append(lines.pop(0).strip()[2:].strip())
        if lines and lines[-1].strip().startswith("--"):
            raise ValueError(
                f"{path}: the comment after query {name!r} belongs under the next '-- name:' line"
            )
        statement = "\n".join(line for line in lines if not line.strip().startswith("--"))
        statement = statement.strip().rstrip(";").strip()
        if name in out:
            raise ValueError(f"{path}: query {name!r} defined twice")
        if not statement:
            raise ValueError(f"{path}: query {name!r} is empty")
        out[name] = (statement, " ".join(about))
    return out


def make_query(name: str, sql: str, description: str, source: str) -> Query:
    compiled, params = compile_sql(sql)
    return Query(name=name, sql=compiled, params=params, source=source, description=description)


def _load_dir(directory: Path) -> dict[str, Query]:
    found: dict[str, Query] = {}
    for path in sorted(directory.glob("*.sql")):
        for name, (sql, about) in parse_file(path).items():
            if name in found:
                raise ValueError(f"query {name!r} defined in {found[name].source} and {path}")
            found[name] = make_query(name, sql, about, str(path.relative_to(SQL_DIR)))
    return found


@cache
def load_queries(dialect: str) -> dict[str, Query]:
    """All queries for a dialect: the common ones with that dialect's replacements."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}")
    merged = _load_dir(QUERIES_DIR)
    merged.update(_load_dir(QUERIES_DIR / dialect))
    return merged


def dialect_only_names(dialect: str) -> set[str]:
    """Names a dialect defines in its own folder (each must exist for the other dialect too)."""
    return set(_load_dir(QUERIES_DIR / dialect))
