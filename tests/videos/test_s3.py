"""The S3 store against a real S3 API: moto's server on 127.0.0.1, reached through boto3 with
its endpoint URL. Upload, playback redirect, purge and the lifecycle rule are checked there."""

from __future__ import annotations

import io
import urllib.request
from datetime import timedelta

from django.core.management import call_command
from django.test import Client

from swingvision.db.codec import utc_now
from swingvision.db.managers import SYSTEM
from swingvision.storage import (
    LIFECYCLE_RULE_ID,
    RENDITION_LIFECYCLE_RULE_ID,
    S3Store,
    StorageError,
    video_key,
)

from . import media


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=20) as r:
        return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()


def test_upload_playback_and_purge_on_s3(
    s3_store, team, token_for, login_client, media_dir, mgr, state
):
    assert isinstance(s3_store, S3Store) and s3_store.client.meta.endpoint_url.startswith(
        "http://127.0.0.1:"
    )
    api = Client()
    headers = bearer(token_for(team.coach))
    data = (media_dir / "seek.mp4").read_bytes()
    body, ctype = media.multipart(
        [
            ("pose_file", "poses.csv", "text/csv", media.pose_csv(60)),
            ("file", "seek.mp4", "video/mp4", data),
        ]
    )
    r = api.generic(
        "POST", f"/api/v1/players/{team.player.id}/videos", body, content_type=ctype, **headers
    )
    assert r.status_code == 201, r.content
    vid = r.json()["video"]["id"]
    video = mgr.videos.get(SYSTEM, team.player.id, vid)
    bucket = s3_store.bucket
    assert video.blob_ref == f"s3://{bucket}/media/raw/{team.player.id}/{vid}/seek.mp4"
    head = s3_store.client.head_object(
        Bucket=bucket, Key=f"media/raw/{team.player.id}/{vid}/seek.mp4"
    )
    assert head["ContentLength"] == len(data) and head["ContentType"] == "video/mp4"
    assert video.metadata["pose_ref"].startswith(
        f"s3://{bucket}/media/poses/{team.player.id}/{vid}/"
    )

    # Playback: a redirect to a presigned URL that the S3 API honours, Range included.
    session = login_client(team.coach)
    for client, path, extra in (
        (api, f"/api/v1/players/{team.player.id}/videos/{vid}/video", headers),
        (session, f"/players/{team.player.id}/swings/{vid}/video", {}),
    ):
        r = client.get(path, **extra)
        assert r.status_code == 302
        assert r["Cache-Control"] == "no-store"
        url = r["Location"]
        assert url.startswith(f"{s3_store.client.meta.endpoint_url}/{bucket}/media/raw/")
        assert "X-Amz-Expires=300" in url and "X-Amz-Signature=" in url
        status, got_headers, got = fetch(url)
        assert (status, got) == (200, data)
        # The type and disposition S3 answers with are ours, not the object's (issue 19).
        assert got_headers["content-type"] == "video/mp4"
        assert got_headers["content-disposition"].startswith("attachment;")
        status, got_headers, got = fetch(url, {"Range": "bytes=100-199"})
        assert status == 206 and got == data[100:200]

    # Purge on S3: aged videos go, the fresh one and every pose file stay.
    young = _aged_s3_video(mgr, s3_store, team.player, 29)
    due = _aged_s3_video(mgr, s3_store, team.player, 30)
    old = _aged_s3_video(mgr, s3_store, team.player, 31)
    out = io.StringIO()
    call_command("purge_videos", "--player", team.player.id, stdout=out)
    assert "store: s3" in out.getvalue() and old.id in out.getvalue()
    keys = {o["Key"] for o in s3_store.client.list_objects_v2(Bucket=bucket)["Contents"]}
    raw = lambda v: v.blob_ref.split(f"s3://{bucket}/", 1)[1]  # noqa: E731
    assert raw(old) not in keys and raw(due) not in keys
    assert raw(young) in keys and raw(video) in keys
    assert all(
        v.metadata["pose_ref"].split(f"{bucket}/", 1)[1] in keys for v in (old, due, young, video)
    )
    for v in (old, due):
        gone = mgr.videos.get(SYSTEM, team.player.id, v.id)
        assert gone.status == "expired" and gone.blob_ref is None
    assert mgr.videos.get(SYSTEM, team.player.id, young.id).blob_ref == young.blob_ref
    before = state()
    call_command("purge_videos", "--player", team.player.id, stdout=io.StringIO())  # re-run
    assert state() == before
    r = api.get(f"/api/v1/players/{team.player.id}/videos/{old.id}/video", **headers)
    assert r.status_code == 410


def _aged_s3_video(mgr, store, player, days):
    video = mgr.videos.create(
        SYSTEM,
        player.id,
        filename=f"aged-{days}.mp4",
        status="analyzed",
        uploaded_at=utc_now() - timedelta(days=days),
    )
    ref = store.put(
        video_key(player.id, video.id, "a.mp4"), io.BytesIO(b"raw"), content_type="video/mp4"
    )
    pose = store.put(video_key(player.id, video.id, "p.csv", kind="poses"), io.BytesIO(b"p"))
    return mgr.videos.update(video, blob_ref=ref, metadata={"pose_ref": pose})


