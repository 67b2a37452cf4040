"""Lessons on S3 (moto's server on loopback): the recording and its MP4 go to the bucket under
lessons/, the file URL redirects to a presigned URL that serves the MP4 with Range, and the
bucket's lifecycle rules (raw video retention) never reach lessons/."""

from __future__ import annotations

import urllib.request

from swingvision.db.managers import SYSTEM
from swingvision.storage import S3Store
from tests.lessons.helpers import process_all_lessons

from .test_lessons_pages import upload


def test_a_lesson_on_s3(s3_store, team, recordings):
    assert isinstance(s3_store, S3Store)
    r = upload(team.client(team.coach), team, recordings["voice"].read_bytes())
    assert r.status_code == 201, r.content
    lesson = team.m.lessons.get(SYSTEM, team.player.id, r.json()["lesson"]["id"])
    key = f"media/lessons/{team.player.id}/{lesson.id}/recording.webm"
    assert lesson.blob_ref == f"s3://{s3_store.bucket}/{key}"
    process_all_lessons(team.m)
    lesson = team.m.lessons.get(SYSTEM, team.player.id, lesson.id)
    assert lesson.status == "ready", lesson.metadata
    r = team.client(team.player).get(f"/players/{team.player.id}/lessons/{lesson.id}/video")
    assert r.status_code == 302 and r["Cache-Control"] == "no-store"
    request = urllib.request.Request(r["Location"], headers={"Range": "bytes=0-15"})
    with urllib.request.urlopen(request, timeout=20) as answer:
        assert answer.status == 206 and len(answer.read()) == 16
    s3_store.install_lifecycle(30)  # what `storage_lifecycle` installs
    prefixes = {rule["Filter"]["Prefix"] for rule in s3_store.lifecycle_rules()}
    assert prefixes == {"media/raw/", "media/renditions/"}  # lessons/ is not among them
