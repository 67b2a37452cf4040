"""The site's public odds and ends: the favicon and the health check for load balancers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from swingvision.accounts.middleware import public
from swingvision.db import DatabaseUnavailable, get_db
from swingvision.health import extra_checks


@public
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database (and storage) answer, else 503 saying why."""
    checks: dict[str, dict] = {}
    ok = True
    try:
        get_db().ping()
        checks["database"] = {"ok": True, "backend": get_db().dialect}
    except DatabaseUnavailable as e:
        ok = False
        checks["database"] = {"ok": False, "error": str(e)}

    for name, result in extra_checks():
        checks[name] = result
        ok = ok and result.get("ok", False)
    return JsonResponse({"ok": ok, "checks": checks}, status=200 if ok else 503)
