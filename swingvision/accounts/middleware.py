"""The acting user on each request, and login required everywhere but views marked public."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject

from swingvision.db import DatabaseUnavailable
from swingvision.db.managers import managers
from swingvision.http import wants_json
from swingvision.middleware import unavailable_response

from .sessions import AUTH_AT_KEY, SEEN_KEY, SESSION_TOUCH_S, USER_KEY


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
    if session_expired(request.session):
        request.session.flush()
        return ANONYMOUS
    user = managers().users.find(user_id)
    if user is None or not user.active:
        request.session.flush()
        return ANONYMOUS
    return user


def session_expired(session) -> bool:
    """A session ends SESSION_COOKIE_AGE after login whatever happens, and after
    SWINGVISION_SESSION_IDLE_SECONDS without a request. A live session is touched at most every
    SESSION_TOUCH_S (a write that also moves the row's expiry), not on every request."""
    now = int(time.time())
    auth_at = session.get(AUTH_AT_KEY)
    seen = session.get(SEEN_KEY, auth_at)
    if not isinstance(auth_at, int) or not isinstance(seen, int):
        return True  # a session from before these keys existed: log in again
    if now - auth_at > settings.SESSION_COOKIE_AGE:
        return True
    if now - seen > settings.SWINGVISION_SESSION_IDLE_SECONDS:
        return True
    if now - seen > SESSION_TOUCH_S:
        session[SEEN_KEY] = now
    return False


def public(view: Callable) -> Callable:
    """Mark a view as reachable without logging in (login page, health check)."""
    view.public = True  # type: ignore[attr-defined]
    return view


class AuthenticationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.user = SimpleLazyObject(lambda: _load_user(request))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "public", False) or getattr(request, "api_user", None):
            return None
        try:
            authenticated = request.user.is_authenticated
        except DatabaseUnavailable as e:
            # Django turns an exception here into a 500; an outage is a 503 that heals itself.
            return unavailable_response(request, e)
        if authenticated:
            return None
        if wants_json(request):
            return JsonResponse({"error": "authentication required"}, status=401)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=401)
            response["HX-Redirect"] = settings.LOGIN_URL
            return response
        return redirect(f"{settings.LOGIN_URL}?next={request.get_full_path()}")


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that a database outage while saving the session answers 503."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except DatabaseUnavailable as e:
            return unavailable_response(request, e)
