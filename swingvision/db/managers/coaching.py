"""Coach tools (issue #10): drawings on a swing, corrected swing events, notes to a player, drills.

Drawings (`annotations`) and event corrections live in the swing's newest analysis, in `details`;
notes and drills have tables of their own (migration 0005). The player sees all of it; only the
player's coach or an admin changes it (NotAllowed otherwise, which views answer 403). A corrected
event re-runs the engine at once with the coach's frames (analysis.pipeline.analyze_and_store), so
the stored metrics, scores, feedback, pose phases and progress follow the correction, and every
later re-analysis keeps the coach's frames.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from swingvision.numbers import parse_float, parse_int

from ..codec import utc_now
from ..errors import NotFound
from ..gateway import Database
from ..ids import new_id
from ..records import Drill, Note, SwingAnalysis, User, Video
from .admin import clean_text
from .audit import Audit
from .scope import SYSTEM, Actor, NotAllowed, can_edit_player, is_admin, visible_player
from .users import ValidationError

# -- drawings ------------------------------------------------------------------------------------
# kind -> how many points it takes: a line's two ends, an angle's arm-vertex-arm, a circle's centre
# and a point on its rim, a text's anchor.
ANNOTATION_POINTS = {"line": 2, "angle": 3, "circle": 2, "text": 1}
MAX_ANNOTATIONS = 200
MAX_ANNOTATION_TEXT = 200
DEFAULT_COLOUR = "#ffd400"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_ANNOTATION_KEYS = {"kind", "frame", "points", "text", "colour"}

# -- notes and drills ----------------------------------------------------------------------------
MAX_NOTE_TEXT = 2000
NOTES_PER_SWING = 500
UNREAD_LIST = 20
DRILL_TEXT = {"name": 120, "description": 2000}
MAX_URL = 500
MAX_DRILLS = 2000
SYSTEM_AUTHOR = "system"
PLAN_SWINGS = 5  # the practice plan weighs the feedback of this many newest swings
PLAN_ASPECTS = 3
PLAN_DRILLS = 3


def _now_iso() -> str:
    return utc_now().isoformat()


def _frame(field: str, raw: Any, n_frames: int, *, required: bool = False) -> int | None:
    """A frame number within the swing (0..n_frames-1), or None when empty and not required."""
    if raw is None or raw == "":
        if required:
            raise ValidationError(field, "is required")
        return None
    frame = parse_int(field, raw, lo=-(10**9), hi=10**9)
    if n_frames > 0 and not 0 <= frame < n_frames:
        raise ValidationError(field, f"must be a frame of the swing, 0 to {n_frames - 1}")
    if frame < 0:
        raise ValidationError(field, "must not be negative")
    return frame


def swing_frames(video: Video, analysis: SwingAnalysis | None) -> int:
    """How many frames the swing has (0 when nothing says)."""
    for value in (
        (analysis.details or {}).get("n_frames") if analysis else None,
        video.metadata.get("frame_count"),
    ):
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return int(value)
    return 0


def _point(field: str, raw: Any) -> dict:
    from analysis.pose import LANDMARK_INDEX

    if not isinstance(raw, dict):
        raise ValidationError(field, "each point must be {x, y} or {joint}")
    if set(raw) == {"joint"}:
        joint = raw["joint"]
        if not isinstance(joint, str) or joint not in LANDMARK_INDEX:
            raise ValidationError(field, "joint must be a body landmark name such as left_elbow")
        return {"joint": joint}
    if set(raw) != {"x", "y"}:
        raise ValidationError(field, "each point must be {x, y} or {joint}")
    out = {}
    for axis in ("x", "y"):
        try:
            value = parse_float(field, raw[axis], lo=0.0, hi=1.0, strings=False)
        except ValidationError as e:
            raise ValidationError(
                field, f"{axis} {e.message} (a fraction of the frame, 0..1)"
            ) from None
        out[axis] = round(value, 5)
    return out


def clean_annotation(raw: Any, *, n_frames: int) -> dict[str, Any]:
    """A drawing as posted, checked field by field: kind, frame (None: the whole swing), points,
    text and colour. Unknown keys are refused, so nothing but these reaches the page."""
    if not isinstance(raw, dict):
        raise ValidationError("annotation", "must be an object")
    unknown = sorted(set(raw) - _ANNOTATION_KEYS)
    if unknown:
        raise ValidationError(unknown[0], "is not a field of a drawing")
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in ANNOTATION_POINTS:
        raise ValidationError("kind", f"must be one of {', '.join(ANNOTATION_POINTS)}")
    points = raw.get("points")
    if not isinstance(points, list) or len(points) != ANNOTATION_POINTS[kind]:
        raise ValidationError("points", f"a {kind} takes {ANNOTATION_POINTS[kind]} point(s)")
    text = clean_text("text", raw.get("text") or "", max_length=MAX_ANNOTATION_TEXT)
    if kind == "text" and not text:
        raise ValidationError("text", "is required for a text")
    colour = raw.get("colour") or DEFAULT_COLOUR
    if not isinstance(colour, str) or not _COLOUR.match(colour):
        raise ValidationError("colour", "must be a colour written #rrggbb")
    return {
        "kind": kind,
        "frame": _frame("frame", raw.get("frame"), n_frames),
        "points": [_point(f"points[{i}]", p) for i, p in enumerate(points)],
        "text": text,
        "colour": colour.lower(),
    }


def clean_video_url(raw: Any) -> str | None:
    """An external drill video: an absolute http(s) URL (it is linked, never embedded)."""
    url = clean_text("video_url", raw or "", max_length=MAX_URL)
    if not url:
        return None
    if any(c.isspace() for c in url):
        raise ValidationError("video_url", "must not contain spaces")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError("video_url", "must be an http:// or https:// address")
    return url


def drill_aspects() -> dict[str, str]:
    """Aspect name -> label: the engine's metrics, which are what feedback items name."""
    from analysis.metrics import METRICS

    return {name: spec.label for name, spec in METRICS.items()}


