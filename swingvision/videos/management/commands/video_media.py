"""Make what the worker now makes for swings analysed before it did (or whose files went missing):
the browser rendition and the poster and event strip. `manage.py video_media [--dry-run]`."""

from django.core.management.base import BaseCommand, CommandError

from swingvision.db.managers import SYSTEM, managers
from swingvision.db.records import Video
from swingvision.db.swing_facts import dense_keypoints
from swingvision.storage import StorageError, get_store
from swingvision.videos.availability import raw_video_available
from swingvision.videos.renditions import RenditionError, ensure_rendition, rendition_reasons
from swingvision.videos.thumbnails import (
    ThumbnailError,
    make_thumbnails,
    shown_thumbs,
    skeleton_thumbnails,
    thumb_refs,
)

PAGE = 500


def missing(video: Video, store) -> list[str]:
    """What the swing lacks: "rendition" and/or "pictures" (only analysed or expired swings:
    the worker makes both for the others). A swing whose video is past its retention day gets
    no rendition, and pictures drawn from the skeleton (those of the person are not shown)."""
    if video.status not in ("analyzed", "expired"):
        return []
    meta = video.metadata
    out = []
    if video.status == "analyzed" and raw_video_available(video):
        ref = meta.get("rendition_ref")
        lost = bool(ref) and not store.exists(ref)
        never = not ref and "playback" not in meta and bool(rendition_reasons(meta))
        if lost or never:
            out.append("rendition")
    refs = thumb_refs(shown_thumbs(video))
    if len(refs) < 2 or not all(store.exists(r) for r in refs):
        out.append("pictures")
    return out


class Command(BaseCommand):
    help = (
        "Make the browser rendition (H.264, upright, fast start) and the poster and event strip "
        "of analysed swings that lack them, e.g. swings analysed before this existed. Safe to "
        "re-run: swings that have both are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what would be made")
        parser.add_argument("--player", default=None, help="only this player's swings (an id)")

    def handle(self, *args, dry_run=False, player=None, **options):
        m = managers()
        store = get_store()
        made = failed = 0
        offset = 0
        while True:
            page = m.videos.all(limit=PAGE, offset=offset)
            offset += len(page)
            for video in page:
                if player and video.user_id != player:
                    continue
                todo = missing(video, store)
                if not todo:
                    continue
                label = f"{video.user_id}/{video.id} {video.filename!r}: {', '.join(todo)}"
                if dry_run:
                    self.stdout.write(f"  would make {label}")
                    continue
                try:
                    self._make(m, video, todo)
                except (RenditionError, ThumbnailError, StorageError) as e:
                    failed += 1
                    self.stdout.write(self.style.ERROR(f"  failed     {label}: {e}"))
                    continue
                made += 1
                self.stdout.write(f"  made       {label}")
            if len(page) < PAGE:
                break
        self.stdout.write("dry run" if dry_run else f"{made} swing(s) done, {failed} failed")
        if failed:
            raise CommandError(f"{failed} swing(s) failed; see above")

    def _make(self, m, video: Video, todo: list[str]) -> None:
        if "rendition" in todo:
            video = ensure_rendition(m, video)
        if "pictures" not in todo:
            return
        if not raw_video_available(video):
            thumbs = skeleton_thumbnails(m, video)
            if thumbs:
                current = m.videos.get_system(video.user_id, video.id)
                m.videos.update(current, metadata={**current.metadata, "thumbs": thumbs})
            return
        analysis = m.analyses.latest_for_video_system(video)
        seq = m.poses.sequence(SYSTEM, video.user_id, video.id)
        if analysis is None or not len(seq):
            raise ThumbnailError("no analysis or poses stored")
        n = max(int(video.metadata.get("frame_count") or 0), int(seq.frame_numbers.max()) + 1)
        make_thumbnails(m, video, analysis.events, keypoints=dense_keypoints(seq, n))
