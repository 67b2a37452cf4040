"""Admin data pages: users, videos, analyses, progress and the audit log, with htmx inline edits.

Every page is for admins only (403 otherwise). An inline edit posts the one field it changes to the
record's URL and gets back the table row (the row's named partial); without JavaScript the same
forms post normally and come back to the list. Edits go through `managers().admin`, which
validates, writes and records each change in the audit log.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from analysis.corrections import analyse_for_new_view
from analysis.engine import VIEWS
from swingvision.db import Changed
from swingvision.db.managers import ValidationError, managers
from swingvision.db.managers.admin import STATUS_CHANGES, OwnedRow
from swingvision.db.managers.audit import TARGET_TYPES, field_changes
from swingvision.db.records import ROLES, VIDEO_STATUSES
from swingvision.http import admin_only, back, is_htmx, scoped
from swingvision.storage import StorageError, get_store
from swingvision.web import BadRequest, choice_param, int_param, text_param

from .forms import as_bool, errors_of, posted, seen_version

USER_FIELDS = ("username", "email", "full_name", "role", "coach_id", "active")
VIDEO_FIELDS = ("status", "filename", "club", "view")


ACTIVE_CHOICES = (("1", "active"), ("0", "deactivated"))


def _pairs(values) -> list[tuple[str, str]]:
    """Select options whose value is their label: (value, value) pairs (admin/_options.html)."""
    return [(v, v) for v in values]


def _video_choices() -> dict:
    """What a page with video status and view selects needs (admin/_inline_edit.html)."""
    return {
        "statuses": VIDEO_STATUSES,
        "status_changes": STATUS_CHANGES,
        "view_choices": _pairs(VIEWS),
    }


@admin_only
@require_GET
def admin_home(request: HttpRequest) -> HttpResponse:
    return redirect("admin_users")


def audit_rows(entries: list) -> list[tuple]:
    """(entry, actor's username, changes) for the audit table: each changed field with its value
    before and after, as text ("" where a side has none)."""
    m = managers()
    names: dict[str, str] = {}
    rows = []
    for entry in entries:
        if entry.actor_id not in names:
            actor = m.users.find(entry.actor_id)
            names[entry.actor_id] = actor.username if actor else entry.actor_id
        changes = [
            (field.replace(".", " › ").replace("_", " "), _as_text(old), _as_text(new))
            for field, old, new in field_changes(entry.before, entry.after)
        ]
        rows.append((entry, names[entry.actor_id], changes))
    return rows


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _list_page(request: HttpRequest, template: str, table: str, context: dict) -> HttpResponse:
    """A list page, or only its table (a named partial) for htmx (a filter or a page turned)."""
    if is_htmx(request):
        return render(request, f"{template}#{table}", context)
    return render(request, template, context)


# -- users ------------------------------------------------------------------------------------
def _user_choices(request: HttpRequest) -> dict:
    """What a page with role, coach and active selects needs (admin/_options.html)."""
    coaches = managers().users.by_role(request.user, "coach")
    return {
        "role_choices": _pairs(ROLES),
        "coach_choices": [(c.id, c.display_name) for c in coaches],
        "active_choices": ACTIVE_CHOICES,
    }


def _user_row(request: HttpRequest, user, *, errors=None, saved=False, status=200):
    context = {"u": user, **_user_choices(request), "errors": errors or {}, "saved": saved}
    return render(request, "admin/users.html#user-row", context, status=status)


@admin_only
@require_http_methods(["GET", "POST"])
def admin_users(request: HttpRequest) -> HttpResponse:
    m = managers()
    q = text_param(request, "q")
    role = choice_param(request, "role", ("", *ROLES), "")
    page_no = int_param(request, "page", 1)
    errors: dict[str, str] = {}
    form: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = posted(request, ("username", "email", "full_name", "role", "coach_id", "password"))
        try:
            user, generated = m.admin.create_user(
                request.user,
                username=form.get("username", ""),
                email=form.get("email", ""),
                full_name=form.get("full_name", ""),
                role=form.get("role", ""),
                coach_id=form.get("coach_id") or None,
                password=form.get("password", ""),
            )
        except ValidationError as e:
            errors, status = errors_of(e), 400
        else:
            return _user_page(request, user, generated_password=generated, created=True)
    page = m.admin.users_page(request.user, q=q, role=role, page=page_no)
    context = {
        "page": page,
        "q": q,
        "role": role,
        **_user_choices(request),
        "create_errors": errors,
        "form": form,
        "query": urlencode({"q": q, "role": role}),
    }
    if is_htmx(request) and request.method == "GET":
        return render(request, "admin/users.html#users-table", context)
    return render(request, "admin/users.html", context, status=status)


def _user_page(request, user, *, errors=None, status=200, generated_password=None, created=False):
    m = managers()
    audit = m.audit.page(request.user, target_type="user", target_id=user.id, limit=20)
    context = {
        "u": user,
        **_user_choices(request),
        "errors": errors or {},
        "generated_password": generated_password,
        "created": created,
        "audit_rows": audit_rows(audit.entries),
        "players": m.users.players_of(request.user, user.id) if user.role == "coach" else [],
    }
    return render(request, "admin/user.html", context, status=status)


@admin_only
@scoped
@require_http_methods(["GET", "POST"])
def admin_user(request: HttpRequest, user_id: str) -> HttpResponse:
    m = managers()
    user = m.admin.user(request.user, user_id)
    if request.method == "GET":
        return _user_page(request, user)
    changes: dict = posted(request, USER_FIELDS)
    try:
        if "active" in changes:
            changes["active"] = as_bool("active", changes["active"])
        new = m.admin.update_user(request.user, user.id, changes)
    except ValidationError as e:
        if is_htmx(request):
            return _user_row(request, user, errors=errors_of(e), status=400)
        return _user_page(request, user, errors=errors_of(e), status=400)
    if is_htmx(request):
        return _user_row(request, new, saved=True)
    messages.success(request, f"Saved {new.username}.")
    return back(request, reverse("admin_user", args=[new.id]))


@admin_only
@scoped
@require_POST
def admin_user_password(request: HttpRequest, user_id: str) -> HttpResponse:
    m = managers()
    user = m.admin.user(request.user, user_id)
    try:
        generated = m.admin.reset_password(
            request.user, user.id, request.POST.get("password", "")[:1024]
        )
    except ValidationError as e:
        return _user_page(request, user, errors=errors_of(e), status=400)
    if generated is None:
        messages.success(request, f"New password set for {user.username}; their sessions ended.")
        return redirect("admin_user", user_id=user.id)
    # Shown once, in this response only (never stored in a message or the session).
    return _user_page(request, m.users.get(user.id), generated_password=generated)


# -- videos -----------------------------------------------------------------------------------
def _video_row(request, video, player, *, errors=None, saved=False, note="", status=200):
    context = {
        "row_video": video,
        "row_player": player,
        **_video_choices(),
        "errors": errors or {},
        "saved": saved,
        "note": note,
    }
    return render(request, "admin/videos.html#video-row", context, status=status)


@admin_only
@require_GET
def admin_videos(request: HttpRequest) -> HttpResponse:
    status = choice_param(request, "status", ("", *VIDEO_STATUSES), "")
    player_id = text_param(request, "player", max_length=64)
    page = managers().admin.videos_page(
        request.user, status=status, player_id=player_id, page=int_param(request, "page", 1)
    )
    context = {
        "page": page,
        "status": status,
        "player": player_id,
        **_video_choices(),
        "errors": {},
        "query": urlencode({"status": status, "player": player_id}),
    }
    return _list_page(request, "admin/videos.html", "videos-table", context)


@admin_only
@scoped
@require_http_methods(["GET", "POST"])
def admin_video(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    m = managers()
    video = m.admin.video(request.user, player_id, video_id)
    player = m.users.get(player_id)
    if request.method == "GET":
        return _video_page(request, video, player)
    try:
        new = m.admin.update_video(request.user, player_id, video_id, posted(request, VIDEO_FIELDS))
    except ValidationError as e:
        return _video_error(request, video, player, errors_of(e), status=400)
    note = ""
    if new.metadata.get("view") and new.metadata.get("view") != video.metadata.get("view"):
        note = _analyse_for_new_view(request, new)
        new = m.admin.video(request.user, player_id, video_id)
    if is_htmx(request):
        return _video_row(request, new, player, saved=True, note=note)
    messages.success(request, f"Saved {new.filename}." + (f" {note}" if note else ""))
    return back(request, reverse("admin_video", args=[player_id, video_id]))


def _analyse_for_new_view(request: HttpRequest, video) -> str:
    """The swing's analysis after its camera view changed (what is measured depends on it):
    made again at once from the stored poses, else queued for the worker; what was done, in
    words."""
    m = managers()
    if video.status not in ("analyzed", "expired"):
        return ""  # the worker's next analysis reads the new view
    try:
        again = analyse_for_new_view(m, request.user, video.user_id, video.id)
    except ValidationError as e:
        return f"It could not be analysed again for the new view: {e.message}."
    if again is not None:
        return "Analysed again for the new camera view."
    if video.status == "analyzed":
        m.admin.rerun_analysis(request.user, video.user_id, video.id)
        return "Queued to be analysed again for the new camera view."
    return "It has no stored poses to analyse again for the new view."


def _video_error(request, video, player, errors: dict, *, status: int) -> HttpResponse:
    """A refused video edit: the row again with the errors (htmx), else the video's page."""
    if is_htmx(request):
        return _video_row(request, video, player, errors=errors, status=status)
    return _video_page(request, video, player, errors=errors, status=status)


def _video_page(request, video, player, *, errors=None, status=200):
    m = managers()
    context = {
        "video": video,
        "player": player,
        **_video_choices(),
        "errors": errors or {},
        "analysis": m.analyses.latest_for_video(request.user, player.id, video.id),
        "audit_rows": audit_rows(
            m.audit.page(request.user, target_type="video", target_id=video.id, limit=20).entries
        ),
    }
    return render(request, "admin/video.html", context, status=status)


@admin_only
@scoped
@require_POST
def admin_video_rerun(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    m = managers()
    player = m.users.get(player_id)
    try:
        new = m.admin.rerun_analysis(request.user, player_id, video_id)
    except ValidationError as e:
        video = m.admin.video(request.user, player_id, video_id)
        return _video_error(request, video, player, errors_of(e), status=400)
    if is_htmx(request):
        return _video_row(request, new, player, saved=True)
    messages.success(request, f"{new.filename} is queued for analysis again.")
    return back(request, reverse("admin_video", args=[player_id, video_id]))


@admin_only
@scoped
@require_POST
def admin_video_delete(request: HttpRequest, player_id: str, video_id: str) -> HttpResponse:
    m = managers()
    video = m.admin.video(request.user, player_id, video_id)
    player = m.users.get(player_id)
    try:
        m.admin.delete_video(request.user, player_id, video_id, get_store())
    except ValidationError as e:
        return _video_error(request, video, player, errors_of(e), status=400)
    except StorageError as e:
        # Nothing in the database was touched: the same delete can simply be tried again.
        error = {"delete": f"the video store failed, nothing was deleted: {e}"}
        return _video_error(request, video, player, error, status=503)
    if is_htmx(request):
        return HttpResponse("")  # the row's outerHTML becomes nothing
    messages.success(request, f"Deleted {video.filename} with its poses and analyses.")
    return back(request, reverse("admin_videos"))


# -- analyses ---------------------------------------------------------------------------------
@admin_only
@require_GET
def admin_analyses(request: HttpRequest) -> HttpResponse:
    player_id = text_param(request, "player", max_length=64)
    page = managers().admin.analyses_page(
        request.user, player_id=player_id, page=int_param(request, "page", 1)
    )
    context = {
        "page": page,
        "player": player_id,
        "errors": {},
        "query": urlencode({"player": player_id}),
    }
    return _list_page(request, "admin/analyses.html", "analyses-table", context)


@admin_only
@scoped
@require_POST
def admin_analysis_review(request: HttpRequest, player_id: str, analysis_id: str) -> HttpResponse:
    """Mark reviewed (or clear it) from the list. In the list (htmx) a refusal comes back as the
    row, as it now stands, with the reason: a malformed form (400) or an analysis changed since
    the list was opened (409: the row now shows the change, to mark again if it still applies)."""
    m = managers()
    try:
        reviewed = as_bool("reviewed", request.POST.get("reviewed", "1"))
        version = seen_version(request)
        analysis = m.admin.mark_reviewed(
            request.user, player_id, analysis_id, reviewed, version=version
        )
    except (ValidationError, Changed) as e:
        if not is_htmx(request):
            if isinstance(e, Changed):
                raise
            raise BadRequest(str(e)) from None
        status = 409 if isinstance(e, Changed) else 400
        message = str(e)
        if status == 409:
            what = message.split(":")[0]
            message = (
                f"{what[:1].upper()}{what[1:]}: the row shows it now; mark again if it applies."
            )
        current = m.admin.analysis(request.user, player_id, analysis_id)
        row = OwnedRow(record=current, player=m.users.find(player_id))
        context = {"row": row, "errors": {"review": message}}
        return render(request, "admin/analyses.html#analysis-row", context, status=status)
    if is_htmx(request):
        row = OwnedRow(record=analysis, player=m.users.find(player_id))
        context = {"row": row, "saved": True}
        return render(request, "admin/analyses.html#analysis-row", context)
    messages.success(request, "Marked reviewed." if reviewed else "Marked not reviewed.")
    return back(request, reverse("admin_analyses"))


# -- progress ---------------------------------------------------------------------------------
@admin_only
@require_GET
def admin_progress(request: HttpRequest) -> HttpResponse:
    q = text_param(request, "q")
    page = managers().admin.users_page(
        request.user, q=q, role="player", page=int_param(request, "page", 1)
    )
    context = {"page": page, "q": q, "query": urlencode({"q": q})}
    return _list_page(request, "admin/progress.html", "players-table", context)


@admin_only
@scoped
@require_POST
def admin_progress_recompute(request: HttpRequest, player_id: str) -> HttpResponse:
    m = managers()
    rows = m.admin.recompute_progress(request.user, player_id)
    player = m.users.get(player_id)
    if is_htmx(request):
        return render(request, "admin/progress.html#player-row", {"p": player, "recomputed": rows})
    messages.success(request, f"Rebuilt {rows} progress day(s) for {player.display_name}.")
    return back(request, reverse("admin_progress"))


# -- the audit log ----------------------------------------------------------------------------
@admin_only
@require_GET
def admin_audit(request: HttpRequest) -> HttpResponse:
    m = managers()
    filters = {
        "actor_id": text_param(request, "actor", max_length=64),
        "target_type": choice_param(request, "target_type", ("", *TARGET_TYPES), ""),
        "target_id": text_param(request, "target", max_length=200),
        "player_id": text_param(request, "player", max_length=64),
    }
    cursor = text_param(request, "before", max_length=100)
    try:
        page = m.audit.page(request.user, cursor=cursor, **filters)
    except ValidationError as e:
        raise BadRequest(str(e)) from None
    context = {
        "rows": audit_rows(page.entries),
        "next_cursor": page.next_cursor,
        "filters": filters,
        "target_types": TARGET_TYPES,
        "cursor": cursor,
        "query": urlencode(
            {
                "actor": filters["actor_id"],
                "target_type": filters["target_type"],
                "target": filters["target_id"],
                "player": filters["player_id"],
            }
        ),
    }
    return render(request, "admin/audit.html", context)