def coach_events(corrections: list | None, n_frames: int | None = None) -> dict[str, int]:
    """The events a coach set by hand: per event, the frame of its newest correction (a newer
    entry with coach_frame None gave the event back to the engine). Frames outside a clip of
    `n_frames` are dropped, so a stale correction can never stop an analysis."""
    out: dict[str, int] = {}
    for c in corrections or []:
        if not isinstance(c, dict) or not isinstance(c.get("event"), str):
            continue
        frame = c.get("coach_frame")
        if isinstance(frame, int) and not isinstance(frame, bool):
            out[c["event"]] = frame
        else:
            out.pop(c["event"], None)
    if n_frames:
        out = {k: f for k, f in out.items() if 0 <= f < n_frames}
    return out


def held_events(events: dict, coach: dict[str, int]) -> dict[str, int]:
    """What the engine is told to keep when a coach has set events: the coach's frames, and every
    other event where the analysis had it, unless it no longer fits between the coach's (then the
    engine finds it again between them). So moving the top changes what depends on the top (tempo,
    the turns at the top) and leaves address and impact where the coach saw them. No coach events:
    nothing is kept, the engine detects everything."""
    from analysis.events import EVENT_NAMES

    if not coach:
        return {}
    out: dict[str, int] = {}
    for i, name in enumerate(EVENT_NAMES):
        if name in coach:
            out[name] = coach[name]
            continue
        frame = events.get(name)
        if not isinstance(frame, int) or isinstance(frame, bool):
            continue
        before = [coach[n] for n in EVENT_NAMES[:i] if n in coach]
        after = [coach[n] for n in EVENT_NAMES[i + 1 :] if n in coach]
        if (before and frame <= max(before)) or (after and frame >= min(after)):
            continue
        out[name] = frame
    return out


