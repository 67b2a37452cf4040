"""The progress page: each metric over time with its target band, per-swing points and daily means.

Per camera view (the player's usual one by default, a switch for the other) and optionally per
club: face-on and down-the-line swings measure different things and are never charted, averaged
or trended together (swingvision/db/managers/camera.py).

The server builds the chart data (json_script on the page, or progress.json); static/js/progress.js
draws it with plotly. A range change swaps the page's body partial, so it redraws without a reload
and the range links still work as plain links.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from analysis import display
from progress.plotly_css import maplibre_style_id
from swingvision.db.camera import VIEW_LABELS, VIEWS, swing_view, usual_view
from swingvision.db.codec import utc_now
from swingvision.db.managers import managers
from swingvision.db.managers.progress import day_start
from swingvision.db.records import User
from swingvision.db.swing_facts import counted_metrics
from swingvision.http import is_htmx
from swingvision.videos.validation import club_key, club_label
from swingvision.web import BadRequest, choice_param, date_param, player_or_404, text_param

RANGES = ("30", "90", "365", "custom")
RANGE_LABELS = {"30": "30 days", "90": "90 days", "365": "365 days"}
DEFAULT_RANGE = "90"
MAX_CUSTOM_DAYS = 3660
# Stands for the video id in the swing URL the charts link to (the browser fills it in).
VIDEO_PLACEHOLDER = "VIDEO_ID"
UNIT_NAMES = {
    "torso": "in torso lengths",
    "stance": "in stance widths",
    "ratio": "backswing : downswing",
}


@dataclass(frozen=True, slots=True)
class Span:
    key: str
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def resolve_span(request: HttpRequest) -> Span:
    """The date range a request asks for; a bad value is a 400 naming the field."""
    key = choice_param(request, "range", RANGES, DEFAULT_RANGE)
    today = utc_now().date()
    if key != "custom":
        return Span(key, today - timedelta(days=int(key) - 1), today)
    start, end = date_param(request, "start"), date_param(request, "end")
    if start is None:
        raise BadRequest("start: a custom range needs a start date")
    end = end or today
    if end < start:
        raise BadRequest("end: must not be before start")
    if (end - start).days >= MAX_CUSTOM_DAYS:
        raise BadRequest(f"start: a custom range spans at most {MAX_CUSTOM_DAYS} days")
    return Span(key, start, end)


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _rounded(value) -> float | None:
    """A finite number rounded to 4 places (what the charts carry), else None."""
    number = _number(value)
    return None if number is None else round(number, 4)


# A trend needs this many scored swings on this many distinct days, at least this far apart: two
# swings minutes apart extrapolated to 30 days gave "+63711.6 per 30 days" (a week: no wild slope
# from one afternoon).
TREND_MIN_SWINGS = 3
TREND_MIN_DAYS = 2
TREND_MIN_SPAN_DAYS = 7.0


def _trend(xs: list[float], ys: list[float]) -> dict | None:
    """Least-squares line through the swings' scores (xs in days since the epoch): its ends and
    its change per 30 days; None until the swings span enough time to say anything."""
    if (
        len(xs) < TREND_MIN_SWINGS
        or len({math.floor(x) for x in xs}) < TREND_MIN_DAYS
        or max(xs) - min(xs) < TREND_MIN_SPAN_DAYS
    ):
        return None
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return {"x0": min(xs), "x1": max(xs), "slope_per_day": slope, "intercept": my - slope * mx}


def _club(p) -> str:
    return club_label((p.metadata or {}).get("club"))


def chart_data(actor, player: User, span: Span, view: str = "", club: str = "") -> dict:
    """The charts of one camera view (`view`, else the player's usual one) and, when `club` is
    given, of that club's swings only. Daily means are of those swings alone."""
    m = managers()
    start, end = day_start(span.start), day_start(span.end) + timedelta(days=1)
    every = m.swings.points_between(actor, player.id, start, end)
    settings = player.settings or {}
    views_of = [swing_view(p.metadata, settings) for p in every]
    usual = usual_view(settings, views_of)
    view = view or usual
    in_view = [p for p, v in zip(every, views_of, strict=True) if v == view]
    # The chosen club stays offered (and selected) even when this range has none of its swings,
    # so the menu always shows the filter the page applies.
    # Clubs compare without case ("Driver" and "driver" are one club), each shown in one spelling.
    labels: dict[str, str] = {}
    for p in in_view:
        if label := _club(p):
            labels.setdefault(club_key(label), label)
    chosen = club_key(club)
    if chosen:
        club = labels.setdefault(chosen, club_label(club))
    clubs = sorted(labels.values(), key=str.casefold)
    points = [p for p in in_view if not chosen or club_key(_club(p)) == chosen]
    n_view = {v: views_of.count(v) for v in VIEWS}
    # One pass over the swings and one over the days gather every metric's column (a year of
    # swings times two dozen metrics: this loop is most of the page's time).
    n = len(points)
    columns: dict[str, list] = {display.OVERALL: [_rounded(p.overall_score) for p in points]}
    for i, p in enumerate(points):
        # Only the values that count: a value the swing page flags and leaves unscored is neither
        # a point nor in a daily mean (counted_metrics gives finite floats).
        for name, v in counted_metrics(p).items():
            column = columns.get(name)
            if column is None:
                column = columns[name] = [None] * n
            column[i] = round(v, 4)
    # Daily means of these swings (points are oldest first, so days come in order).
    day_of = [p.uploaded_at.strftime("%Y-%m-%d") for p in points]
    dailies: dict[str, dict] = {}
    for name, column in columns.items():
        sums: dict[str, list[float]] = {}
        for key, v in zip(day_of, column, strict=True):
            if v is not None:
                sums.setdefault(key, []).append(v)
        dailies[name] = {
            "d": list(sums),
            "mean": [round(sum(vs) / len(vs), 4) for vs in sums.values()],
            "n": [len(vs) for vs in sums.values()],
        }
    present = {name for name, column in columns.items() if name != display.OVERALL}
    order = display.metric_order()
    names = [display.OVERALL] + [n for n in order if n in present]
    names += sorted(present - set(names))
    targets = player.settings.get("targets") or {}
    times = [p.uploaded_at.strftime("%Y-%m-%d %H:%M:%S") for p in points]
    metrics = []
    for name in names:
        values = columns[name]
        daily = dailies.get(name) or {"d": [], "mean": [], "n": []}
        band = None if name == display.OVERALL else display.player_band(name, targets, club or None)
        first = daily["mean"][0] if daily["mean"] else None
        last = daily["mean"][-1] if daily["mean"] else None
        metrics.append(
            {
                "name": name,
                "label": display.label(name),
                "unit": display.unit(name),
                "unit_name": UNIT_NAMES.get(display.unit(name), ""),
                "definition": display.definition(name),
                "band": list(band) if band else None,
                "band_text": display.format_band_short(name, band) if band else "",
                "values": values,
                "daily": daily,
                "n_swings": n - values.count(None),
                "first": display.format_short(name, first),
                "latest": display.format_short(name, last),
                "change": display.format_change(name, first, last)
                if first is not None and last is not None and len(daily["mean"]) > 1
                else "",
                "in_band": display.in_band(last, band),
            }
        )
    scored = [(p.uploaded_at.timestamp() / 86400, p.overall_score) for p in points]
    scored = [(x, y) for x, y in scored if _number(y) is not None]
    trend = _trend([x for x, _ in scored], [y for _, y in scored])
    return {
        "player_id": player.id,
        "view": view,
        "view_label": VIEW_LABELS[view],
        "usual_view": usual,
        "views": [
            {"view": v, "label": VIEW_LABELS[v], "swings": n_view[v], "usual": v == usual}
            for v in VIEWS
            if n_view[v] or v == view
        ],
        "club": club,
        "clubs": clubs,
        "range": span.key,
        "start": span.start.isoformat(),
        "end": span.end.isoformat(),
        "swing_url": reverse("swing", args=[player.id, VIDEO_PLACEHOLDER]),
        "url_placeholder": VIDEO_PLACEHOLDER,
        "swings": {
            "id": [p.video_id for p in points],
            "t": times,
            "score": [_number(p.overall_score) for p in points],
        },
        "metrics": metrics,
        "trend": None
        if trend is None
        else {
            "per_30_days": round(trend["slope_per_day"] * 30, 2),
            "t": [_day_text(trend["x0"]), _day_text(trend["x1"])],
            "v": [
                round(trend["intercept"] + trend["slope_per_day"] * x, 2)
                for x in (trend["x0"], trend["x1"])
            ],
        },
    }


def _day_text(days_since_epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(days_since_epoch * 86400, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def _filters(request: HttpRequest) -> tuple[str, str]:
    """The camera view ("" = the player's usual one) and club ("" = every club) asked for."""
    view = choice_param(request, "view", ("", *VIEWS), "")
    return view, text_param(request, "club", max_length=40).strip()


@require_GET
def progress_page(request: HttpRequest, player_id: str) -> HttpResponse:
    player = player_or_404(request, player_id)
    span = resolve_span(request)
    data = chart_data(request.user, player, span, *_filters(request))
    span_q = {"range": span.key}
    if span.key == "custom":
        span_q.update(start=span.start.isoformat(), end=span.end.isoformat())
    keep = {"view": request.GET.get("view", ""), "club": data["club"]}
    context = {
        "player": player,
        "span": span,
        "data": data,
        # Links keep the view and club across ranges, and the range across views and clubs.
        "filter_qs": "&" + urlencode({k: v for k, v in keep.items() if v})
        if any(keep.values())
        else "",
        "view_links": [
            {
                **v,
                "url": "?" + urlencode({**span_q, "view": v["view"]}),
                "active": v["view"] == data["view"],
            }
            for v in data["views"]
        ],
        "span_q": span_q,
        "ranges": [(k, RANGE_LABELS[k]) for k in RANGES if k != "custom"],
        "roster_url": reverse("roster") if request.user.role != "player" else None,
        "plotly_guard_id": maplibre_style_id(),
    }
    if is_htmx(request):
        return render(request, "progress.html#progress-body", context)
    return render(request, "progress.html", context)


@require_GET
def progress_json(request: HttpRequest, player_id: str) -> JsonResponse:
    player = player_or_404(request, player_id)
    response = JsonResponse(
        chart_data(request.user, player, resolve_span(request), *_filters(request))
    )
    response["Cache-Control"] = "private, no-cache"
    return response
