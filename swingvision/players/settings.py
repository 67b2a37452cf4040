"""Coaching data a coach edits for their own players (an admin for anyone): a player's settings
(handedness, default camera view, target band per metric) and the feedback of their analyses.
The player sees both pages read-only."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from analysis.engine import METRICS, VIEWS
from swingvision.admin_data.forms import as_bool, errors_of, seen_version
from swingvision.coaching.review import review_on, visible_feedback
from swingvision.db.errors import Changed
from swingvision.db.managers import ValidationError, managers
from swingvision.db.managers.admin import (
    HANDEDNESS,
    MAX_FEEDBACK_ITEMS,
    PRIORITY_RANGE,
    form_version,
)
from swingvision.db.managers.coaching import drill_aspects
from swingvision.db.managers.scope import can_edit_player
from swingvision.db.records import User
from swingvision.http import scoped
from swingvision.numbers import parse_int
from swingvision.web import player_or_404

FEEDBACK_KEYS = ("aspect", "finding", "recommendation", "priority")
SETTINGS_LABELS = {
    "handedness": "Handedness",
    "view": "Default camera view",
    "review_feedback": "Feedback review",
}


def settings_field_label(key: str) -> str:
    """What the settings page calls a posted field in an error ("Swing time, low end"), not its
    form name (swing_time_s_lo)."""
    for end, words in (("_lo", "low end"), ("_hi", "high end")):
        name = key.removesuffix(end)
        if key.endswith(end) and name in METRICS:
            return f"{METRICS[name].label}, {words}"
    return SETTINGS_LABELS.get(key, key)


# The feedback form's fields as its page labels them ("finding_0" is item 1's Finding).
FEEDBACK_LABELS = {
    "aspect": "aspect",
    "finding": "finding",
    "recommendation": "recommendation",
    "priority": "priority",
    "index": "stored position",
    "remove": "remove",
}
FEEDBACK_FORM_LABELS = {
    "feedback": "Feedback",
    "rows": "Number of items",
    "reviewed": "Reviewed",
    "version": "Form version",
}
_ROW_FIELD = re.compile(r"([a-z]+)_([0-9]+)")
_VERB = re.compile(r"(is|are|must|has|was) ")


def feedback_error(field: str, message: str) -> str:
    """An error of the feedback form as the page says it: "Feedback item 1: finding is
    required", not its form name (finding_0)."""
    found = _ROW_FIELD.fullmatch(field)
    if found and found.group(1) in FEEDBACK_LABELS:
        label = f"Feedback item {int(found.group(2)) + 1}: {FEEDBACK_LABELS[found.group(1)]}"
    elif field:
        label = FEEDBACK_FORM_LABELS.get(field, "This form")
    else:
        return message[:1].upper() + message[1:]
    if message.startswith(("at most ", "at least ")):
        message = f"must be {message}"  # "finding must be at most 600 characters"
    return f"{label} {message}" if _VERB.match(message) else f"{label}: {message}"


def _metric_rows(player, posted: dict[str, str] | None = None) -> list[dict]:
    targets = player.settings.get("targets") or {}
    rows = []
    for name, spec in METRICS.items():
        band = targets.get(name)
        lo, hi = (
            (band[0], band[1]) if isinstance(band, list | tuple) and len(band) == 2 else ("", "")
        )
        if posted is not None:
            lo, hi = posted.get(f"{name}_lo", ""), posted.get(f"{name}_hi", "")
        rows.append({"spec": spec, "lo": lo, "hi": hi, "custom": bool(band)})
    return rows


@scoped
@require_http_methods(["GET", "POST"])
def player_settings(request: HttpRequest, player_id: str) -> HttpResponse:
    player = player_or_404(request, player_id)
    can_edit = can_edit_player(request.user, player)
    errors: dict[str, str] = {}
    form = {
        "handedness": player.settings.get("handedness", "right"),
        "view": player.settings.get("view", VIEWS[0]),
        "review_feedback": review_on(player),
    }
    rows = _metric_rows(player)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only the player's coach or an admin may change these settings.")
        form = {k: request.POST.get(k, "") for k in ("handedness", "view")}
        form["review_feedback"] = as_bool(
            "review_feedback", request.POST.get("review_feedback", "")
        )
        targets: dict = {}
        for name in METRICS:
            lo = request.POST.get(f"{name}_lo", "").strip()
            hi = request.POST.get(f"{name}_hi", "").strip()
            if not lo and not hi:
                targets[name] = None  # the engine's default band
            elif not lo or not hi:
                field = f"{name}_lo" if not lo else f"{name}_hi"
                errors = {field: "give both ends of the band, or neither for the default"}
                break
            else:
                targets[name] = (lo, hi)
        if not errors:
            try:
                managers().admin.update_player_settings(
                    request.user,
                    player.id,
                    handedness=form["handedness"],
                    view=form["view"],
                    targets=targets,
                    review_feedback=form["review_feedback"],
                    # The settings the form was built from: refused if saved since (two tabs).
                    version=request.POST.get("version") or None,
                )
            except ValidationError as e:
                errors = errors_of(e)
            except Changed as e:
                errors, status = {"settings": str(e)}, 409
            else:
                messages.success(request, f"Saved {player.display_name}'s settings.")
                return redirect("player_settings", player_id=player.id)
        rows = _metric_rows(player, request.POST)
        status = 409 if status == 409 else 400  # someone saved since, or bad input
    context = {
        "player": player,
        "can_edit": can_edit,
        "form": form,
        "errors": errors,
        "error_lines": [(settings_field_label(k), message) for k, message in errors.items()],
        "rows": rows,
        "handedness_choices": HANDEDNESS,
        "views": VIEWS,
        # Re-shown after an error: still the version it was opened at (a save made since is
        # not hidden by the error page); else the settings as stored now.
        "version": (
            request.POST.get("version", "")
            if request.method == "POST"
            else form_version(player.settings)
        ),
    }
    return render(request, "player_settings.html", context, status=status)


