"""What an uploaded file is, read with PyAV before anything is stored: a video we can use, or why not.

`probe_video` opens the file, demuxes every packet of the first video stream (no decoding, so a
500 MB file takes about a second) to count frames, measure the duration, see whether the frame
rate varies and how far apart the keyframes are, and decodes the first frame to prove the codec
works and to read the display rotation and pixel format. For MP4/MOV files it also reads the
top-level boxes to see whether the index (`moov`) comes before the media (`mdat`): "fast start".
Those last facts decide whether the worker makes a browser rendition (videos/renditions.py).
Every reason to refuse a file is a ProbeError whose message a person can act on.

Only the containers in CONTAINERS are taken (MP4/MOV and WebM/Matroska), and only when the file is
that container from its first byte to its last (`container_layout`): FFmpeg's demuxers skip
foreign bytes, so a page or a script with a video glued after it would otherwise pass as a video
and be served back from our origin. The stored extension and the served type come from here,
never from the uploader's filename.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

# Bump when the metadata below changes shape, so a later re-probe can tell old rows apart.
PROBE_VERSION = 3  # 2: pix_fmt, brand, faststart, max_keyframe_gap; 3: extension, content_type
MAX_FRAMES = 100_000  # the pose files' limit too (analysis.engine.pose_io.MAX_FRAMES)
MAX_DIMENSION = 8192
# What the worker decodes (and re-encodes for the browser) grows with frames x pixels; a tiny file
# of a still 4096x4096 picture repeated 120 times cost about 10 s. The default budget, 4,000
# megapixel-frames, is 60 s of 1080p at 30 fps (or 15 s at 120 fps, 8 s of 4K at 60 fps).
DEFAULT_MAX_MEGAPIXEL_FRAMES = 4000
MIN_FRAMES = 2
# Containers that hold still images (FFmpeg's image2 demuxer and the *_pipe image readers).
IMAGE_FORMATS = {"image2", "image2pipe", "apng", "gif", "ico", "tiff_pipe", "webp_pipe"}
# A frame interval this far from the median counts as irregular; more than VFR_SHARE of them
# irregular means a variable frame rate (phones do this in low light).
VFR_TOLERANCE = 0.25
VFR_SHARE = 0.02
# Decoding the first frame normally needs one packet; B-frame reordering can hold a few back.
FIRST_FRAME_PACKETS = 64
MP4_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
MATROSKA_FAMILY = "matroska,webm"
# FFmpeg demuxer -> what the product accepts it as (the upload page lists the same).
CONTAINERS = {MP4_FAMILY: "MP4/MOV", MATROSKA_FAMILY: "WebM/Matroska"}
# A container as rows may name it: the probe writes FFmpeg's demuxer name; rows written
# otherwise (the demo's, before it wrote the probe's) name it by one of its formats.
CONTAINER_NAMES = {
    MP4_FAMILY: MP4_FAMILY,
    **dict.fromkeys(MP4_FAMILY.split(","), MP4_FAMILY),
    "mov": MP4_FAMILY,
    "m4v": MP4_FAMILY,
    "quicktime": MP4_FAMILY,
    MATROSKA_FAMILY: MATROSKA_FAMILY,
    "matroska": MATROSKA_FAMILY,
    "mkv": MATROSKA_FAMILY,
    "webm": MATROSKA_FAMILY,
}
ACCEPTED = "MP4/MOV or WebM/Matroska"
# Top-level boxes read before giving up on finding moov/mdat (a file has a handful).
MAX_TOP_BOXES = 64
# Top-level boxes or elements walked to prove a file is one container end to end. A fragmented
# MP4 has two per fragment (moof, mdat); a 60 s clip at 240 fps with a fragment per frame has
# about 29,000.
MAX_LAYOUT_ELEMENTS = 100_000
# Boxes an MP4/MOV file may start with (ISO/IEC 14496-12 and QuickTime's top level).
MP4_FIRST_BOXES = {b"ftyp", b"styp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"uuid"}
# Other top-level boxes of ISO/IEC 14496-12 (a box we do not know is taken when it fits the file;
# one that claims more bytes than the file has is foreign, unless it is one of these: truncated).
MP4_LATER_BOXES = {b"moof", b"mfra", b"sidx", b"ssix", b"meta", b"pdin", b"prft", b"emsg"}
EBML_HEADER = 0x1A45DFA3
EBML_DOCTYPE = 0x4282
MATROSKA_SEGMENT = 0x18538067
MATROSKA_TOP_LEVEL = {EBML_HEADER, MATROSKA_SEGMENT, 0xEC}  # 0xEC: Void (padding)


class ProbeError(ValueError):
    """The file is not a video we can use; the message says why, for the person uploading it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VideoInfo:
    """Facts about a video file. `width`/`height` are as displayed, after `rotation`."""

    container: str  # FFmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    codec: str  # e.g. "h264", "hevc", "vp9"
    width: int
    height: int
    coded_width: int
    coded_height: int
    rotation: int  # 0, 90, 180 or 270 degrees, from the display matrix
    fps: float  # average frame rate of the file as stored
    variable_frame_rate: bool
    frame_count: int
    duration_s: float
    has_audio: bool
    pix_fmt: str | None = None  # of the decoded frames, e.g. "yuv420p", "yuv420p10le"
    brand: str | None = None  # MP4/MOV major brand, e.g. "qt" (QuickTime .mov), "isom", "mp42"
    faststart: bool | None = None  # MP4/MOV: the index comes before the media (None: not MP4)
    max_keyframe_gap: int | None = None  # most frames from a keyframe to the next (or the end)
    extension: str | None = None  # the stored file's: "mp4", "mov", "webm" or "mkv"
    content_type: str | None = None  # served as: video/mp4, video/quicktime, video/webm, ...

    def as_metadata(self) -> dict[str, Any]:
        """The video row's metadata keys for these facts (other keys come from the upload form)."""
        return {**asdict(self), "probe_version": PROBE_VERSION}


