from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "swingvision.accounts"
    label = "accounts"
