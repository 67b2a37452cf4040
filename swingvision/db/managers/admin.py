"""Audited data edits, and the admin listings of every player's records.

Each edit is validated field by field (ValidationError names the field), written through the other
managers and recorded in the audit log with the values before and after. Admins may do everything;
a coach may change their own players' settings and analysis feedback; anyone their own profile.
Scope is checked here, whatever the view did: a non-admin asking for an admin listing gets
NotFound, a player asking to change coaching data NotAllowed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.auth.hashers import check_password

from analysis.engine import METRICS, VIEWS
from swingvision.numbers import parse_float, parse_int
from swingvision.storage import BlobNotFound, StorageError

from ..codec import utc_now
from ..errors import Changed, NotAllowed, NotFound, ValidationError
from ..gateway import Database
from ..records import ROLES, VIDEO_STATUSES, SwingAnalysis, User, Video
from .analyses import Analyses
from .audit import Audit, changed, snapshot, target_of
from .progress import Progress
from .scope import SYSTEM, Actor, can_edit_player, is_admin, visible_player
from .sessions import Sessions
from .summaries import Summaries
from .tokens import ApiTokens
from .users import Users
from .videos import Videos

# What a form that was opened before someone else's save is told when it is saved.
CHANGED_SINCE_OPENED = "changed since you opened it: reload to see the changes"


def form_version(value: Any) -> str:
    """A short hash of the stored values a form was built from: the form carries it (a hidden
    field) and the save is refused (Changed) when the values are no longer those, so a tab
    opened before another tab's save cannot silently undo it."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


FORM_VERSION = re.compile(r"[0-9a-f]{20}")  # what form_version gives: a malformed one is a 400


def analysis_version(analysis: SwingAnalysis) -> str:
    """The form_version of what a coach sees of an analysis before reviewing or publishing it:
    which analysis, its events and its feedback (another tab's edit or correction changes it)."""
    return form_version(
        {"id": analysis.id, "events": analysis.events, "feedback": analysis.feedback}
    )


log = logging.getLogger("swingvision.admin")


def _check_seen(analysis: SwingAnalysis, version: str | None) -> None:
    if version is not None and version != analysis_version(analysis):
        raise Changed(f"the feedback was {CHANGED_SINCE_OPENED}")


PER_PAGE = 50
HANDEDNESS = ("right", "left")
MAX_FEEDBACK_ITEMS = 20
FEEDBACK_TEXT = {"aspect": 80, "finding": 600, "recommendation": 600}
PRIORITY_RANGE = (1, 3)  # the engine's: 1 high, 2 medium, 3 low
MAX_TARGET = 1e6
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # keeps \t \r \n
# Text-direction embeddings, overrides and isolates: U+202E in a note showed the report's text
# reversed. The plain marks (LRM U+200E, RLM U+200F, ALM U+061C) stay allowed.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_FILENAME_BAD = re.compile(r"[\x00-\x1f\x7f/\\]")


# The status changes an admin may make, from each status. "processing" is the worker's to set and
# "expired" the purge's (the raw video is gone then, so nothing can be analysed again).
STATUS_CHANGES: dict[str, tuple[str, ...]] = {
    "uploaded": ("failed",),
    "processing": ("uploaded", "failed"),
    "analyzed": ("uploaded", "failed"),
    "failed": ("uploaded",),
    "expired": (),
}


class BlobDeleter(Protocol):
    """What delete_video needs from a blob store (swingvision.storage)."""

    def delete(self, ref: str) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    rows: list
    total: int
    page: int
    pages: int
    per_page: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnedRow:
    """A video or analysis with the player it belongs to (None if the account is gone)."""

    record: Video | SwingAnalysis
    player: User | None


def require_admin(actor: Actor) -> None:
    if not is_admin(actor):
        raise NotFound("not allowed")


