"""Small helpers the data-edit views share: reading posted fields, answering errors per field."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from swingvision.db import NotFound
from swingvision.db.managers import NotAllowed, ValidationError

TRUE = ("1", "true", "on", "yes")
FALSE = ("0", "false", "off", "no")


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


def back(request: HttpRequest, default: str) -> HttpResponse:
    """After a plain (non-htmx) form post: back to the page it came from, if it is ours."""
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(  # a path of ours only
        target, allowed_hosts={request.get_host()}
    ):
        target = default
    return redirect(target or default)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) and not request.htmx.boosted
