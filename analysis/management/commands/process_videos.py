"""The processing worker: `manage.py process_videos [--once] [--interval S]`."""

from django.core.management.base import BaseCommand

from analysis.worker import run_forever, run_once


class Command(BaseCommand):
    help = "Analyse uploaded videos: --once drains the queue and exits, otherwise loop forever."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="drain the queue, then exit")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls")

    def handle(self, *args, once=False, interval=2.0, **options):
        if once:
            n = run_once()
            self.stdout.write(f"processed {n} video{'s' if n != 1 else ''}")
            return
        self.stdout.write(f"worker running (poll every {interval:g}s); Ctrl-C stops it")
        try:
            run_forever(interval=interval)
        except KeyboardInterrupt:
            self.stdout.write("worker stopped")
