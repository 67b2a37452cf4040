from django.apps import AppConfig


class Config(AppConfig):
    name = "swingvision.coaching"
    label = "coaching"
