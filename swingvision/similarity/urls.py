"""Similarity search URLs (included from analysis/urls.py, beside the swing pages)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "players/<str:player_id>/swings/<str:video_id>/similar/",
        views.similar,
        name="similar",
    ),
]
