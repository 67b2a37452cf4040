"""Uploads, playback, settings (API tokens) and the JSON API v1."""

from django.urls import path

from . import api, views

urlpatterns = [
    path("players/<str:player_id>/upload/", views.upload, name="video-upload"),
    path(
        "players/<str:player_id>/swings/<str:video_id>/video",
        views.playback,
        name="video-playback",
    ),
    path(
        "players/<str:player_id>/swings/<str:video_id>/thumbs/<str:name>",
        views.thumbnail,
        name="video-thumb",
    ),
    path(
        "players/<str:player_id>/swings/<str:video_id>/frames/<int:frame>.webp",
        views.frame_picture,
        name="video-frame",
    ),
    path(
        "players/<str:player_id>/swings/<str:video_id>/title/",
        views.swing_title,
        name="swing-title",
    ),
    path("settings/", views.settings_page, name="settings"),
    path("settings/tokens/", views.token_create, name="token-create"),
    path("settings/tokens/<str:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("api/v1/players/<str:player_id>/videos", api.videos, name="api-videos"),
    path("api/v1/players/<str:player_id>/videos/<str:video_id>", api.video, name="api-video"),
    path(
        "api/v1/players/<str:player_id>/videos/<str:video_id>/poses",
        api.poses,
        name="api-video-poses",
    ),
    path(
        "api/v1/players/<str:player_id>/videos/<str:video_id>/video",
        api.video_file,
        name="api-video-file",
    ),
]
