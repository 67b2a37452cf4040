"""Home, the roster and the player page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from analysis import display
from swingvision.coaching.views import player_context
from swingvision.db import NotFound
from swingvision.db.camera import VIEW_LABELS, VIEWS, usual_view
from swingvision.db.codec import utc_now
from swingvision.db.managers import managers
from swingvision.db.managers.progress import day_metrics, day_start
from swingvision.db.managers.roster import SORT_KEYS
from swingvision.db.managers.scope import can_edit_player
from swingvision.db.records import VIDEO_STATUSES
from swingvision.http import is_htmx
from swingvision.web import (
    BadRequest,
    choice_param,
    date_param,
    int_param,
    player_or_404,
    text_param,
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == "player":
        return redirect("player", player_id=user.id)
    return redirect("roster")


ROSTER_PER_PAGE = 25
SWINGS_PER_PAGE = 20


@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    """The coach's home: their players, searchable and sortable; an admin picks the coach."""
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
    per_page = int_param(request, "per", ROSTER_PER_PAGE, lo=5, hi=100)
    page = None
    if coach_id:
        try:
            page = m.roster.page(
                user,
                coach_id,
                q=q,
                sort=sort,
                descending=order == "desc",
                page=page_no,
                per_page=per_page,
            )
        except NotFound:
            raise BadRequest("coach: no such coach") from None
    # The state every link of the table carries (sort links and the pager add their own keys).
    state = {"coach": coach_id if coaches else "", "q": q, "sort": sort, "order": order}
    if per_page != ROSTER_PER_PAGE:
        state["per"] = str(per_page)
    context = {
        "page": page,
        "q": q,
        "sort": sort,
        "order": order,
        "per_page": per_page,
        "coaches": coaches,
        "coach_id": coach_id,
        "sort_keys": SORT_KEYS,
        "sort_links": _sort_links(state, sort, order),
        "prev_url": _query(state, page=page.page - 1) if page and page.page > 1 else "",
        "next_url": _query(state, page=page.page + 1) if page and page.page < page.pages else "",
    }
    if is_htmx(request):
        # The table alone, plus the form's hidden sort/order fields swapped out of band, so a
        # search typed after a sort click keeps that sort.
        return render(request, "roster.html#roster-table", {**context, "oob": True})
    return render(request, "roster.html", context)


ROSTER_COLUMNS = (
    ("name", "Player", False),
    ("swings", "Swings", True),
    ("last_swing", "Last swing", False),
    ("score", "Latest score", True),
    ("trend", "Trend", True),
)


def _query(state: dict[str, str], **extra) -> str:
    """A query string of the non-empty state keys plus `extra` (values are encoded)."""
    params = {k: v for k, v in {**state, **extra}.items() if v not in ("", None)}
    return "?" + urlencode(params)


def _sort_links(state: dict[str, str], sort: str, order: str) -> list[dict]:
    """One header link per column: clicking the sorted column flips its order."""
    links = []
    for key, label, numeric in ROSTER_COLUMNS:
        active = key == sort
        next_order = ("desc" if order == "asc" else "asc") if active else "asc"
        if not active and numeric:
            next_order = "desc"  # scores, counts and trends read best-first
        links.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "active": active,
                "order": order if active else "",
                "url": _query(state, sort=key, order=next_order),
            }
        )
    return links