def clean_text(
    field: str, value: Any, *, max_length: int, required: bool = False, multiline: bool = False
) -> str:
    """Form text: a string, stripped, bounded, with no control characters (but line breaks and
    tabs in multi-line text)."""
    if not isinstance(value, str):
        raise ValidationError(field, "must be text")
    value = value.strip()
    if required and not value:
        raise ValidationError(field, "is required")
    if len(value) > max_length:
        raise ValidationError(field, f"at most {max_length} characters")
    if (_CONTROL_MULTILINE if multiline else _CONTROL).search(value):
        raise ValidationError(field, "must not contain control characters")
    if _BIDI_CONTROL.search(value):
        raise ValidationError(
            field,
            "must not contain text-direction controls (U+202A-U+202E, U+2066-U+2069): "
            "they show the text reversed or out of order",
        )
    return value


def like_pattern(q: str) -> str:
    """A case-insensitive substring pattern; LIKE's own metacharacters become the one-character
    wildcard, which still matches them, so no dialect-specific ESCAPE clause is needed."""
    q = q.strip().lower()
    if not q:
        return ""
    return "%" + re.sub(r"[%_\\]", "_", q) + "%"


def _paging(total: int, page: int, per_page: int) -> tuple[int, int, int]:
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    return page, pages, (page - 1) * per_page


def _number(field: str, raw: Any) -> float:
    return parse_float(field, raw, lo=-MAX_TARGET, hi=MAX_TARGET)


def _plausible(name: str, end: str, value: float) -> None:
    """A target band's end within what a swing can produce (the metric's plausible range): a
    swing time of -5 s is no target."""
    spec = METRICS[name]
    lo, hi = spec.plausible
    if not lo <= value <= hi:
        unit = "" if spec.unit in ("ratio", "") else f" {spec.unit}"
        raise ValidationError(
            f"{name}_{end}", f"must be between {lo:g} and {hi:g}{unit} (what a swing can produce)"
        )


def _priority(field: str, raw: Any) -> int:
    lo, hi = PRIORITY_RANGE
    return parse_int(field, raw, lo=lo, hi=hi)


def _diff(before: Any, after: Any) -> tuple[dict, dict]:
    """The fields an edit changed on a record, before and after (its updated_at left out)."""
    old, new = snapshot(before), snapshot(after)
    for volatile in ("updated_at",):
        old.pop(volatile, None)
        new.pop(volatile, None)
    return changed(old, new)


