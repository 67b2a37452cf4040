"""Posters and event strips: small WebP pictures of a swing for the roster, player page and search.

After the analysis the worker takes the frames of the 8 events (GolfDB's address ... finish) from
the video, by seeking, and stores two images under `thumbs/<player_id>/<video_id>/`:
- the poster: the address frame, fitted into POSTER_BOX;
- the strip: the 8 event frames side by side, each fitted into TILE_BOX (a dark tile where an event
  was not found).
Frames come from the browser rendition when there is one (upright already, small, quick to seek),
else from the original, turned upright like the poses (analysis/engine/extract.py). A swing with no video
(pose file only), a video that cannot be decoded, and a swing whose video expired get the same two
images drawn from the skeleton instead: retention (videos/retention.py) deletes the pictures of
the person with the video and draws the skeleton ones, so nothing of the footage outlives it.
Keys carry the pictures' version (`thumbs/<player>/<video>/<version>-poster.webp`): a key names
one picture for good (backups copy a key once), and a redraw writes new keys.

The images are WebP, encoded with PyAV's libwebp (no imaging library needed). The row's
`metadata["thumbs"]` names them; `version` changes whenever they are redrawn, and the page URLs
carry it, so browsers may cache each URL for good.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from analysis.engine.pose import EVENT_LABELS, EVENT_NAMES, SKELETON_EDGES
from swingvision.db.managers import SYSTEM, Managers
from swingvision.db.records import Video
from swingvision.db.swing_facts import dense_keypoints
from swingvision.storage import RENDITIONS_PREFIX, BlobNotFound, StorageError, get_store

from .availability import raw_video_available

log = logging.getLogger("swingvision.videos")

THUMBS_VERSION = 1
POSTER_BOX = (320, 320)
TILE_BOX = (96, 96)
TILE_GAP = 2
WEBP_QUALITY = 75
CONTENT_TYPE = "image/webp"
NAMES = {"poster.webp": "poster_ref", "strip.webp": "strip_ref"}
BACKGROUND = (29, 42, 36)  # the replay's blank stage (static/js/replay.js)
BONE = (236, 242, 238)
JOINT = (111, 207, 151)
MIN_CONFIDENCE = 0.2  # joints below this are not drawn


class ThumbnailError(Exception):
    """The video's frames could not be read for thumbnails."""


def thumb_key(player_id: str, video_id: str, name: str) -> str:
    return f"thumbs/{player_id}/{video_id}/{name}"


