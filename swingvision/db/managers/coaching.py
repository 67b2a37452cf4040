"""Coach tools on a swing: drawings, what an event correction loads and logs, the practice plan.

Drawings (`annotations`) and event corrections live in the swing's newest analysis, in `details`.
The player sees all of it; only the player's coach or an admin changes it (NotAllowed otherwise,
which views answer 403). The correction itself (re-running the engine with the coach's frames) is
the use case `analysis.corrections.correct_event`; notes and drills have managers of their own
(notes.py, drills.py).
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analysis.engine.pose import LANDMARK_INDEX
from swingvision.numbers import parse_float, parse_int

from ..camera import FACE_ON
from ..codec import utc_now
from ..errors import Changed, NotAllowed, NotFound, ValidationError
from ..gateway import Database
from ..ids import new_id
from ..records import Drill, SwingAnalysis, User, Video
from ..swing_facts import frame_count
from .admin import clean_text
from .analyses import Analyses
from .audit import Audit, target_of
from .drills import Drills, drill_aspects
from .scope import Actor, can_edit_player, require_editor, visible_player
from .videos import Videos

# -- drawings ------------------------------------------------------------------------------------
# kind -> how many points it takes: a line's two ends, an angle's arm-vertex-arm, a circle's centre
# and a point on its rim, a text's anchor, an arrow's tail and head, a box's opposite corners, and
# two points of a shaft plane (drawn as the line through them across the whole picture).
ANNOTATION_POINTS = {
    "line": 2,
    "angle": 3,
    "circle": 2,
    "text": 1,
    "arrow": 2,
    "box": 2,
    "plane": 2,
}
MAX_ANNOTATIONS = 200
MAX_TITLE = 120
MAX_ANNOTATION_TEXT = 200
DEFAULT_COLOUR = "#ffd400"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_ANNOTATION_KEYS = {"kind", "frame", "points", "text", "colour"}

# -- the practice plan ---------------------------------------------------------------------------
PLAN_SWINGS = 5  # the practice plan weighs the feedback of this many newest swings
PLAN_ASPECTS = 3
PLAN_DRILLS = 3


# How often a drawing's write that lost a race with another write of the analysis (a second
# tab's drawing, a correction) reads the analysis again and re-applies itself.
WRITE_ATTEMPTS = 4


def _now_iso() -> str:
    return utc_now().isoformat()


def _retried(write):
    """Run `write` (which reads the analysis, changes it and writes it at the version read)
    again when someone wrote the analysis in between: both changes stay. Changed after
    WRITE_ATTEMPTS lost races (the view answers 409)."""

    def run(*args: Any, **kwargs: Any):
        for _ in range(WRITE_ATTEMPTS - 1):
            try:
                return write(*args, **kwargs)
            except Changed:
                continue
        return write(*args, **kwargs)

    run.__name__, run.__doc__ = write.__name__, write.__doc__
    return run


def clean_frame(field: str, raw: Any, n_frames: int, *, required: bool = False) -> int | None:
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


def _point(field: str, raw: Any) -> dict:
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
        "frame": clean_frame("frame", raw.get("frame"), n_frames),
        "points": [_point(f"points[{i}]", p) for i, p in enumerate(points)],
        "text": text,
        "colour": colour.lower(),
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisFeedback:
    """The part of an analysis a practice plan reads."""

    analysis_id: str
    video_id: str
    analyzed_at: datetime
    feedback: list
    details: dict  # its view, and the feedback the coach published (coaching/review.py)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanItem:
    """One aspect of a player's practice plan, with its drills."""

    aspect: str
    label: str
    weight: int  # the summed urgency of its feedback items (priority 1 counts 3, 3 counts 1)
    swings: int  # in how many of the recent swings it came up
    of_swings: int  # how many recent swings the plan read (swings <= of_swings)
    finding: str  # the newest finding
    recommendation: str
    drills: list[Drill]


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
            require_editor(actor, player)
            # The base of a change, read by primary key (real-time on CrateDB, where the search
            # above may not show a write made a moment ago): what Analyses.update compares.
            analysis = Analyses(self.db).read_for_write(player.id, analysis.id)[0] or analysis
        return player, video, analysis

    def _save_details(self, analysis: SwingAnalysis, details: dict) -> SwingAnalysis:
        return Analyses(self.db).update(analysis, details=details)

    # -- the swing's title ----------------------------------------------------------------
    def set_title(self, actor: Actor, player_id: str, video_id: str, raw: Any) -> Video:
        """Name a swing (kept in videos.metadata["title"]; empty: back to the file name). The
        player names their own swings; their coach and an admin name them too."""
        player = visible_player(self.db, actor, player_id)
        if not (actor.id == player.id or can_edit_player(actor, player)):
            raise NotAllowed("only the player, their coach or an admin may rename a swing")
        video = self.db.fetch_one(Video, "videos_get", {"id": video_id, "user_id": player.id})
        title = clean_text("title", raw if raw is not None else "", max_length=MAX_TITLE)
        old = video.metadata.get("title") or ""
        if title == old:
            return video
        metadata = {k: v for k, v in video.metadata.items() if k != "title"}
        if title:
            metadata["title"] = title
        new = Videos(self.db).update(video, metadata=metadata)
        self.audit.record(
            actor,
            "video.title",
            **target_of(video),
            before={"title": old or None},
            after={"title": title or None},
        )
        return new

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

    @_retried
    def add_annotation(
        self, actor: Actor, player_id: str, video_id: str, raw: Any
    ) -> tuple[SwingAnalysis, dict]:
        _, video, analysis = self._swing(actor, player_id, video_id, edit=True)
        clean = clean_annotation(raw, n_frames=frame_count(video, analysis))
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
            **target_of(analysis),
            after={"annotation": annotation},
        )
        return new, annotation

    @_retried
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
        clean = clean_annotation(merged, n_frames=frame_count(video, analysis))
        annotation = {**old, **clean, "updated_by": actor.id, "updated_at": _now_iso()}
        existing[index] = annotation
        new = self._save_details(analysis, {**analysis.details, "annotations": existing})
        self.audit.record(
            actor,
            "analysis.annotation_edit",
            **target_of(analysis),
            before={"annotation": old},
            after={"annotation": annotation},
        )
        return new, annotation

    @_retried
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
            **target_of(analysis),
            before={"annotation": gone},
        )
        return new

    # -- corrected events -----------------------------------------------------------------
    def swing_for_edit(
        self, actor: Actor, player_id: str, video_id: str
    ) -> tuple[User, Video, SwingAnalysis]:
        """The player, swing and newest analysis an editor (the coach or an admin) may change."""
        return self._swing(actor, player_id, video_id, edit=True)

    def record_correction(
        self, actor: Actor, before: SwingAnalysis, after: SwingAnalysis, entry: dict
    ) -> None:
        """Log a corrected (or restored) event in the audit log: the events and score before and
        after the re-analysis that `analysis.corrections.correct_event` ran."""
        self.audit.record(
            actor,
            "analysis.event_correct"
            if entry.get("coach_frame") is not None
            else "analysis.event_restore",
            **target_of(after),
            before={"events": before.events, "overall_score": before.overall_score},
            after={
                "correction": entry,
                "events": after.events,
                "overall_score": after.overall_score,
            },
        )

    # -- practice plan --------------------------------------------------------------------
    def practice_plan(
        self,
        actor: Actor,
        player_id: str,
        *,
        view: str | None = None,
        published_only: bool = False,
    ) -> list[PlanItem]:
        """The player's top aspects to practise, from the feedback of their newest swings, each
        with drills from the library for it. `view`: only swings analysed from that camera view
        (never both mixed: camera.py); `published_only`: only the feedback the coach published
        (what a player sees when the coach reviews first, coaching/review.py)."""
        visible_player(self.db, actor, player_id)
        rows = self.db.fetch_all(
            AnalysisFeedback,
            "analyses_feedback_recent_for_player",
            {"user_id": player_id, "limit": PLAN_SWINGS * 8},
        )
        newest: dict[str, AnalysisFeedback] = {}
        seen_videos: set[str] = set()
        for row in rows:  # newest first: the first row of each video is its newest analysis
            if row.video_id in seen_videos:
                continue
            seen_videos.add(row.video_id)
            details = row.details or {}
            if view is not None and (details.get("view") or FACE_ON) != view:
                continue
            if published_only:
                pub = details.get("published")
                items = pub.get("feedback") if isinstance(pub, dict) else None
                if not isinstance(items, list):
                    continue
                row = dataclasses.replace(row, feedback=items)
            if len(newest) < PLAN_SWINGS:
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
                of_swings=len(newest),
                finding=str(latest[a].get("finding") or ""),
                recommendation=str(latest[a].get("recommendation") or ""),
                drills=library.get(a, [])[:PLAN_DRILLS],
            )
            for a in top
        ]


__all__ = [
    "ANNOTATION_POINTS",
    "AnalysisFeedback",
    "Coaching",
    "PlanItem",
    "clean_annotation",
    "clean_frame",
]
