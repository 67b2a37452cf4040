"""Apply the domain schema migrations: `manage.py migrate_db [--list] [--dry-run]`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from swingvision.db import get_db
from swingvision.db.errors import ValidationError
from swingvision.db.migrate import applied, migrate, migration_files, set_replicas


class Command(BaseCommand):
    help = "Apply missing schema migrations to the domain database (SWINGVISION_DB)."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="show applied and pending")
        parser.add_argument("--dry-run", action="store_true", help="print the SQL, change nothing")

    def handle(self, *args, list=False, dry_run=False, **options):
        db = get_db()
        self.stdout.write(f"database: {db.config.label} ({db.dialect})")
        if list:
            done = applied(db, create=True)
            for f in migration_files(db.dialect):
                m = done.get(f.version)
                state = f"applied {m.applied_at:%Y-%m-%d %H:%M:%S}Z" if m else "pending"
                self.stdout.write(f"  {f.version} {f.name:<30} {state}")
            return
        todo = migrate(db, dry_run=dry_run)
        if not dry_run:
            self._replicas(db)
        if not todo:
            self.stdout.write("nothing to apply: the schema is up to date")
            return
        for f in todo:
            if dry_run:
                self.stdout.write(f"-- {f.version}_{f.name} (not applied)")
                for statement in f.statements:
                    self.stdout.write(statement + ";\n")
            else:
                self.stdout.write(self.style.SUCCESS(f"applied {f.version}_{f.name}"))

    def _replicas(self, db) -> None:
        replicas = settings.SWINGVISION_CRATE_REPLICAS
        try:
            changed = set_replicas(db, replicas)
        except ValidationError as e:
            raise CommandError(str(e)) from e
        if changed:
            self.stdout.write(f"replicas {replicas} on {len(changed)} tables: {', '.join(changed)}")
