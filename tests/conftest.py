"""Shared fixtures: each test session owns a fresh SQLite file, blob folder and var folder."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import pytest

from tests.clients import log_in_page, logged_in
from tests.factories import TEST_PASSWORD, account, unique  # noqa: F401 (shared names)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop shares the thread

# The read-only test data beside the repository (CI clones the repo next to shared/).
SHARED = Path(
    os.environ.get("SWINGVISION_SHARED_DIR")
    or Path(__file__).resolve().parent.parent.parent / "shared"
)
SHARED_DATA = SHARED / "data"
if not SHARED_DATA.is_dir():
    raise RuntimeError(
        f"test data not found at {SHARED_DATA}: clone the repository beside shared/ "
        "or set SWINGVISION_SHARED_DIR"
    )
OUTPUT_DIR = Path(__file__).resolve().parent.parent / "test-output"
# The one switch that runs the app's tests (the browser suite included) on CrateDB instead of the
# session's SQLite file: SWINGVISION_TEST_DB=crate://127.0.0.1:4200 pytest -m browser. Each
# session gets a schema of its own, dropped at the end. Tests that build a database of their own
# (a SQLite file under tmp_path) keep it.
TEST_DB = os.environ.get("SWINGVISION_TEST_DB", "")
_session_db: dict[str, str] = {}


def _test_db_url(tmp: Path, worker: str) -> str:
    if not TEST_DB:
        return f"sqlite:///{tmp / f'test-{worker}.db'}"
    if not TEST_DB.startswith(("crate://", "crate+https://")):
        raise RuntimeError(f"SWINGVISION_TEST_DB={TEST_DB!r}: give a crate:// URL (or unset it)")
    if "schema=" in TEST_DB:
        raise RuntimeError("SWINGVISION_TEST_DB: leave out schema=, each session makes its own")
    sep = "&" if "?" in TEST_DB else "?"
    return f"{TEST_DB}{sep}schema=svapp_{secrets.token_hex(4)}"


def pytest_configure(config):
    from django.conf import settings

    tmp = Path(tempfile.mkdtemp(prefix="swingvision-test-"))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    settings.SWINGVISION_VAR_DIR = tmp
    settings.SWINGVISION_DB = _session_db["url"] = _test_db_url(tmp, worker)
    settings.SWINGVISION_STORAGE = f"file://{tmp / 'videos'}"
    settings.SWINGVISION_BACKUP_LOCATION = f"file://{tmp / 'backups'}"
    settings.SWINGVISION_INLINE_WORKER = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    OUTPUT_DIR.mkdir(exist_ok=True)


def pytest_report_header(config):
    url = _session_db.get("url", "")
    return f"app database: {'CrateDB ' + url if url.startswith('crate') else 'SQLite (temp file)'}"


def pytest_unconfigure(config):
    """Drop the session's CrateDB schema (SWINGVISION_TEST_DB); a SQLite file is a temp file."""
    url = _session_db.get("url", "")
    if not url.startswith("crate"):
        return
    from swingvision.db.gateway import TABLES, Database, parse_db_url

    db = Database(parse_db_url(url))
    try:
        for table in TABLES:
            db.run_sql(f"DROP TABLE IF EXISTS {table}")
    finally:
        db.close()


@pytest.fixture(scope="session")
def gateway():
    """The configured (SQLite) gateway with the schema applied."""
    from swingvision.db import get_db, reset_db
    from swingvision.db.migrate import migrate

    reset_db()
    db = get_db()
    migrate(db)
    return db


@pytest.fixture
def mgr(gateway):
    from swingvision.db.managers import managers

    return managers(gateway)


@pytest.fixture
def make_user(mgr):
    """Create a user through the manager: make_user("coach"), make_user("player", coach=c)."""

    def make(role: str, **kw):
        return account(mgr, role, **kw)

    return make


@pytest.fixture
def login_client(gateway):
    """A Django test client logged in as the given user through the real login form."""
    return logged_in


@pytest.fixture(autouse=True)
def _reset_throttle():
    from swingvision.accounts.throttle import login_throttle

    login_throttle.reset()


# -- browser tests: Debian's Chromium driven by Playwright, against a live server on loopback ------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        # Never skip: a run without the browser tests is a broken setup, not a pass.
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (./dev test does)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture(scope="session")
def live_url(gateway):
    """The app served by a threaded WSGI server on 127.0.0.1 (static files included)."""
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    thread = LiveServerThread("127.0.0.1", _StaticFilesHandler, connections_override={}, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait(timeout=30)
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


@pytest.fixture
def browser_login(live_url):
    """Log a Playwright page in through the login form."""

    def login(page, user, password: str = TEST_PASSWORD):
        return log_in_page(page, live_url, user.username, password)

    return login


def screenshot(page, name: str) -> Path:
    """Save a screenshot as a test artifact under test-output/."""
    path = OUTPUT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
