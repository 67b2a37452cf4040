"""The acting user on each request, and login required everywhere but views marked public."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject

from swingvision.db.managers import managers

from .sessions import USER_KEY


class AnonymousUser:
    id = None
    role = None
    username = ""
    display_name = ""
    is_authenticated = False

    def __bool__(self) -> bool:
        return False


ANONYMOUS = AnonymousUser()


def _load_user(request: HttpRequest):
    user_id = request.session.get(USER_KEY)
    if not user_id:
        return ANONYMOUS
    user = managers().users.find(user_id)
    if user is None or not user.active:
        request.session.flush()
        return ANONYMOUS
    return user


def public(view: Callable) -> Callable:
    """Mark a view as reachable without logging in (login page, health check)."""
    view.public = True  # type: ignore[attr-defined]
    return view


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


class AuthenticationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.user = SimpleLazyObject(lambda: _load_user(request))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "public", False) or getattr(request, "api_user", None):
            return None
        if request.user.is_authenticated:
            return None
        if wants_json(request):
            return JsonResponse({"error": "authentication required"}, status=401)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=401)
            response["HX-Redirect"] = settings.LOGIN_URL
            return response
        return redirect(f"{settings.LOGIN_URL}?next={request.get_full_path()}")
