"""Login and logout."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from swingvision.db.managers import managers

from .middleware import public
from .sessions import USER_KEY


def login_user(request: HttpRequest, user) -> None:
    """Start a fresh session for the user (a new key defeats session fixation)."""
    request.session.flush()
    request.session.cycle_key()
    request.session[USER_KEY] = user.id
    request.session.set_expiry(settings.SESSION_COOKIE_AGE)


@public
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    error = None
    login = ""
    status = 200
    if request.method == "POST":
        login = request.POST.get("username", "")[:254]
        password = request.POST.get("password", "")[:1024]
        from .throttle import login_throttle

        wait = login_throttle.blocked(login, request)
        if wait:
            error = f"Too many failed attempts. Try again in {wait} seconds."
            status = 429
        elif not login or not password:
            error = "Enter your username and password."
            status = 400
        else:
            user = managers().users.authenticate(login, password)
            if user is None:
                login_throttle.failed(login, request)
                error = "Wrong username or password."
                status = 400
            else:
                login_throttle.succeeded(login, request)
                login_user(request, user)
                return redirect(next_url)
    return render(
        request,
        "login.html",
        {"error": error, "login": login, "next": next_url},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect(settings.LOGIN_URL)
