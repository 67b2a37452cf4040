"""Coach tools on a swing: drawings, corrected events, notes, exports, the printable report, the
drill library, and what the swing and player pages show of them.

Writes go through the managers with the request's user as the actor: a player (or anyone who may
see a swing but not coach it) gets 403, someone outside its scope 404. The drawing tool talks JSON
(fetch with the CSRF header); notes, event corrections and drills are plain forms that htmx
enhances, so they work without JavaScript too.
"""

from __future__ import annotations

import json
from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from analysis import display
from analysis.corrections import correct_event, set_capture_rate
from analysis.engine.corrections import listed
from analysis.engine.pose import LANDMARK_NAMES
from swingvision.admin_data.forms import seen_version
from swingvision.db.errors import Changed
from swingvision.db.managers import ValidationError, managers
from swingvision.db.managers.coaching import ANNOTATION_POINTS, DEFAULT_COLOUR, MAX_ANNOTATION_TEXT
from swingvision.db.managers.drills import drill_aspects
from swingvision.db.managers.notes import MAX_NOTE_TEXT
from swingvision.db.managers.scope import can_edit_player
from swingvision.db.managers.swings import EARLIEST, LATEST
from swingvision.db.records import Note, SwingAnalysis, User, Video
from swingvision.db.swing_facts import frame_count
from swingvision.http import body, is_htmx, json_api, scoped, wants_json
from swingvision.web import BadRequest, choice_param, player_or_404, swing_or_404, video_or_404

from . import exports, review

# Colours offered by the drawing tool: apart from the white skeleton and its red-to-green joints.
PALETTE = (
    ("#ffd400", "Yellow"),
    ("#00e5ff", "Cyan"),
    ("#ff4fd8", "Magenta"),
    ("#ffffff", "White"),
    ("#ff8a00", "Orange"),
)
DRILLS_PER_FEEDBACK = 2
NOTE_LABELS = {"text": "Note", "frame": "Frame"}  # the note form's fields, as an error names them


def _names(ids: set[str]) -> dict[str, str]:
    """User id -> display name, for the authors the pages show."""
    users = managers().users
    out = {}
    for uid in ids:
        found = users.find(uid) if uid and uid != "system" else None
        out[uid] = found.display_name if found else ("SwingVision" if uid == "system" else "–")
    return out


# -- what the swing page shows ---------------------------------------------------------------------
def swing_context(
    request: HttpRequest, player: User, video: Video, analysis: SwingAnalysis | None
) -> dict:
    """The coach tools' part of the swing page (analysis/views.py `swing`). The player opening
    the page reads the swing's notes: they are marked read here."""
    m = managers()
    actor = request.user
    can_edit = can_edit_player(actor, player)
    notes = m.notes.for_video(actor, player.id, video.id)
    unread_ids = {n.id for n in notes if n.unread}
    if unread_ids and m.notes.mark_read(actor, player.id, video.id):
        notes = m.notes.for_video(actor, player.id, video.id)
    details = (analysis.details or {}) if analysis else {}
    annotations = list(details.get("annotations") or [])
    events = exports.event_rows(video, analysis)
    names = _names(
        {n.author_id for n in notes}
        | {a.get("author_id", "") for a in annotations}
        | {e["by"] for e in events if e["by"]}
    )
    library = m.drills.by_aspect(actor)
    drills = {
        str(f.get("aspect")): library.get(str(f.get("aspect")), [])[:DRILLS_PER_FEEDBACK]
        for f in (analysis.feedback if analysis else [])
        if isinstance(f, dict)
    }
    urls = {
        "annotations": reverse("swing_annotations", args=[player.id, video.id]),
        "events": reverse("swing_events", args=[player.id, video.id]),
        "notes": reverse("swing_notes", args=[player.id, video.id]),
    }
    return {
        "coach_can_edit": can_edit,
        "coach_urls": urls,
        "coach_data": {
            "canEdit": can_edit,
            "urls": urls,
            "annotations": annotations,
            "authors": {k: v for k, v in names.items() if k},
            "frames": frame_count(video, analysis),
            "joints": list(LANDMARK_NAMES),
            "kinds": list(ANNOTATION_POINTS),
            "maxText": MAX_ANNOTATION_TEXT,
            "colour": DEFAULT_COLOUR,
        },
        "palette": PALETTE,
        "event_rows": [{**e, "by_name": names.get(e["by"] or "", "")} for e in events],
        "notes": _note_rows(notes, names, unread_ids),
        "max_note": MAX_NOTE_TEXT,
        "feedback_drills": drills,
        "export_urls": _export_urls(player, video),
    }


