"""The coach decides what the player sees (issue #20).

Per player, the coach chooses (settings["review_feedback"], on the player's settings page):

- review on (the default, REVIEW_DEFAULT): the engine's feedback is a draft. The coach reads it on
  the swing page, edits it if needed ("Edit feedback") and publishes it; the player sees nothing
  of it before, and afterwards exactly what was published (details["published"]).
- review off: the engine's feedback (with the coach's edits) goes to the player at once.

The coach and admins always see the draft; the player (and anyone who may see but not coach the
player) sees `visible_feedback`. A re-analysis (a corrected event) keeps what was published,
and the coach's edits to the draft (`carry_edits`): an item the coach rewrote or added stays as
the coach wrote it, one they removed stays removed, and only the items they left as the engine
wrote them follow the new analysis; the feedback page then says which items were written
against the markers before the re-analysis, for the coach to check against the new numbers.
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


def _priority(item: dict) -> int:
    value = item.get("priority")
    return value if isinstance(value, int) and not isinstance(value, bool) else 3


def _as_written(item: dict) -> tuple:
    return tuple(item.get(k) for k in ("aspect", "finding", "recommendation", "priority"))


def carry_edits(
    previous: SwingAnalysis | None, engine: list[dict], *, at: str
) -> tuple[list[dict], dict[str, Any]]:
    """The draft of a swing analysed again: the new engine feedback `engine` with the coach's
    edits of the `previous` draft kept (per aspect, one metric's item each), and the details
    that say so ({} when the coach had not edited it: the engine's feedback as it is).

    The previous draft's items are compared with the engine's list it was edited from
    (details["feedback_original"], kept by the first edit): an item written as the engine
    wrote it takes the new engine's item for its aspect (or goes, when the engine no longer
    finds it); an item the coach rewrote or added is kept as written; an aspect the coach
    removed stays removed; an aspect the new engine finds that the draft did not have is added.
    details["feedback_carried"] names the kept items' aspects, the events they were written
    against and when (`at`)."""
    details = (previous.details or {}) if previous is not None else {}
    original = details.get("feedback_original")
    if previous is None or not isinstance(original, list) or not details.get("feedback_edited_by"):
        return engine, {}
    was = {
        item["aspect"]: item
        for item in original
        if isinstance(item, dict) and isinstance(item.get("aspect"), str)
    }
    draft = [item for item in previous.feedback or [] if isinstance(item, dict)]
    in_draft = {item.get("aspect") for item in draft}
    new = {item["aspect"]: item for item in engine}
    out: list[dict] = []
    kept: list[str] = []
    for item in draft:
        aspect = item.get("aspect")
        if aspect in was and _as_written(item) == _as_written(was[aspect]):
            if aspect in new:  # the engine's words: the new analysis' words
                out.append(new[aspect])
        else:
            out.append(item)
            kept.append(str(aspect))
    removed = set(was) - in_draft
    out += [item for aspect, item in new.items() if aspect not in in_draft | removed]
    if not kept and not removed & set(new):
        return engine, {}  # nothing of the coach's is left to keep
    out.sort(key=_priority)  # stable: equal priorities keep their order
    carried = {
        "feedback_original": engine,
        "feedback_edited_by": details.get("feedback_edited_by"),
        "feedback_edited_at": details.get("feedback_edited_at"),
    }
    if kept:
        carried["feedback_carried"] = {"aspects": kept, "events": previous.events, "at": at}
    return out, carried


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
