"""Serving a stored video to the browser: HTTP Range (so the player can seek) or an S3 redirect.

The browser gets the video's rendition (H.264, upright, fast start) when the worker made one.

What we serve is a player's upload, so it is never trusted to be what it says: the type is a
`video/*` one from the probed container (never the uploader's filename or claimed type) or
application/octet-stream, every response carries `nosniff` and a sandboxing CSP (a browser that
opens it as a page runs nothing from it), and the original upload is an attachment.
"""

from __future__ import annotations

import logging
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

from swingvision.db.records import Video
from swingvision.http import wants_json
from swingvision.storage import CHUNK, BlobNotFound, get_store, safe_filename

from . import availability
from .probe import MATROSKA_FAMILY, MP4_FAMILY, container_family

PRESIGNED_SECONDS = 300
# The types we ever serve a stored video as; anything else goes out as application/octet-stream.
VIDEO_TYPES = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
}
GENERIC_TYPE = "application/octet-stream"
# Opened as a page, a video response gets no script, no plugin, no same-origin access.
MEDIA_CSP = "sandbox; default-src 'none'; media-src 'self'"
# ASCII digits, at most 18 of them (an exabyte): a longer or non-ASCII number is no range we
# can serve, so the header is ignored (RFC 9110 §14.2), never parsed into a huge int.
_RANGE_RE = re.compile(r"bytes[ \t]*=[ \t]*([0-9]{0,18})[ \t]*-[ \t]*([0-9]{0,18})", re.ASCII)
MAX_RANGE_HEADER = 200

log = logging.getLogger("swingvision.videos")


class RangeNotSatisfiable(Exception):
    """The Range asks for bytes the file does not have: answer 416."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one byte range (first, last; inclusive) a Range header asks for within `size` bytes.

    None means "send the whole file": no header, another unit, several ranges (allowed by RFC
    9110 §14.2, and browsers ask for one), or a header that does not parse (§14.2 says to
    ignore it). Raises RangeNotSatisfiable when the range starts past the end or is empty."""
    if not header or len(header) > MAX_RANGE_HEADER:
        return None
    m = _RANGE_RE.fullmatch(header.strip(" \t").lower())
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


def original_extension(video: Video) -> str | None:
    """The original's extension as probed ("mp4", "webm", ...); None for rows stored before the
    probe recorded it whose container we do not serve as video."""
    ext = video.metadata.get("extension")
    if ext in VIDEO_TYPES:
        return ext
    container = container_family(video.metadata.get("container"))
    if container == MP4_FAMILY:
        return "mov" if video.metadata.get("brand") == "qt" else "mp4"
    if container == MATROSKA_FAMILY:
        return "webm"
    return None


def content_type_of(video: Video) -> str:
    """The original's type: from its probed container only (an older row's stored type counts
    only when it is one of ours), else application/octet-stream."""
    ext = original_extension(video)
    return VIDEO_TYPES[ext] if ext else GENERIC_TYPE


def playback_file(video: Video, *, original: bool = False) -> PlaybackFile | None:
    """What to serve: the rendition unless `original` is asked for; None when the video has no
    file (expired, or a pose-file-only swing)."""
    if not availability.raw_video_available(video):
        return None
    rendition = video.metadata.get("rendition_ref")
    if rendition and not original:
        version = (video.metadata.get("rendition") or {}).get("version", 1)
        name = safe_filename(video.filename, default="swing", extension="mp4")
        return PlaybackFile(rendition, "video/mp4", name, f"r{version}")
    name = safe_filename(
        video.filename, default="swing", extension=original_extension(video) or "bin"
    )
    return PlaybackFile(video.blob_ref, content_type_of(video), name, "")


def disposition(file: PlaybackFile) -> str:
    """The original upload is an attachment (a browser saves it, never renders it); our own
    rendition plays inline. A <video> element plays either."""
    kind = "inline" if file.tag else "attachment"
    return f"{kind}; filename*=UTF-8''{quote(file.filename)}"


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
    file = file or playback_file(video, original=True)
    etag = etag_of(video, size, file.tag)
    common = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Cache-Control": "private, max-age=3600",
        "Content-Disposition": disposition(file),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": MEDIA_CSP,
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
        response["X-Content-Type-Options"] = "nosniff"
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
    response["Content-Type"] = file.content_type
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
    when = availability.expires_at(video)
    day = when.strftime("%b %-d, %Y") if when else "earlier"
    message = (
        f"The raw video of this swing was deleted on {day}, "
        f"{availability.raw_video_days()} days after upload. Its skeleton and analysis are kept."
    )
    if wants_json(request):
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
    return serve_file(
        request,
        video,
        file,
        fallback=playback_file(video, original=True),
        missing="The video file of this swing is missing from storage.",
    )


def serve_file(
    request: HttpRequest, record, file: PlaybackFile, *, fallback: PlaybackFile | None, missing: str
) -> HttpResponse:
    """A stored file of `record` (a video or a lesson): 200/206/416 from the local store or a
    presigned redirect for S3; `fallback` (the original) when `file` (a rendition) is missing
    from the store; 404 saying `missing` (JSON under /api/) when nothing is there."""
    store = get_store()
    try:
        try:
            size = store.size(file.ref)
        except BlobNotFound:
            if fallback is None or fallback.ref == file.ref:
                raise
            log.warning("%s: rendition %s is missing; serving the original", record.id, file.ref)
            file = fallback
            size = store.size(file.ref)
        url = store.presigned_url(
            file.ref,
            expires_s=PRESIGNED_SECONDS,
            content_type=file.content_type,
            disposition=disposition(file),
        )
        if url:
            return redirect_response(url)
        fh = store.open(file.ref)
    except BlobNotFound:
        log.warning("%s: blob %s is missing", record.id, file.ref)
        return missing_response(request, missing)
    return stream_response(request, record, fh, size, file=file)


def missing_response(request: HttpRequest, message: str) -> HttpResponse:
    """404 for a stored file that is gone from the store: JSON for the API, else the 404 page."""
    if wants_json(request):
        return JsonResponse({"error": message}, status=404)
    raise Http404(message)