def _note_rows(notes: list[Note], names: dict[str, str], fresh: set[str]) -> list[dict]:
    return [
        {"note": n, "author": names.get(n.author_id, "–"), "fresh": n.id in fresh} for n in notes
    ]


def _export_urls(player: User, video: Video) -> dict[str, str]:
    csv_url = reverse("swing_export_csv", args=[player.id, video.id])
    return {
        "keypoints": csv_url,
        "metrics": f"{csv_url}?part=metrics",
        "events": f"{csv_url}?part=events",
        "json": reverse("swing_export_json", args=[player.id, video.id]),
        "report": reverse("swing_report", args=[player.id, video.id]),
    }


def player_context(request: HttpRequest, player: User, view: str | None = None) -> dict:
    """The player page's coaching cards: new notes (to the player), the practice plan (from
    swings of one camera view; for a player whose coach reviews first, from published feedback
    only), export."""
    m = managers()
    unread = []
    if request.user.id == player.id:
        notes = m.notes.unread(request.user, player.id)
        names = _names({n.author_id for n in notes})
        unread = [{"note": n, "author": names.get(n.author_id, "–")} for n in notes]
    return {
        "new_notes": unread,
        "practice_plan": m.coaching.practice_plan(
            request.user,
            player.id,
            view=view,
            published_only=review.review_on(player) and not can_edit_player(request.user, player),
        ),
        "player_export_url": reverse("player_export_csv", args=[player.id]),
    }


