"""Delete raw videos past retention: `manage.py purge_videos [--dry-run] [--days N]`."""

from django.core.management.base import BaseCommand, CommandError

from swingvision.storage import get_store
from swingvision.videos import availability, retention


class Command(BaseCommand):
    help = (
        "Delete raw videos uploaded at least SWINGVISION_RAW_VIDEO_DAYS ago from the blob store "
        "and mark them expired (poses, analyses and progress stay). Safe to re-run; run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what would be deleted")
        parser.add_argument(
            "--days", type=int, default=None, help="override SWINGVISION_RAW_VIDEO_DAYS"
        )
        parser.add_argument("--player", default=None, help="only this player's videos (an id)")

    def handle(self, *args, dry_run=False, days=None, player=None, **options):
        days = availability.raw_video_days() if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1")
        store = get_store()
        self.stdout.write(f"store: {store.kind}; raw videos are kept {days} days")
        items = retention.purge(days=days, dry_run=dry_run, player_id=player)
        counts: dict[str, int] = {}
        for item in items:
            v = item.video
            counts[item.action] = counts.get(item.action, 0) + 1
            age = f"uploaded {v.uploaded_at:%Y-%m-%d %H:%M}Z"
            line = f"  {item.action:<12} {v.user_id}/{v.id} {v.filename!r} {age}"
            if item.reason:
                line += f" ({item.reason})"
            self.stdout.write(line)
        summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items())) or "nothing"
        self.stdout.write(("dry run: " if dry_run else "") + summary)
        if counts.get("failed"):
            raise CommandError(f"{counts['failed']} video(s) could not be purged; see above")
