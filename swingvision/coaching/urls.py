"""Coach tools (issue #10): drawings, corrected events, notes, exports and the report of a swing
(/players/<player_id>/swings/<video_id>/...), a player's export, and the drill library."""

from django.urls import path

from . import views

SWING = "players/<str:player_id>/swings/<str:video_id>/"

urlpatterns = [
    path(f"{SWING}annotations/", views.annotations, name="swing_annotations"),
    path(
        f"{SWING}annotations/<str:annotation_id>/",
        views.annotation,
        name="swing_annotation",
    ),
    path(f"{SWING}events/", views.events, name="swing_events"),
    path(f"{SWING}notes/", views.notes, name="swing_notes"),
    path(f"{SWING}publish/", views.publish, name="swing_publish"),
    path(f"{SWING}capture-rate/", views.capture_rate, name="swing_capture_rate"),
    path(f"{SWING}notes/<str:note_id>/delete/", views.note_delete, name="swing_note_delete"),
    path(f"{SWING}export.csv", views.export_csv, name="swing_export_csv"),
    path(f"{SWING}export.json", views.export_json, name="swing_export_json"),
    path(f"{SWING}report/", views.report, name="swing_report"),
    path("players/<str:player_id>/export.csv", views.player_export_csv, name="player_export_csv"),
    path("drills/", views.drills, name="drills"),
    path("drills/<str:drill_id>/", views.drill_update, name="drill_update"),
    path("drills/<str:drill_id>/delete/", views.drill_delete, name="drill_delete"),
]
