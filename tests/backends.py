"""Gateways for every configured backend: SQLite always, CrateDB when SWINGVISION_CRATEDB_URL is set."""

from __future__ import annotations

import os
import secrets

import pytest

from swingvision.db.gateway import TABLES, Database, parse_db_url
from swingvision.db.managers import managers
from swingvision.db.migrate import migrate

CRATE_URL = os.environ.get("SWINGVISION_CRATEDB_URL", "")
BACKENDS = [
    "sqlite",
    pytest.param(
        "crate",
        marks=[
            pytest.mark.crate,
            pytest.mark.skipif(not CRATE_URL, reason="SWINGVISION_CRATEDB_URL is not set"),
        ],
    ),
]


def backend_url(kind: str, tmp_dir) -> str:
    """A fresh database of that kind: a file in tmp_dir, or a CrateDB schema of its own."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_dir / 'contract.db'}"
    sep = "&" if "?" in CRATE_URL else "?"
    return f"{CRATE_URL}{sep}schema=svtest_{secrets.token_hex(4)}"


def open_backend(kind: str, tmp_dir) -> Database:
    db = Database(parse_db_url(backend_url(kind, tmp_dir)))
    migrate(db)
    return db


def drop_backend(db: Database) -> None:
    if db.dialect == "crate":
        for table in TABLES:
            db.run_sql(f"DROP TABLE IF EXISTS {table}")
    db.close()


def managers_fixture():
    """The contract tests' `m` fixture, one line in each module (`m = managers_fixture()`): the
    managers over a fresh, migrated database of each backend, dropped when the module ends."""

    @pytest.fixture(scope="module", params=BACKENDS)
    def m(request, tmp_path_factory):
        db = open_backend(request.param, tmp_path_factory.mktemp(request.param))
        yield managers(db)
        drop_backend(db)

    return m
