"""HTTP helpers every page and API view shares: whether a client wants JSON, JSON errors, htmx
checks, the decorators that turn the managers' errors into statuses, and safe redirects back.

`body` reads what a form or a script posted (a JSON object or the form's fields). One rule for
JSON: a request wants a JSON answer when it is for the API (`/api/...`), when its body
is JSON (the drawing tool's fetch calls), or when its Accept header asks for JSON. Errors map one
way everywhere: ValidationError and BadRequest 400 naming the field, NotAllowed 403 (may see, may
not change), NotFound 404 (out of scope or missing), Changed 409 (changed since it was read).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from swingvision.db.errors import Changed, NotAllowed, NotFound, ValidationError
from swingvision.web import BadRequest

JSON = "application/json"
MAX_JSON_BODY = 64 * 1024


def wants_json(request: HttpRequest) -> bool:
    return (
        request.path.startswith("/api/")
        or request.content_type == JSON
        or JSON in request.headers.get("Accept", "")
    )


def json_error(message: str, status: int, *, field: str | None = None) -> JsonResponse:
    body = {"error": message}
    if field:
        body["field"] = field
    return JsonResponse(body, status=status)


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request that swaps a fragment. A boosted link or form wants the whole page, and so
    does htmx restoring history (the browser's Back and Forward: with no history cache, htmx
    fetches the URL again and puts the answer in place of the whole body)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def admin_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """403 for anyone but an admin, whatever the method (the login middleware runs first)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.role != "admin":
            raise PermissionDenied("This page is for admins.")
        return view(request, *args, **kwargs)

    return wrapper


def scoped(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A record out of the actor's scope is 404; one they may see but not change is 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as e:
            raise PermissionDenied(str(e)) from None
        except NotFound:
            raise Http404("Not found.") from None

    return wrapper


def json_api(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Errors as JSON a script can show: 400 naming the field, 403 for a player (or anyone) who
    may see but not change, 404 out of scope."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ValidationError as e:
            return json_error(str(e), 400, field=e.field)
        except BadRequest as e:
            return json_error(str(e), 400, field=str(e).split(":", 1)[0])
        except NotAllowed as e:
            return json_error(str(e), 403)
        except NotFound:
            return json_error("not found", 404)
        except Changed as e:  # someone else's write came first: reload, then try again
            return json_error(str(e), 409)

    return wrapper


def back(request: HttpRequest, default: str) -> HttpResponse:
    """After a plain (non-htmx) form post: back to the page it came from, if it is ours."""
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(  # a path of ours only
        target, allowed_hosts={request.get_host()}
    ):
        target = default
    return redirect(target or default)


def body(request: HttpRequest) -> dict[str, Any]:
    """The posted fields: a JSON object, or the form's fields (one value each)."""
    if request.content_type == "application/json":
        if len(request.body) > MAX_JSON_BODY:
            raise BadRequest(f"body: at most {MAX_JSON_BODY // 1024} KiB")
        try:
            data = json.loads(request.body or b"{}")
            # A lone surrogate (\ud800) is valid JSON but no text: it could be stored and then
            # fail every page that shows it. RecursionError: nested too deep.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except (ValueError, UnicodeError, RecursionError):
            raise BadRequest("body: not valid JSON text") from None
        if not isinstance(data, dict):
            raise BadRequest("body: must be a JSON object")
        return data
    return {k: request.POST.get(k) for k in request.POST}
