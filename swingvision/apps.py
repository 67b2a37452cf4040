from django.apps import AppConfig


class SwingVisionConfig(AppConfig):
    name = "swingvision"
    label = "swingvision"
    verbose_name = "SwingVision Coach"

    def ready(self) -> None:
        from swingvision import health
        from swingvision.storage import get_store

        health.register("storage", lambda: get_store().check())
