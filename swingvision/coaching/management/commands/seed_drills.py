"""`manage.py seed_drills`: add the default drill library (what is already there stays as it is)."""

from django.core.management.base import BaseCommand

from swingvision.coaching.library import default_drills, seed_drills
from swingvision.db.managers import managers


class Command(BaseCommand):
    help = "Add the default drills (two per swing aspect) that are missing from the library."

    def handle(self, *args, **options):
        added = seed_drills(managers())
        self.stdout.write(
            self.style.SUCCESS(f"added {added} of {len(default_drills())} default drills")
        )