def _posted_rows(request: HttpRequest) -> list[dict]:
    """The feedback form's rows as posted (each with its form row number), without the blank
    "add an item" row when it was left empty."""
    if "rows" not in request.POST:
        raise ValidationError("rows", "is required: reload the page and try again")
    count = parse_int("rows", request.POST["rows"], lo=0, hi=MAX_FEEDBACK_ITEMS + 1)
    rows = []
    for row in range(count):
        item = {key: request.POST.get(f"{key}_{row}", "") for key in FEEDBACK_KEYS}
        index = request.POST.get(f"index_{row}", "")
        if not index and not any(item[k].strip() for k in FEEDBACK_KEYS if k != "priority"):
            continue
        item["index"] = parse_int(f"index_{row}", index, lo=0, hi=999) if index else None
        item["row"] = row
        item["remove"] = bool(request.POST.get(f"remove_{row}"))
        rows.append(item)
    return rows


def _check_every_item_sent(analysis, rows: list[dict], version: str) -> None:
    """An item leaves the feedback only by its Remove box: a post that does not send every stored
    item (cut short, or a row count lower than the form's) is refused, not read as deleting the
    ones missing. Checked against the feedback the form was built from; a form built from other
    feedback is the manager's 409."""
    if version != form_version(analysis.feedback):
        return
    stored = [i for i, item in enumerate(analysis.feedback) if isinstance(item, dict)]
    if sorted(r["index"] for r in rows if r["index"] is not None) != stored:
        raise ValidationError(
            "rows", "the form did not send every item: reload the page and try again"
        )


def _user_named(user_id: object) -> User | None:
    """The user an analysis' details name (reviewer, editor), if the account still exists."""
    return managers().users.find(str(user_id)) if user_id else None


def _carried(analysis) -> list[str]:
    """The labels of the feedback items kept as the coach wrote them through a re-analysis."""
    carried = analysis.details.get("feedback_carried")
    aspects = carried.get("aspects") if isinstance(carried, dict) else None
    labels = drill_aspects()
    return [labels.get(a, str(a).replace("_", " ")) for a in aspects or []]


@scoped
@require_http_methods(["GET", "POST"])
def analysis_feedback(request: HttpRequest, player_id: str, analysis_id: str) -> HttpResponse:
    m = managers()
    player = player_or_404(request, player_id)
    analysis = m.admin.analysis(request.user, player.id, analysis_id)
    can_edit = can_edit_player(request.user, player)
    errors: dict[str, str] = {}
    status = 200
    posted_rows = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only the player's coach or an admin may edit this feedback.")
        try:
            if request.POST.get("form") == "review":
                reviewed = as_bool("reviewed", request.POST.get("reviewed", ""))
                posted_rows = None
                m.admin.mark_reviewed(
                    request.user, player.id, analysis.id, reviewed, version=seen_version(request)
                )
                messages.success(request, "Marked reviewed." if reviewed else "Review cleared.")
            else:
                # The feedback the form was built from: required (a post without it, or without
                # its rows, would replace the feedback with nothing), refused if saved since.
                version = seen_version(request)
                posted_rows = _posted_rows(request)
                _check_every_item_sent(analysis, posted_rows, version)
                kept = [r for r in posted_rows if not r["remove"]]
                m.admin.update_feedback(request.user, player.id, analysis.id, kept, version=version)
                messages.success(request, "Feedback saved.")
        except ValidationError as e:
            errors, status = errors_of(e), 400
        except Changed as e:
            errors, status = {"": str(e)}, 409  # the whole form, not one field
        else:
            return redirect("analysis_feedback", player_id=player.id, analysis_id=analysis.id)
    reviewer = _user_named(analysis.details.get("reviewed_by"))
    if errors and posted_rows is not None:
        items = posted_rows  # show what was typed, with the error next to its field
    else:
        # A player whose coach reviews first reads what was published, not the draft (#20).
        shown = analysis.feedback if can_edit else visible_feedback(request.user, player, analysis)
        items = [
            {**item, "index": i, "row": i, "remove": False}
            for i, item in enumerate(shown)
            if isinstance(item, dict)
        ]
    items = [{**it, "aspect_label": str(it.get("aspect") or "").replace("_", " ")} for it in items]
    context = {
        "player": player,
        "analysis": analysis,
        "items": items,
        "new_row": max((it["row"] for it in items), default=-1) + 1,
        "can_edit": can_edit,
        "errors": errors,
        "error_lines": [feedback_error(k, message) for k, message in errors.items()],
        "priorities": range(PRIORITY_RANGE[0], PRIORITY_RANGE[1] + 1),
        # The aspect is picked by the metric's name as the pages say it, not its key.
        "aspects": drill_aspects(),
        "reviewer": reviewer,
        "editor": _user_named(analysis.details.get("feedback_edited_by")),
        # The coach's edits kept through a re-analysis (a corrected marker): written against
        # the markers before it, worth checking against the new numbers (coaching/review.py).
        "carried": _carried(analysis) if can_edit else [],
        # Re-shown after an error: the version the form was opened at; else the stored one.
        "version": (
            request.POST.get("version", "")
            if errors and posted_rows is not None
            else form_version(analysis.feedback)
        ),
    }
    return render(request, "analysis_feedback.html", context, status=status)
