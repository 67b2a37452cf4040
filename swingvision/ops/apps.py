from django.apps import AppConfig


class Config(AppConfig):
    name = "swingvision.ops"
    label = "ops"
