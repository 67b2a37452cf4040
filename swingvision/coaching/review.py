"""The coach decides what the player sees (issue #20).

Per player, the coach chooses (settings["review_feedback"], on the player's settings page):

- review on (the default, REVIEW_DEFAULT): the engine's feedback is a draft. The coach reads it on
  the swing page, edits it if needed ("Edit feedback") and publishes it; the player sees nothing
  of it before, and afterwards exactly what was published (details["published"]).
- review off: the engine's feedback (with the coach's edits) goes to the player at once.

The coach and admins always see the draft; the player (and anyone who may see but not coach the
player) sees `visible_feedback`. A re-analysis (a corrected event) keeps what was published.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from swingvision.db.managers.scope import can_edit_player
from swingvision.db.records import SwingAnalysis, User

REVIEW_DEFAULT = True
SETTING = "review_feedback"


def review_on(player: User) -> bool:
    value = (player.settings or {}).get(SETTING)
    return REVIEW_DEFAULT if not isinstance(value, bool) else value


def published(analysis: SwingAnalysis | None) -> dict[str, Any] | None:
    """{"feedback": [...], "by": user id, "at": ISO time} once the coach published, else None."""
    found = (analysis.details or {}).get("published") if analysis else None
    return found if isinstance(found, dict) and isinstance(found.get("feedback"), list) else None


def visible_feedback(actor: User, player: User, analysis: SwingAnalysis | None) -> list[dict]:
    """The feedback items `actor` may read on the swing: the draft for the coach, what was
    published for the player when review is on."""
    if analysis is None:
        return []
    if can_edit_player(actor, player) or not review_on(player):
        items = analysis.feedback or []
    else:
        items = (published(analysis) or {}).get("feedback") or []
    return [f for f in items if isinstance(f, dict)]


def review_state(player: User, analysis: SwingAnalysis | None) -> dict[str, Any]:
    """What the coach's feedback panel says: review on or off, published when and whether the
    draft changed since."""
    pub = published(analysis)
    try:
        at = datetime.fromisoformat(str(pub["at"])).strftime("%b %-d, %H:%M UTC") if pub else ""
    except ValueError:
        at = ""
    return {
        "on": review_on(player),
        "published": pub,
        "published_at": at,
        "changed": bool(pub) and analysis is not None and pub["feedback"] != analysis.feedback,
    }