# FFmpeg demuxer -> what a person calls such a file (for "not a video: it looks like ...").
FORMAT_WORDS = {
    "png_pipe": "a PNG image",
    "apng": "an animated PNG image",
    "jpeg_pipe": "a JPEG image",
    "jpegls_pipe": "a JPEG image",
    "mjpeg": "a JPEG image",
    "gif": "a GIF image",
    "webp_pipe": "a WebP image",
    "bmp_pipe": "a BMP image",
    "tiff_pipe": "a TIFF image",
    "svg_pipe": "an SVG image",
    "ico": "an icon image",
    "image2": "an image",
    "image2pipe": "an image",
    "mp3": "an MP3 sound file",
    "wav": "a WAV sound file",
    "flac": "a FLAC sound file",
    "ogg": "an Ogg sound file",
    "aac": "an AAC sound file",
    "avi": "an AVI video",
    "flv": "a Flash video",
    "asf": "a Windows Media video",
    "mpeg": "an MPEG video",
    "mpegts": "an MPEG transport stream",
    "h264": "a raw H.264 stream",
    "hevc": "a raw HEVC stream",
}


def describe_format(name: str) -> str:
    """What a file FFmpeg read as `name` is, in words ("a PNG image"); any other image pipe is
    an image, anything else is named by FFmpeg's name for it."""
    if name in FORMAT_WORDS:
        return FORMAT_WORDS[name]
    if name.endswith("_pipe"):
        return f"an image ({name.removesuffix('_pipe').upper()})"
    return f"a file of another kind ({name})"


def is_image_format(name: str) -> bool:
    return name in IMAGE_FORMATS or name.endswith("_pipe") or name == "mjpeg"


def container_family(name: object) -> str | None:
    """MP4_FAMILY or MATROSKA_FAMILY for a stored row's container (the probe's demuxer name or
    a short one such as "mp4" or "webm", any case); None for anything else."""
    if not isinstance(name, str):
        return None
    return CONTAINER_NAMES.get(name.strip().lower())


def decode_budget_error(
    width: int, height: int, frames: int, max_megapixel_frames: float
) -> str | None:
    """Why a video of `frames` frames of width x height costs the worker more than it takes
    (frames x pixels over the budget), or None when it fits."""
    cost = width * height * frames / 1e6
    if cost <= max_megapixel_frames:
        return None
    return (
        f"the video is {frames:,} frames of {width}x{height} ({cost:,.0f} megapixel-frames); "
        f"the analysis takes at most {max_megapixel_frames:,.0f} megapixel-frames (frames x "
        "pixels): trim the clip to the swing or record at a lower resolution or frame rate"
    )


