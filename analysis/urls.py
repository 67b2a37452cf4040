"""Swing replay, its pose data and the compare page (all under /players/<player_id>/swings/)."""

from django.urls import include, path

from analysis import views

urlpatterns = [
    path("players/<str:player_id>/swings/<str:video_id>/", views.swing, name="swing"),
    path(
        "players/<str:player_id>/swings/<str:video_id>/poses.json",
        views.swing_poses,
        name="swing_poses",
    ),
    path(
        "players/<str:player_id>/swings/<str:video_id>/compare/",
        views.compare,
        name="compare",
    ),
    # Similarity search (issue #7): its own module, /players/<p>/swings/<v>/similar/.
    path("", include("swingvision.similarity.urls")),
]
