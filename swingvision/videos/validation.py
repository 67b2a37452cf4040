"""Upload input, checked before anything is stored: the streaming size limit, the form fields, the
video (probed with PyAV) and an optional pose file (parsed, its frames matched to the video's).

Every refusal is an UploadRejected naming the field, with the HTTP status to answer: 413 for a
file over the limit, 415 for a body or file that is not what the endpoint takes, 400 otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import SkipFile, StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.datastructures import MultiValueDict

from analysis.engine.metrics import VIEWS
from analysis.engine.pose_io import PoseFile, PoseFileError, load_pose_file
from analysis.engine.pose_io.screen import screen_pose_file
from swingvision.db.managers import ValidationError
from swingvision.numbers import parse_float

from .probe import ProbeError, VideoInfo, probe_video

CLUB_SUGGESTIONS = (
    "Driver",
    "3-wood",
    "5-wood",
    "Hybrid",
    "4-iron",
    "5-iron",
    "6-iron",
    "7-iron",
    "8-iron",
    "9-iron",
    "PW",
    "GW",
    "SW",
    "LW",
    "Putter",
)
_SUGGESTED = {c.casefold(): c for c in CLUB_SUGGESTIONS}


def club_key(club: object) -> str:
    """What clubs are grouped and filtered by: spaces collapsed, case ignored ("Driver" and
    "driver" are one club); "" for none."""
    return club_label(club).casefold()


def club_label(club: object) -> str:
    """A club as pages show it: the suggestion list's spelling when it is one of those ("driver"
    reads "Driver"), else as typed, spaces collapsed; "" for none."""
    text = " ".join(str(club).split()) if club else ""
    return _SUGGESTED.get(text.casefold(), text)


MAX_CLUB_LENGTH = 40
MAX_FILENAME_LENGTH = 200
MAX_FILES_PER_REQUEST = 10
POSE_MAX_BYTES = 64 * 1024 * 1024
# What parsing one pose file may hold beyond its bytes (estimated by the screen): with the bytes
# and their decoded text, the whole stays under 4x POSE_MAX_BYTES (bench/pose_memory.py).
POSE_PARSE_MEMORY = 2 * POSE_MAX_BYTES
MAX_CAPTURE_FPS = 10_000.0
# A pose file may differ from the video by this many frames (decoders disagree about a last,
# incomplete frame); more than that and the file belongs to another clip or another trim.
POSE_FRAME_TOLERANCE = 1
# Browsers and capture apps label videos video/*; some send a generic binary type.
GENERIC_TYPES = {"", "application/octet-stream", "application/mp4", "binary/octet-stream"}


class UploadRejected(ValidationError):
    """An upload refused before anything was stored; `status` is the HTTP answer."""

    def __init__(self, field: str, message: str, *, status: int = 400) -> None:
        super().__init__(field, message)
        self.status = status


def max_upload_bytes() -> int:
    return int(float(settings.SWINGVISION_MAX_UPLOAD_MB) * 1024 * 1024)


def max_request_bytes() -> int:
    """All the files of one request together (the page's form can send several videos); never
    below one video's limit, whatever the settings say."""
    total = int(float(settings.SWINGVISION_MAX_REQUEST_MB) * 1024 * 1024)
    return max(total, max_upload_bytes())


def max_video_seconds() -> float:
    return float(settings.SWINGVISION_MAX_VIDEO_SECONDS)


def max_megapixel_frames() -> float:
    """The worker's decode budget: frames x pixels of a video, in millions (probe.py)."""
    return float(settings.SWINGVISION_MAX_MEGAPIXEL_FRAMES)


def describe_bytes(n: int) -> str:
    if n >= 10**15:  # a Content-Length no upload has (and past a float's range when huge)
        return "over a petabyte"
    mb = n / (1024 * 1024)
    return f"{mb:.0f} MB" if mb >= 10 else f"{mb:.3g} MB"


# -- the request body ---------------------------------------------------------------------------
class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Streams each file to a temporary file and stops the upload at the first part over a limit:
    a file over its field's size, a file past its field's count, or the request's files past
    their total. The partial temporary file is deleted at once and the rest of the body is not
    read (a body whose Content-Length already says it is too large is not read at all). Files in
    fields the endpoint does not take are skipped, never written."""

    chunk_size = 256 * 1024

    def __init__(
        self,
        request: HttpRequest,
        limits: dict[str, int],
        counts: dict[str, int] | None = None,
        total: int | None = None,
    ) -> None:
        """`limits`: the fields taken and each file's size limit; `counts`: files per field (one
        each by default); `total`: all the files together (by default what the counts allow)."""
        super().__init__(request)
        self.limits = limits
        self.counts = counts if counts is not None else dict.fromkeys(limits, 1)
        self.total = (
            total
            if total is not None
            else sum(limit * self.counts.get(field, 0) for field, limit in limits.items())
        )
        self.seen: dict[str, int] = {}
        self.limit = 0
        self.written = 0  # bytes of every file so far
        self.skipped_last = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.input_data = input_data
        self.body_length = content_length  # not content_length: new_file sets that per file
        # The form fields beside the files are bounded by DATA_UPLOAD_MAX_MEMORY_SIZE.
        if content_length and content_length > self.total + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            if sum(self.counts.values()) == 1:  # one file: fewer files is no way out
                field, limit = next((f, n) for f, n in self.limits.items() if self.counts.get(f))
                message = (
                    f"the file is too large: the upload is {describe_bytes(content_length)} "
                    f"and a file may be at most {describe_bytes(min(limit, self.total))}"
                )
            else:
                field = "file"
                message = (
                    f"the upload is {describe_bytes(content_length)}; one request takes at most "
                    f"{describe_bytes(self.total)} of files (send fewer videos at once)"
                )
            self.request.upload_rejected = UploadRejected(field, message, status=413)
            return QueryDict(encoding=encoding), MultiValueDict()  # the body is never read
        return None  # parse as usual

    def upload_interrupted(self) -> None:
        """Django's signal that the body ended inside a file: the client went away. Django also
        sends it when the last file part was skipped (it never completed): not an interruption."""
        if self.skipped_last:
            return
        super().upload_interrupted()
        self._interrupted()

    def upload_complete(self) -> None:
        # The body can also end between parts (inside a form field, or before the closing
        # boundary), which Django does not signal. Under WSGI the request stream counts what it
        # read, and the parser has read to the end of the body by now: fewer bytes than the
        # Content-Length means the client disconnected. (ASGI buffers whole bodies first.)
        stream = getattr(self.input_data, "_stream", self.input_data)  # the request's own
        read = getattr(stream, "_pos", None)
        if read is not None and self.body_length and read < self.body_length:
            self._interrupted()

    def _interrupted(self) -> None:
        if self.request.upload_rejected is None:
            self.request.upload_rejected = UploadRejected(
                "file", "the upload was interrupted before the end: nothing was saved"
            )

    def _stop(self, rejection: UploadRejected) -> None:
        self.request.upload_rejected = rejection
        raise StopUpload(connection_reset=True)

    def new_file(self, field_name: str, *args, **kwargs) -> None:
        self.skipped_last = field_name not in self.limits or not self.counts.get(field_name)
        if self.skipped_last:
            # Django's SkipFile path closes `self.file`, which is still the previous, completed
            # upload: forget it first so that file survives.
            self.__dict__.pop("file", None)
            raise SkipFile()
        self.seen[field_name] = self.seen.get(field_name, 0) + 1
        allowed = self.counts[field_name]
        if self.seen[field_name] > allowed:
            self.__dict__.pop("file", None)  # the previous, completed file stays a file
            if field_name == "pose_file":
                message = "attach one pose file at a time"
            elif allowed == 1:
                message = "send one video per request"
            else:
                message = f"at most {allowed} videos at once"
            self._stop(UploadRejected(field_name, message))
        self.limit = self.limits[field_name]
        super().new_file(field_name, *args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) > self.limit:
            self.file.close()  # a NamedTemporaryFile: closing deletes it
            self._stop(
                UploadRejected(
                    self.field_name,
                    f"{self.file_name} is larger than the {describe_bytes(self.limit)} limit",
                    status=413,
                )
            )
        if self.written + len(raw_data) > self.total:
            self.file.close()
            self._stop(
                UploadRejected(
                    self.field_name,
                    f"the files of this upload pass {describe_bytes(self.total)} in all at "
                    f"{self.file_name}: send fewer videos at once",
                    status=413,
                )
            )
        self.written += len(raw_data)
        self.file.write(raw_data)


def install_upload_handlers(request: HttpRequest, *, videos: int = MAX_FILES_PER_REQUEST) -> None:
    """Before the body is read (so before any CSRF check reads request.POST). `videos`: how many
    files the endpoint takes in `file` (0: none, e.g. attaching a pose file)."""
    request.upload_rejected = None
    request.upload_handlers = [
        LimitedUploadHandler(
            request,
            {"file": max_upload_bytes(), "pose_file": POSE_MAX_BYTES},
            {"file": videos, "pose_file": 1},
            max_request_bytes(),
        )
    ]


def read_upload(request: HttpRequest) -> None:
    """Parse the multipart body; raise the handler's rejection if a file was too large."""
    content_type = request.content_type or ""
    if content_type != "multipart/form-data":
        raise UploadRejected(
            "file",
            f"send the upload as multipart/form-data, not {content_type or 'no content type'}",
            status=415,
        )
    try:
        request.POST  # noqa: B018 - parses the body through LimitedUploadHandler
    except MultiPartParserError as e:
        raise UploadRejected("file", f"the multipart body cannot be read ({e})") from None
    except TooManyFilesSent:
        raise UploadRejected("file", f"at most {MAX_FILES_PER_REQUEST} videos at once") from None
    except RequestDataTooBig:
        raise UploadRejected("file", "the form fields are too large", status=413) from None
    if request.upload_rejected is not None:
        raise request.upload_rejected


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> str:  # type: ignore[override]
        return reason