def probe_video(
    path: str | os.PathLike[str],
    *,
    max_seconds: float | None = None,
    max_megapixel_frames: float | None = None,
) -> VideoInfo:
    """Read a video file's facts, or raise ProbeError naming the problem."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ProbeError(f"the file cannot be read ({e.strerror})") from None
    if size == 0:
        raise ProbeError("the file is empty")
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except av.FFmpegError as e:
        raise ProbeError(
            "not a video file, or a damaged or truncated one "
            f"(FFmpeg could not read it: {_ffmpeg_reason(e)})"
        ) from None
    with container:
        return _probe_open(container, max_seconds, max_megapixel_frames)


def _probe_open(
    container: Any, max_seconds: float | None, max_megapixel_frames: float | None
) -> VideoInfo:
    fmt = container.format.name
    if not container.streams.video:
        if container.streams.audio:
            raise ProbeError("the file has sound but no picture (audio only): upload a video")
        raise ProbeError("the file has no video stream")
    stream = container.streams.video[0]
    codec = stream.codec_context.name if stream.codec_context is not None else "unknown codec"
    if fmt in IMAGE_FORMATS or fmt.endswith("_pipe"):
        raise ProbeError(f"this is an image file ({codec}), not a video")
    if fmt not in CONTAINERS:
        raise ProbeError(
            f"the video is in a container we do not take ({fmt}): upload {ACCEPTED} "
            "(phones and cameras record these)"
        )
    layout = container_layout(container.name, fmt)
    if stream.codec_context is None:
        raise ProbeError("the video stream's codec is unknown: the file is damaged")
    coded_w, coded_h = stream.codec_context.width, stream.codec_context.height
    if not coded_w or not coded_h:
        raise ProbeError("the video stream has no frame size: the file is damaged")
    if coded_w > MAX_DIMENSION or coded_h > MAX_DIMENSION:
        raise ProbeError(
            f"the frame size {coded_w}x{coded_h} is larger than {MAX_DIMENSION}x{MAX_DIMENSION}"
        )
    header_s = _header_seconds(container, stream)
    if max_seconds is not None and header_s is not None and header_s > max_seconds * 1.01:
        raise ProbeError(_too_long(header_s, max_seconds))
    # The frame count the header states, checked before reading every packet (a lie is caught
    # by the count below).
    if max_megapixel_frames is not None and stream.frames:
        over = decode_budget_error(coded_w, coded_h, stream.frames, max_megapixel_frames)
        if over:
            raise ProbeError(over)

    # Frames of this size the budget takes: demuxing stops at the first frame past it.
    budget_frames = (
        int(max_megapixel_frames * 1e6 // (coded_w * coded_h))
        if max_megapixel_frames is not None
        else None
    )
    pts: list[int] = []
    keys: list[int] = []
    end = None
    first_frame = None
    decoded_packets = 0
    try:
        for packet in container.demux(stream):
            if packet.size == 0:  # the demuxer's end-of-stream flush packet
                continue
            stamp = packet.pts if packet.pts is not None else packet.dts
            if stamp is not None:
                pts.append(stamp)
                if packet.is_keyframe:
                    keys.append(stamp)
                if packet.duration:
                    end = max(end or stamp, stamp + packet.duration)
            if len(pts) > MAX_FRAMES:
                raise ProbeError(f"the video has more than {MAX_FRAMES:,} frames")
            if budget_frames is not None and len(pts) > budget_frames:
                raise ProbeError(
                    decode_budget_error(coded_w, coded_h, len(pts), max_megapixel_frames or 0)
                    or "the video has too many frames for its size"
                )
            if first_frame is None and decoded_packets < FIRST_FRAME_PACKETS:
                decoded_packets += 1
                frames = stream.codec_context.decode(packet)
                if frames:
                    first_frame = frames[0]
        if first_frame is None:
            for frame in stream.codec_context.decode(None):  # drain frames held back
                first_frame = frame
                break
    except av.FFmpegError as e:
        raise ProbeError(
            f"the video data is damaged after frame {len(pts)} ({_ffmpeg_reason(e)})"
        ) from None

    count = len(pts)
    if count == 0 or first_frame is None:
        raise ProbeError("no frame of the video could be decoded: the file is damaged")
    if stream.frames and count < stream.frames:
        raise ProbeError(
            f"the file is truncated: its index lists {stream.frames} frames but only {count} "
            "are present (was the upload or the recording cut short?)"
        )
    if count < MIN_FRAMES:
        raise ProbeError("the video has a single frame: a still image, not a video")

    tb = stream.time_base or Fraction(1, 1)
    ordered = np.sort(np.asarray(pts, dtype=np.int64))
    deltas = np.diff(ordered)
    step = float(np.median(deltas)) if deltas.size else 0.0
    if end is None:
        end = int(ordered[-1]) + int(step)
    duration_s = float((end - int(ordered[0])) * tb)
    if duration_s <= 0:
        raise ProbeError("the video's timestamps are broken (zero duration)")
    if max_seconds is not None and duration_s > max_seconds:
        raise ProbeError(_too_long(duration_s, max_seconds))
    rate = stream.average_rate or stream.guessed_rate
    fps = float(rate) if rate else count / duration_s
    vfr = bool(
        deltas.size >= 2
        and step > 0
        and np.mean(np.abs(deltas - step) > VFR_TOLERANCE * step) > VFR_SHARE
    )
    if vfr:
        fps = count / duration_s  # the header's rate is a guess when frames come unevenly

    rotation = _rotation(first_frame, stream)
    width, height = (coded_h, coded_w) if rotation in (90, 270) else (coded_w, coded_h)
    brand = str(container.metadata.get("major_brand") or "").strip() or None
    return VideoInfo(
        container=container.format.name,
        codec=codec,
        width=width,
        height=height,
        coded_width=coded_w,
        coded_height=coded_h,
        rotation=rotation,
        fps=round(fps, 4),
        variable_frame_rate=vfr,
        frame_count=count,
        duration_s=round(duration_s, 4),
        has_audio=bool(container.streams.audio),
        pix_fmt=getattr(first_frame.format, "name", None),
        brand=brand if fmt == MP4_FAMILY else None,
        faststart=_moov_first(container.name) if fmt == MP4_FAMILY else None,
        max_keyframe_gap=_max_keyframe_gap(ordered, keys),
        extension=layout.extension,
        content_type=layout.content_type,
    )


@dataclass(frozen=True, slots=True)
class ContainerFile:
    """What a file is stored and served as, read from its own bytes."""

    extension: str
    content_type: str


def container_layout(path: str | os.PathLike[str], fmt: str) -> ContainerFile:
    """Prove the file is one `fmt` container from its first byte to its last, or raise
    ProbeError: no bytes before it, none after it, nothing between its top-level parts."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if fmt == MP4_FAMILY:
                return _mp4_layout(fh, size)
            if fmt == MATROSKA_FAMILY:
                return _matroska_layout(fh, size)
    except OSError as e:
        raise ProbeError(f"the file cannot be read ({e.strerror})") from None
    raise ProbeError(f"the video is in a container we do not take ({fmt}): upload {ACCEPTED}")


