"""The PyAV probe: the facts recorded for good videos, a clear reason for everything else."""

from __future__ import annotations

import pytest

from swingvision.videos.probe import PROBE_VERSION, ProbeError, probe_video

from . import media


def test_facts_of_a_plain_h264_mp4(media_dir):
    info = probe_video(media_dir / "swing.mp4", max_seconds=60)
    assert info.container.startswith("mov,mp4")
    assert (info.codec, info.width, info.height, info.rotation) == ("h264", 64, 48, 0)
    assert info.fps == pytest.approx(30.0)
    assert info.frame_count == 12
    assert info.duration_s == pytest.approx(0.4, abs=1e-3)
    assert info.variable_frame_rate is False
    assert info.has_audio is False
    meta = info.as_metadata()
    assert meta["probe_version"] == PROBE_VERSION and meta["frame_count"] == 12


def test_the_real_golfdb_clip():
    info = probe_video(media.GOLFDB_VIDEO, max_seconds=60)
    assert (info.width, info.height, info.frame_count) == (354, 492, 264)
    assert info.fps == pytest.approx(29.97, abs=0.01)
    assert info.duration_s == pytest.approx(264 / 29.97, abs=0.05)


def test_rotation_swaps_the_display_size(media_dir):
    info = probe_video(media_dir / "rotated.mp4")
    assert info.rotation == 90
    assert (info.coded_width, info.coded_height) == (64, 48)
    assert (info.width, info.height) == (48, 64)


def test_uneven_frame_times_mean_a_variable_frame_rate(tmp_path):
    stamps = [0, 33, 66, 100, 180, 200, 233, 300, 333, 366, 450, 466]
    info = probe_video(media.make_video(tmp_path / "vfr.mp4", timestamps=stamps))
    assert info.variable_frame_rate is True
    assert info.frame_count == 12
    assert info.fps == pytest.approx(12 / info.duration_s, rel=1e-3)


def test_vp9_in_webm(tmp_path):
    info = probe_video(media.make_video(tmp_path / "v.webm", codec="libvpx-vp9"))
    assert (info.container, info.codec, info.frame_count) == ("matroska,webm", "vp9", 12)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "empty.mp4", "the file is empty"),
        (lambda d: d / "text.mp4", "not a video file"),
        (lambda d: d / "image.png", r"image file \(png\), not a video"),
        (lambda d: d / "voice.m4a", "audio only"),
        (lambda d: d / "voice.wav", "audio only"),
        (lambda d: d / "half.mp4", "not a video file, or a damaged or truncated one"),
        (lambda d: d / "half-faststart.mp4", "the file is truncated"),
        (lambda d: d / "one-frame.mp4", "a single frame"),
    ],
    ids=["empty", "text", "png", "aac", "wav", "truncated", "truncated-faststart", "one-frame"],
)
def test_what_is_refused_and_why(tmp_path, media_dir, make, message):
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "text.mp4").write_text("this is a text file renamed to .mp4\n" * 20)
    (tmp_path / "image.png").write_bytes(media.png_bytes())
    (tmp_path / "voice.m4a").write_bytes((media_dir / "voice.m4a").read_bytes())
    media.make_audio(tmp_path / "voice.wav")
    whole = (media_dir / "swing.mp4").read_bytes()
    (tmp_path / "half.mp4").write_bytes(whole[: len(whole) // 2])
    whole = (media_dir / "swing-faststart.mp4").read_bytes()
    (tmp_path / "half-faststart.mp4").write_bytes(whole[: len(whole) // 2])
    media.make_video(tmp_path / "one-frame.mp4", frames=1)
    with pytest.raises(ProbeError, match=message):
        probe_video(make(tmp_path), max_seconds=60)


def test_a_clip_over_the_duration_limit(media_dir):
    with pytest.raises(ProbeError, match=r"0\.4 s long; the limit is 0\.25 s"):
        probe_video(media_dir / "swing.mp4", max_seconds=0.25)
    with pytest.raises(ProbeError, match=r"8\.8 s long; the limit is 5 s"):
        probe_video(media.GOLFDB_VIDEO, max_seconds=5)


# -- only the containers we list, and only when nothing but the container is in the file ----------
@pytest.mark.parametrize("container", ["nut", "avi", "mpegts", "flv"])
def test_containers_we_do_not_list_are_refused(tmp_path, container):
    path = tmp_path / "clip.bin"
    path.write_bytes(media.container_bytes(container))
    with pytest.raises(ProbeError, match=rf"container we do not take \({container}\)"):
        probe_video(path)


@pytest.mark.parametrize(
    ("container", "ext", "content_type"),
    [
        ("mp4", "mp4", "video/mp4"),
        ("mov", "mov", "video/quicktime"),
        ("webm", "webm", "video/webm"),
        ("matroska", "mkv", "video/x-matroska"),
    ],
)
def test_the_stored_extension_and_type_come_from_the_container(
    tmp_path, container, ext, content_type
):
    codec = "libvpx-vp9" if container == "webm" else "libx264"
    path = tmp_path / "x.html"  # the name plays no part
    path.write_bytes(media.container_bytes(container, codec=codec))
    info = probe_video(path)
    assert (info.extension, info.content_type) == (ext, content_type)
    assert info.as_metadata()["extension"] == ext


@pytest.mark.parametrize("container", ["nut", "mp4", "webm", "matroska", "mpegts"])
@pytest.mark.parametrize("where", ["before", "after"])
def test_a_page_glued_to_a_video_is_refused(tmp_path, container, where):
    """The attack of issue 19: FFmpeg's demuxers skip foreign bytes, so HTML or SVG in front of
    (or behind) a real video used to pass as that video."""
    codec = "libvpx-vp9" if container == "webm" else "libx264"
    video = media.container_bytes(container, codec=codec)
    path = tmp_path / "x.html"
    path.write_bytes(media.XSS_HTML + video if where == "before" else video + media.XSS_SVG)
    with pytest.raises(ProbeError, match="not part of the video|not a video|do not take"):
        probe_video(path)


def test_trailing_padding_is_refused(tmp_path):
    path = tmp_path / "padded.mp4"
    path.write_bytes(media.container_bytes("mp4") + b"\x00" * 7)
    with pytest.raises(ProbeError, match="not part of the video"):
        probe_video(path)
    path.write_bytes(media.container_bytes("webm", codec="libvpx-vp9") + b"\x00" * 64)
    with pytest.raises(ProbeError, match="not part of the video"):
        probe_video(path)


def test_padding_inside_the_container_format_is_fine(tmp_path):
    """A `free` box (MP4) or a Void element (Matroska) is the container's own padding."""
    mp4 = tmp_path / "free.mp4"
    mp4.write_bytes(media.container_bytes("mp4") + media.mp4_box(b"free", b"\x00" * 32))
    assert probe_video(mp4).extension == "mp4"
    webm = tmp_path / "void.webm"
    webm.write_bytes(media.container_bytes("webm", codec="libvpx-vp9") + b"\xec\x81\x00")
    assert probe_video(webm).extension == "webm"
