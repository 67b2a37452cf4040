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
