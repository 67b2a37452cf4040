"""Reading what the coach tools post: JSON bodies (the drawing tool's fetch calls) or forms (notes,
phase corrections and drills work without JavaScript), and answering their errors."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest

from swingvision.web import BadRequest

MAX_JSON_BODY = 64 * 1024


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
