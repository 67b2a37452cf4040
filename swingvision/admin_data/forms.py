"""Small helpers the data-edit views share: reading posted fields, answering errors per field."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest

from swingvision.db.managers import ValidationError
from swingvision.db.managers.admin import FORM_VERSION
from swingvision.http import body

TRUE = ("1", "true", "on", "yes")
FALSE = ("0", "false", "off", "no")


def posted(request: HttpRequest, fields: Iterable[str]) -> dict[str, str]:
    """The fields of `fields` present in the POST body (an inline edit posts one of them)."""
    return {f: request.POST[f] for f in fields if f in request.POST}


def as_bool(field: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE or value == "":
        return False
    raise ValidationError(field, "must be yes or no")


def errors_of(e: ValidationError) -> dict[str, str]:
    return {e.field: e.message}


def seen_version(request: HttpRequest) -> str:
    """The `version` a review or publish form carries (admin.analysis_version of the analysis the
    page showed): required, so a form without it cannot act on an analysis nobody saw. Posted as
    a form field or in a JSON body."""
    raw = body(request).get("version") or ""
    if not isinstance(raw, str):
        raise ValidationError("version", "is not one this site wrote: reload the page")
    if not raw:
        raise ValidationError("version", "is required: reload the page and try again")
    if not FORM_VERSION.fullmatch(raw):
        raise ValidationError("version", "is not one this site wrote: reload the page")
    return raw
