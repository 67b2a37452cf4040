"""Template filters of the coach tools."""

from __future__ import annotations

from typing import Any

from django import template

from analysis.display import UNIT_HELP
from swingvision.db.managers.admin import analysis_version

register = template.Library()


@register.filter
def item(mapping: Any, key: Any) -> Any:
    """mapping[key], or an empty list when there is none (e.g. the drills of a feedback aspect)."""
    if isinstance(mapping, dict):
        return mapping.get(key, [])
    return []


@register.filter
def seen_version(analysis: Any) -> str:
    """The version a review or publish form carries: of the analysis as this page shows it."""
    return analysis_version(analysis)


@register.filter
def percent(value: Any) -> str:
    """0.83 -> "83%" (an engine confidence), "–" when there is none."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "–"
    return f"{round(value * 100)}%"


@register.filter
def confidence_level(value: Any) -> str:
    """high | medium | low: how much to trust an event the engine found."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "none"
    return "high" if value >= 0.7 else "medium" if value >= 0.5 else "low"


# A feedback item's priority (1 to 3, PRIORITY_RANGE) as every page words it.
PRIORITY_WORDS = {1: "High", 2: "Medium", 3: "Low"}


@register.filter
def priority_word(value: Any) -> str:
    """High / Medium / Low; an item without a priority (or an odd one) reads as Low, as it sorts."""
    try:
        return PRIORITY_WORDS.get(int(value), PRIORITY_WORDS[3])
    except (TypeError, ValueError):
        return PRIORITY_WORDS[3]


@register.inclusion_tag("_units.html")
def units_help() -> dict:
    """The page's one explanation of the short units (°, s, :1, torso, stance), as a tooltip."""
    return {"text": UNIT_HELP}