def csrf_failure(request: HttpRequest) -> str | None:
    """The CSRF check of a write, run by hand in views that must set their upload handlers
    first (the middleware would read request.POST before them). None when it passes."""
    return _CsrfCheck(lambda r: None).process_view(request, None, (), {})


# -- fields -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class SwingFields:
    club: str | None
    view: str | None
    capture_fps: float | None


def clean_fields(data) -> SwingFields:
    club = club_label(data.get("club", ""))
    if len(club) > MAX_CLUB_LENGTH:
        raise UploadRejected("club", f"at most {MAX_CLUB_LENGTH} characters")
    if club and not club.isprintable():
        raise UploadRejected("club", "letters, digits and punctuation only")
    view = str(data.get("view", "")).strip().lower()
    if view and view not in VIEWS:
        raise UploadRejected("view", f"must be one of: {', '.join(VIEWS)}")
    raw_fps = str(data.get("capture_fps", "")).strip()
    capture_fps = None
    if raw_fps:
        try:
            capture_fps = parse_float("capture_fps", raw_fps, lo=1.0, hi=MAX_CAPTURE_FPS)
        except ValidationError as e:
            raise UploadRejected(
                "capture_fps", f"{e.message} (frames per second, 1 to {MAX_CAPTURE_FPS:g})"
            ) from None
    return SwingFields(club=club or None, view=view or None, capture_fps=capture_fps)