# -- drawings --------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@json_api
def annotations(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    """GET: the swing's drawings. POST (JSON): add one; 201 with it."""
    m = managers()
    if request.method == "GET":
        return JsonResponse(
            {"annotations": m.coaching.annotations(request.user, player_id, video_id)}
        )
    _, annotation = m.coaching.add_annotation(request.user, player_id, video_id, body(request))
    return JsonResponse({"annotation": annotation}, status=201)


@require_http_methods(["PUT", "PATCH", "DELETE"])
@json_api
def annotation(
    request: HttpRequest, player_id: str, video_id: str, annotation_id: str
) -> HttpResponse:
    """PUT/PATCH (JSON): change a drawing's fields; DELETE: remove it."""
    m = managers()
    if request.method == "DELETE":
        m.coaching.delete_annotation(request.user, player_id, video_id, annotation_id)
        return HttpResponse(status=204)
    _, changed = m.coaching.update_annotation(
        request.user, player_id, video_id, annotation_id, body(request)
    )
    return JsonResponse({"annotation": changed})


# -- corrected events ------------------------------------------------------------------------------
def _events_payload(video: Video, analysis: SwingAnalysis | None) -> dict:
    return {
        "events": analysis.events if analysis else {},
        "rows": [
            {k: e[k] for k in ("name", "label", "frame", "confidence", "corrected", "engine_frame")}
            for e in exports.event_rows(video, analysis)
        ],
        "corrections": (analysis.details or {}).get("corrections", []) if analysis else [],
        "overall_score": analysis.overall_score if analysis else None,
        "metrics": analysis.metrics if analysis else {},
        # Markers worth checking (low confidence, or an implausible metric read at them).
        "check": display.markers_to_check(analysis),
    }


@require_http_methods(["GET", "POST"])
def events(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    """GET: the swing's events with the engine's confidence and the coach's corrections (JSON).
    POST `event`, `frame` (empty: give the event back to the engine): correct one event and
    recompute the analysis; JSON for the drawing tool, a redirect to the swing for a form."""
    if request.method == "GET":
        _, video, analysis = swing_or_404(request, player_id, video_id)
        return JsonResponse(_events_payload(video, analysis))
    if wants_json(request):
        return _correct_json(request, player_id, video_id)
    return _correct_form(request, player_id, video_id)


@json_api
def _correct_json(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    fields = body(request)
    m = managers()
    event = str(fields.get("event") or "")
    before = m.analyses.latest_for_video(request.user, player_id, video_id)
    new = correct_event(m, request.user, player_id, video_id, event, fields.get("frame"))
    video = m.videos.get(request.user, player_id, video_id)
    payload = _events_payload(video, new)
    payload["moved"] = _moved(before, new, event)
    response = JsonResponse(payload)
    response["HX-Trigger"] = "analysis-changed"
    return response


def _moved(before: SwingAnalysis | None, after: SwingAnalysis, event: str) -> list[str]:
    """The labels of the other events a correction moved (the engine keeps the 8 in order, so
    a Top set after Impact takes Mid downswing and Impact along): the coach is told which."""
    old = (before.events or {}) if before else {}
    new = after.events or {}
    return [
        display.EVENT_LABELS.get(name, name)
        for name in display.EVENT_LABELS
        if name != event and old.get(name) is not None and new.get(name) != old.get(name)
    ]


@scoped
def _correct_form(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    fields = body(request)
    event = str(fields.get("event") or "")
    frame = fields.get("frame")
    if fields.get("restore"):
        frame = None
    m = managers()
    before = m.analyses.latest_for_video(request.user, player_id, video_id)
    try:
        new = correct_event(m, request.user, player_id, video_id, event, frame)
    except (ValidationError, Changed) as e:
        messages.error(request, str(e))
    else:
        label = display.EVENT_LABELS.get(event, event)
        moved = _moved(before, new, event)
        messages.success(
            request,
            (
                f"{label} set to frame {frame}: the analysis was recomputed."
                if frame not in (None, "")
                else f"{label} is the engine's again: the analysis was recomputed."
            )
            + (f" {listed(moved)} moved to keep the phases in order." if moved else ""),
        )
    return redirect("swing", player_id=player_id, video_id=video_id)


# -- what the player sees, and the capture rate ------------------------------------------------
@scoped
@require_POST
def publish(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    """Publish the swing's feedback as it stands (engine's or edited) to the player."""
    player, video, analysis = swing_or_404(request, player_id, video_id)
    if analysis is None:
        raise BadRequest("this swing has no analysis to publish")
    # What the coach saw on the page: refused (409) if the feedback or events changed since.
    version = seen_version(request)
    managers().admin.publish_feedback(request.user, player.id, analysis.id, version=version)
    messages.success(request, f"Feedback published to {player.display_name}.")
    return redirect(reverse("swing", args=[player.id, video.id]) + "#feedback-heading")


RATE_ANSWERS = ("real", "2x", "4x", "8x", "60", "120", "240")


@scoped
@require_POST
def capture_rate(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    """The answer to "Is this slow motion?" (`rate`: real, 2x, 4x, 8x, 60, 120 or 240): the
    swing is analysed again at that capture rate."""
    player, video, _ = swing_or_404(request, player_id, video_id)
    answer = str(body(request).get("rate") or "")
    if answer not in RATE_ANSWERS:
        raise BadRequest(f"rate: must be one of {', '.join(RATE_ANSWERS)}")
    try:
        new = set_capture_rate(managers(), request.user, player.id, video.id, answer)
    except ValidationError as e:
        messages.error(request, str(e))
    else:
        fps = (new.details or {}).get("fps")
        messages.success(
            request,
            (
                "Real time: the swing was analysed again at the file's rate"
                if answer == "real"
                else f"Filmed at {fps:g} fps: the swing was analysed again at that rate"
            )
            # The event model reads motion on the real time scale, so the phases can land a
            # frame or two elsewhere, and every metric read at them follows.
            + ". Its phases were found again on the real time scale, so tempo and the other "
            "metrics can change a little.",
        )
    return redirect("swing", player_id=player.id, video_id=video.id)


# -- notes -----------------------------------------------------------------------------------------
def _notes_partial(request: HttpRequest, player: User, video: Video, status: int = 200, **extra):
    m = managers()
    notes = m.notes.for_video(request.user, player.id, video.id)
    names = _names({n.author_id for n in notes})
    context = {
        "player": player,
        "video": video,
        "notes": _note_rows(notes, names, set()),
        "coach_can_edit": can_edit_player(request.user, player),
        "coach_urls": {"notes": reverse("swing_notes", args=[player.id, video.id])},
        "max_note": MAX_NOTE_TEXT,
        **extra,
    }
    return render(request, "swing.html#swing-notes", context, status=status)


@scoped
@require_http_methods(["GET", "POST"])
def notes(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    """GET: the swing's notes (the page's notes panel). POST `text`, `frame`: a coach's note."""
    player = player_or_404(request, player_id)
    video = video_or_404(request, player.id, video_id)
    if request.method == "GET":
        return _notes_partial(request, player, video)
    fields = body(request)
    try:
        managers().notes.create(
            request.user,
            player.id,
            video.id,
            text=fields.get("text") or "",
            frame=fields.get("frame"),
        )
    except ValidationError as e:
        # Named as the form names it ("Note: is required"), not by its field (text).
        error = f"{NOTE_LABELS.get(e.field, e.field)}: {e.message}"
        if is_htmx(request):
            return _notes_partial(
                request, player, video, 400, note_error=error, note_text=fields.get("text") or ""
            )
        messages.error(request, error)
    else:
        if not is_htmx(request):
            messages.success(request, f"Note sent to {player.display_name}.")
    if is_htmx(request):
        return _notes_partial(request, player, video)
    return redirect(reverse("swing", args=[player.id, video.id]) + "#notes-heading")


@scoped
@require_POST
def note_delete(request: HttpRequest, player_id: str, video_id: str, note_id: str) -> HttpResponse:
    player = player_or_404(request, player_id)
    video = video_or_404(request, player.id, video_id)
    managers().notes.delete(request.user, player.id, note_id)
    if is_htmx(request):
        return _notes_partial(request, player, video)
    messages.success(request, "Note deleted.")
    return redirect(reverse("swing", args=[player.id, video.id]) + "#notes-heading")


def _poses(request: HttpRequest, video: Video):
    return managers().poses.sequence(request.user, video.user_id, video.id)


# -- exports ---------------------------------------------------------------------------------------
def _attachment(content: str | bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _stem(video: Video) -> str:
    return f"swing-{video.uploaded_at:%Y-%m-%d}-{video.id}"


@require_GET
def export_csv(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    """?part=keypoints (default: one row per joint per frame, the pose file format), metrics or
    events."""
    _, video, analysis = swing_or_404(request, player_id, video_id)
    part = choice_param(request, "part", exports.CSV_PARTS, "keypoints")
    if part == "keypoints":
        content = exports.keypoints_csv(video, analysis, _poses(request, video))
    elif part == "metrics":
        content = exports.metrics_csv(analysis)
    else:
        content = exports.events_csv(video, analysis)
    return _attachment(content, f"{_stem(video)}-{part}.csv", "text/csv; charset=utf-8")


@require_GET
def export_json(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    player, video, analysis = swing_or_404(request, player_id, video_id)
    doc = exports.swing_json(
        player,
        video,
        analysis,
        _poses(request, video),
        feedback=review.visible_feedback(request.user, player, analysis),
    )
    content = json.dumps(exports.finite_json(doc), separators=(",", ":"), allow_nan=False)
    return _attachment(content, f"{_stem(video)}.json", "application/json")


@require_GET
def player_export_csv(request: HttpRequest, player_id: str) -> HttpResponse:
    """Every analysed swing of the player: dates, scores, metrics."""
    player = player_or_404(request, player_id)
    rows = managers().analyses.swings_between(request.user, player.id, EARLIEST, LATEST)
    filename = f"swings-{player.username}-{date.today():%Y-%m-%d}.csv"
    return _attachment(exports.player_csv(rows), filename, "text/csv; charset=utf-8")


# -- the printable report --------------------------------------------------------------------------
@require_GET
def report(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    """One swing on paper: the 8 key frames with the skeleton, metrics against their targets,
    feedback with drills, the coach's notes. Prints to PDF from the browser."""
    player, video, analysis = swing_or_404(request, player_id, video_id)
    m = managers()
    annotations = list(((analysis.details or {}) if analysis else {}).get("annotations") or [])
    frames, (width, height) = exports.key_frames(
        video, analysis, _poses(request, video), annotations
    )
    metrics = []
    details = ((analysis.details or {}) if analysis else {}).get("metrics") or {}
    for line in display.metric_lines(analysis):
        band = (details.get(line.name) or {}).get("band") or display.default_band(line.name)
        metrics.append(
            {
                "line": line,
                "in_band": display.in_band((analysis.metrics or {}).get(line.name), band)
                if line.available
                else None,
            }
        )
    library = m.drills.by_aspect(request.user)
    feedback = [
        {
            **f,
            "label": display.label(str(f.get("aspect", ""))),
            "drills": library.get(str(f.get("aspect")), [])[:DRILLS_PER_FEEDBACK],
        }
        for f in sorted(
            review.visible_feedback(request.user, player, analysis),
            key=lambda f: f.get("priority") or 3,
        )
    ]
    notes = m.notes.for_video(request.user, player.id, video.id)
    names = _names({n.author_id for n in notes})
    context = {
        "player": player,
        "video": video,
        "analysis": analysis,
        "frames": frames,
        "frame_width": width,
        "frame_height": height,
        # In the frame's own pixels (the SVG's viewBox): sizes that read the same at any size.
        "joint_radius": round(max(2.0, height / 110), 1),
        "label_size": round(max(10.0, height / 18), 1),
        "metrics": metrics,
        "feedback": feedback,
        "notes": _note_rows(notes, names, set()),
        "swing_url": reverse("swing", args=[player.id, video.id]),
        "player_view": not can_edit_player(request.user, player),
        "review": review.review_state(player, analysis),
    }
    return render(request, "report.html", context)


# -- the drill library -----------------------------------------------------------------------------
DRILL_FIELDS = ("name", "aspect", "description", "video_url")


def _drill_fields(request: HttpRequest) -> dict[str, str]:
    return {k: request.POST.get(k, "") for k in DRILL_FIELDS}


def _can_change(user, drill) -> bool:
    return user.role == "admin" or (user.role == "coach" and drill.created_by == user.id)


@scoped
@require_http_methods(["GET", "POST"])
def drills(request: HttpRequest) -> HttpResponse:
    """The library by aspect; coaches and admins add drills (a player reads it)."""
    form = dict.fromkeys(DRILL_FIELDS, "")
    form["aspect"] = request.GET.get("aspect", "") if request.method == "GET" else ""
    if request.method == "POST":
        form = _drill_fields(request)
        try:
            drill = managers().drills.create(request.user, **form)
        except ValidationError as e:
            return _drill_library(request, add=form, add_errors={e.field: e.message}, status=400)
        messages.success(request, f"Added “{drill.name}”.")
        return redirect(reverse("drills") + f"#drill-{drill.id}")
    return _drill_library(request, add=form)


@scoped
@require_POST
def drill_update(request: HttpRequest, drill_id: str) -> HttpResponse:
    """Save a drill's edit; a refused edit shows the library again with that drill's form open,
    as typed, and the reason beside its field."""
    fields = _drill_fields(request)
    try:
        drill = managers().drills.update(request.user, drill_id, **fields)
    except ValidationError as e:
        edit = {"id": drill_id, "form": fields, "errors": {e.field: e.message}}
        return _drill_library(request, edit=edit, status=400)
    messages.success(request, f"Saved “{drill.name}”.")
    return redirect(reverse("drills") + f"#drill-{drill.id}")


def _drill_library(
    request: HttpRequest,
    *,
    add: dict[str, str] | None = None,
    add_errors: dict[str, str] | None = None,
    edit: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    """The library page. `add` / `add_errors`: the add form as typed and why it was refused;
    `edit`: a refused edit ({"id", "form", "errors"}), shown open on its drill."""
    m = managers()
    user = request.user
    aspects = drill_aspects()
    library = m.drills.by_aspect(user)
    authors = _names({d.created_by for ds in library.values() for d in ds})
    # The engine's aspects in its order, then any an older engine had.
    order = [a for a in aspects if a in library] + sorted(set(library) - set(aspects))

    def row(d) -> dict:
        refused = edit is not None and edit["id"] == d.id
        return {
            "drill": d,
            "can_change": _can_change(user, d),
            "author": authors[d.created_by],
            "form": edit["form"] if refused else {k: getattr(d, k) or "" for k in DRILL_FIELDS},
            "errors": edit["errors"] if refused else {},
            "open": refused,
        }

    groups = [
        {
            "aspect": a,
            "label": aspects.get(a, a.replace("_", " ")),
            "drills": [row(d) for d in library[a]],
        }
        for a in order
    ]
    context = {
        "groups": groups,
        "aspects": aspects,
        "can_add": user.role in ("coach", "admin"),
        "form": add or dict.fromkeys(DRILL_FIELDS, ""),
        "errors": add_errors or {},
    }
    return render(request, "drills.html", context, status=status)


@scoped
@require_POST
def drill_delete(request: HttpRequest, drill_id: str) -> HttpResponse:
    drill = managers().drills.delete(request.user, drill_id)
    messages.success(request, f"Deleted “{drill.name}”.")
    return redirect("drills")
