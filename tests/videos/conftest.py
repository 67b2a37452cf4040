"""Fixtures for the upload, playback, API and retention tests: a coach with players, generated
media, a snapshot of what the database and the blob store hold, and a moto S3 server."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from swingvision.db.records import User

from . import media


@dataclass(frozen=True)
class Team:
    coach: User
    player: User
    other_coach: User
    other_player: User  # the other coach's player


@pytest.fixture
def team(make_user) -> Team:
    coach = make_user("coach")
    other = make_user("coach")
    return Team(
        coach=coach,
        player=make_user("player", coach=coach),
        other_coach=other,
        other_player=make_user("player", coach=other),
    )


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    """Generated once per session: small videos (each 12 frames unless named otherwise)."""
    d = tmp_path_factory.mktemp("media")
    media.make_video(d / "swing.mp4")
    media.make_video(d / "swing-faststart.mp4", faststart=True, frames=30)
    media.make_video(d / "rotated.mp4", rotation=90)
    media.make_video(d / "seek.mp4", frames=60, width=96, height=64, fps=30, faststart=True)
    media.make_audio(d / "voice.m4a")
    (d / "image.png").write_bytes(media.png_bytes())
    return d


@pytest.fixture
def upload_tmp(settings, tmp_path) -> Path:
    """Django's temporary upload files go here, so a test can see that none is left behind."""
    d = tmp_path / "upload-tmp"
    d.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(d)
    return d


def blob_listing() -> list[str]:
    """Everything in the configured store, part files and all."""
    from swingvision.storage import LocalStore, get_store

    store = get_store()
    if isinstance(store, LocalStore):
        if not store.root.exists():
            return []
        return sorted(p.relative_to(store.root).as_posix() for p in store.root.rglob("*"))
    listed = store.client.list_objects_v2(Bucket=store.bucket, Prefix=store.prefix)
    keys = sorted(o["Key"] for o in listed.get("Contents", []))
    uploads = store.client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])
    return keys + [f"(multipart) {u['Key']}" for u in uploads]


def db_state(gateway) -> list[tuple]:
    rows = gateway.run_sql("SELECT id, user_id, status, blob_ref, metadata FROM videos")
    rows += gateway.run_sql("SELECT id, user_id, 'pose' FROM poses")
    rows += gateway.run_sql("SELECT id, user_id, 'analysis' FROM swing_analysis")
    return sorted(rows, key=repr)


@pytest.fixture
def state(gateway):
    """`state()` is what the videos, poses, analyses tables and the blob store hold right now."""

    def snapshot() -> tuple[list[tuple], list[str]]:
        return db_state(gateway), blob_listing()

    return snapshot


# -- S3: a real S3 API (moto's server) on loopback, reached through boto3 ---------------------
@pytest.fixture(scope="session")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ["AWS_ACCESS_KEY_ID"] = "testing"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def s3_store(moto_endpoint, settings):
    """The app's store switched to s3://<fresh bucket>/media for one test."""
    import secrets

    import boto3

    from swingvision.storage import get_store, reset_store

    bucket = f"sv-test-{secrets.token_hex(4)}"
    boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    settings.SWINGVISION_STORAGE = f"s3://{bucket}/media"
    settings.SWINGVISION_S3_ENDPOINT_URL = moto_endpoint
    settings.SWINGVISION_S3_REGION = "us-east-1"
    reset_store()
    yield get_store()
    reset_store()  # the settings fixture restores the local store's URL; forget the S3 one


@pytest.fixture
def token_for(mgr):
    """An API token (the raw string) for a user."""

    def make(user, name: str = "test") -> str:
        return mgr.tokens.create(user, name=name)[1]

    return make


@pytest.fixture(params=["page", "api"])
def endpoint(request, team, login_client, token_for):
    """Where a test uploads, both ways: (client, URL, headers) for the upload page (as its JS
    sends it) and for the API with a bearer token."""
    if request.param == "page":
        client = login_client(team.coach)
        return client, f"/players/{team.player.id}/upload/", {"HTTP_ACCEPT": "application/json"}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(team.coach)}"}
    return Client(), f"/api/v1/players/{team.player.id}/videos", headers
