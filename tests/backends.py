"""Gateways for every configured backend: SQLite always, CrateDB when SWINGVISION_CRATEDB_URL is set."""

from __future__ import annotations

import os
import secrets

import pytest

from swingvision.db.gateway import TABLES, Database, parse_db_url
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


def open_backend(kind: str, tmp_dir) -> Database:
    if kind == "sqlite":
        db = Database(parse_db_url(f"sqlite:///{tmp_dir / 'contract.db'}"))
    else:
        sep = "&" if "?" in CRATE_URL else "?"
        db = Database(parse_db_url(f"{CRATE_URL}{sep}schema=svtest_{secrets.token_hex(4)}"))
    migrate(db)
    return db


def drop_backend(db: Database) -> None:
    if db.dialect == "crate":
        for table in TABLES:
            db.run_sql(f"DROP TABLE IF EXISTS {table}")
    db.close()
