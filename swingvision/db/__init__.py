"""The data layer: `get_db()` is the gateway for the configured backend; managers sit on it."""

from __future__ import annotations

import threading

from .errors import Changed, Conflict, DatabaseUnavailable, DataError, NotFound, QueryError
from .gateway import Database, parse_db_url

__all__ = [
    "Changed",
    "Conflict",
    "DataError",
    "Database",
    "DatabaseUnavailable",
    "NotFound",
    "QueryError",
    "get_db",
    "reset_db",
]

_lock = threading.Lock()
_db: Database | None = None


def get_db() -> Database:
    """The process-wide gateway for settings.SWINGVISION_DB (connections are per thread)."""
    global _db
    if _db is None:
        with _lock:
            if _db is None:
                from django.conf import settings

                _db = Database(parse_db_url(settings.SWINGVISION_DB))
    return _db


def reset_db() -> None:
    """Forget the gateway (tests, or after SWINGVISION_DB changed)."""
    global _db
    with _lock:
        if _db is not None:
            _db.close()
        _db = None