def engine_override(details: dict, n_frames: int) -> dict[str, int] | None:
    """The events_override a (re-)analysis passes the engine for an analysis's coach data: the
    events its last correction kept (details["event_override"]), within the clip."""
    held = details.get("event_override")
    if not isinstance(held, dict):  # corrections from before the override was recorded
        held = coach_events(details.get("corrections"))
    out = {
        k: f
        for k, f in held.items()
        if isinstance(f, int) and not isinstance(f, bool) and 0 <= f < n_frames
    }
    return out or None


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisFeedback:
    """The part of an analysis a practice plan reads."""

    analysis_id: str
    video_id: str
    analyzed_at: datetime
    feedback: list


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanItem:
    """One aspect of a player's practice plan, with its drills."""

    aspect: str
    label: str
    weight: int  # the summed urgency of its feedback items (priority 1 counts 3, 3 counts 1)
    swings: int  # in how many of the recent swings it came up
    finding: str  # the newest finding
    recommendation: str
    drills: list[Drill]


def _require_editor(actor: Actor, player: User) -> None:
    if not can_edit_player(actor, player):
        raise NotAllowed("only the player's coach or an admin may change this")


class Coaching:
    """Drawings and event corrections on a swing's newest analysis, and the practice plan."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.audit = Audit(db)

    # -- loading --------------------------------------------------------------------------
    def _swing(
        self, actor: Actor, player_id: str, video_id: str, *, edit: bool
    ) -> tuple[User, Video, SwingAnalysis]:
        player = visible_player(self.db, actor, player_id)
        video = self.db.fetch_one(Video, "videos_get", {"id": video_id, "user_id": player.id})
        analysis = self.db.fetch_first(
            SwingAnalysis, "analyses_latest_for_video", {"user_id": player.id, "video_id": video.id}
        )
        if analysis is None:
            raise NotFound("this swing has no analysis")
        if edit:
            _require_editor(actor, player)
        return player, video, analysis

    def _save_details(self, analysis: SwingAnalysis, details: dict) -> SwingAnalysis:
        from .analyses import Analyses

        return Analyses(self.db).update(analysis, details=details)

    # -- drawings -------------------------------------------------------------------------
    def annotations(self, actor: Actor, player_id: str, video_id: str) -> list[dict]:
        """The swing's drawings, oldest first (anyone who may see the swing)."""
        try:
            _, _, analysis = self._swing(actor, player_id, video_id, edit=False)
        except NotFound:
            visible_player(self.db, actor, player_id)  # out of scope stays NotFound
            self.db.fetch_one(Video, "videos_get", {"id": video_id, "user_id": player_id})
            return []
        return list((analysis.details or {}).get("annotations") or [])

    def add_annotation(
        self, actor: Actor, player_id: str, video_id: str, raw: Any
    ) -> tuple[SwingAnalysis, dict]:
        _, video, analysis = self._swing(actor, player_id, video_id, edit=True)
        clean = clean_annotation(raw, n_frames=swing_frames(video, analysis))
        existing = list(analysis.details.get("annotations") or [])
        if len(existing) >= MAX_ANNOTATIONS:
            raise ValidationError("annotation", f"a swing holds at most {MAX_ANNOTATIONS} drawings")
        annotation = {"id": new_id(), **clean, "author_id": actor.id, "created_at": _now_iso()}
        new = self._save_details(
            analysis, {**analysis.details, "annotations": [*existing, annotation]}
        )
        self.audit.record(
            actor,
            "analysis.annotation_add",
            target_type="analysis",
            target_id=analysis.id,
            player_id=analysis.user_id,
            after={"annotation": annotation},
        )
        return new, annotation

    def update_annotation(
        self, actor: Actor, player_id: str, video_id: str, annotation_id: str, raw: Any
    ) -> tuple[SwingAnalysis, dict]:
        """Replace a drawing's kind, frame, points, text and colour (its id and author stay)."""
        _, video, analysis = self._swing(actor, player_id, video_id, edit=True)
        existing = list(analysis.details.get("annotations") or [])
        index = next((i for i, a in enumerate(existing) if a.get("id") == annotation_id), None)
        if index is None:
            raise NotFound("no such drawing")
        old = existing[index]
        merged = {k: old.get(k) for k in _ANNOTATION_KEYS}
        if not isinstance(raw, dict):
            raise ValidationError("annotation", "must be an object")
        merged.update(raw)
        clean = clean_annotation(merged, n_frames=swing_frames(video, analysis))
        annotation = {**old, **clean, "updated_by": actor.id, "updated_at": _now_iso()}
        existing[index] = annotation
        new = self._save_details(analysis, {**analysis.details, "annotations": existing})
        self.audit.record(
            actor,
            "analysis.annotation_edit",
            target_type="analysis",
            target_id=analysis.id,
            player_id=analysis.user_id,
            before={"annotation": old},
            after={"annotation": annotation},
        )
        return new, annotation

    def delete_annotation(
        self, actor: Actor, player_id: str, video_id: str, annotation_id: str
    ) -> SwingAnalysis:
        _, _, analysis = self._swing(actor, player_id, video_id, edit=True)
        existing = list(analysis.details.get("annotations") or [])
        kept = [a for a in existing if a.get("id") != annotation_id]
        if len(kept) == len(existing):
            raise NotFound("no such drawing")
        new = self._save_details(analysis, {**analysis.details, "annotations": kept})
        gone = next(a for a in existing if a.get("id") == annotation_id)
        self.audit.record(
            actor,
            "analysis.annotation_delete",
            target_type="analysis",
            target_id=analysis.id,
            player_id=analysis.user_id,
            before={"annotation": gone},
        )
        return new

    # -- corrected events -----------------------------------------------------------------
    def correct_event(
        self, actor: Actor, player_id: str, video_id: str, event: str, frame: Any
    ) -> SwingAnalysis:
        """Set one of the 8 events to a frame (frame None or "": give it back to the engine) and
        recompute the analysis at once: the engine keeps the coach's events and the others where
        they were (held_events), so what depends on the moved event changes. The correction is
        recorded in details["corrections"] (who, when, the engine's frame and the coach's), the
        events kept in details["event_override"] (what a re-analysis passes the engine again),
        and the audit log. Nothing is written when the engine cannot analyse the swing so."""
        from analysis.events import EVENT_NAMES
        from analysis.pipeline import ProcessingError, analyze_and_store, thumbnail_step

        player, video, analysis = self._swing(actor, player_id, video_id, edit=True)
        if event not in EVENT_NAMES:
            raise ValidationError("event", f"must be one of {', '.join(EVENT_NAMES)}")
        n = swing_frames(video, analysis)
        coach_frame = _frame("frame", frame, n)
        corrections = list(analysis.details.get("corrections") or [])
        current = coach_events(corrections, n)
        if coach_frame is None and event not in current:
            return analysis  # already the engine's
        if coach_frame is not None and current.get(event) == coach_frame:
            return analysis
        wanted = {k: f for k, f in current.items() if k != event}
        if coach_frame is not None:
            wanted[event] = coach_frame
            _check_order(wanted, event)
        # An event given back to the engine is found again; the others stay where they are.
        shown = {k: f for k, f in analysis.events.items() if k != event or coach_frame is not None}
        override = held_events(shown, wanted)
        if event in current:  # corrected before: the engine's frame is the one recorded then
            engine_frame = next(
                c.get("engine_frame") for c in reversed(corrections) if c.get("event") == event
            )
        else:
            engine_frame = analysis.events.get(event)
        entry = {
            "event": event,
            "engine_frame": engine_frame,
            "coach_frame": coach_frame,
            "by": actor.id,
            "at": _now_iso(),
        }
        poses = self._stored_poses(video, analysis)
        m = _all_managers(self.db)
        try:
            new = analyze_and_store(
                m,
                video,
                poses,
                player=player,
                corrections=[*corrections, entry],
                event_override=override,
            )
        except ProcessingError as e:
            raise ValidationError(
                "frame", f"the swing cannot be analysed with {event} at frame {coach_frame}: {e}"
            ) from None
        thumbnail_step(m, video, new, poses)  # the event strip shows the new frames
        self.audit.record(
            actor,
            "analysis.event_correct" if coach_frame is not None else "analysis.event_restore",
            target_type="analysis",
            target_id=new.id,
            player_id=new.user_id,
            before={"events": analysis.events, "overall_score": analysis.overall_score},
            after={
                "correction": entry,
                "events": new.events,
                "overall_score": new.overall_score,
            },
        )
        return new

    def _stored_poses(self, video: Video, analysis: SwingAnalysis):
        """The poses the analysis was made from, as the pipeline takes them."""
        from analysis.pipeline import LoadedPoses, ProcessingError

        from .poses import Poses, dense_keypoints

        details = analysis.details or {}
        seq = Poses(self.db).sequence(SYSTEM, video.user_id, video.id)
        fps = details.get("fps")
        if not len(seq) or not isinstance(fps, int | float) or fps <= 0:
            raise ValidationError("event", "this swing has no stored poses to analyse again")
        n = max(swing_frames(video, analysis), int(seq.frame_numbers.max()) + 1)
        width, height = video.metadata.get("width"), video.metadata.get("height")
        aspect = details.get("aspect")
        known = isinstance(aspect, int | float) and aspect > 0
        if known and (not (width and height) or abs(float(width) / float(height) - aspect) > 1e-9):
            # The analysis's frame shape came from its pose file: keep that shape.
            width, height = round(aspect * 100_000), 100_000
        try:
            return LoadedPoses(
                keypoints=dense_keypoints(seq, n),
                fps=float(fps),
                source=str(details.get("pose_source") or "stored"),
                width=int(width) if width else None,
                height=int(height) if height else None,
            )
        except (TypeError, ValueError) as e:  # a malformed stored frame size
            raise ProcessingError(str(e)) from e

    # -- practice plan --------------------------------------------------------------------
    def practice_plan(self, actor: Actor, player_id: str) -> list[PlanItem]:
        """The player's top aspects to practise, from the feedback of their newest swings, each
        with drills from the library for it."""
        visible_player(self.db, actor, player_id)
        rows = self.db.fetch_all(
            AnalysisFeedback,
            "analyses_feedback_recent_for_player",
            {"user_id": player_id, "limit": PLAN_SWINGS * 4},
        )
        newest: dict[str, AnalysisFeedback] = {}
        for row in rows:  # newest first: the first row of each video is its newest analysis
            if row.video_id not in newest and len(newest) < PLAN_SWINGS:
                newest[row.video_id] = row
        weight: dict[str, int] = defaultdict(int)
        swings: dict[str, int] = defaultdict(int)
        latest: dict[str, dict] = {}
        for row in newest.values():
            seen = set()
            for item in row.feedback or []:
                if not isinstance(item, dict) or not isinstance(item.get("aspect"), str):
                    continue
                aspect = item["aspect"]
                priority = item.get("priority")
                priority = priority if isinstance(priority, int) and 1 <= priority <= 3 else 3
                weight[aspect] += 4 - priority
                if aspect not in seen:
                    swings[aspect] += 1
                    seen.add(aspect)
                latest.setdefault(aspect, item)
        order = {a: i for i, a in enumerate(latest)}  # the newest swing's aspects win ties
        top = sorted(weight, key=lambda a: (-weight[a], -swings[a], order[a]))[:PLAN_ASPECTS]
        library = Drills(self.db).by_aspect(actor)
        labels = drill_aspects()
        return [
            PlanItem(
                aspect=a,
                label=labels.get(a, a.replace("_", " ")),
                weight=weight[a],
                swings=swings[a],
                finding=str(latest[a].get("finding") or ""),
                recommendation=str(latest[a].get("recommendation") or ""),
                drills=library.get(a, [])[:PLAN_DRILLS],
            )
            for a in top
        ]


