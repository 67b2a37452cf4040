from django.apps import AppConfig


class Config(AppConfig):
    name = "swingvision.admin_data"
    label = "admin_data"
