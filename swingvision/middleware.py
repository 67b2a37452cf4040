"""Cross-cutting responses: 503 when the database is down, and a strict Content-Security-Policy."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from swingvision.db import DatabaseUnavailable, reset_db

log = logging.getLogger("swingvision")

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob: https:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def unavailable_response(request: HttpRequest, error: Exception) -> HttpResponse:
    message = "The database is not reachable right now. Please try again in a moment."
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"error": message, "detail": str(error)}, status=503)
    else:
        html = render_to_string("503.html", {"message": message})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = "5"
    return response


class DatabaseUnavailableMiddleware:
    """Any request that hits a database outage answers 503; the next request reconnects."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except DatabaseUnavailable as e:  # raised outside a view (e.g. loading the session)
            return self._handle(request, e)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DatabaseUnavailable):
            return self._handle(request, exception)
        return None

    def _handle(self, request: HttpRequest, error: Exception) -> HttpResponse:
        log.warning("database unavailable: %s", error)
        reset_db()
        return unavailable_response(request, error)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class BadRequestMiddleware:
    """A view's BadRequest (bad query or form input) becomes a 400 naming the problem."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        from swingvision.web import BadRequest

        if not isinstance(exception, BadRequest):
            return None
        message = str(exception)
        if request.path.startswith("/api/") or "application/json" in request.headers.get(
            "Accept", ""
        ):
            return JsonResponse({"error": message}, status=400)
        html = render_to_string("400.html", {"message": message}, request=request)
        return HttpResponse(html, status=400)
