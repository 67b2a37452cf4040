"""Reading what the coach tools post: JSON bodies (the drawing tool's fetch calls) or forms (notes,
phase corrections and drills work without JavaScript), and answering their errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from swingvision.db import NotFound
from swingvision.db.managers import NotAllowed, ValidationError
from swingvision.web import BadRequest

MAX_JSON_BODY = 64 * 1024


def wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def body(request: HttpRequest) -> dict[str, Any]:
    """The posted fields: a JSON object, or the form's fields (one value each)."""
    if request.content_type == "application/json":
        if len(request.body) > MAX_JSON_BODY:
            raise BadRequest(f"body: at most {MAX_JSON_BODY // 1024} KiB")
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
            raise BadRequest("body: not valid JSON") from None
        if not isinstance(data, dict):
            raise BadRequest("body: must be a JSON object")
        return data
    return {k: request.POST.get(k) for k in request.POST}


def json_api(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Errors as JSON the drawing tool can show: 400 naming the field, 403 for a player (or
    anyone) who may see but not change, 404 out of scope."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ValidationError as e:
            return JsonResponse({"error": str(e), "field": e.field}, status=400)
        except BadRequest as e:
            return JsonResponse({"error": str(e), "field": str(e).split(":", 1)[0]}, status=400)
        except NotAllowed as e:
            return JsonResponse({"error": str(e)}, status=403)
        except NotFound:
            return JsonResponse({"error": "not found"}, status=404)

    return wrapper