def test_an_upload_that_fails_mid_write_leaves_no_object(
    s3_store, team, token_for, media_dir, mgr, state, monkeypatch
):
    """A multipart upload that breaks after some parts are sent is aborted: no object, no
    parts left, no row."""
    from swingvision import storage

    monkeypatch.setattr(storage, "S3_PART_BYTES", 5 * 1024 * 1024)
    big = media.make_video(
        media_dir.parent / "s3-big.mp4", frames=300, width=640, height=480, noise=True
    )
    assert big.stat().st_size > 12 * 1024 * 1024, big.stat().st_size
    from swingvision.storage import get_store, reset_store

    reset_store()
    store = get_store()
    calls = {"n": 0}
    real = store.client.upload_part

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise StorageError("the network went away")
        return real(**kwargs)

    monkeypatch.setattr(store.client, "upload_part", flaky)
    before = state()
    body, ctype = media.multipart([("file", "big.mp4", "video/mp4", big.read_bytes())])
    r = Client().generic(
        "POST",
        f"/api/v1/players/{team.player.id}/videos",
        body,
        content_type=ctype,
        **bearer(token_for(team.coach)),
    )
    assert r.status_code == 503, r.content
    assert calls["n"] >= 2
    assert state() == before


def test_lifecycle_rules_on_the_raw_and_rendition_prefixes(s3_store, settings):
    client, bucket = s3_store.client, s3_store.bucket
    other = {
        "ID": "someone-elses-rule",
        "Filter": {"Prefix": "logs/"},
        "Status": "Enabled",
        "Expiration": {"Days": 7},
    }
    client.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": [other]}
    )
    settings.SWINGVISION_RAW_VIDEO_DAYS = 30
    out = io.StringIO()
    call_command("storage_lifecycle", stdout=out)
    assert f"s3://{bucket}/media/raw/: objects expire 30 days after upload" in out.getvalue()
    assert f"s3://{bucket}/media/renditions/: objects expire 30 days" in out.getvalue()
    rules = {r["ID"]: r for r in client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}
    assert set(rules) == {"someone-elses-rule", LIFECYCLE_RULE_ID, RENDITION_LIFECYCLE_RULE_ID}
    for rule_id, prefix in (
        (LIFECYCLE_RULE_ID, "raw/"),
        (RENDITION_LIFECYCLE_RULE_ID, "renditions/"),
    ):
        ours = rules[rule_id]
        assert ours["Filter"]["Prefix"] == f"media/{prefix}"
        assert ours["Expiration"]["Days"] == 30 and ours["Status"] == "Enabled"
    # Running it again with another age replaces our rules, once each.
    call_command("storage_lifecycle", "--days", "45", stdout=io.StringIO())
    rules = client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert [r["Expiration"]["Days"] for r in rules if r["ID"] == LIFECYCLE_RULE_ID] == [45]
    assert [r["Expiration"]["Days"] for r in rules if r["ID"] == RENDITION_LIFECYCLE_RULE_ID] == [
        45
    ]
    assert len(rules) == 3


def test_lifecycle_on_a_local_store_says_what_to_do_instead():
    out = io.StringIO()
    call_command("storage_lifecycle", stdout=out)
    assert "Run `manage.py purge_videos` daily" in out.getvalue()


def test_presigned_urls_name_the_endpoint_browsers_reach(moto_endpoint, s3_store, settings):
    """Behind a proxy the app reaches S3 at one address and browsers at another: the presigned
    URL is signed for the browsers' host and S3 honours it there (localhost is that other name
    for the same moto server), and the CSP lets the page play from it."""
    from swingvision.storage import get_store, reset_store

    key_ref = s3_store.put(
        "raw/p1/v1/swing.mp4", io.BytesIO(b"0123456789" * 100), content_type="video/mp4"
    )
    public = moto_endpoint.replace("127.0.0.1", "localhost")
    settings.SWINGVISION_S3_PUBLIC_URL = public
    reset_store()
    store = get_store()
    url = store.presigned_url(key_ref)
    assert url.startswith(f"{public}/{store.bucket}/media/raw/p1/v1/")
    status, _, got = fetch(url, {"Range": "bytes=10-19"})
    assert (status, got) == (206, b"0123456789")
    # The signature covers the host (SigV4 signs it: moto does not check signatures, AWS and
    # MinIO do), so the URL must be made for the public host, not rewritten after signing.
    assert "X-Amz-SignedHeaders=host" in url
    assert store.client.generate_presigned_url(
        "get_object", Params={"Bucket": store.bucket, "Key": "media/raw/p1/v1/swing.mp4"}
    ).startswith(moto_endpoint)
    csp = Client().get("/login/")["Content-Security-Policy"]
    media = next(d for d in csp.split("; ") if d.startswith("media-src"))
    assert media == f"media-src 'self' blob: https: http://{public.split('://', 1)[1]}"