def _check_order(wanted: dict[str, int], changed: str) -> None:
    """The coach's events must keep the swing's order (address < toe up < ... < finish)."""
    from analysis.display import EVENT_LABELS
    from analysis.events import EVENT_NAMES

    fixed = sorted(wanted.items(), key=lambda kv: EVENT_NAMES.index(kv[0]))
    for (a, fa), (b, fb) in zip(fixed, fixed[1:], strict=False):
        if fa >= fb:
            other, where = (b, "before") if a == changed else (a, "after")
            raise ValidationError(
                "frame",
                f"{EVENT_LABELS[changed]} must come {where} {EVENT_LABELS[other].lower()} "
                f"(set to frame {wanted[other]})",
            )


def _all_managers(db: Database):
    from . import managers

    return managers(db)


class Notes:
    """Notes from a coach to a player on a swing; the player's first look marks them read."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.audit = Audit(db)

    def create(
        self, actor: Actor, player_id: str, video_id: str, *, text: Any, frame: Any = None
    ) -> Note:
        player = visible_player(self.db, actor, player_id)
        video = self.db.fetch_one(Video, "videos_get", {"id": video_id, "user_id": player.id})
        _require_editor(actor, player)
        analysis = self.db.fetch_first(
            SwingAnalysis, "analyses_latest_for_video", {"user_id": player.id, "video_id": video.id}
        )
        note = Note(
            id=new_id(),
            user_id=player.id,
            video_id=video.id,
            author_id=actor.id,
            frame=_frame("frame", frame, swing_frames(video, analysis)),
            text=clean_text("text", text, max_length=MAX_NOTE_TEXT, required=True, multiline=True),
            created_at=utc_now(),
            read_at=None,
        )
        self.db.execute(
            "notes_insert",
            {
                "id": note.id,
                "user_id": note.user_id,
                "video_id": note.video_id,
                "author_id": note.author_id,
                "frame": note.frame,
                "text": note.text,
                "created_at": note.created_at,
            },
        )
        self.db.refresh("notes")
        self.audit.record(
            actor,
            "note.create",
            target_type="note",
            target_id=note.id,
            player_id=player.id,
            after={"video_id": video.id, "frame": note.frame, "text": note.text},
        )
        return note

    def get(self, actor: Actor, player_id: str, note_id: str) -> Note:
        visible_player(self.db, actor, player_id)
        return self.db.fetch_one(Note, "notes_get", {"id": note_id, "user_id": player_id})

    def for_video(self, actor: Actor, player_id: str, video_id: str) -> list[Note]:
        """Oldest first: a conversation reads down."""
        visible_player(self.db, actor, player_id)
        return self.db.fetch_all(
            Note,
            "notes_for_video",
            {"user_id": player_id, "video_id": video_id, "limit": NOTES_PER_SWING},
        )

    def unread(self, actor: Actor, player_id: str, *, limit: int = UNREAD_LIST) -> list[Note]:
        """The player's notes not read yet, newest first (their "new feedback" list)."""
        visible_player(self.db, actor, player_id)
        return self.db.fetch_all(
            Note, "notes_unread_for_player", {"user_id": player_id, "limit": int(limit)}
        )

    def mark_read(self, actor: Actor, player_id: str, video_id: str) -> int:
        """The player opened the swing: its unread notes are read now. Only the player's own
        look counts (a coach or admin looking changes nothing). Returns how many changed."""
        if actor is SYSTEM or actor.role != "player" or actor.id != player_id:
            return 0
        visible_player(self.db, actor, player_id)
        changed = self.db.execute(
            "notes_mark_read_for_video",
            {"user_id": player_id, "video_id": video_id, "read_at": utc_now()},
        )
        if changed:
            self.db.refresh("notes")
        return max(changed, 0)

    def delete(self, actor: Actor, player_id: str, note_id: str) -> Note:
        player = visible_player(self.db, actor, player_id)
        note = self.db.fetch_one(Note, "notes_get", {"id": note_id, "user_id": player.id})
        _require_editor(actor, player)
        self.db.execute("notes_delete", {"id": note.id, "user_id": player.id})
        self.db.refresh("notes")
        self.audit.record(
            actor,
            "note.delete",
            target_type="note",
            target_id=note.id,
            player_id=player.id,
            before={"video_id": note.video_id, "frame": note.frame, "text": note.text},
        )
        return note