def _foreign(where: str) -> ProbeError:
    return ProbeError(
        f"the file has data {where} that is not part of the video: upload the video as "
        "the camera or app saved it"
    )


def _truncated(missing: int) -> ProbeError:
    return ProbeError(
        f"the file is truncated: {missing:,} bytes of the video are missing at the end "
        "(was the upload or the recording cut short?)"
    )


def _mp4_layout(fh: Any, size: int) -> ContainerFile:
    """MP4/MOV: top-level boxes (size, type) that tile the file exactly."""
    offset = 0
    brand = b""
    for count in range(MAX_LAYOUT_ELEMENTS):
        if offset == size:
            break
        fh.seek(offset)
        header = fh.read(16)
        if len(header) < 8:
            raise _foreign("after the end of the MP4/MOV container")
        box_size = int.from_bytes(header[:4], "big")
        kind = header[4:8]
        head = 8
        if box_size == 1:  # a 64-bit size follows the type
            if len(header) < 16:
                raise _foreign("after the end of the MP4/MOV container")
            box_size, head = int.from_bytes(header[8:16], "big"), 16
        elif box_size == 0:  # the box runs to the end of the file
            box_size = size - offset
        printable = all(0x20 <= b <= 0x7E for b in kind)
        if count == 0 and kind not in MP4_FIRST_BOXES:
            raise _foreign("before the MP4/MOV container (it must start with its first box)")
        if not printable or box_size < head:
            raise _foreign(f"at byte {offset:,} (after the end of the MP4/MOV container)")
        if offset + box_size > size:
            if kind in MP4_FIRST_BOXES or kind in MP4_LATER_BOXES:
                raise _truncated(offset + box_size - size)
            raise _foreign(f"at byte {offset:,} (after the end of the MP4/MOV container)")
        if kind == b"ftyp" and not brand:
            brand = header[8:12]
        offset += box_size
    else:
        raise ProbeError(f"the file has more than {MAX_LAYOUT_ELEMENTS:,} top-level boxes")
    if brand == b"qt  ":
        return ContainerFile("mov", "video/quicktime")
    return ContainerFile("mp4", "video/mp4")


def _ebml_id(fh: Any) -> int | None:
    first = fh.read(1)
    if not first:
        return None
    length = 9 - first[0].bit_length()  # the leading zeros plus the marker bit
    if not 1 <= length <= 4:
        return None
    rest = fh.read(length - 1)
    if len(rest) != length - 1:
        return None
    return int.from_bytes(first + rest, "big")


