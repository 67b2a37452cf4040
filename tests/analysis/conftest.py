"""Fixtures for the analysis tests that run management commands and the background worker."""

from __future__ import annotations

import pytest


@pytest.fixture
def own_db(tmp_path, settings):
    """Managers on an empty database and blob folder of this test's own.

    Commands and the inline worker reach the data through get_db() / get_store(), and the worker
    drains the whole queue: on the session's shared database they would pick up other tests'
    videos (and `reanalyze --all` would requeue them). Here the counts they print are exact."""
    from swingvision.db import get_db, reset_db
    from swingvision.db.managers import managers
    from swingvision.db.migrate import migrate
    from swingvision.storage import reset_store

    settings.SWINGVISION_DB = f"sqlite:///{tmp_path / 'own.db'}"
    settings.SWINGVISION_STORAGE = f"file://{tmp_path / 'videos'}"
    reset_db()
    reset_store()
    migrate(get_db())
    yield managers()
    # Forget this test's gateway and store; the next use opens the session's again (the settings
    # fixture restores SWINGVISION_DB and SWINGVISION_STORAGE after this).
    reset_db()
    reset_store()
