"""The roster, the player page and a player's settings and feedback edits."""

from django.urls import path

from . import settings, views

urlpatterns = [
    path("", views.home, name="home"),
    path("roster/", views.roster, name="roster"),
    path("players/<str:player_id>/", views.player_page, name="player"),
    path("players/<str:player_id>/settings/", settings.player_settings, name="player_settings"),
    path(
        "players/<str:player_id>/analyses/<str:analysis_id>/feedback/",
        settings.analysis_feedback,
        name="analysis_feedback",
    ),
]
