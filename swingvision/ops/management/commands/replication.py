"""`manage.py replication --role publisher|subscriber [--apply]`: CrateDB logical replication.

Publisher (the primary region's cluster): CREATE PUBLICATION for our tables.
Subscriber (the other region's cluster, as SWINGVISION_DB there): CREATE SUBSCRIPTION pulling
that publication. The subscriber's tables must not exist beforehand (do not run migrate_db
there) and stay read-only until the subscription is dropped at failover.
Without --apply the statements are only printed; the current state is shown when SWINGVISION_DB
is a CrateDB cluster.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from swingvision.db import get_db
from swingvision.db.gateway import TABLES
from swingvision.ops import crate


class Command(BaseCommand):
    help = "Print (and with --apply run) the CrateDB logical replication statements."

    def add_arguments(self, parser):
        parser.add_argument("--role", choices=("publisher", "subscriber"), required=True)
        parser.add_argument("--apply", action="store_true", help="run the statements")
        parser.add_argument("--publication", default="swingvision")
        parser.add_argument("--subscription", default="swingvision_replica")
        parser.add_argument(
            "--primary-host",
            default=None,
            help="the publisher's host:4300[,host:4300] (SWINGVISION_REPLICATION_PRIMARY)",
        )
        parser.add_argument(
            "--user", default=None, help="the publisher's user (SWINGVISION_REPLICATION_USER)"
        )
        parser.add_argument("--mode", choices=crate.REPLICATION_MODES, default="sniff")
        parser.add_argument("--schema", default=None, help="default: SWINGVISION_DB's schema")

    def handle(self, *args, **opts):
        db = get_db()
        is_crate = db.dialect == "crate"
        if opts["apply"] and not is_crate:
            raise CommandError(
                "logical replication is CrateDB's; SWINGVISION_DB is SQLite. For SQLite, put "
                "the backup location in another region (see the README)."
            )
        try:
            schema = opts["schema"] or (crate.schema_of(db) if is_crate else "doc")
            crate.ident(schema, "schema")
            if opts["role"] == "publisher":
                self._publisher(db, schema, opts, is_crate)
            else:
                self._subscriber(db, schema, opts, is_crate)
        except ValueError as e:
            raise CommandError(str(e)) from e

    def _publisher(self, db, schema, opts, is_crate) -> None:
        statement = crate.create_publication(opts["publication"], schema, list(TABLES))
        self.stdout.write("-- on the primary cluster:")
        self.stdout.write(statement.display())
        if opts["apply"]:
            if crate.publication_state(db, opts["publication"]):
                self.stdout.write(f"publication {opts['publication']} exists: not re-created")
            else:
                crate.run(db, statement)
                self.stdout.write(self.style.SUCCESS(f"created publication {opts['publication']}"))
        if is_crate:
            rows = crate.publication_state(db, opts["publication"])
            self.stdout.write(f"-- pg_publication_tables for {opts['publication']}:")
            for pub, sch, table in rows:
                self.stdout.write(f"  {pub}  {sch}.{table}")
            if not rows:
                self.stdout.write("  (none: not created yet)")

    def _subscriber(self, db, schema, opts, is_crate) -> None:
        hosts = opts["primary_host"] or settings.SWINGVISION_REPLICATION_PRIMARY
        user = opts["user"] or settings.SWINGVISION_REPLICATION_USER
        if not hosts:
            raise CommandError("give --primary-host or set SWINGVISION_REPLICATION_PRIMARY")
        url, shown = crate.connection_url(
            hosts, user, settings.SWINGVISION_REPLICATION_PASSWORD, opts["mode"]
        )
        statement = crate.create_subscription(opts["subscription"], opts["publication"], url, shown)
        self.stdout.write("-- on the replica cluster (its tables must not exist yet):")
        self.stdout.write(statement.display())
        self.stdout.write("-- at failover, on the replica (its tables become writable):")
        self.stdout.write(crate.drop_subscription(opts["subscription"]).display())
        if opts["apply"]:
            existing, rel = crate.subscription_state(db, opts["subscription"])
            if existing:
                self.stdout.write(f"subscription {opts['subscription']} exists: not re-created")
            else:
                clash = crate.existing_tables(db, schema)
                if clash:
                    raise CommandError(
                        f"tables already exist in schema {schema!r} on this cluster "
                        f"({', '.join(clash)}): a subscription creates them itself. Drop them "
                        "(or use a fresh cluster) and do not run migrate_db here."
                    )
                crate.run(db, statement)
                self.stdout.write(
                    self.style.SUCCESS(f"created subscription {opts['subscription']}")
                )
        if is_crate:
            subs, rel = crate.subscription_state(db, opts["subscription"])
            self.stdout.write(
                f"-- pg_subscription / pg_subscription_rel for {opts['subscription']}:"
            )
            for name, pubs, conninfo in subs:
                self.stdout.write(f"  {name}  publications={pubs}  {conninfo}")
            for table, state, reason in rel:
                self.stdout.write(f"  {table}  {state}  {reason or ''}")
            if not subs:
                self.stdout.write("  (none: not created yet)")
