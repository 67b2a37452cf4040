"""Queue videos for analysis again after an engine change: `manage.py reanalyze --all`."""

from django.core.management.base import BaseCommand, CommandError

from analysis.engine import ENGINE_VERSION
from analysis.engine.pose import POSE_EMBEDDING_VERSION
from analysis.worker import run_once
from swingvision.db.managers import managers


def is_current(engine_version: str, details: dict | None) -> bool:
    """An analysis by this engine whose pose vectors are of the current version (older vectors
    were cleared by migration 0008 and are recomputed from the stored poses)."""
    return (
        engine_version == ENGINE_VERSION
        and (details or {}).get("embedding_version") == POSE_EMBEDDING_VERSION
    )


class Command(BaseCommand):
    help = "Put analysed and failed videos back in the worker's queue (poses stay until replaced)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every analysed or failed video")
        parser.add_argument(
            "--outdated",
            action="store_true",
            help=f"only those not analysed by {ENGINE_VERSION} with pose vectors of version "
            f"{POSE_EMBEDDING_VERSION}",
        )
        parser.add_argument("--now", action="store_true", help="process them here, not the worker")

    def handle(self, *args, **options):
        if not (options["all"] or options["outdated"]):
            raise CommandError("say --all or --outdated")
        m = managers()
        queued = 0
        offset = 0
        while True:
            batch = m.videos.all(limit=500, offset=offset)
            if not batch:
                break
            offset += len(batch)
            for video in batch:
                if video.status not in ("analyzed", "failed"):
                    continue
                if options["outdated"]:
                    latest = m.analyses.latest_for_video_system(video)
                    if latest is not None and is_current(latest.engine_version, latest.details):
                        continue
                if m.videos.transition(video, video.status, "uploaded"):
                    queued += 1
        self.stdout.write(f"queued {queued} video{'s' if queued != 1 else ''} for analysis")
        if options["now"]:
            self.stdout.write(f"processed {run_once()}")
