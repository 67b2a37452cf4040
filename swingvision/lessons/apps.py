from django.apps import AppConfig


class Config(AppConfig):
    name = "swingvision.lessons"
    label = "lessons"