def _ebml_size(fh: Any) -> int | None:
    """An element's data size; -1 for the reserved "unknown size" (it runs to its parent's end)."""
    first = fh.read(1)
    if not first:
        return None
    length = 9 - first[0].bit_length()
    if not 1 <= length <= 8:
        return None
    rest = fh.read(length - 1)
    if len(rest) != length - 1:
        return None
    value = int.from_bytes(bytes([first[0] & (0xFF >> length)]) + rest, "big")
    return -1 if value == (1 << (7 * length)) - 1 else value


def _matroska_layout(fh: Any, size: int) -> ContainerFile:
    """WebM/Matroska: an EBML header first, then segments (and Void padding) that tile the file."""
    offset = 0
    doctype = b""
    for count in range(MAX_LAYOUT_ELEMENTS):
        if offset == size:
            break
        fh.seek(offset)
        element = _ebml_id(fh)
        length = _ebml_size(fh) if element is not None else None
        if count == 0 and element != EBML_HEADER:
            raise _foreign("before the WebM/Matroska container (it must start with its header)")
        if element not in MATROSKA_TOP_LEVEL or length is None:
            raise _foreign(f"at byte {offset:,} (after the end of the WebM/Matroska container)")
        data_at = fh.tell()
        if length == -1:
            if element != MATROSKA_SEGMENT:
                raise _foreign(f"at byte {offset:,} of the WebM/Matroska container")
            break  # a live recording's segment (MediaRecorder): it runs to the end of the file
        if data_at + length > size:
            raise _truncated(data_at + length - size)
        if element == EBML_HEADER and not doctype:
            doctype = _ebml_doctype(fh, data_at + length)
        offset = data_at + length
    else:
        raise ProbeError(f"the file has more than {MAX_LAYOUT_ELEMENTS:,} top-level elements")
    if doctype == b"webm":
        return ContainerFile("webm", "video/webm")
    if doctype == b"matroska":
        return ContainerFile("mkv", "video/x-matroska")
    raise ProbeError("the WebM/Matroska header names no document type we take")


def _ebml_doctype(fh: Any, end: int) -> bytes:
    """The DocType string among the EBML header's children ("webm", "matroska")."""
    while fh.tell() < end:
        element = _ebml_id(fh)
        length = _ebml_size(fh)
        if element is None or length is None or length < 0 or fh.tell() + length > end:
            break
        if element == EBML_DOCTYPE:
            return fh.read(min(length, 64)).rstrip(b"\0")
        fh.seek(length, os.SEEK_CUR)
    return b""


def _max_keyframe_gap(ordered: np.ndarray, keys: list[int]) -> int:
    """The most frames a seek may have to decode: from a keyframe to the next one, or to the end
    (frames in presentation order; a clip with one keyframe has a gap of its whole length)."""
    if not keys:
        return int(len(ordered))
    at = np.unique(np.searchsorted(ordered, np.asarray(keys, dtype=np.int64)))
    bounds = np.append(at, len(ordered))
    return int(max(at[0], np.diff(bounds).max()))


def _moov_first(path: str) -> bool | None:
    """Whether the MP4/MOV index box (moov) comes before the media box (mdat): a browser can
    then start playing and seeking after the first request. None when the boxes cannot be read
    (the probe already proved the file plays; this is only a hint for the rendition)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            offset = 0
            for _ in range(MAX_TOP_BOXES):
                if offset + 8 > size:
                    return None
                fh.seek(offset)
                header = fh.read(16)
                box_size = int.from_bytes(header[:4], "big")
                kind = header[4:8]
                if kind == b"moov":
                    return True
                if kind == b"mdat":
                    return False
                if box_size == 1:  # a 64-bit size follows the type
                    box_size = int.from_bytes(header[8:16], "big")
                elif box_size == 0:  # the box runs to the end of the file
                    return None
                if box_size < 8:
                    return None
                offset += box_size
    except OSError:
        return None
    return None


def _header_seconds(container: Any, stream: Any) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return None


def _too_long(seconds: float, limit: float) -> str:
    return (
        f"the video is {seconds:.1f} s long; the limit is {limit:g} s "
        "(trim it to the swing before uploading)"
    )


def _rotation(frame: Any, stream: Any) -> int:
    """Degrees the picture is turned for display. FFmpeg 6+ moved the display matrix from the
    stream's `rotate` tag to side data, which PyAV exposes on decoded frames."""
    degrees = getattr(frame, "rotation", 0) or 0
    if not degrees:
        try:
            degrees = float(stream.metadata.get("rotate", 0) or 0)
        except ValueError:
            degrees = 0
    return int(round(degrees / 90.0)) * 90 % 360


def _ffmpeg_reason(e: Exception) -> str:
    reason = getattr(e, "strerror", None) or str(e)
    return reason.rstrip(".")
