"""Demo data: `manage.py seed_demo [--players N] [--swings N] [--days N] [--no-video]`."""

from django.core.management.base import BaseCommand, CommandError

from analysis.demo import COACHES, DEMO_PASSWORD, seed_demo
from swingvision.db.managers import managers


class Command(BaseCommand):
    help = "Create demo coaches, players and analysed swings (re-running adds nothing twice)."

    def add_arguments(self, parser):
        parser.add_argument("--players", type=int, default=6, help="players per coach")
        parser.add_argument("--swings", type=int, default=8, help="swings per player")
        parser.add_argument("--days", type=int, default=42, help="days of history")
        parser.add_argument("--no-video", action="store_true", help="poses only, no video files")

    def handle(self, *args, players, swings, days, no_video, **options):
        if not (1 <= players <= 500 and 1 <= swings <= 500 and 1 <= days <= 3650):
            raise CommandError("--players and --swings take 1-500, --days 1-3650")
        self.stdout.write("seeding demo data ...")
        made = seed_demo(
            managers(),
            players_per_coach=players,
            swings_per_player=swings,
            days=days,
            render=not no_video,
            echo=self.stdout.write,
        )
        self.stdout.write(
            f"created {made['users']} users and {made['videos']} analysed swings"
            + (f" ({made['failed']} failed)" if made["failed"] else "")
        )
        self.stdout.write(
            self.style.SUCCESS("Demo logins (password for all: " + DEMO_PASSWORD + ")")
        )
        self.stdout.write("  admin        admin")
        for slug, name in COACHES:
            self.stdout.write(f"  coach        coach.{slug}   ({name})")
        self.stdout.write("  player       ava.lindqvist   (and every other demo player)")
