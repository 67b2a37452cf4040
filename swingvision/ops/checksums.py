"""Row counts and content checksums per table: what a backup records and a restore must match.

A table's checksum is the SHA-256 of its rows read in primary-key order, each row serialized by
pickle protocol 4 without memoization (so the bytes depend on the values only; exact for text,
integers, floats and blobs, and ~7x faster than repr on blob rows). Two databases with the same
rows give the same checksum whatever their file layout, rowids or page order.
"""

from __future__ import annotations

import hashlib
import pickle
import re

from swingvision.db.gateway import TABLES, Database
from swingvision.db.migrate import live_columns

from .manifest import TableSum

PAGE = 5000
_IDENT_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _ident(name: str) -> str:
    """A column or table name from our own schema, quoted; anything else is refused."""
    if not _IDENT_RE.match(name):
        raise ValueError(f"unexpected identifier {name!r}")
    return f'"{name}"'


def primary_key(db: Database, table: str) -> list[str]:
    return [r["name"] for r in db.rows("schema_primary_key", {"table_name": table})]


def present_tables(db: Database) -> list[str]:
    """The tables of TABLES that exist in this database (an older schema may lack some)."""
    return [t for t in TABLES if live_columns(db, t)]


def _page_sql(table: str, pk: list[str], after: bool) -> str:
    # Identifiers come from TABLES and the live schema (checked by _ident); values are bound.
    # "After the last key" is spelled out (a > ? OR a = ? AND b > ? ...): CrateDB has no row
    # value comparison `(a, b) > (?, ?)`.
    cols = [_ident(c) for c in pk]
    order = ", ".join(cols)
    where = ""
    if after:
        terms = [
            " AND ".join([*(f"{c} = ?" for c in cols[:i]), f"{cols[i]} > ?"])
            for i in range(len(cols))
        ]
        where = " WHERE " + " OR ".join(f"({t})" for t in terms)
    return f"SELECT * FROM {_ident(table)}{where} ORDER BY {order} LIMIT {PAGE}"  # noqa: S608


def _after_args(key: list) -> list:
    """The bound values of _page_sql's WHERE for the last key read."""
    return [v for i in range(len(key)) for v in key[: i + 1]]


class _HashWriter:
    """A file-like sink that feeds a hash."""

    __slots__ = ("write",)

    def __init__(self, h) -> None:
        self.write = h.update


def table_checksum(db: Database, table: str) -> TableSum:
    """Rows and checksum of one table, read in pages by primary key (constant memory)."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    pk = primary_key(db, table)
    if not pk:
        raise ValueError(f"table {table!r} has no primary key")
    columns = live_columns(db, table)
    key_at = [columns.index(c) for c in pk]
    db.refresh(table)  # CrateDB: a search reads what the last refresh shows
    h = hashlib.sha256()
    pickler = pickle.Pickler(_HashWriter(h), protocol=4)
    pickler.fast = True  # no memo: equal values always give equal bytes
    rows = 0
    page = db.run_sql(_page_sql(table, pk, after=False))
    while page:
        for row in page:
            pickler.dump(row)
        rows += len(page)
        if len(page) < PAGE:
            break
        last = page[-1]
        page = db.run_sql(_page_sql(table, pk, after=True), _after_args([last[i] for i in key_at]))
    return TableSum(rows=rows, checksum=h.hexdigest())


def table_checksums(db: Database) -> dict[str, TableSum]:
    """Every present table's rows and checksum (SQLite: the whole content is read)."""
    return {t: table_checksum(db, t) for t in present_tables(db)}


def has_data(db: Database) -> bool:
    """True if any domain table holds a row (the migration ledger alone is an empty database)."""
    for table in present_tables(db):
        if table == "schema_migrations":
            continue
        if db.run_sql(f"SELECT 1 FROM {_ident(table)} LIMIT 1"):  # noqa: S608 - allowlisted
            return True
    return False
