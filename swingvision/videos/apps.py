from django.apps import AppConfig


class Config(AppConfig):
    name = "swingvision.videos"
    label = "videos"
