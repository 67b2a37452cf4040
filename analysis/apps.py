import os
import sys

from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "analysis"
    label = "analysis"

    def ready(self) -> None:
        from django.conf import settings

        # The dev server's reloader runs the app in a child with RUN_MAIN=true: start only there.
        is_runserver = len(sys.argv) > 1 and sys.argv[1] == "runserver"
        main_process = os.environ.get("RUN_MAIN") or "--noreload" in sys.argv
        if settings.SWINGVISION_INLINE_WORKER and is_runserver and main_process:
            from analysis.worker import start_inline_worker

            start_inline_worker()
