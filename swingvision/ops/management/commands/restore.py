"""`manage.py restore NAME | --before TIME`: restore a backup (database, then missing blobs).

Restores into an empty database; over data only with --force (which first takes a safety backup
of the current state). Every check (checksum, integrity, row checksums; CrateDB: snapshot state)
runs before the database is touched. `--target` restores somewhere else, e.g. a rehearsal file.
"""

from django.core.management.base import BaseCommand, CommandError

from swingvision.db import get_db
from swingvision.db.errors import DatabaseUnavailable, QueryError
from swingvision.db.gateway import Database, parse_db_url
from swingvision.ops.manifest import BackupError, parse_time
from swingvision.ops.service import Context, find, list_backups, pick_before, restore_backup
from swingvision.storage import StorageError


class Command(BaseCommand):
    help = "Restore a backup by name, or the newest one at or before --before TIME."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="a backup name from `backup --list`")
        parser.add_argument(
            "--before",
            metavar="TIME",
            help="newest backup at or before TIME: 2026-11-25T10:45:00Z, 'now', '2h ago'",
        )
        parser.add_argument("--force", action="store_true", help="replace a database with data")
        parser.add_argument(
            "--target", metavar="URL", help="restore into this SWINGVISION_DB-style URL instead"
        )
        parser.add_argument("--no-blobs", action="store_true", help="leave the video store alone")
        parser.add_argument(
            "--no-safety-backup",
            action="store_true",
            help="with --force: do not back up the current data first",
        )
        parser.add_argument("--dry-run", action="store_true", help="say what would be restored")

    def handle(self, *args, name=None, before=None, **opts):
        if bool(name) == bool(before):
            raise CommandError("give a backup name or --before TIME (one of them)")
        try:
            self._handle(name, before, opts)
        except (BackupError, StorageError, DatabaseUnavailable, QueryError, ValueError) as e:
            raise CommandError(f"{e}\nnothing was restored") from e

    def _handle(self, name, before, opts) -> None:
        target: Database = Database(parse_db_url(opts["target"])) if opts["target"] else get_db()
        ctx = Context.default(db=target)
        backups = list_backups(ctx)
        info = pick_before(backups, parse_time(before)) if before else find(backups, name)
        self.stdout.write(
            f"backup {info.name} ({info.engine}, taken {info.created_at:%Y-%m-%d %H:%M:%S}Z) "
            f"-> {target.config.label}"
        )
        if opts["dry_run"]:
            self.stdout.write("dry run: nothing restored")
            return
        result = restore_backup(
            info,
            ctx,
            force=opts["force"],
            blobs=not opts["no_blobs"],
            safety_backup=not opts["no_safety_backup"],
        )
        if result.get("safety_backup"):
            self.stdout.write(f"safety backup of the replaced data: {result['safety_backup']}")
        if result.get("dropped"):
            self.stdout.write(f"dropped before restoring: {', '.join(result['dropped'])}")
        rows = " ".join(f"{t}={s.rows}" for t, s in result["tables"].items())
        self.stdout.write(
            self.style.SUCCESS(
                f"restored {info.name}: {rows}; {result['blobs_restored']} blob(s) put back"
            )
        )
