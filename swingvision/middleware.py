"""Cross-cutting responses: 503 when the database or the video store is down, 400 for bad input,
and a strict Content-Security-Policy."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from urllib.parse import urlsplit

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404
from django.utils.cache import patch_vary_headers
from django.views import defaults
from django.views.csrf import csrf_failure as csrf_failure_page

from swingvision.db import Changed, DatabaseUnavailable
from swingvision.db.managers import ValidationError
from swingvision.http import wants_json
from swingvision.storage import BlobNotFound, StorageError
from swingvision.web import BadRequest

log = logging.getLogger("swingvision")


def content_security_policy(s3_public_url: str | None = None) -> str:
    """No inline script or style anywhere. Videos play from the app or, on S3, from presigned
    URLs: any https origin, and the S3 endpoint browsers reach when it is plain http (a
    self-hosted S3-compatible store)."""
    media = "media-src 'self' blob: https:"
    parts = urlsplit(s3_public_url or "")
    if parts.scheme == "http":
        media += f" http://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            media,
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def outage_response(request: HttpRequest, message: str) -> HttpResponse:
    """503 with a clear message, JSON for the API (the cause goes to the log and /healthz)."""
    if wants_json(request):
        response = JsonResponse({"error": message}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = "5"
    response["Cache-Control"] = "no-store"
    return response


def unavailable_response(request: HttpRequest, error: Exception) -> HttpResponse:
    log.warning("database unavailable on %s: %s", request.path, error)
    return outage_response(
        request, "The database is not reachable right now. Please try again in a moment."
    )


class DatabaseUnavailableMiddleware:
    """A view that hits a database outage answers 503; the next request simply tries again (the
    gateway reopens its connection). Outages met outside views are answered the same way where
    they happen: loading the user (accounts.middleware), saving the session (accounts' session
    middleware), and anything else by `server_error` below."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DatabaseUnavailable):
            return unavailable_response(request, exception)
        return None


class StorageUnavailableMiddleware:
    """A view that meets a blob store outage (StorageError) answers 503 with a clear message, for
    pages and the API alike; views that can say more (uploads) catch it themselves first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, StorageError) or isinstance(exception, BlobNotFound):
            return None
        log.warning("video store unavailable on %s: %s", request.path, exception)
        return outage_response(
            request, "The video store is not reachable right now. Please try again in a moment."
        )


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage that escaped everything else is still a 503, not a 500."""
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseUnavailable):
        return unavailable_response(request, error)
    if is_api(request):
        return JsonResponse({"error": "internal error: it has been logged"}, status=500)
    return HttpResponse(render_to_string("500.html"), status=500)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.csp = content_security_policy(
            settings.SWINGVISION_S3_PUBLIC_URL or settings.SWINGVISION_S3_ENDPOINT_URL
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


# Django's refusals of a request body too large or with too many parts: their messages name the
# setting and the limit, safe to show.
_BODY_LIMITS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


class BadRequestMiddleware:
    """A view's BadRequest (bad query or form input), or a manager's ValidationError that the view
    did not show next to its field, becomes a 400 naming the problem (never a 500). Under /api/
    every error a view raises is JSON: Django's own refusals (too many fields, a body too large,
    another suspicious request), 403 and 404 included. A write refused because the record changed
    since it was read (Changed: someone else saved first) is a 409 asking to reload."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if is_api(request):
            response = api_error_response(exception)
            if response is not None:
                return response
        if isinstance(exception, Http404) and wants_json(request):
            # Here as well as in handler404: with DEBUG on, Django answers a view's 404 with
            # its HTML debug page and never calls the handler.
            return page_not_found(request, exception)
        if isinstance(exception, Changed):
            if wants_json(request):
                return JsonResponse({"error": str(exception)}, status=409)
            context = {"message": str(exception), "came_from": _came_from(request)}
            html = render_to_string("409.html", context, request=request)
            return HttpResponse(html, status=409)
        if not isinstance(exception, BadRequest | ValidationError):
            return None
        message = str(exception)
        if wants_json(request):
            if isinstance(exception, ValidationError):
                return JsonResponse({"error": message, "field": exception.field}, status=400)
            return JsonResponse({"error": message}, status=400)
        html = render_to_string("400.html", {"message": message}, request=request)
        return HttpResponse(html, status=400)


def _came_from(request: HttpRequest) -> str | None:
    """The page of ours a refused form was posted from (its Referer), to open it again with a GET:
    reloading the refused answer would post the same stale form once more."""
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc != request.get_host() or not referer.path.startswith("/"):
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


def api_error_response(exception: BaseException | None) -> JsonResponse | None:
    """The JSON answer to an exception under /api/, or None for one that is not a client error."""
    if isinstance(exception, ValidationError):
        return JsonResponse({"error": exception.message, "field": exception.field}, status=400)
    if isinstance(exception, BadRequest):
        return JsonResponse({"error": str(exception)}, status=400)
    if isinstance(exception, Changed):
        return JsonResponse({"error": str(exception)}, status=409)
    if isinstance(exception, _BODY_LIMITS):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse(
                {"error": f"the request body is too large: {exception}"}, status=413
            )
        return JsonResponse({"error": f"the request has too many parts: {exception}"}, status=400)
    if isinstance(exception, SuspiciousOperation):
        return JsonResponse({"error": "bad request"}, status=400)
    if isinstance(exception, PermissionDenied):
        return JsonResponse({"error": "not allowed"}, status=403)
    if isinstance(exception, Http404):
        return JsonResponse({"error": "not found"}, status=404)
    return None


# The error handlers answer JSON to a request that wants JSON (an /api/ URL, a JSON body, or
# Accept: application/json: a script posting to a page URL, fetch() from our pages), a page to the
# rest.


def _said(exception: Exception | None) -> str | None:
    """The message our code gave an Http404 or PermissionDenied ("No such player."); None for one
    raised without a sentence, or by the URL resolver (whose argument lists the URL patterns)."""
    if exception is None or isinstance(exception, Resolver404) or not exception.args:
        return None
    said = exception.args[0]
    return said if isinstance(said, str) and said else None


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: JSON for JSON requests (a refusal raised before any view, e.g. while Django
    parses the body), else Django's page."""
    if wants_json(request):
        return api_error_response(exception) or JsonResponse({"error": "bad request"}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"error": "not allowed"}, status=403)
    if wants_json(request):
        return JsonResponse({"error": _said(exception) or "not allowed"}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"error": f"no such API URL: {request.path}"}, status=404)
    if wants_json(request):
        said = _said(exception) or f"no such URL: {request.path}"
        return JsonResponse({"error": said}, status=404)
    return defaults.page_not_found(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW, and the views that check the token by hand (uploads): 403 with the
    reason, JSON for JSON requests, else Django's page."""
    if wants_json(request):
        return JsonResponse(
            {
                "error": f"CSRF check failed ({reason}): send the X-CSRFToken header from the "
                "page's form, or use an API token"
            },
            status=403,
        )
    return csrf_failure_page(request, reason=reason)


class PrivateResponsesMiddleware:
    """Every response the app renders is for one user (or carries one visitor's CSRF token):
    caches must not keep it, nor show it to anyone else. Views that can be cached (videos,
    thumbnails: private, with validators) say so themselves and keep their own header; static
    files never come this far (WhiteNoise answers them first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        # A page and its htmx fragment share a URL: a cache that keeps one must not serve the other.
        patch_vary_headers(response, ("Cookie", "HX-Request"))
        return response