@require_GET
def player_page(request: HttpRequest, player_id: str) -> HttpResponse:
    """A player's swings, newest first, with filters; key metrics now and 30 days ago."""
    player = player_or_404(request, player_id)
    m = managers()
    status = choice_param(request, "status", ("", *VIDEO_STATUSES), "")
    start, end = date_param(request, "from"), date_param(request, "to")
    if start and end and end < start:
        raise BadRequest("to: must not be before from")
    page = m.swings.page(
        request.user,
        player.id,
        status=status,
        start=day_start(start) if start else None,
        end=day_start(end) + timedelta(days=1) if end else None,
        page=int_param(request, "page", 1),
        per_page=SWINGS_PER_PAGE,
    )
    state = {
        "status": status,
        "from": start.isoformat() if start else "",
        "to": end.isoformat() if end else "",
    }
    context = {
        "player": player,
        "page": page,
        "status": status,
        "statuses": VIDEO_STATUSES,
        "date_from": state["from"],
        "date_to": state["to"],
        "filtered": any(state.values()),
        "list_url": request.path + _query(state, page=page.page if page.page > 1 else ""),
        "prev_url": _query(state, page=page.page - 1) if page.page > 1 else "",
        "next_url": _query(state, page=page.page + 1) if page.page < page.pages else "",
        "roster_url": reverse("roster") if request.user.role != "player" else None,
    }
    if is_htmx(request):
        view = choice_param(request, "view", ("", *VIEWS), "")
        if request.GET.get("part") == "key-metrics":
            context["key_metrics"] = key_metrics(request.user, player, view)
            return render(request, "player.html#key-metrics", context)
        response = render(request, "player.html#swing-list", context)
        # A swing the list was waiting for has finished: the key metrics refresh themselves.
        waiting = set(text_param(request, "waiting", max_length=2000).split())
        still = {r.video.id for r in page.rows if r.pending}
        if waiting - still:
            response["HX-Trigger"] = "swing-finished"
        return response
    km = key_metrics(request.user, player, choice_param(request, "view", ("", *VIEWS), ""))
    context["key_metrics"] = km
    # The player's coach (or an admin) sets handedness, camera view and metric targets there.
    context["settings_url"] = (
        reverse("player_settings", args=[player.id])
        if can_edit_player(request.user, player)
        else ""
    )
    # Coach tools (issue #10): new notes for the player, the practice plan, the export.

    context.update(player_context(request, player, km["view"]))
    return render(request, "player.html", context)


def key_metrics(actor, player, view: str = "") -> dict:
    """For one camera view (`view`, else the player's usual one): the latest day's mean of the
    key metrics beside the day on or before 30 days earlier, from swings of that view only.
    `views` lists the views the player has swings of, with their counts and links."""
    m = managers()
    days = m.progress.between(actor, player.id, datetime(1970, 1, 1, tzinfo=UTC), utc_now())
    counts = {
        v: sum(
            int((day_metrics(d, v).get(display.OVERALL) or {}).get("n") or 0)
            or int(bool(day_metrics(d, v)))
            for d in days
        )
        for v in VIEWS
    }
    usual = usual_view(player.settings, [v for v in VIEWS for _ in range(counts[v])])
    view = view or usual
    views = [
        {"view": v, "label": VIEW_LABELS[v], "swings": counts[v], "usual": v == usual,
         "active": v == view, "url": "?" + urlencode({"view": v})}
        for v in VIEWS
        if counts[v] or v == view
    ]  # fmt: skip
    now = next((d for d in reversed(days) if day_metrics(d, view)), None)
    empty = {"now": None, "then": None, "rows": [], "view": view, "views": views}
    if now is None:
        return {**empty, "view_label": VIEW_LABELS[view]}
    cutoff = now.progress_date - timedelta(days=30)
    then = next(
        (d for d in reversed(days) if d.progress_date <= cutoff and day_metrics(d, view)), None
    )
    now_metrics, then_metrics = day_metrics(now, view), day_metrics(then, view)
    targets = player.settings.get("targets") or {}
    names = [n for n in display.KEY_METRICS if n in now_metrics]
    rows = []
    for name in names[:6]:
        value = (now_metrics.get(name) or {}).get("mean")
        before = (then_metrics.get(name) or {}).get("mean") if then else None
        band = display.player_band(name, targets)
        rows.append(
            {
                "name": name,
                "label": display.label(name),
                "now": display.format_short(name, value),
                "then": display.format_short(name, before),
                "delta": display.format_change(name, before, value)
                if isinstance(value, int | float) and isinstance(before, int | float)
                else "",
                "band": display.format_band_short(name, band),
                "in_band": display.in_band(value, band),
                "n": (now_metrics.get(name) or {}).get("n"),
            }
        )
    return {**empty, "now": now, "then": then, "rows": rows, "view_label": VIEW_LABELS[view]}
