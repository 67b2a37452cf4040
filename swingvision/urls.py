"""URL configuration. Every domain URL carries the player id: /players/<player_id>/..."""

from django.urls import include, path

from swingvision import site_views
from swingvision.accounts import views as account_views

# A database outage that escapes the middleware is still answered 503 (swingvision.middleware).
handler400 = "swingvision.middleware.bad_request"
handler403 = "swingvision.middleware.permission_denied"
handler404 = "swingvision.middleware.page_not_found"
handler500 = "swingvision.middleware.server_error"

urlpatterns = [
    path("login/", account_views.login_view, name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    path("healthz", site_views.healthz, name="healthz"),
    path("favicon.ico", site_views.favicon, name="favicon"),
    # Each app owns its URLs (all domain URLs still start with /players/<player_id>/ or /api/).
    path("", include("swingvision.players.urls")),
    path("", include("swingvision.videos.urls")),
    path("", include("swingvision.admin_data.urls")),
    path("", include("swingvision.coaching.urls")),
    path("", include("swingvision.lessons.urls")),
    path("", include("analysis.urls")),
    path("", include("progress.urls")),
]
