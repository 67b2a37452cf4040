"""How well the engine recovers known truth: `manage.py engine_report [--n 200] [--seed 0]` on
synthetic swings, or `manage.py engine_report --real DIR` on a labelled real set (GolfDB-style:
index.csv + poses/)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.engine.realset import format_real_report
from analysis.engine.report import engine_report, format_report
from analysis.engine.train_events import real_report


class Command(BaseCommand):
    help = (
        "Generate synthetic swings with known truth and report event and metric errors; with "
        "--real DIR, score the events on a labelled real set with GolfDB's rule."
    )

    def add_arguments(self, parser):
        parser.add_argument("--n", type=int, default=200)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--real", metavar="DIR", help="a labelled real set: index.csv + poses/ (golfdb-dev)"
        )
        parser.add_argument(
            "--shipped",
            action="store_true",
            help="with --real: score the shipped event model instead of refitting it per held-out "
            "golfer (fitted on golfdb-dev, so not a fair score there)",
        )

    def handle(self, *args, n=200, seed=0, real=None, shipped=False, **options):
        if real:
            if not (Path(real) / "index.csv").is_file():
                raise CommandError(f"no index.csv in {real}")
            report, how = real_report(real, cv=not shipped)
            self.stdout.write(format_real_report(report, f"Engine report on real swings: {how}"))
            return
        self.stdout.write(format_report(engine_report(n=n, seed=seed)))
