"""How well the engine recovers known truth: `manage.py engine_report [--n 200] [--seed 0]`."""

from django.core.management.base import BaseCommand

from analysis.engine.report import engine_report, format_report


class Command(BaseCommand):
    help = "Generate synthetic swings with known truth and report event and metric errors."

    def add_arguments(self, parser):
        parser.add_argument("--n", type=int, default=200)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, n=200, seed=0, **options):
        self.stdout.write(format_report(engine_report(n=n, seed=seed)))
