"""Authentication of the JSON API: `Authorization: Bearer <token>` or the browser session.

Tokens authenticate only /api/ views, which the decorator below marks public for the login
middleware and checks itself. A token request needs no CSRF token (a browser never attaches a
bearer token on its own); a session request that writes still passes the CSRF check.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from swingvision.accounts.middleware import public
from swingvision.db.managers import managers

from .validation import UploadRejected, csrf_failure, install_upload_handlers, read_upload

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def json_error(message: str, status: int, *, field: str | None = None) -> JsonResponse:
    body = {"error": message}
    if field:
        body["field"] = field
    return JsonResponse(body, status=status)


def _unauthorized(message: str) -> JsonResponse:
    response = json_error(message, 401)
    response["WWW-Authenticate"] = 'Bearer realm="swingvision"'
    return response


def authenticate_bearer(request: HttpRequest) -> HttpResponse | None:
    """Set request.user from a bearer token; a 401 response if the header is bad, None if fine
    (or if there is no Authorization header at all)."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        return _unauthorized("the Authorization header must be 'Bearer <token>'")
    found = managers().tokens.authenticate(raw)
    if found is None:
        return _unauthorized("the API token is not valid or has been revoked")
    user, token = found
    request.user = user
    request.api_user = user
    request.api_token = token
    # Django's own switch (the test client uses it): a bearer token is not a cookie to forge.
    request._dont_enforce_csrf_checks = True
    return None


def api_view(*, methods: tuple[str, ...], uploads: bool = False) -> Callable:
    """An API endpoint: allowed methods, bearer or session auth, CSRF for session writes, and
    (with `uploads`) the streaming upload handlers set before anything reads the body."""

    def decorate(view: Callable) -> Callable:
        @public
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = json_error(f"method {request.method} is not allowed here", 405)
                response["Allow"] = ", ".join(methods)
                return response
            refused = authenticate_bearer(request)
            if refused is not None:
                return refused
            if getattr(request, "api_user", None) is None and not request.user.is_authenticated:
                return _unauthorized(
                    "authentication required: send 'Authorization: Bearer <token>' "
                    "(create a token on /settings/) or log in"
                )
            if uploads:
                install_upload_handlers(request)
            if request.method not in SAFE_METHODS and getattr(request, "api_user", None) is None:
                if uploads:
                    # Parse first so an oversized file answers 413 rather than a missing-token 403.

                    try:
                        read_upload(request)
                    except UploadRejected as e:
                        return json_error(e.message, e.status, field=e.field)
                reason = csrf_failure(request)
                if reason:
                    return json_error(
                        f"CSRF check failed ({reason}): send the X-CSRFToken header with a "
                        "session, or use an API token",
                        403,
                    )
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