def display_filename(upload: UploadedFile) -> str:
    """The name shown in lists. Django already dropped any path and unprintable characters; the
    blob key uses storage.safe_filename, so this name never reaches a path."""
    name = (upload.name or "video").strip()
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        keep = MAX_FILENAME_LENGTH - len(ext) - 1 if dot and len(ext) <= 10 else 0
        name = f"{stem[:keep]}.{ext}" if keep > 0 else name[:MAX_FILENAME_LENGTH]
    return name


# -- the video and its pose file --------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class CheckedVideo:
    """An uploaded video that passed every check, with its optional pose file."""

    upload: UploadedFile
    path: Path
    filename: str
    content_type: str
    info: VideoInfo
    fields: SwingFields
    pose_bytes: bytes | None = None
    pose_filename: str = ""
    pose: PoseFile | None = None


def check_content_type(upload: UploadedFile) -> str:
    content_type = (upload.content_type or "").lower()
    if content_type in GENERIC_TYPES or content_type.startswith("video/"):
        return content_type
    raise UploadRejected(
        "file",
        f"{upload.name} was sent as {content_type}, which is not a video type "
        "(send video/mp4, video/quicktime, ... or application/octet-stream)",
        status=415,
    )


def check_video(upload: UploadedFile, fields: SwingFields) -> CheckedVideo:
    check_content_type(upload)
    if upload.size == 0:
        raise UploadRejected("file", f"{upload.name} is empty")
    path = Path(upload.temporary_file_path())
    try:
        info = probe_video(
            path, max_seconds=max_video_seconds(), max_megapixel_frames=max_megapixel_frames()
        )
    except ProbeError as e:
        raise UploadRejected("file", f"{upload.name}: {e}") from None
    return CheckedVideo(
        upload=upload,
        path=path,
        filename=display_filename(upload),
        # What the file is, not what the client called it: the served type and the stored
        # extension both come from the probed container.
        content_type=info.content_type or "application/octet-stream",
        info=info,
        fields=fields,
    )


