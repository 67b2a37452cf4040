"""`migrate_db` sets SWINGVISION_CRATE_REPLICAS on every table, on a live CrateDB (runs when
SWINGVISION_CRATEDB_URL is set): tables made earlier follow a changed setting, a second run
changes nothing, and a bad value is refused naming the setting."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from swingvision.db import get_db, reset_db
from swingvision.db.gateway import TABLES
from tests.backends import CRATE_URL, backend_url, drop_backend

pytestmark = [
    pytest.mark.crate,
    pytest.mark.skipif(not CRATE_URL, reason="SWINGVISION_CRATEDB_URL is not set"),
]


def _migrate_db() -> str:
    out = io.StringIO()
    call_command("migrate_db", stdout=out)
    return out.getvalue()


def _replicas(db) -> dict[str, str]:
    rows = db.run_sql(
        "SELECT table_name, number_of_replicas FROM information_schema.tables"
        " WHERE table_schema = CURRENT_SCHEMA"
    )
    return {table: str(n) for table, n in rows}


def test_migrate_db_sets_replicas(tmp_path):
    url = backend_url("crate", tmp_path)
    try:
        with override_settings(SWINGVISION_DB=url, SWINGVISION_CRATE_REPLICAS="0-1"):
            reset_db()
            first = _migrate_db()
            assert "applied 0001" in first and "replicas" not in first  # CrateDB's own default
            assert set(_replicas(get_db()).values()) == {"0-1"}
        with override_settings(SWINGVISION_DB=url, SWINGVISION_CRATE_REPLICAS="1"):
            reset_db()
            out = _migrate_db()
            assert f"replicas 1 on {len(TABLES)} tables" in out, out
            assert _replicas(get_db()) == {t: "1" for t in TABLES}
            again = _migrate_db()
            assert "replicas" not in again and "up to date" in again
        with override_settings(SWINGVISION_DB=url, SWINGVISION_CRATE_REPLICAS="two"):
            reset_db()
            with pytest.raises(CommandError, match="SWINGVISION_CRATE_REPLICAS"):
                _migrate_db()
            assert set(_replicas(get_db()).values()) == {"1"}
        with override_settings(SWINGVISION_DB=url, SWINGVISION_CRATE_REPLICAS="0-1"):
            reset_db()
            assert f"replicas 0-1 on {len(TABLES)} tables" in _migrate_db()
    finally:
        db = get_db()
        reset_db()
        drop_backend(db)
