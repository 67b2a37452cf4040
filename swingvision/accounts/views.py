"""Login, logout, and one's own profile."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from swingvision.db.managers import ValidationError, managers
from swingvision.db.managers.users import MIN_PASSWORD_LENGTH

from .middleware import public
from .sessions import AUTH_AT_KEY, SEEN_KEY, USER_KEY
from .throttle import account_key, login_throttle


def login_user(request: HttpRequest, user) -> None:
    """Start a fresh session for the user (a new key defeats session fixation)."""
    request.session.flush()
    request.session.cycle_key()
    request.session[USER_KEY] = user.id
    now = int(time.time())
    request.session[AUTH_AT_KEY] = now
    request.session[SEEN_KEY] = now
    # The cookie and the stored row expire after the idle limit; each touch moves both on (the
    # absolute limit is checked against AUTH_AT_KEY, see middleware.session_expired).
    request.session.set_expiry(
        min(settings.SWINGVISION_SESSION_IDLE_SECONDS, settings.SESSION_COOKIE_AGE)
    )
    # A token a visitor held before logging in (or one planted in their browser) is worthless
    # after it: the session is new, and so is the CSRF secret.
    rotate_token(request)


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

        account = account_key(login, managers().users.login_owner(login) if login else None)
        # Claimed before the password is checked (it counts as a failure until it succeeds), so
        # parallel guesses cannot all pass the limit before the first has failed.
        wait, claim = login_throttle.claim(account, request)
        if wait:
            error = f"Too many failed attempts. Try again in {wait} seconds."
            status = 429
        elif not login or not password:
            login_throttle.release(account, request, claim)
            error = "Enter your username and password."
            status = 400
        else:
            user = managers().users.authenticate(login, password)
            if user is None:
                error = "Wrong username or password."
                status = 400
            else:
                login_throttle.succeeded(account, request, claim)
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


@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    """One's own name, email and password (any role)."""
    from django.contrib import messages

    m = managers()
    user = request.user
    form = {"full_name": user.full_name, "email": user.email}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("form") == "password":
                new = request.POST.get("new_password", "")[:1024]
                if new != request.POST.get("new_password2", "")[:1024]:
                    raise ValidationError("new_password2", "the two new passwords differ")
                m.admin.change_password(
                    user, current=request.POST.get("current_password", "")[:1024], new=new
                )
                # Changing the password ended every session, this one too: start a fresh one.
                login_user(request, m.users.get(user.id))
                messages.success(
                    request,
                    "Password changed. Other sessions were logged out and your API tokens "
                    "were revoked.",
                )
            else:
                form = {k: request.POST.get(k, "") for k in ("full_name", "email")}
                m.admin.update_profile(user, full_name=form["full_name"], email=form["email"])
                messages.success(request, "Profile saved.")
        except ValidationError as e:
            errors, status = {e.field: e.message}, 400
        else:
            return redirect("profile")
    context = {"form": form, "errors": errors, "min_password": MIN_PASSWORD_LENGTH}
    return render(request, "profile.html", context, status=status)
