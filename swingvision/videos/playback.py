"""Serving a stored video to the browser: HTTP Range (so the player can seek) or an S3 redirect.

The browser gets the video's rendition (H.264, upright, fast start) when the worker made one.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import quote

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render

from swingvision.accounts.middleware import wants_json
from swingvision.db.records import Video
from swingvision.storage import CHUNK, BlobNotFound, get_store

from . import retention

PRESIGNED_SECONDS = 300
_RANGE_RE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)

log = logging.getLogger("swingvision.videos")


class RangeNotSatisfiable(Exception):
    """The Range asks for bytes the file does not have: answer 416."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one byte range (first, last; inclusive) a Range header asks for within `size` bytes.

    None means "send the whole file": no header, another unit, several ranges (allowed by RFC
    9110 §14.2, and browsers ask for one), or a header that does not parse (§14.2 says to
    ignore it). Raises RangeNotSatisfiable when the range starts past the end or is empty."""
    if not header:
        return None
    m = _RANGE_RE.match(header)
    if not m:
        return None
    first, last = m.group(1), m.group(2)
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        n = int(last)
        if n == 0 or size == 0:
            raise RangeNotSatisfiable()
        return max(0, size - n), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # invalid syntax: ignored, per RFC 9110
    if start >= size:
        raise RangeNotSatisfiable()
    return start, min(end, size - 1)


class FileSlice:
    """Iterates `length` bytes of a file from `start`, in chunks; closes the file when done."""

    def __init__(self, fh: BinaryIO, start: int, length: int) -> None:
        self.fh = fh
        self.start = start
        self.remaining = length

    def __iter__(self) -> Iterator[bytes]:
        self.fh.seek(self.start)
        while self.remaining > 0:
            chunk = self.fh.read(min(CHUNK, self.remaining))
            if not chunk:
                break
            self.remaining -= len(chunk)
            yield chunk

    def close(self) -> None:
        self.fh.close()


@dataclass(frozen=True, slots=True)
class PlaybackFile:
    """The blob a browser plays for a video: its browser rendition when it has one (see
    videos/renditions.py), else the original upload."""

    ref: str
    content_type: str
    filename: str
    tag: str  # tells the two files of one video apart in ETags


def content_type_of(video: Video) -> str:
    ct = video.metadata.get("content_type") or ""
    if ct.startswith("video/"):
        return ct
    return mimetypes.guess_type(video.filename)[0] or "application/octet-stream"


def playback_file(video: Video, *, original: bool = False) -> PlaybackFile | None:
    """What to serve: the rendition unless `original` is asked for; None when the video has no
    file (expired, or a pose-file-only swing)."""
    if video.status == "expired" or not video.blob_ref:
        return None
    rendition = video.metadata.get("rendition_ref")
    if rendition and not original:
        version = (video.metadata.get("rendition") or {}).get("version", 1)
        stem = video.filename.rsplit(".", 1)[0] or "swing"
        return PlaybackFile(rendition, "video/mp4", f"{stem}.mp4", f"r{version}")
    return PlaybackFile(video.blob_ref, content_type_of(video), video.filename, "")


def etag_of(video: Video, size: int, tag: str = "") -> str:
    # A video id's blob never changes (a new upload is a new video), so id and size name it; a
    # rendition is a second file of the same video, told apart by its tag.
    return f'"{video.id}-{tag}{size:x}"' if tag else f'"{video.id}-{size:x}"'


def stream_response(
    request: HttpRequest,
    video: Video,
    fh: BinaryIO,
    size: int,
    *,
    file: PlaybackFile | None = None,
) -> HttpResponse:
    """200 with the whole file, 206 with the asked range, or 416; HEAD gets the headers only.
    `file` says which of the video's files `fh` is (the original by default)."""
    etag = etag_of(video, size, file.tag if file else "")
    filename = file.filename if file else video.filename
    common = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Cache-Control": "private, max-age=3600",
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}",
    }
    if request.headers.get("If-None-Match") == etag:
        fh.close()
        response = HttpResponse(status=304)
        for k, v in common.items():
            response[k] = v
        return response
    header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if header and if_range and if_range.strip() != etag:
        header = None  # the client's copy is another version: send it all
    try:
        wanted = parse_range(header, size)
    except RangeNotSatisfiable:
        fh.close()
        response = HttpResponse(
            f"Range not satisfiable: the video has {size} bytes.\n",
            status=416,
            content_type="text/plain; charset=utf-8",
        )
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    start, end = wanted if wanted is not None else (0, size - 1)
    length = max(0, end - start + 1)
    if request.method == "HEAD":
        fh.close()
        response = HttpResponse(status=206 if wanted else 200)
    else:
        response = StreamingHttpResponse(
            FileSlice(fh, start, length), status=206 if wanted else 200
        )
    response["Content-Type"] = file.content_type if file else content_type_of(video)
    response["Content-Length"] = str(length)
    if wanted is not None:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    for k, v in common.items():
        response[k] = v
    return response


def redirect_response(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"  # the URL expires; never cache the redirect
    return response


def _gone(request: HttpRequest, video: Video) -> HttpResponse:
    when = retention.expires_at(video)
    day = when.strftime("%b %-d, %Y") if when else "earlier"
    message = (
        f"The raw video of this swing was deleted on {day}, "
        f"{retention.raw_video_days()} days after upload. Its skeleton and analysis are kept."
    )
    if wants_json(request) or request.path.startswith("/api/"):
        return JsonResponse({"error": message, "status": video.status}, status=410)
    return render(request, "videos/gone.html", {"message": message, "video": video}, status=410)


def playback_response(request: HttpRequest, video: Video) -> HttpResponse:
    """The stored video: 200/206/416 from the local store, a presigned redirect for S3, 410 once
    expired, 404 if the blob is missing. The browser rendition when there is one (`?original=1`
    asks for the upload as it was); the original when the rendition's blob is missing."""
    original = request.GET.get("original") in ("1", "true", "yes")
    file = playback_file(video, original=original)
    if file is None:
        return _gone(request, video)
    store = get_store()
    try:
        try:
            size = store.size(file.ref)
        except BlobNotFound:
            if file.ref == video.blob_ref:
                raise
            log.warning(
                "video %s: rendition %s is missing; serving the original", video.id, file.ref
            )
            file = playback_file(video, original=True)
            size = store.size(file.ref)
        url = store.presigned_url(file.ref, expires_s=PRESIGNED_SECONDS)
        if url:
            return redirect_response(url)
        fh = store.open(file.ref)
    except BlobNotFound:
        log.warning("video %s: blob %s is missing", video.id, file.ref)
        message = "The video file of this swing is missing from storage."
        if wants_json(request) or request.path.startswith("/api/"):
            return JsonResponse({"error": message}, status=404)
        raise Http404(message) from None
    return stream_response(request, video, fh, size, file=file)
