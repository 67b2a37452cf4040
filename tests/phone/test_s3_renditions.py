"""Renditions and pictures in an S3 store: the playback redirect names the rendition, the pictures
stream through the authorized view, and the purge removes the rendition with the raw video."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

from swingvision.db.codec import utc_now
from swingvision.db.managers import SYSTEM
from swingvision.videos import retention

from . import phone_media
from .flow import upload_clip


def test_rendition_and_pictures_on_s3(s3_store, make_user, mgr, login_client):
    coach = make_user("coach")
    player = make_user("player", coach=coach)
    clip = phone_media.phone_clips()["low-light-vfr"]
    c = login_client(coach)
    video = upload_clip(c, mgr, player.id, clip.kind)
    bucket = s3_store.bucket
    key = f"media/renditions/{player.id}/{video.id}/playback.mp4"
    assert video.metadata["rendition_ref"] == f"s3://{bucket}/{key}"
    head = s3_store.client.head_object(Bucket=bucket, Key=key)
    assert head["ContentType"] == "video/mp4"

    r = c.get(f"/players/{player.id}/swings/{video.id}/video")
    assert r.status_code == 302 and f"/{bucket}/{key}?" in r["Location"]
    with urllib.request.urlopen(r["Location"], timeout=20) as got:
        body = got.read()
    assert body == s3_store.client.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert (
        c.get(f"/players/{player.id}/swings/{video.id}/video?original=1")["Location"]
        .split("?")[0]
        .endswith(f"/media/raw/{player.id}/{video.id}/low-light.mp4")
    )

    thumbs = video.metadata["thumbs"]
    assert thumbs["poster_ref"].startswith(f"s3://{bucket}/media/thumbs/{player.id}/{video.id}/")
    pic = c.get(f"/players/{player.id}/swings/{video.id}/thumbs/strip.webp?v={thumbs['version']}")
    assert pic.status_code == 200 and pic.content[:4] == b"RIFF"

    retention.purge(now=utc_now() + timedelta(days=31), player_id=player.id)
    listed = s3_store.client.list_objects_v2(Bucket=bucket, Prefix="media/")
    keys = sorted(o["Key"] for o in listed.get("Contents", []))
    assert not [k for k in keys if k.startswith(("media/raw/", "media/renditions/"))], keys
    after = mgr.videos.get(SYSTEM, player.id, video.id).metadata["thumbs"]
    assert f"media/thumbs/{player.id}/{video.id}/{after['version']}-poster.webp" in keys
    assert not [k for k in keys if thumbs["version"] in k]  # the pictures of the person: gone
    gone = mgr.videos.get(SYSTEM, player.id, video.id)
    assert gone.status == "expired" and gone.metadata["thumbs"]["source"] == "skeleton"
