"""deploy/: the compose file parses, runs what it says, and gives the app and the worker every
setting the app reads (a new SWINGVISION_* setting without a compose entry fails here)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
APP_PACKAGES = ("swingvision", "analysis", "progress")
APP_SERVICES = ("app", "worker", "backup", "migrate")
_ENV_READ = re.compile(
    r'(?:os\.environ\.get\(|os\.environ\[|os\.getenv\(|_env_bool\()\s*"(SWINGVISION_[A-Z0-9_]+)"'
)
_COMPOSE_VAR = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?])?([^}]*)\}")

# Settings the deployment deliberately leaves at their defaults, and why.
LEFT_AT_DEFAULT = {
    "SWINGVISION_VAR_DIR": "nothing in production writes there: database, videos and backups "
    "are CrateDB and S3",
    "SWINGVISION_UPLOAD_TMP": "uploads stream to the container's temp folder",
    "SWINGVISION_STATIC_ROOT": "collectstatic runs at image build into the default folder",
    "SWINGVISION_SSL_REDIRECT": "on in production by default (the proxy forwards https)",
    "SWINGVISION_HSTS_SECONDS": "one year by default in production",
    "SWINGVISION_SESSION_SECONDS": "product default (14 days)",
    "SWINGVISION_SESSION_IDLE_SECONDS": "product default (3 days)",
    "SWINGVISION_SLOW_QUERY_MS": "the gateway's slow-query log threshold, 500 ms by default",
    "SWINGVISION_REPLICATION_PRIMARY": "set only in the standby region, for `manage.py "
    "replication --role subscriber`",
    "SWINGVISION_REPLICATION_USER": "as SWINGVISION_REPLICATION_PRIMARY",
    "SWINGVISION_REPLICATION_PASSWORD": "as SWINGVISION_REPLICATION_PRIMARY",
    "SWINGVISION_SHARED_DIR": "read only by the event model's training command "
    "(analysis/engine/train_events.py), on a developer's machine with the labelled swings",
}


def settings_read() -> set[str]:
    """Every SWINGVISION_* environment variable the app's code reads."""
    found = set()
    for package in APP_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found |= set(_ENV_READ.findall(path.read_text()))
    return found


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def test_the_settings_scan_finds_the_settings_module_reads():
    text = (ROOT / "swingvision" / "settings.py").read_text()
    assert "SWINGVISION_DB" in settings_read() and "SWINGVISION_BACKUP_LOCATION" in text
    assert {"SWINGVISION_SECRET_KEY", "SWINGVISION_STORAGE", "SWINGVISION_BACKUP_KEEP"} <= (
        settings_read()
    )


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_setting_is_given_or_deliberately_defaulted(compose, service):
    env = compose["services"][service]["environment"]
    missing = settings_read() - set(env) - set(LEFT_AT_DEFAULT)
    assert not missing, f"{service} lacks {sorted(missing)}: add them to x-app-env"
    unknown = {k for k in env if k.startswith("SWINGVISION_")} - settings_read()
    assert not unknown, f"{service} sets {sorted(unknown)}, which the app never reads"


def test_the_default_list_is_current():
    read = settings_read()
    stale = set(LEFT_AT_DEFAULT) - read
    assert not stale, f"no longer read by the app: {sorted(stale)}"


def test_secrets_have_no_default_and_come_from_the_env_file(compose):
    env = compose["services"]["app"]["environment"]
    for key in ("SWINGVISION_SECRET_KEY", "AWS_SECRET_ACCESS_KEY"):
        assert re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]+\}", env[key]), key
    assert env["SWINGVISION_ENV"] == "production"
    assert env["SWINGVISION_DB"].startswith("crate://")
    assert env["SWINGVISION_BACKUP_LOCATION"].startswith("s3://")


def test_every_variable_without_a_default_is_in_the_env_example():
    text = (DEPLOY / "docker-compose.yml").read_text()
    example = {
        line.split("=", 1)[0]
        for line in (DEPLOY / ".env.example").read_text().splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }
    needed = {name for name, op, _ in _COMPOSE_VAR.findall(text) if op not in (":-", "-")}
    assert needed, "the scan found no ${...} at all"
    assert not needed - example, f"missing from .env.example: {sorted(needed - example)}"


