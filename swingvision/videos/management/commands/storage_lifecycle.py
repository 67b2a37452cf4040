"""Install the S3 lifecycle rules that expire raw videos and their browser renditions:
`manage.py storage_lifecycle`."""

from django.core.management.base import BaseCommand, CommandError

from swingvision.storage import (
    LIFECYCLE_RULE_ID,
    RAW_PREFIX,
    RENDITION_LIFECYCLE_RULE_ID,
    RENDITIONS_PREFIX,
    StorageError,
    get_store,
)
from swingvision.videos import availability


class Command(BaseCommand):
    help = (
        "Put S3 lifecycle rules on the raw-video and rendition prefixes that delete objects "
        "SWINGVISION_RAW_VIDEO_DAYS after upload: the second line behind purge_videos "
        "(which also marks the rows expired). Other rules of the bucket are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="override SWINGVISION_RAW_VIDEO_DAYS"
        )
        parser.add_argument("--show", action="store_true", help="print the rules, change nothing")

    def handle(self, *args, days=None, show=False, **options):
        store = get_store()
        if store.kind != "s3":
            self.stdout.write(
                "the video store is a local folder: it has no lifecycle rules. "
                "Run `manage.py purge_videos` daily (cron or a systemd timer)."
            )
            return
        days = availability.raw_video_days() if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1")
        try:
            if not show:
                rule = store.install_lifecycle(days)
                for prefix, rule_id in (
                    (RAW_PREFIX, LIFECYCLE_RULE_ID),
                    (RENDITIONS_PREFIX, RENDITION_LIFECYCLE_RULE_ID),
                ):
                    self.stdout.write(
                        self.style.SUCCESS(
                            f"s3://{store.bucket}/{store.prefix}{prefix}: objects expire "
                            f"{rule['Expiration']['Days']} days after upload (rule {rule_id})"
                        )
                    )
            for r in store.lifecycle_rules():
                prefix = r.get("Filter", {}).get("Prefix", r.get("Prefix", ""))
                expiry = r.get("Expiration", {}).get("Days", "-")
                self.stdout.write(
                    f"  {r.get('ID', '?')}: prefix {prefix!r}, {r['Status']}, "
                    f"expire after {expiry} days"
                )
        except StorageError as e:
            raise CommandError(str(e)) from e
