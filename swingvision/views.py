"""Home, roster, player page and the health check."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from swingvision.accounts.middleware import public
from swingvision.db import DatabaseUnavailable, NotFound, get_db
from swingvision.db.managers import managers
from swingvision.db.managers.roster import SORT_KEYS
from swingvision.web import BadRequest, choice_param, int_param, player_or_404, text_param


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == "player":
        return redirect("player", player_id=user.id)
    return redirect("roster")


@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    user = request.user
    m = managers()
    coaches = []
    if user.role == "admin":
        coaches = m.users.by_role(user, "coach")
        coach_id = request.GET.get("coach") or (coaches[0].id if coaches else "")
        if coach_id and coach_id not in {c.id for c in coaches}:
            raise BadRequest("coach: no such coach")
    elif user.role == "coach":
        coach_id = user.id
    else:
        return redirect("player", player_id=user.id)
    q = text_param(request, "q")
    sort = choice_param(request, "sort", tuple(SORT_KEYS), "name")
    order = choice_param(request, "order", ("asc", "desc"), "asc")
    page_no = int_param(request, "page", 1)
    page = None
    if coach_id:
        try:
            page = m.roster.page(
                user, coach_id, q=q, sort=sort, descending=order == "desc", page=page_no
            )
        except NotFound:
            raise BadRequest("coach: no such coach") from None
    context = {
        "page": page,
        "q": q,
        "sort": sort,
        "order": order,
        "coaches": coaches,
        "coach_id": coach_id,
        "sort_keys": SORT_KEYS,
    }
    template = (
        "roster.html#roster-table" if request.htmx and not request.htmx.boosted else "roster.html"
    )
    return render(request, template, context)


@require_GET
def player_page(request: HttpRequest, player_id: str) -> HttpResponse:
    player = player_or_404(request, player_id)
    m = managers()
    per_page = 20
    total = m.videos.count_for_player(request.user, player.id)
    pages = max(1, -(-total // per_page))
    page_no = min(int_param(request, "page", 1), pages)
    videos = m.videos.for_player(
        request.user, player.id, limit=per_page, offset=(page_no - 1) * per_page
    )
    analyses = {
        v.id: m.analyses.latest_for_video(request.user, player.id, v.id)
        for v in videos
        if v.status == "analyzed"
    }
    rows = [(v, analyses.get(v.id)) for v in videos]
    context = {
        "player": player,
        "rows": rows,
        "total": total,
        "page_no": page_no,
        "pages": pages,
        "roster_url": reverse("roster") if request.user.role != "player" else None,
    }
    return render(request, "player.html", context)


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
    from swingvision.health import extra_checks

    for name, result in extra_checks():
        checks[name] = result
        ok = ok and result.get("ok", False)
    return JsonResponse({"ok": ok, "checks": checks}, status=200 if ok else 503)
