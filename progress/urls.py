"""A player's progress page and its chart data."""

from django.urls import path

from progress import views

urlpatterns = [
    path("players/<str:player_id>/progress/", views.progress_page, name="progress"),
    path("players/<str:player_id>/progress.json", views.progress_json, name="progress_json"),
]
