"""Pose and swing similarity, the pure part: swing phases per frame and exact Euclidean ranking.

Distances are Euclidean between the engine's embeddings (analysis.engine.pose.pose_embeddings,
version 2): 2D joints centred on the hip midpoint and divided by the swing's torso length,
left-handed swings mirrored to right-handed, beside the arms' motion around the frame. So a
distance reads roughly in torso lengths over the 13 joints together. A swing's distance is the
same over its 8 event poses, Top and Impact weighted 1.5.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from analysis.engine.events import EVENT_NAMES
from analysis.engine.pose import EMBEDDING_JOINTS, POSE_EMBEDDING_DIM

# The phase after each event, up to the next one (GolfDB's 8 events split a swing into these).
PHASE_AFTER: dict[str, str] = {
    "address": "takeaway",
    "toe_up": "early_backswing",
    "mid_backswing": "late_backswing",
    "top": "transition",
    "mid_downswing": "late_downswing",
    "impact": "release",
    "mid_follow_through": "late_follow_through",
    "finish": "after_finish",
}
BEFORE_ADDRESS = "setup"
# Every phase a frame can have, in swing order: events and the stretches between them.
PHASES: tuple[str, ...] = (
    BEFORE_ADDRESS,
    *(p for e in EVENT_NAMES for p in (e, PHASE_AFTER[e])),
)
PHASE_LABELS: dict[str, str] = {
    "setup": "Setup",
    "address": "Address",
    "takeaway": "Takeaway",
    "toe_up": "Toe up",
    "early_backswing": "Early backswing",
    "mid_backswing": "Mid backswing",
    "late_backswing": "Late backswing",
    "top": "Top",
    "transition": "Transition",
    "mid_downswing": "Mid downswing",
    "late_downswing": "Late downswing",
    "impact": "Impact",
    "release": "Release",
    "mid_follow_through": "Mid follow-through",
    "late_follow_through": "Late follow-through",
    "finish": "Finish",
    "after_finish": "After finish",
}
VIEWS: tuple[str, ...] = ("face-on", "down-the-line")


def phase_label(phase: str | None) -> str:
    return PHASE_LABELS.get(phase or "", phase or "unknown phase")


def phase_span(phase: str | None) -> str:
    """Where a phase lies among the 8 events the swing page shows: "the Top event itself",
    "between Top and Mid downswing", "before Address", "after Finish"; "" if unknown."""
    if phase in EVENT_NAMES:
        return f"the {PHASE_LABELS[phase]} event itself"
    if phase == BEFORE_ADDRESS:
        return f"before {PHASE_LABELS[EVENT_NAMES[0]]}"
    for i, event in enumerate(EVENT_NAMES):
        if PHASE_AFTER[event] == phase:
            if i + 1 == len(EVENT_NAMES):
                return f"after {PHASE_LABELS[event]}"
            return f"between {PHASE_LABELS[event]} and {PHASE_LABELS[EVENT_NAMES[i + 1]]}"
    return ""


def frame_phases(events: Mapping[str, int | None], n_frames: int) -> list[str | None]:
    """The phase of every frame: the event's name on an event frame, else the phase after the last
    event before it (`setup` before Address). Events that were not found (None) are skipped, so
    their stretch joins the previous phase. With no event at all, every phase is None."""
    known = sorted(
        (int(f), EVENT_NAMES.index(name))
        for name, f in events.items()
        if name in EVENT_NAMES and f is not None and 0 <= int(f) < n_frames
    )
    if not known:
        return [None] * n_frames
    out: list[str | None] = [BEFORE_ADDRESS] * n_frames
    for i, (frame, ev) in enumerate(known):
        name = EVENT_NAMES[ev]
        end = known[i + 1][0] if i + 1 < len(known) else n_frames
        out[frame] = name
        for f in range(frame + 1, end):
            out[f] = PHASE_AFTER[name]
    return out


def squared_norms(vectors: np.ndarray) -> np.ndarray:
    """|x|² per row, float32, for the |x|² - 2x·q + |q|² form of the distance."""
    v = np.asarray(vectors, dtype=np.float32)
    return np.einsum("ij,ij->i", v, v)


def exact_distances(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Euclidean distances of each row to the query, computed in float64 from the differences (no
    cancellation error): what every search ranks its final candidates by."""
    diff = np.asarray(vectors, dtype=np.float64) - np.asarray(query, dtype=np.float64)
    return np.sqrt(np.einsum("ij,ij->i", diff, diff))


def per_joint_rms(distance: float, dim: int) -> float:
    """A pose distance spread over its joints: sqrt(d² / joints), the typical joint's offset in
    torso lengths (what the results page shows beside the distance). A pose vector counts its
    13 joints, a swing vector 8 x 13 (the motion terms ride along)."""
    per_pose = len(EMBEDDING_JOINTS)
    joints = dim // POSE_EMBEDDING_DIM * per_pose if dim % POSE_EMBEDDING_DIM == 0 else dim
    return math.sqrt(distance * distance / max(joints, 1))