class Drills:
    """The drill library: everyone reads it; coaches and admins add drills; a drill is changed
    by whoever added it or an admin (the default library by admins)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.audit = Audit(db)

    def all(self, actor: Actor) -> list[Drill]:
        """By aspect, then name."""
        return self.db.fetch_all(Drill, "drills_all", {"limit": MAX_DRILLS})

    def by_aspect(self, actor: Actor) -> dict[str, list[Drill]]:
        out: dict[str, list[Drill]] = defaultdict(list)
        for d in self.all(actor):
            out[d.aspect].append(d)
        return dict(out)

    def get(self, actor: Actor, drill_id: str) -> Drill:
        return self.db.fetch_one(Drill, "drills_get", {"id": drill_id})

    def _clean(self, *, name: Any, aspect: Any, description: Any, video_url: Any) -> dict:
        if aspect not in drill_aspects():
            raise ValidationError("aspect", "must be one of the swing's metrics")
        return {
            "name": clean_text("name", name, max_length=DRILL_TEXT["name"], required=True),
            "aspect": aspect,
            "description": clean_text(
                "description", description, max_length=DRILL_TEXT["description"], multiline=True
            ),
            "video_url": clean_video_url(video_url),
        }

    def _write(self, drill: Drill) -> None:
        self.db.execute(
            "drills_upsert",
            {
                "id": drill.id,
                "name": drill.name,
                "aspect": drill.aspect,
                "description": drill.description,
                "video_url": drill.video_url,
                "created_by": drill.created_by,
                "created_at": drill.created_at,
            },
        )
        self.db.refresh("drills")

    def create(
        self, actor: Actor, *, name: Any, aspect: Any, description: Any = "", video_url: Any = ""
    ) -> Drill:
        if not (is_admin(actor) or actor.role == "coach"):
            raise NotAllowed("only coaches and admins add drills")
        fields = self._clean(name=name, aspect=aspect, description=description, video_url=video_url)
        drill = Drill(id=new_id(), created_by=actor.id, created_at=utc_now(), **fields)
        self._write(drill)
        self.audit.record(
            actor, "drill.create", target_type="drill", target_id=drill.id, after=fields
        )
        return drill

    def _editable(self, actor: Actor, drill_id: str) -> Drill:
        drill = self.get(actor, drill_id)
        if not (is_admin(actor) or (actor.role == "coach" and drill.created_by == actor.id)):
            raise NotAllowed("only the coach who added this drill or an admin may change it")
        return drill

    def update(
        self,
        actor: Actor,
        drill_id: str,
        *,
        name: Any,
        aspect: Any,
        description: Any = "",
        video_url: Any = "",
    ) -> Drill:
        old = self._editable(actor, drill_id)
        fields = self._clean(name=name, aspect=aspect, description=description, video_url=video_url)
        new = Drill(id=old.id, created_by=old.created_by, created_at=old.created_at, **fields)
        if new == old:
            return old
        self._write(new)
        before = {k: getattr(old, k) for k in fields if getattr(old, k) != fields[k]}
        self.audit.record(
            actor,
            "drill.update",
            target_type="drill",
            target_id=old.id,
            before=before,
            after={k: fields[k] for k in before},
        )
        return new

    def delete(self, actor: Actor, drill_id: str) -> Drill:
        drill = self._editable(actor, drill_id)
        self.db.execute("drills_delete", {"id": drill.id})
        self.db.refresh("drills")
        self.audit.record(
            actor,
            "drill.delete",
            target_type="drill",
            target_id=drill.id,
            before={"name": drill.name, "aspect": drill.aspect},
        )
        return drill

    def insert_missing(self, actor: Actor, drills: list[dict]) -> int:
        """The default library (operators and the demo seed): drills whose id is not there yet
        are added, ones already there are left as they are. Returns how many were added."""
        if actor is not SYSTEM:
            raise NotAllowed("the default library is written by commands")
        before = len(self.all(actor))
        now = utc_now()
        rows = []
        for d in drills:
            fields = self._clean(
                name=d["name"],
                aspect=d["aspect"],
                description=d.get("description", ""),
                video_url=d.get("video_url", ""),
            )
            rows.append({"id": d["id"], **fields, "created_by": SYSTEM_AUTHOR, "created_at": now})
        self.db.execute_many("drills_insert_missing", rows)
        self.db.refresh("drills")
        return len(self.all(actor)) - before


__all__ = [
    "ANNOTATION_POINTS",
    "AnalysisFeedback",
    "Coaching",
    "Drills",
    "Notes",
    "PlanItem",
    "clean_annotation",
    "clean_video_url",
    "coach_events",
    "drill_aspects",
    "engine_override",
    "held_events",
    "swing_frames",
]
