from django.apps import AppConfig


class PlayersConfig(AppConfig):
    """The roster, the player page and a player's coaching settings and feedback edits."""

    name = "swingvision.players"
    label = "players"
