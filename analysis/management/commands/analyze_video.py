"""Re-run one video now: `manage.py analyze_video <video_id>`."""

from django.core.management.base import BaseCommand, CommandError

from analysis.pipeline import process_video
from swingvision.db.managers import managers


class Command(BaseCommand):
    help = "Analyse one video again now (whatever its status, unless it expired without poses)."

    def add_arguments(self, parser):
        parser.add_argument("video_id")

    def handle(self, *args, video_id, **options):
        m = managers()
        video = m.videos.find_any(video_id)
        if video is None:
            raise CommandError(f"no video {video_id!r}")
        if video.status == "processing":
            raise CommandError("a worker is processing this video right now")
        if not m.videos.transition(video, video.status, "processing"):
            raise CommandError("the video changed status; try again")
        result = process_video(m.videos.get_system(video.user_id, video.id), m=m)
        if result.status == "analyzed":
            self.stdout.write(self.style.SUCCESS(f"{video_id}: analyzed"))
        else:
            raise CommandError(f"{video_id}: {result.status}: {result.metadata.get('error', '')}")