def fit(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    """`width`x`height` scaled to fit `box`, both sides even (4:2:0 chroma) and at least 2."""
    scale = min(box[0] / max(width, 1), box[1] / max(height, 1))
    return max(2, int(round(width * scale / 2)) * 2), max(2, int(round(height * scale / 2)) * 2)


def event_frames(events: dict | None, n_frames: int) -> list[int | None]:
    """The 8 events' frames in swing order, None where not found (or outside the clip)."""
    out: list[int | None] = []
    for name in EVENT_NAMES:
        f = (events or {}).get(name)
        ok = isinstance(f, int | float) and not isinstance(f, bool) and 0 <= f < n_frames
        out.append(int(f) if ok else None)
    return out


def poster_frame(frames: list[int | None]) -> int:
    """The address frame; the first event found when address was not; else the first frame."""
    return next((f for f in frames if f is not None), 0)


# -- pictures -----------------------------------------------------------------------------------
def encode_webp(image: np.ndarray, *, quality: int = WEBP_QUALITY) -> bytes:
    """An RGB image (H, W, 3) as WebP bytes (libwebp inside PyAV)."""
    height, width = image.shape[:2]
    ctx = av.CodecContext.create("libwebp", "w")
    ctx.width, ctx.height = width, height
    ctx.pix_fmt = "yuv420p"
    ctx.time_base = Fraction(1, 1)
    ctx.options = {"quality": str(quality)}
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
    frame = frame.reformat(format="yuv420p")
    frame.pts = 0
    packets = list(ctx.encode(frame)) + list(ctx.encode(None))
    return b"".join(bytes(p) for p in packets)


def strip_image(tiles: list[np.ndarray | None], tile: tuple[int, int]) -> np.ndarray:
    """Tiles side by side with a thin gap; a missing tile is a dark box."""
    w, h = tile
    out = np.empty((h, len(tiles) * (w + TILE_GAP) - TILE_GAP, 3), np.uint8)
    out[:] = (12, 18, 15)
    for i, img in enumerate(tiles):
        x = i * (w + TILE_GAP)
        out[:, x : x + w] = img if img is not None else BACKGROUND
    return out


def _cover_segment(cover: np.ndarray, a: np.ndarray, b: np.ndarray, half: float) -> None:
    """Raise `cover` (H, W) to the anti-aliased coverage of the segment a-b (a point when a == b)
    drawn half a width `half` wide, over the pixels of its bounding box only."""
    height, width = cover.shape
    reach = half + 1.0
    x0 = max(int(np.floor(min(a[0], b[0]) - reach)), 0)
    x1 = min(int(np.ceil(max(a[0], b[0]) + reach)) + 1, width)
    y0 = max(int(np.floor(min(a[1], b[1]) - reach)), 0)
    y1 = min(int(np.ceil(max(a[1], b[1]) + reach)) + 1, height)
    if x0 >= x1 or y0 >= y1:
        return
    xs = np.arange(x0, x1, dtype=np.float32) + 0.5
    ys = np.arange(y0, y1, dtype=np.float32)[:, None] + 0.5
    ab = b - a
    length2 = max(float(ab @ ab), 1e-6)
    t = np.clip(((xs - a[0]) * ab[0] + (ys - a[1]) * ab[1]) / length2, 0, 1)
    dist = np.sqrt((xs - (a[0] + t * ab[0])) ** 2 + (ys - (a[1] + t * ab[1])) ** 2)
    region = cover[y0:y1, x0:x1]
    np.maximum(region, np.clip(half + 0.5 - dist, 0, 1), out=region)


def draw_skeleton(keypoints: np.ndarray, width: int, height: int) -> np.ndarray:
    """One pose (33, >=2: x, y normalized to the frame [, z, confidence]) drawn as bones and
    joints on the replay's blank stage, anti-aliased, as an RGB image."""
    img = np.empty((height, width, 3), np.float32)
    img[:] = BACKGROUND
    kp = np.asarray(keypoints, dtype=np.float32)
    seen = np.isfinite(kp[:, 0]) & np.isfinite(kp[:, 1])
    if kp.shape[1] >= 4:
        seen &= ~(kp[:, 3] < MIN_CONFIDENCE)
    pts = np.stack([kp[:, 0] * width, kp[:, 1] * height], axis=1)
    edges = np.array([e for e in SKELETON_EDGES if seen[e[0]] and seen[e[1]]], dtype=np.int64)
    if not len(edges):
        return img.astype(np.uint8)
    half = max(0.9, height / 110)
    # Coverage of each pixel: max over the bones of clip(half + 0.5 - distance), which is the
    # clip of the distance to the nearest bone; each bone is measured only over its own box.
    bone = np.zeros((height, width), np.float32)
    for i, j in edges:
        _cover_segment(bone, pts[i], pts[j], half)
    img = img * (1 - bone[..., None]) + np.asarray(BONE, np.float32) * bone[..., None]
    body = seen.copy()
    body[1:11] = False  # the face's ten points would blot out the head at this size: nose only
    dot = np.zeros((height, width), np.float32)
    for p in pts[body]:
        _cover_segment(dot, p, p, half * 1.3)
    img = img * (1 - dot[..., None]) + np.asarray(JOINT, np.float32) * dot[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


# -- frames from a video, by seeking ------------------------------------------------------------
def _frame_index(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Every frame's timestamp in presentation order, and the positions of the keyframes (one
    demux pass, no decoding)."""
    with av.open(str(path), metadata_errors="ignore") as container:
        stream = container.streams.video[0]
        stamps, keys = [], []
        for packet in container.demux(stream):
            if packet.size == 0 or packet.pts is None:
                continue
            stamps.append(packet.pts)
            if packet.is_keyframe:
                keys.append(packet.pts)
    ordered = np.sort(np.asarray(stamps, dtype=np.int64))
    key_at = np.unique(np.searchsorted(ordered, np.asarray(keys, dtype=np.int64)))
    return ordered, key_at


def grab_frames(path: str | Path, wanted: list[int], box: tuple[int, int]) -> dict[int, np.ndarray]:
    """Frames number `wanted` (presentation order, as the poses count them), upright, each fitted
    into `box`, as RGB arrays. Seeks to the keyframe before each and decodes forward, unless the
    decoder is already between that keyframe and the frame."""
    path = Path(path)
    try:
        ordered, key_at = _frame_index(path)
    except (av.FFmpegError, OSError, IndexError) as e:
        raise ThumbnailError(f"cannot read the video: {e}") from e
    targets = sorted({f for f in wanted if 0 <= f < len(ordered)})
    got: dict[int, np.ndarray] = {}
    if not targets:
        return got
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            stream = container.streams.video[0]
            frames = None
            position = -1  # the frame the decoder last returned
            for target in targets:
                before = key_at[key_at <= target]
                k = int(before[-1]) if len(before) else 0  # the keyframe to start decoding at
                if frames is None or not k <= position < target:
                    container.seek(int(ordered[k]), stream=stream, backward=True)
                    frames = container.decode(stream)
                    position = -1
                for frame in frames:
                    if frame.pts is None:
                        continue
                    position = int(np.searchsorted(ordered, frame.pts))
                    if position >= target:
                        got[target] = _picture(frame, box)
                        break
    except av.FFmpegError as e:
        raise ThumbnailError(f"decoding failed: {e}") from e
    return got


def _picture(frame: Any, box: tuple[int, int]) -> np.ndarray:
    turns = round((getattr(frame, "rotation", 0) or 0) / 90) % 4
    upright = (frame.height, frame.width) if turns % 2 else (frame.width, frame.height)
    w, h = fit(*upright, box)
    coded = (h, w) if turns % 2 else (w, h)
    image = frame.reformat(width=coded[0], height=coded[1], format="rgb24").to_ndarray()
    return np.ascontiguousarray(np.rot90(image, turns)) if turns else image


def frame_picture(video: Video, frame: int) -> bytes | None:
    """One frame of the swing's video as WebP, fitted into the poster's box (a similar-position
    result shows the matched frame with it); None when the video is gone or has no such frame."""
    if not raw_video_available(video) or frame < 0:
        return None
    ref = video.metadata.get("rendition_ref") or video.blob_ref
    try:
        with get_store().local_copy(ref) as path:
            got = grab_frames(path, [frame], POSTER_BOX)
    except (ThumbnailError, StorageError, OSError) as e:  # BlobNotFound is a StorageError
        log.warning("frame %s of video %s: %s", frame, video.id, e)
        return None
    return encode_webp(got[frame]) if frame in got else None


# -- the worker's and the purge's steps ---------------------------------------------------------
def _aspect(video: Video, width: int | None = None, height: int | None = None) -> tuple[int, int]:
    info = video.metadata.get("rendition") or {}
    for w, h in (
        (width, height),
        (info.get("width"), info.get("height")),
        (video.metadata.get("width"), video.metadata.get("height")),
    ):
        if isinstance(w, int | float) and isinstance(h, int | float) and w > 0 and h > 0:
            return int(w), int(h)
    return 4, 3  # poses with no known frame: the similarity page's default shape too


def _shrink(image: np.ndarray, box: tuple[int, int]) -> np.ndarray:
    w, h = fit(image.shape[1], image.shape[0], box)
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
    return frame.reformat(width=w, height=h, format="rgb24").to_ndarray()


def _video_tiles(
    path: Path, frames: list[int | None], poster_at: int
) -> tuple[np.ndarray, list[np.ndarray | None]]:
    # One decode of each frame, at the poster's size; the tiles are those pictures made smaller.
    got = grab_frames(path, [poster_at, *(f for f in frames if f is not None)], POSTER_BOX)
    if poster_at not in got:
        raise ThumbnailError(f"frame {poster_at} is not in the video")
    tiles = [_shrink(got[f], TILE_BOX) if f is not None and f in got else None for f in frames]
    return got[poster_at], tiles


def _skeleton_tiles(
    keypoints: np.ndarray, frames: list[int | None], poster_at: int, size: tuple[int, int]
) -> tuple[np.ndarray, list[np.ndarray | None]]:
    pw, ph = fit(*size, POSTER_BOX)
    tw, th = fit(*size, TILE_BOX)
    n = len(keypoints)
    poster = draw_skeleton(keypoints[poster_at], pw, ph) if poster_at < n else None
    if poster is None:
        poster = draw_skeleton(np.full((33, 4), np.nan, np.float32), pw, ph)
    tiles = [draw_skeleton(keypoints[f], tw, th) if f is not None else None for f in frames]
    return poster, tiles


def render_thumbnails(
    video: Video,
    events: dict | None,
    *,
    keypoints: np.ndarray | None,
    n_frames: int,
    source: Path | None,
    size: tuple[int, int] | None = None,
) -> tuple[str, bytes, bytes, dict[str, Any]]:
    """The poster and strip (WebP bytes) and their metadata, from the video file at `source`
    when given, else drawn from `keypoints`. Returns (kind, poster, strip, metadata)."""
    frames = event_frames(events, n_frames)
    poster_at = poster_frame(frames)
    kind = "skeleton"
    poster = tiles = None
    if source is not None:
        try:
            poster, tiles = _video_tiles(source, frames, poster_at)
            kind = "video"
        except ThumbnailError as e:
            log.warning("video %s: thumbnails from the skeleton instead: %s", video.id, e)
    if poster is None:
        if keypoints is None or not len(keypoints):
            raise ThumbnailError("no video frames and no poses to draw")
        poster, tiles = _skeleton_tiles(keypoints, frames, poster_at, size or _aspect(video))
    tile = next((t.shape[1::-1] for t in tiles if t is not None), None)
    if tile is None:
        tile = fit(poster.shape[1], poster.shape[0], TILE_BOX)
    strip = strip_image(tiles, (int(tile[0]), int(tile[1])))
    meta = {
        "source": kind,
        "frames": [-1 if f is None else f for f in frames],
        "poster_frame": poster_at,
        "poster_size": [int(poster.shape[1]), int(poster.shape[0])],
        "strip_size": [int(strip.shape[1]), int(strip.shape[0])],
        "tile_size": [int(tile[0]), int(tile[1])],
    }
    return kind, encode_webp(poster), encode_webp(strip), meta


def put_thumbnails(video: Video, poster: bytes, strip: bytes, meta: dict[str, Any]) -> dict:
    """Write both images under keys named by their version (a hash of their content: a key names
    one picture for good, as backups assume) and return the metadata that names them."""
    store = get_store()
    digest = hashlib.sha256(poster + strip + json.dumps(meta, sort_keys=True).encode())
    version = f"{THUMBS_VERSION}-{digest.hexdigest()[:12]}"
    refs = {}
    for name, data in (("poster.webp", poster), ("strip.webp", strip)):
        key = thumb_key(video.user_id, video.id, f"{version}-{name}")
        refs[NAMES[name]] = store.put(key, io.BytesIO(data), content_type=CONTENT_TYPE)
    return {**meta, **refs, "version": version}


def thumb_refs(thumbs: dict | None) -> list[str]:
    return [thumbs[k] for k in NAMES.values() if (thumbs or {}).get(k)]


def video_blobs(store: Any, video: Video) -> list[str]:
    """Every blob made from the video's footage: its browser rendition and its pictures (those
    its row names, and any left unnamed by a worker that died before recording them)."""
    refs: list[str] = []
    for prefix in (RENDITIONS_PREFIX, "thumbs/"):
        refs += store.keys(f"{prefix}{video.user_id}/{video.id}/")
    for ref in (video.metadata.get("rendition_ref"), *thumb_refs(video.metadata.get("thumbs"))):
        if ref and store.owns(ref) and ref not in refs:
            refs.append(ref)
    return refs


def make_thumbnails(
    m: Managers,
    video: Video,
    events: dict | None,
    *,
    keypoints: np.ndarray | None,
    size: tuple[int, int] | None = None,
) -> Video:
    """The worker's step after the analysis: thumbnails from the rendition (or the original), or
    drawn from the poses when there is no video. Returns the updated row."""
    store = get_store()
    meta = video.metadata
    ref = None
    if video.status != "expired" and video.blob_ref:
        ref = meta.get("rendition_ref") or video.blob_ref
    n_frames = len(keypoints) if keypoints is not None else int(meta.get("frame_count") or 0)
    if ref is None:
        result = render_thumbnails(
            video, events, keypoints=keypoints, n_frames=n_frames, source=None, size=size
        )
    else:
        try:
            with store.local_copy(ref) as path:
                result = render_thumbnails(
                    video, events, keypoints=keypoints, n_frames=n_frames, source=path, size=size
                )
        except BlobNotFound:
            log.warning("video %s: %s is missing; thumbnails from the skeleton", video.id, ref)
            result = render_thumbnails(
                video, events, keypoints=keypoints, n_frames=n_frames, source=None, size=size
            )
    _, poster, strip, thumbs = result
    thumbs = put_thumbnails(video, poster, strip, thumbs)
    current = m.videos.get_system(video.user_id, video.id)
    old = set(thumb_refs(current.metadata.get("thumbs"))) - set(thumb_refs(thumbs))
    new_meta = {k: v for k, v in current.metadata.items() if k != "thumbs_error"}
    new_meta["thumbs"] = thumbs
    updated = m.videos.update(current, metadata=new_meta)
    for ref in old:  # a redraw (re-analysis): the row names the new pictures, drop the old
        store.delete(ref)
    return updated


def skeleton_thumbnails(m: Managers, video: Video) -> dict[str, Any] | None:
    """For retention, once the footage and its pictures are deleted: the swing's poster and strip
    drawn from its stored poses, returned as the metadata to record; None when it has no poses
    or analysis to draw (no pictures then)."""
    seq = m.poses.sequence(SYSTEM, video.user_id, video.id)
    analysis = m.analyses.latest_for_video_system(video)
    if not len(seq) or analysis is None:
        return None
    n = max(int(video.metadata.get("frame_count") or 0), int(seq.frame_numbers.max()) + 1)
    _, poster, strip, meta = render_thumbnails(
        video, analysis.events, keypoints=dense_keypoints(seq, n), n_frames=n, source=None
    )
    return put_thumbnails(video, poster, strip, meta)


# -- pages ------------------------------------------------------------------------------------
def shown_thumbs(video: Video) -> dict[str, Any] | None:
    """The swing's pictures as its row names them, unless they are of the person and the video
    they were taken from is past its retention day (the purge then redraws them from the
    skeleton; until it runs the swing shows none)."""
    thumbs = video.metadata.get("thumbs")
    if not isinstance(thumbs, dict):
        return None
    if thumbs.get("source") != "skeleton" and not raw_video_available(video):
        return None
    return thumbs


def thumb_urls(video: Video) -> dict[str, Any] | None:
    """What a page needs to show a swing's poster and strip (versioned URLs, sizes, alt text);
    None when the swing has none (yet, or none it may show)."""
    from django.urls import reverse

    thumbs = shown_thumbs(video) if video is not None else None
    if not thumbs or not thumbs.get("poster_ref"):
        return None
    version = thumbs.get("version", "")

    def url(name: str) -> str:
        return f"{reverse('video-thumb', args=[video.user_id, video.id, name])}?v={version}"

    frames = thumbs.get("frames") or []
    labels = [EVENT_LABELS[n] for n, f in zip(EVENT_NAMES, frames, strict=False) if f >= 0]
    poster_w, poster_h = thumbs.get("poster_size") or [0, 0]
    strip_w, strip_h = thumbs.get("strip_size") or [0, 0]
    return {
        "poster_url": url("poster.webp"),
        "strip_url": url("strip.webp") if thumbs.get("strip_ref") else "",
        "poster_width": poster_w,
        "poster_height": poster_h,
        "strip_width": strip_w,
        "strip_height": strip_h,
        "skeleton": thumbs.get("source") == "skeleton",
        "strip_alt": "Swing events: " + ", ".join(labels) if labels else "Swing events",
    }


def read_thumbnail(video: Video, name: str) -> tuple[bytes, str] | None:
    """The bytes and version of one of the swing's images; None if it has none by that name."""
    thumbs = shown_thumbs(video) or {}
    ref = thumbs.get(NAMES.get(name, ""), "")
    if not ref:
        return None
    try:
        with get_store().open(ref) as fh:
            return fh.read(), str(thumbs.get("version", ""))
    except BlobNotFound:
        log.warning("video %s: thumbnail %s is missing from storage", video.id, ref)
        return None


__all__ = [
    "ThumbnailError",
    "draw_skeleton",
    "encode_webp",
    "grab_frames",
    "make_thumbnails",
    "read_thumbnail",
    "skeleton_thumbnails",
    "thumb_urls",
]
