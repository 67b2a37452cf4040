"""The records managers return: frozen, slotted, keyword-only dataclasses, never driver rows.

A field's type says how its column is decoded (see codec.py); `codec` metadata marks the two array
kinds that need more than the type: a pose's keypoints and a float32 vector.
"""

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

KEYPOINTS = {"codec": "keypoints"}
VECTOR = {"codec": "vector"}

ROLES = ("coach", "player", "admin")
VIDEO_STATUSES = ("uploaded", "processing", "analyzed", "failed", "expired")


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    id: str
    username: str
    email: str
    full_name: str
    role: str
    coach_id: str | None
    password_hash: str | None = field(repr=False)
    active: bool
    created_at: datetime
    updated_at: datetime
    settings: dict

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def left_handed(self) -> bool:
        return self.settings.get("handedness") == "left"


@dataclass(frozen=True, slots=True, kw_only=True)
class Video:
    id: str
    user_id: str
    filename: str
    uploaded_at: datetime
    updated_at: datetime
    duration_s: float | None
    status: str
    metadata: dict
    blob_ref: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Pose:
    id: str
    video_id: str
    user_id: str
    frame_number: int
    timestamp_ms: int
    keypoints: np.ndarray = field(metadata=KEYPOINTS)  # (33, 4) float32, NaN where missing
    confidence: float | None
    embedding: np.ndarray | None = field(metadata=VECTOR)
    # What similarity search filters on (migration 0004); None on rows written without analysis.
    phase: (
        str | None
    )  # an event name or the phase between events (analysis.engine.similarity.PHASES)
    view: str | None  # "face-on" | "down-the-line"
    left_handed: bool | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SwingAnalysis:
    id: str
    video_id: str
    user_id: str
    analyzed_at: datetime
    engine_version: str
    overall_score: float | None
    metrics: dict  # metric name -> value (None where unavailable)
    events: dict  # event name -> frame number (None where not found)
    feedback: list  # [{aspect, finding, recommendation, priority}], priority order
    details: dict  # per-metric units/bands/scores/confidence, corrections, annotations, ...
    swing_embedding: np.ndarray | None = field(metadata=VECTOR)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgressPoint:
    id: str
    user_id: str
    progress_date: datetime
    metrics: dict  # metric name -> {"mean": float, "best": float, "n": int}


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRecord:
    session_key: str
    user_id: str | None
    data: str
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiToken:
    """A personal API token; only the SHA-256 of the token is kept (shown once, at creation)."""

    id: str
    user_id: str
    name: str
    token_hash: str = field(repr=False)
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiTokenHash:
    """The lookup row that finds a token by its hash with a primary-key read."""

    token_hash: str
    token_id: str
    user_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Migration:
    version: str
    name: str
    applied_at: datetime
    checksum: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PoseSequence:
    """All stored poses of one video as arrays, the shape the engine and the replay want."""

    video_id: str
    frame_numbers: np.ndarray  # (F,) int
    keypoints: np.ndarray  # (F, 33, 4) float32

    def __len__(self) -> int:
        return len(self.frame_numbers)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One audited change: who (actor_id) did what (action) to which record, before and after."""

    id: str
    actor_id: str
    action: str  # e.g. "user.update", "video.rerun", "analysis.feedback"
    target_type: str  # "user" | "video" | "analysis" | "progress"
    target_id: str
    player_id: str | None  # the player whose data it is, when there is one
    before: dict
    after: dict
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A coach's note to a player on one swing, optionally at a frame (migration 0005)."""

    id: str
    user_id: str  # the player it is written to
    video_id: str
    author_id: str
    frame: int | None
    text: str
    created_at: datetime
    read_at: datetime | None  # when the player first saw it; None while unread

    @property
    def unread(self) -> bool:
        return self.read_at is None


@dataclass(frozen=True, slots=True, kw_only=True)
class Drill:
    """A practice drill for one aspect of the swing (a metric name of the engine)."""

    id: str
    name: str
    aspect: str
    description: str
    video_url: str | None  # an external http(s) page, linked, never embedded
    created_by: str  # a user id, or "system" for the default library
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PlayerSummary:
    """What the roster shows of a player, maintained on write (see managers/summaries.py)."""

    user_id: str
    n_swings: int
    last_swing_at: datetime | None
    recent_scores: list  # overall scores of the newest analysed swings of score_view, newest first
    poster_video_id: str | None
    updated_at: datetime
    score_view: str | None = None  # the camera view recent_scores are of (camera.py)


LESSON_STATUSES = ("uploaded", "processing", "ready", "failed")


@dataclass(frozen=True, slots=True, kw_only=True)
class Lesson:
    """A coach's recorded video lesson for one player (migration 0009): the replay as the coach
    saw it, with their voice. The file is a blob of the video store; the worker adds an MP4
    rendition (metadata["rendition_ref"]) that every browser plays."""

    id: str
    user_id: str  # the player it is for
    coach_id: str  # who recorded it
    video_ids: list  # the player's swings it covers, the one it was recorded on first
    title: str
    duration_s: float | None
    blob_ref: str | None
    content_type: str
    size_bytes: int
    status: str  # LESSON_STATUSES
    metadata: dict
    created_at: datetime
    updated_at: datetime
    watched_at: datetime | None  # when the player first played it; None while new

    @property
    def new(self) -> bool:
        return self.watched_at is None
