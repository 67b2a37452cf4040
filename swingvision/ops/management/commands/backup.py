"""`manage.py backup`: create, list, verify and prune backups of the database and video blobs.

backup                              back up now
backup --if-older-than 1h           back up only if the newest backup is older (for cron)
backup --list                       name, time, size and rows per table of every backup
backup --verify NAME                check a backup the way a restore would, changing nothing
backup --prune [--keep N]           delete all but the newest N (SWINGVISION_BACKUP_KEEP)
backup --if-older-than 1h --prune   both, in that order (the scheduled form)
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from swingvision.db.codec import utc_now
from swingvision.db.errors import DatabaseUnavailable, QueryError
from swingvision.ops.manifest import BackupError, human_size, parse_duration
from swingvision.ops.service import (
    Context,
    create_backup,
    find,
    list_backups,
    newest_age,
    prune,
    verify_backup,
)
from swingvision.storage import StorageError


class Command(BaseCommand):
    help = "Back up the database and video blobs to SWINGVISION_BACKUP_LOCATION (see --help)."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="list backups, oldest first")
        parser.add_argument("--verify", metavar="NAME", help="verify one backup, change nothing")
        parser.add_argument("--prune", action="store_true", help="delete old backups")
        parser.add_argument("--keep", type=int, default=None, help="backups --prune keeps")
        parser.add_argument(
            "--if-older-than",
            metavar="AGE",
            help="back up only if the newest backup is older than AGE (30m, 1h, 1d)",
        )
        parser.add_argument("--no-blobs", action="store_true", help="skip the video blobs")

    def handle(self, *args, **opts):
        try:
            self._handle(opts)
        except (BackupError, StorageError, DatabaseUnavailable, QueryError, ValueError) as e:
            raise CommandError(str(e)) from e

    def _handle(self, opts) -> None:
        ctx = Context.default()
        self.stdout.write(f"database: {ctx.db.config.label} ({ctx.db.dialect})")
        self.stdout.write(f"backup location: {ctx.location.url}")
        if opts["list"]:
            self._list(ctx)
            return
        if opts["verify"]:
            info = find(list_backups(ctx), opts["verify"])
            for line in verify_backup(info, ctx):
                self.stdout.write(f"  ok: {line}")
            self.stdout.write(self.style.SUCCESS(f"backup {info.name} verifies"))
            return
        if opts["if_older_than"] or not opts["prune"]:
            self._create(ctx, opts)
        if opts["prune"]:
            keep = opts["keep"] if opts["keep"] is not None else settings.SWINGVISION_BACKUP_KEEP
            result = prune(keep, ctx)
            gone = ", ".join(result.deleted) or "nothing"
            self.stdout.write(f"pruned (keeping {keep}): {gone}; {result.blobs_deleted} blob(s)")
            if result.blobs_note:
                self.stdout.write(self.style.WARNING(result.blobs_note))

    def _create(self, ctx: Context, opts) -> None:
        if opts["if_older_than"]:
            limit = parse_duration(opts["if_older_than"])
            age = newest_age(list_backups(ctx), utc_now())
            if age is not None and age < limit.total_seconds():
                self.stdout.write(
                    f"newest backup is {age / 60:.0f} min old (< {opts['if_older_than']}): "
                    "nothing to do"
                )
                return
        m = create_backup(ctx, blobs=not opts["no_blobs"])
        where = f"snapshot {m.repository}.{m.snapshot}" if m.engine == "crate" else m.file
        self.stdout.write(
            self.style.SUCCESS(
                f"backup {m.name} ({m.engine}): {where}, {human_size(m.size)}, "
                f"{m.total_rows} rows in {len(m.tables)} tables, {len(m.blobs)} blobs "
                f"({m.blobs_copied} copied, {human_size(m.blob_bytes_copied)}) "
                f"in {m.duration_s:.1f}s"
            )
        )

    def _list(self, ctx: Context) -> None:
        backups = list_backups(ctx)
        if not backups:
            self.stdout.write("no backups yet")
            return
        self.stdout.write(f"{'name':<18} {'created (UTC)':<20} {'state':<11} {'size':>9}  tables")
        for b in backups:
            rows = " ".join(f"{t}={'?' if n is None else n}" for t, n in b.rows.items())
            self.stdout.write(
                f"{b.name:<18} {b.created_at:%Y-%m-%d %H:%M:%S}  {b.state:<11} "
                f"{human_size(b.size):>9}  {rows or b.problem}"
            )
