"""Admin data pages (/admin/...) and one's profile."""

from django.urls import path

from swingvision.accounts.views import profile_view

from . import views

urlpatterns = [
    path("admin/", views.admin_home, name="admin_home"),
    path("admin/users/", views.admin_users, name="admin_users"),
    path("admin/users/<str:user_id>/", views.admin_user, name="admin_user"),
    path(
        "admin/users/<str:user_id>/password/",
        views.admin_user_password,
        name="admin_user_password",
    ),
    path("admin/videos/", views.admin_videos, name="admin_videos"),
    path("admin/videos/<str:player_id>/<str:video_id>/", views.admin_video, name="admin_video"),
    path(
        "admin/videos/<str:player_id>/<str:video_id>/rerun/",
        views.admin_video_rerun,
        name="admin_video_rerun",
    ),
    path(
        "admin/videos/<str:player_id>/<str:video_id>/delete/",
        views.admin_video_delete,
        name="admin_video_delete",
    ),
    path("admin/analyses/", views.admin_analyses, name="admin_analyses"),
    path(
        "admin/analyses/<str:player_id>/<str:analysis_id>/review/",
        views.admin_analysis_review,
        name="admin_analysis_review",
    ),
    path("admin/progress/", views.admin_progress, name="admin_progress"),
    path(
        "admin/progress/<str:player_id>/recompute/",
        views.admin_progress_recompute,
        name="admin_progress_recompute",
    ),
    path("admin/audit/", views.admin_audit, name="admin_audit"),
    path("profile/", profile_view, name="profile"),
]
