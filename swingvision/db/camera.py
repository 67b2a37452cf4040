"""Which camera view a swing was filmed from, and a player's usual view (issue #20).

Metrics from the two views are different measurements (a down-the-line clip cannot see the
turns a face-on one measures, and the other way round), so every page that sums up several swings
(key metrics, "now vs 30 days ago", the practice plan, progress, the roster's score and trend,
similar swings) groups them by view and never averages across. A swing's view is the one its
analysis used, which the worker pins in the video's metadata["view"]; a swing analysed before that
falls back to the player's view setting, as the worker did.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from analysis.engine.metrics import DOWN_THE_LINE, FACE_ON, VIEWS

VIEW_LABELS = {FACE_ON: "Face-on", DOWN_THE_LINE: "Down the line"}


def player_view_setting(settings: dict[str, Any] | None) -> str | None:
    view = (settings or {}).get("view")
    return view if view in VIEWS else None


def swing_view(metadata: dict[str, Any] | None, settings: dict[str, Any] | None = None) -> str:
    """The view a swing was analysed from: its metadata's, else the player's setting, else
    face-on (the worker's own fallback, swingvision/db/swing_facts.view_of)."""
    view = (metadata or {}).get("view")
    if view in VIEWS:
        return view
    return player_view_setting(settings) or FACE_ON


def usual_view(settings: dict[str, Any] | None, views: Iterable[str]) -> str:
    """The player's usual view: the coach's setting if any, else the view most of their swings
    were filmed from (ties: face-on), else face-on."""
    chosen = player_view_setting(settings)
    if chosen:
        return chosen
    counts = Counter(v for v in views if v in VIEWS)
    if not counts:
        return FACE_ON
    return max(VIEWS, key=lambda v: (counts[v], v == FACE_ON))


def view_key(view: str) -> str:
    """A view as an object key in stored rows (no hyphen: CrateDB object sub-columns)."""
    return view.replace("-", "_")