def test_the_services_run_what_they_should(compose):
    services = compose["services"]
    app = " ".join(services["app"]["command"])
    assert app.startswith("gunicorn swingvision.wsgi:application")
    assert services["worker"]["command"][:3] == ["python", "manage.py", "process_videos"]
    assert "manage.py backup --if-older-than" in services["backup"]["command"][-1]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate_db"]
    for name in ("app", "worker", "backup"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    # The commands exist under those names.
    from django.core.management import get_commands

    commands = get_commands()
    for name in ("process_videos", "backup", "restore", "migrate_db", "replication"):
        assert name in commands, name


def test_a_three_node_cratedb_cluster_and_an_s3_store(compose):
    services = compose["services"]
    nodes = [n for n in services if re.fullmatch(r"crate\d", n)]
    assert nodes == ["crate1", "crate2", "crate3"]
    for n in nodes:
        args = services[n]["command"]
        assert f"-Cnode.name={n}" in args
        assert "-Cdiscovery.seed_hosts=crate1,crate2,crate3" in args
        assert "-Ccluster.initial_master_nodes=crate1,crate2,crate3" in args
        assert any(a.startswith("-Cpath.repo=") for a in args)
        assert services[n]["image"].startswith("crate:")
    assert services["minio"]["image"].startswith("minio/minio")
    env = services["app"]["environment"]
    assert "minio:9000" in env["SWINGVISION_S3_ENDPOINT_URL"]
    assert all(f"crate{i}:4200" in env["SWINGVISION_DB"] for i in (1, 2, 3))


def test_the_image_holds_what_the_app_needs():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    for folder in ("swingvision", "analysis", "progress", "templates", "static"):
        assert f"COPY {folder} ./{folder}" in dockerfile, folder
    assert "collectstatic" in dockerfile and "gunicorn" in dockerfile


def test_the_systemd_timer_runs_the_scheduled_backup():
    service = (DEPLOY / "systemd" / "swingvision-backup.service").read_text()
    timer = (DEPLOY / "systemd" / "swingvision-backup.timer").read_text()
    assert "manage.py backup --if-older-than 1h --prune" in service
    assert "OnUnitActiveSec=5min" in timer and "Persistent=true" in timer


def test_raw_video_retention_is_scheduled_in_both_deploy_forms(compose):
    service = (DEPLOY / "systemd" / "swingvision-purge.service").read_text()
    timer = (DEPLOY / "systemd" / "swingvision-purge.timer").read_text()
    assert "manage.py purge_videos" in service and "EnvironmentFile=" in service
    assert "OnCalendar=" in timer and "Persistent=true" in timer
    purge = compose["services"]["purge"]
    assert "manage.py purge_videos" in "\n".join(purge["command"])
    assert purge["environment"]["SWINGVISION_RAW_VIDEO_DAYS"]


# The CrateDB version the live suite (SWINGVISION_CRATEDB_URL, docs/cratedb.md) last passed on:
# deploy/ runs exactly this one.
CRATE_VERSION_TESTED = "6.4.3"


def _crate_images() -> set[str]:
    services = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]
    return {s["image"] for s in services.values() if str(s.get("image", "")).startswith("crate:")}


def test_deploy_pins_the_cratedb_version_the_live_suite_passed_on():
    assert _crate_images() == {f"crate:{CRATE_VERSION_TESTED}"}


@pytest.mark.crate
@pytest.mark.skipif(not os.environ.get("SWINGVISION_CRATEDB_URL"), reason="no live CrateDB")
def test_the_live_cluster_runs_the_pinned_version():
    from swingvision.db.gateway import Database, parse_db_url

    db = Database(parse_db_url(os.environ["SWINGVISION_CRATEDB_URL"]))
    try:
        versions = {r[0] for r in db.run_sql("SELECT version['number'] FROM sys.nodes LIMIT 100")}
    finally:
        db.close()
    assert versions == {CRATE_VERSION_TESTED}
