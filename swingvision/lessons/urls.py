"""Lessons (issue #17): pages under /players/<player_id>/lessons/ and the JSON API."""

from django.urls import path

from . import api, views

urlpatterns = [
    path("players/<str:player_id>/lessons/", views.lessons, name="lessons"),
    path("players/<str:player_id>/lessons/<str:lesson_id>/", views.lesson_page, name="lesson"),
    path(
        "players/<str:player_id>/lessons/<str:lesson_id>/video",
        views.lesson_video,
        name="lesson-file",
    ),
    path(
        "players/<str:player_id>/lessons/<str:lesson_id>/watched",
        views.lesson_watched,
        name="lesson-watched",
    ),
    path(
        "players/<str:player_id>/lessons/<str:lesson_id>/delete/",
        views.lesson_delete,
        name="lesson-delete",
    ),
    path("api/v1/players/<str:player_id>/lessons", api.lessons, name="api-lessons"),
    path("api/v1/players/<str:player_id>/lessons/<str:lesson_id>", api.lesson, name="api-lesson"),
    path(
        "api/v1/players/<str:player_id>/lessons/<str:lesson_id>/video",
        api.lesson_file,
        name="api-lesson-file",
    ),
]