class AdminData:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.users = Users(db)
        self.videos = Videos(db)
        self.analyses = Analyses(db)
        self.progress = Progress(db)
        self.sessions = Sessions(db)
        self.tokens = ApiTokens(db)
        self.audit = Audit(db)

    # -- users --------------------------------------------------------------------------------
    def users_page(
        self, actor: Actor, *, q: str = "", role: str = "", page: int = 1, per_page: int = PER_PAGE
    ) -> Page:
        require_admin(actor)
        if role and role not in ROLES:
            raise ValidationError("role", f"must be one of {', '.join(ROLES)}")
        q = clean_text("q", q, max_length=100)
        params = {"role": role, "pattern": like_pattern(q)}
        total = int(self.db.fetch_value("admin_users_count", params))
        page, pages, offset = _paging(total, page, per_page)
        rows = self.db.fetch_all(
            User, "admin_users_page", {**params, "limit": per_page, "offset": offset}
        )
        return Page(rows=rows, total=total, page=page, pages=pages, per_page=per_page)

    def user(self, actor: Actor, user_id: str) -> User:
        require_admin(actor)
        return self.users.get(user_id)

    def create_user(
        self,
        actor: Actor,
        *,
        username: str,
        email: str,
        role: str,
        full_name: str = "",
        coach_id: str | None = None,
        password: str = "",
    ) -> tuple[User, str | None]:
        """The new user, and the generated password when none was given (shown once)."""
        require_admin(actor)
        full_name = clean_text("full_name", full_name, max_length=120)
        username = clean_text("username", username, max_length=40, required=True)
        email = clean_text("email", email, max_length=254, required=True)
        generated = None
        if not password:
            generated = password = secrets.token_urlsafe(12)
        user = self.users.create(
            username=username,
            email=email,
            password=password,
            role=role,
            coach_id=coach_id or None,
            full_name=full_name,
        )
        self.audit.record(
            actor,
            "user.create",
            **target_of(user),
            after=snapshot(user),
        )
        return user, generated

    def update_user(self, actor: Actor, user_id: str, changes: dict[str, Any]) -> User:
        """Change any of username, email, full_name, role, coach_id, active."""
        require_admin(actor)
        user = self.users.get(user_id)
        allowed = ("username", "email", "full_name", "role", "coach_id", "active")
        unknown = sorted(set(changes) - set(allowed))
        if unknown:
            raise ValidationError(unknown[0], "cannot be changed here")
        changes = dict(changes)
        if "full_name" in changes:
            changes["full_name"] = clean_text("full_name", changes["full_name"], max_length=120)
        for field, limit in (("username", 40), ("email", 254)):
            if field in changes:
                changes[field] = clean_text(field, changes[field], max_length=limit, required=True)
        if "coach_id" in changes:
            changes["coach_id"] = changes["coach_id"] or None
        if "active" in changes and not isinstance(changes["active"], bool):
            raise ValidationError("active", "must be true or false")
        role = changes.get("role", user.role)
        if role != "player" and "coach_id" not in changes:
            changes["coach_id"] = None  # a coach or admin has no coach of their own
        if user.id == actor.id:
            if role != "admin":
                raise ValidationError("role", "you cannot take away your own admin role")
            if changes.get("active") is False:
                raise ValidationError("active", "you cannot deactivate your own account")
        if user.role == "coach" and role != "coach":
            players = self.users.players_of(SYSTEM, user.id)
            if players:
                raise ValidationError(
                    "role",
                    f"{len(players)} player(s) still have this coach: assign them another first",
                )
        new = self.users.update(user, **changes)
        ended = 0
        if user.active and not new.active:
            # A deactivated account is logged out now, its API tokens too (for good: they do not
            # come back if the account is reactivated).
            self.sessions.delete_for_user(user.id)
            ended = self.tokens.end_all(user.id)
        tokens = {"api_tokens": f"{ended} revoked"} if ended else {}
        self._record_user_change(actor, "user.update", user, new, tokens)
        return new

    def reset_password(self, actor: Actor, user_id: str, password: str = "") -> str | None:
        """Set a new password (or generate one, returned to show once); ends the user's sessions."""
        require_admin(actor)
        user = self.users.get(user_id)
        generated = None
        if not password:
            generated = password = secrets.token_urlsafe(12)
        self.users.set_password(user.id, password, username=user.username)
        ended = self.tokens.end_all(user.id)
        self.audit.record(
            actor,
            "user.password_reset",
            **target_of(user),
            after={
                "password": "reset",
                "generated": generated is not None,
                "sessions": "ended",
                "api_tokens": f"{ended} revoked",
            },
        )
        return generated

    def _record_user_change(
        self, actor: Actor, action: str, user: User, new: User, extra: dict | None = None
    ) -> None:
        """Log what an edit changed on a user, with `extra` facts of the change (nothing when
        nothing changed)."""
        before, after = _diff(user, new)
        after.update(extra or {})
        if before or after:
            target = target_of(new if new.role == "player" else user)
            self.audit.record(actor, action, **target, before=before, after=after)

    # -- a player's coaching settings (their coach or an admin) -------------------------------
    def update_player_settings(
        self,
        actor: Actor,
        player_id: str,
        *,
        handedness: str,
        view: str,
        targets: dict[str, tuple[Any, Any] | None],
        review_feedback: bool | None = None,
        version: str | None = None,
    ) -> User:
        """Handedness, default camera view, per-metric target bands (None: the default) and
        whether the coach reviews the engine's feedback before the player sees it (None: keep;
        swingvision/coaching/review.py). `version`: form_version of the settings the form was
        built from; Changed when they were saved differently since."""
        player = visible_player(self.db, actor, player_id)
        if not can_edit_player(actor, player):
            raise NotAllowed("only the player's coach or an admin may change these settings")
        if version is not None and version != form_version(player.settings):
            raise Changed(f"{player.display_name}'s settings were {CHANGED_SINCE_OPENED}")
        if handedness not in HANDEDNESS:
            raise ValidationError("handedness", f"must be one of {', '.join(HANDEDNESS)}")
        if view not in VIEWS:
            raise ValidationError("view", f"must be one of {', '.join(VIEWS)}")
        bands: dict[str, list[float]] = {}
        for name, band in targets.items():
            if name not in METRICS:
                raise ValidationError(f"target_{name}"[:60], "no such metric")
            if band is None:
                continue
            lo = _number(f"{name}_lo", band[0])
            hi = _number(f"{name}_hi", band[1])
            _plausible(name, "lo", lo)
            _plausible(name, "hi", hi)
            if lo >= hi:
                raise ValidationError(f"{name}_lo", "must be below the high end")
            bands[name] = [lo, hi]
        settings = {**player.settings, "handedness": handedness, "view": view}
        if review_feedback is not None:
            settings["review_feedback"] = bool(review_feedback)
        settings.pop("targets", None)
        if bands:
            settings["targets"] = bands
        if settings == player.settings:
            return player
        try:  # only while they are still the ones read above (another tab at the same moment)
            new = self.users.set_settings(player, settings)
        except Changed:
            raise Changed(f"{player.display_name}'s settings were {CHANGED_SINCE_OPENED}") from None
        Summaries(self.db).refresh(player.id)  # the roster's score follows the usual view
        before, after = changed(player.settings, new.settings)
        self.audit.record(
            actor,
            "player.settings",
            **target_of(player),
            before=before,
            after=after,
        )
        return new

    # -- videos -------------------------------------------------------------------------------
    def videos_page(
        self,
        actor: Actor,
        *,
        status: str = "",
        player_id: str = "",
        page: int = 1,
        per_page: int = PER_PAGE,
    ) -> Page:
        require_admin(actor)
        if status and status not in VIDEO_STATUSES:
            raise ValidationError("status", f"must be one of {', '.join(VIDEO_STATUSES)}")
        params = {"status": status, "user_id": player_id}
        total = int(self.db.fetch_value("admin_videos_count", params))
        page, pages, offset = _paging(total, page, per_page)
        videos = self.db.fetch_all(
            Video, "admin_videos_page", {**params, "limit": per_page, "offset": offset}
        )
        return Page(
            rows=self._owned(videos), total=total, page=page, pages=pages, per_page=per_page
        )

    def _owned(self, records: list) -> list[OwnedRow]:
        players: dict[str, User | None] = {}
        for r in records:
            if r.user_id not in players:
                players[r.user_id] = self.users.find(r.user_id)
        return [OwnedRow(record=r, player=players[r.user_id]) for r in records]

    def video(self, actor: Actor, player_id: str, video_id: str) -> Video:
        require_admin(actor)
        return self.videos.get(actor, player_id, video_id)

    def update_video(
        self, actor: Actor, player_id: str, video_id: str, changes: dict[str, Any]
    ) -> Video:
        """Change status, filename, or the club and camera view kept in the metadata. Status
        changes follow STATUS_CHANGES: a stuck job queued again or given up, a failed one tried
        again, an analysed one analysed again or marked failed; never to "processing" (the
        worker's) nor into or out of "expired" (the purge's)."""
        video = self.video(actor, player_id, video_id)
        unknown = sorted(set(changes) - {"status", "filename", "club", "view"})
        if unknown:
            raise ValidationError(unknown[0], "cannot be changed here")
        fields: dict[str, Any] = {}
        if "status" in changes:
            if changes["status"] not in VIDEO_STATUSES:
                raise ValidationError("status", f"must be one of {', '.join(VIDEO_STATUSES)}")
            if changes["status"] != video.status:  # an unchanged value is no edit (no audit)
                allowed = STATUS_CHANGES.get(video.status, ())
                if changes["status"] not in allowed:
                    raise ValidationError(
                        "status",
                        f"cannot go from {video.status} to {changes['status']}"
                        + (f" (only to {', '.join(allowed)})" if allowed else " (it stays so)"),
                    )
                fields["status"] = changes["status"]
        if "filename" in changes:
            name = clean_text("filename", changes["filename"], max_length=255, required=True)
            if _FILENAME_BAD.search(name):
                raise ValidationError("filename", "must not contain slashes")
            if name != video.filename:
                fields["filename"] = name
        metadata = dict(video.metadata)
        if "club" in changes:
            club = clean_text("club", changes["club"], max_length=40)
            if club:
                metadata["club"] = club
            else:
                metadata.pop("club", None)
        if "view" in changes:
            if changes["view"] and changes["view"] not in VIEWS:
                raise ValidationError("view", f"must be one of {', '.join(VIEWS)}")
            if changes["view"]:
                metadata["view"] = changes["view"]
            else:
                metadata.pop("view", None)
        if metadata != video.metadata:
            fields["metadata"] = metadata
        if not fields:
            return video
        new = self._conditional_update(video, **fields)
        before, after = _diff(video, new)
        self.audit.record(
            actor,
            "video.update",
            **target_of(video),
            before=before,
            after=after,
        )
        return new

    def _conditional_update(self, video: Video, **fields: Any) -> Video:
        """Write only if the worker has not moved the status meanwhile (else say so)."""
        new = self.videos.update_if_status(video, video.status, **fields)
        if new is None:
            current = self.videos.get(SYSTEM, video.user_id, video.id)
            raise ValidationError(
                "status", f"the video changed meanwhile (now {current.status}): reload and retry"
            )
        return new

    def rerun_analysis(self, actor: Actor, player_id: str, video_id: str) -> Video:
        """Queue the video again: status back to "uploaded", which the worker picks up."""
        video = self.video(actor, player_id, video_id)
        if video.status == "processing":
            raise ValidationError("status", "is being analysed right now; wait for it to finish")
        if video.status == "uploaded":
            raise ValidationError("status", "is already waiting for analysis")
        if video.status == "expired" and not video.metadata.get("pose_ref"):
            raise ValidationError("status", "the video has expired and there is nothing to re-run")
        metadata = {k: v for k, v in video.metadata.items() if k != "error"}
        metadata["rerun_requested_by"] = actor.id
        new = self._conditional_update(video, status="uploaded", metadata=metadata)
        self.audit.record(
            actor,
            "video.rerun",
            **target_of(video),
            before={"status": video.status, "error": video.metadata.get("error")},
            after={
                "status": "uploaded",
                "note": "analysis re-run requested: the worker picks up uploaded videos",
            },
        )
        return new

    def delete_video(self, actor: Actor, player_id: str, video_id: str, store: BlobDeleter) -> None:
        """The blobs first, then poses, analyses and the row, then the player's progress.

        In this order a crash (or a storage outage) half-way leaves the row in place, so the
        same delete run again finishes the job; the reverse order would orphan blobs that no row
        names any more. Deleting a missing blob is not an error.
        """
        video = self.video(actor, player_id, video_id)
        if video.status == "processing":
            raise ValidationError(
                "status", "is being analysed right now; set it to failed first if it is stuck"
            )
        # The upload, its pose file, and what the worker made from them: the browser rendition
        # and the poster and event strip (swingvision/videos/renditions.py, thumbnails.py).
        thumbs = video.metadata.get("thumbs") or {}
        for ref in (
            video.blob_ref,
            video.metadata.get("pose_ref"),
            video.metadata.get("rendition_ref"),
            thumbs.get("poster_ref"),
            thumbs.get("strip_ref"),
        ):
            if not ref:
                continue
            try:
                store.delete(ref)
            except BlobNotFound:
                log.warning("video %s: blob %s was already gone", video.id, ref)
            except OSError as e:  # a local store's disk error, raised as is
                raise StorageError(f"cannot delete {ref}: {e}") from e
        with self.db.transaction():
            self.videos.delete(actor, video)
            self.audit.record(
                actor,
                "video.delete",
                **target_of(video),
                before=snapshot(video),
                after={"deleted": ["blob", "poses", "analyses", "video"]},
            )
        # Progress rows are derived from analyses: rebuild the player's (idempotent).
        self.progress.recompute_player(video.user_id)

    # -- analyses -----------------------------------------------------------------------------
    def analyses_page(
        self, actor: Actor, *, player_id: str = "", page: int = 1, per_page: int = PER_PAGE
    ) -> Page:
        require_admin(actor)
        params = {"user_id": player_id}
        total = int(self.db.fetch_value("admin_analyses_count", params))
        page, pages, offset = _paging(total, page, per_page)
        rows = self.db.fetch_all(
            SwingAnalysis, "admin_analyses_page", {**params, "limit": per_page, "offset": offset}
        )
        return Page(rows=self._owned(rows), total=total, page=page, pages=pages, per_page=per_page)

    def analysis(self, actor: Actor, player_id: str, analysis_id: str) -> SwingAnalysis:
        visible_player(self.db, actor, player_id)
        return self.db.fetch_one(
            SwingAnalysis, "analysis_get", {"id": analysis_id, "user_id": player_id}
        )

    def _editable_analysis(
        self, actor: Actor, player_id: str, analysis_id: str
    ) -> tuple[User, SwingAnalysis]:
        player = visible_player(self.db, actor, player_id)
        analysis = self.analysis(actor, player_id, analysis_id)
        if not can_edit_player(actor, player):
            raise NotAllowed("only the player's coach or an admin may edit this analysis")
        return player, analysis

    def update_feedback(
        self,
        actor: Actor,
        player_id: str,
        analysis_id: str,
        items: list[dict[str, Any]],
        *,
        version: str | None = None,
    ) -> SwingAnalysis:
        """Replace the feedback list. An item with `index` i keeps the extra keys of the stored
        item i (anything the engine added); the engine's original list is kept once, so the
        edit can be compared with it. `version`: form_version of the feedback the form was
        built from; Changed when it was saved differently since (another tab, a correction)."""
        _, analysis = self._editable_analysis(actor, player_id, analysis_id)
        if version is not None and version != form_version(analysis.feedback):
            raise Changed(f"the feedback was {CHANGED_SINCE_OPENED}")
        if len(items) > MAX_FEEDBACK_ITEMS:
            raise ValidationError("feedback", f"at most {MAX_FEEDBACK_ITEMS} items")
        clean: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            index = item.get("index")
            base = {}
            if isinstance(index, int) and 0 <= index < len(analysis.feedback):
                base = analysis.feedback[index]
            edited = dict(base) if isinstance(base, dict) else {}
            row = item.get("row", i)  # the form's row number, for the error's field name
            for key, limit in FEEDBACK_TEXT.items():
                edited[key] = clean_text(
                    f"{key}_{row}",
                    item.get(key, ""),
                    max_length=limit,
                    required=key != "finding",
                    multiline=key != "aspect",
                )
            # One of the swing's metrics (what drills and the practice plan are grouped by), or
            # the aspect the stored item already had (an older engine's).
            if edited["aspect"] not in METRICS and edited["aspect"] != base.get("aspect"):
                raise ValidationError(f"aspect_{row}", "must be one of the swing's metrics")
            edited["priority"] = _priority(f"priority_{row}", item.get("priority", ""))
            clean.append(edited)
        clean.sort(key=lambda it: it["priority"])  # stable: equal priorities keep their order
        if clean == analysis.feedback:
            return analysis
        details = {
            # Saved again: no longer written against the markers before a re-analysis.
            **{k: v for k, v in analysis.details.items() if k != "feedback_carried"},
            "feedback_edited_by": actor.id,
            "feedback_edited_at": utc_now().isoformat(),
            "feedback_original": analysis.details.get("feedback_original", analysis.feedback),
        }
        new = self.analyses.update(analysis, feedback=clean, details=details)
        self.audit.record(
            actor,
            "analysis.feedback",
            **target_of(analysis),
            before={"feedback": analysis.feedback},
            after={"feedback": clean},
        )
        return new

    def mark_reviewed(
        self,
        actor: Actor,
        player_id: str,
        analysis_id: str,
        reviewed: bool = True,
        *,
        version: str | None = None,
    ) -> SwingAnalysis:
        """Mark the analysis reviewed (or clear it). `version`: analysis_version of the analysis
        the coach saw; Changed when its feedback or events changed since."""
        _, analysis = self._editable_analysis(actor, player_id, analysis_id)
        _check_seen(analysis, version)
        details = dict(analysis.details)
        if reviewed:
            details["reviewed_by"] = actor.id
            details["reviewed_at"] = utc_now().isoformat()
        else:
            details.pop("reviewed_by", None)
            details.pop("reviewed_at", None)
        if details == analysis.details:
            return analysis
        new = self.analyses.update(analysis, details=details)
        before, after = changed(
            {k: analysis.details.get(k) for k in ("reviewed_by", "reviewed_at")},
            {k: details.get(k) for k in ("reviewed_by", "reviewed_at")},
        )
        self.audit.record(
            actor,
            "analysis.review" if reviewed else "analysis.unreview",
            **target_of(analysis),
            before=before,
            after=after,
        )
        return new

    def publish_feedback(
        self, actor: Actor, player_id: str, analysis_id: str, *, version: str | None = None
    ) -> SwingAnalysis:
        """Publish the analysis' feedback as it stands (the engine's, or as the coach edited it)
        to the player (swingvision/coaching/review.py); publishing again replaces it. Marks the
        analysis reviewed too. `version`: analysis_version of the analysis the coach saw on the
        page; Changed when its feedback or events changed since (another tab, a correction), so
        nothing the coach did not see is published."""
        _, analysis = self._editable_analysis(actor, player_id, analysis_id)
        _check_seen(analysis, version)
        now = utc_now().isoformat()
        before = analysis.details.get("published")
        details = {
            **analysis.details,
            "published": {"feedback": list(analysis.feedback), "by": actor.id, "at": now},
            "reviewed_by": actor.id,
            "reviewed_at": now,
        }
        new = self.analyses.update(analysis, details=details)
        self.audit.record(
            actor,
            "analysis.publish",
            **target_of(analysis),
            before={"published": before},
            after={"published": details["published"]},
        )
        return new

    # -- progress -----------------------------------------------------------------------------
    def recompute_progress(self, actor: Actor, player_id: str) -> int:
        """Rebuild a player's progress rows from their analyses; returns the new row count."""
        require_admin(actor)
        player = visible_player(self.db, actor, player_id)
        before = int(self.db.fetch_value("progress_count_for_player", {"user_id": player.id}))
        rows = self.progress.recompute_player(player.id)
        self.audit.record(
            actor,
            "progress.recompute",
            target_type="progress",
            target_id=player.id,
            player_id=player.id,
            before={"rows": before},
            after={"rows": rows},
        )
        return rows

    # -- one's own profile --------------------------------------------------------------------
    def update_profile(self, actor: User, *, full_name: str, email: str) -> User:
        user = self.users.get(actor.id)
        full_name = clean_text("full_name", full_name, max_length=120)
        email = clean_text("email", email, max_length=254, required=True)
        new = self.users.update(user, full_name=full_name, email=email)
        self._record_user_change(actor, "user.profile", user, new)
        return new

    def change_password(self, actor: User, *, current: str, new: str) -> None:
        """Needs the current password; ends every session of the user (the view starts a new
        one for the browser that made the change)."""
        user = self.users.get(actor.id)
        if not user.password_hash or not check_password(current, user.password_hash):
            raise ValidationError("current_password", "is not your current password")
        if new == current:
            raise ValidationError("new_password", "must differ from the current one")
        try:
            self.users.set_password(user.id, new, username=user.username)
        except ValidationError as e:
            raise ValidationError("new_password", e.message) from None
        ended = self.tokens.end_all(user.id)
        self.audit.record(
            actor,
            "user.password_change",
            **target_of(user),
            after={"password": "changed", "sessions": "ended", "api_tokens": f"{ended} revoked"},
        )