def read_pose_upload(upload: UploadedFile) -> bytes:
    """The pose file's bytes, once its shape (screened from the temporary file in fixed chunks)
    says it is a pose file whose parse fits POSE_PARSE_MEMORY: a header that cannot be one, too
    many columns, rows or values is refused before the body is read into memory."""
    if upload.size == 0:
        raise UploadRejected("pose_file", f"{upload.name} is empty")
    upload.seek(0)
    try:
        screen_pose_file(upload, max_memory=POSE_PARSE_MEMORY)
    except PoseFileError as e:
        raise UploadRejected("pose_file", f"{upload.name}: {e}") from None
    upload.seek(0)
    return upload.read()


def check_pose(
    data: bytes, filename: str, *, width: int | None, height: int | None, frame_count: int
) -> PoseFile:
    """The pose file parsed against the video: its frame size, its number of frames."""
    try:
        pose = load_pose_file(data, filename, width=width, height=height)
    except PoseFileError as e:
        raise UploadRejected("pose_file", f"{filename}: {e}") from None
    frames = len(pose.keypoints)
    if abs(frames - frame_count) > POSE_FRAME_TOLERANCE:
        raise UploadRejected(
            "pose_file",
            f"{filename} has poses for {frames} frames but the video has {frame_count} "
            "frames: is it the pose file of this clip, trimmed the same way?",
        )
    return pose


def with_pose(video: CheckedVideo, upload: UploadedFile) -> CheckedVideo:
    data = read_pose_upload(upload)
    name = display_filename(upload)
    info = video.info
    pose = check_pose(
        data, name, width=info.width, height=info.height, frame_count=info.frame_count
    )
    return CheckedVideo(
        upload=video.upload,
        path=video.path,
        filename=video.filename,
        content_type=video.content_type,
        info=video.info,
        fields=video.fields,
        pose_bytes=data,
        pose_filename=name,
        pose=pose,
    )


def check_request_files(request: HttpRequest, *, single: bool) -> list[CheckedVideo]:
    """Every video of a parsed upload request, checked; the first problem raises."""
    files = request.FILES.getlist("file")
    poses = request.FILES.getlist("pose_file")
    if not files:
        raise UploadRejected("file", "choose a video file to upload")
    if single and len(files) > 1:
        raise UploadRejected("file", "send one video per request")
    if len(files) > MAX_FILES_PER_REQUEST:
        raise UploadRejected("file", f"at most {MAX_FILES_PER_REQUEST} videos at once")
    if len(poses) > 1 or (poses and len(files) > 1):
        raise UploadRejected("pose_file", "attach a pose file to one video at a time")
    fields = clean_fields(request.POST)
    checked = [check_video(f, fields) for f in files]
    if poses:
        checked[0] = with_pose(checked[0], poses[0])
    return checked


def close_uploads(request: HttpRequest) -> None:
    """Delete the request's temporary files now rather than when the response is closed."""
    files = getattr(request, "_files", None)
    if not files:
        return
    for _, uploads in files.lists():
        for upload in uploads:
            upload.close()
