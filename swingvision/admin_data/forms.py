"""Small helpers the data-edit views share: reading posted fields, answering errors per field."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest

from swingvision.db.managers import ValidationError

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
