"""How metrics and swing phases read on the dashboard: labels, units, formatted values and bands.

Labels and formats come from the engine's registry (analysis.engine.metrics.METRICS and
analysis.engine.scoring); a metric the registry does not know (an older engine's, say) falls back to its
stored name and a plain number, so a page never fails on data it did not expect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from analysis.engine.core import UNCOUNTED_STATUSES
from analysis.engine.metrics import METRICS
from analysis.engine.pose import EVENT_LABELS, EVENT_NAMES
from analysis.engine.scoring import format_value as engine_format

OVERALL = "overall_score"
# The metrics the player page puts first (the rest follow in the registry's order).
KEY_METRICS: tuple[str, ...] = (
    OVERALL,
    "tempo_ratio",
    "shoulder_turn_deg",
    "hip_turn_deg",
    "x_factor_deg",
    "head_sway",
    "spine_angle_change_deg",
    "lead_arm_top_deg",
)
UNIT_SUFFIX = {"deg": "°", "s": " s", "ratio": ":1", "torso": " torso", "stance": " stance"}
# What the short units mean, said once per page in a tooltip (templates/_units.html).
UNIT_HELP = (
    "° degrees · s seconds, as filmed · 3:1 tempo: backswing time to downswing time · "
    "torso: torso lengths, hip centre to shoulder centre (about half a metre) · "
    "stance: stance widths, ankle to ankle"
)


def _registry() -> dict[str, Any]:
    return METRICS


def metric_order() -> list[str]:
    return list(_registry())


def label(name: str) -> str:
    if name == OVERALL:
        return "Overall score"
    spec = _registry().get(name)
    return spec.label if spec is not None else name.replace("_", " ")


def unit(name: str) -> str:
    if name == OVERALL:
        return "score"
    spec = _registry().get(name)
    return spec.unit if spec is not None else ""


def definition(name: str) -> str:
    spec = _registry().get(name)
    return spec.definition if spec is not None else ""


def default_band(name: str, club: str | None = None) -> tuple[float, float] | None:
    """The engine's target band, for `club` where the club matters (MetricSpec.band_for)."""
    spec = _registry().get(name)
    if spec is None:
        return None
    band_for = getattr(spec, "band_for", None)
    return tuple(band_for(club) if band_for else spec.band)


def player_band(
    name: str, targets: dict | None, club: str | None = None
) -> tuple[float, float] | None:
    """The player's own target band for a metric if the coach set one, else the default (for
    `club` where the club matters)."""
    band = (targets or {}).get(name)
    if isinstance(band, list | tuple) and len(band) == 2:
        try:
            lo, hi = float(band[0]), float(band[1])
        except (TypeError, ValueError):
            return default_band(name, club)
        return (min(lo, hi), max(lo, hi))
    return default_band(name, club)


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def format_value(name: str, value: Any) -> str:
    v = _finite(value)
    if v is None:
        return "–"
    if name == OVERALL:
        return _fixed(v, 0)
    spec = _registry().get(name)
    if spec is not None:
        return engine_format(spec, v)
    return f"{v:.3g}"


_DIGITS = {"deg": 0, "s": 2, "ratio": 1, "torso": 2, "stance": 2, "score": 0}


def _digits(name: str) -> int:
    return _DIGITS.get(unit(name), 2)


def _fixed(v: float, digits: int) -> str:
    """`v` to `digits` places, a value that rounds to zero without a sign ("0.00", not "-0.00")."""
    text = f"{v:.{digits}f}"
    return text.removeprefix("-") if float(text) == 0 else text


def shown(name: str, value: Any) -> float | None:
    """The number a page shows for `value` (format_short's rounding), None when it shows "–"."""
    v = _finite(value)
    return None if v is None else float(_fixed(v, _digits(name)))


def format_short(name: str, value: Any) -> str:
    """A value with a short unit suffix, for tight table cells and differences."""
    v = _finite(value)
    if v is None:
        return "–"
    return f"{_fixed(v, _digits(name))}{UNIT_SUFFIX.get(unit(name), '')}"


def format_delta(name: str, delta: Any) -> str:
    """A signed difference; one that rounds to zero at the unit's precision reads ±0."""
    v = _finite(delta)
    if v is None:
        return "–"
    v = float(_fixed(v, _digits(name)))
    # A change of tempo is a change of the ratio's first number: "−1.0", not "−1.0:1".
    text = format_short(name, abs(v)).removesuffix(UNIT_SUFFIX["ratio"])
    return ("+" if v > 0 else "−" if v < 0 else "±") + text


def format_change(name: str, before: Any, after: Any) -> str:
    """`after` minus `before` as the page shows them beside it: each rounded as format_short
    shows it, then subtracted, so 92 and 67 differ by −25 and 77° and 76° by +1° (the raw
    difference, 24.4 or 0.4, read as −24 and ±0° beside those numbers). "–" when either is
    missing."""
    a, b = shown(name, before), shown(name, after)
    if a is None or b is None:
        return "–"
    return format_delta(name, b - a)


def format_band_short(name: str, band: tuple[float, float] | list | None) -> str:
    """A target band in a few characters: 85–105°, 2.7–3.3:1, ≤ 0.12 torso."""
    if not band or len(band) != 2:
        return ""
    lo, hi = float(band[0]), float(band[1])
    u = unit(name)
    digits = max(_DIGITS.get(u, 2), 1 if u == "ratio" else 0)
    suffix = UNIT_SUFFIX.get(u, "")
    if lo <= 0 <= hi and u == "torso":
        return f"≤ {hi:.{digits}f}{suffix}"
    if lo < 0:  # a dash between signed numbers misreads: "−0.05 to 0.10"
        return f"{lo:.{digits}f} to {hi:.{digits}f}{suffix}".replace("-", "−")
    return f"{lo:.{digits}f}–{hi:.{digits}f}{suffix}"


def in_band(value: Any, band: tuple[float, float] | list | None) -> bool | None:
    v = _finite(value)
    if v is None or not band or len(band) != 2:
        return None
    return float(band[0]) <= v <= float(band[1])


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricLine:
    """One metric of one swing as the replay's metrics panel shows it."""

    name: str
    label: str
    value: str
    band: str
    score: float | None
    available: bool
    reason: str
    definition: str
    confidence: float | None
    # The engine's status (analysis.engine.core.MetricResult.status); "" from an older engine.
    status: str = ""

    @property
    def note(self) -> str:
        """What the value cell says besides (or instead of) a number."""
        return STATUS_NOTES.get(self.status, "")

    @property
    def grade(self) -> str:
        """good | fair | poor | none: the colour of the score."""
        if self.score is None:
            return "none"
        return "good" if self.score >= 85 else "fair" if self.score >= 50 else "poor"


STATUS_NOTES = {
    "check": "check the markers or the camera view",
    "not-measurable": "not measurable from this view",
    "unknown-rate": "unknown until the capture rate is known",
    "low-confidence": "too uncertain to score",
    # A metric the registry records without scoring (weight 0, e.g. swing plane): no score to
    # show, and no feedback is given on it.
    "recorded": "recorded, not in the score",
}
RECORDED_NOTE = STATUS_NOTES["recorded"]
UNCOUNTED = UNCOUNTED_STATUSES
NOT_SCORED = (*UNCOUNTED, "recorded")  # the statuses whose score a page does not show
# Events below this confidence are worth a look (the timeline marks them "check this").
CHECK_EVENT_BELOW = 0.5


def markers_to_check(analysis) -> dict[str, list[str]]:
    """Event -> why the coach should check it: a low engine confidence, or a metric read at it
    that came out implausible. An event the coach set is not flagged for its confidence."""
    if analysis is None:
        return {}
    details = analysis.details or {}
    coach_set = {
        str(c.get("event"))
        for c in details.get("corrections") or []
        if isinstance(c, dict) and c.get("coach_frame") is not None
    }
    out: dict[str, list[str]] = {}
    for name, conf in (details.get("event_confidence") or {}).items():
        value = _finite(conf)
        found = (analysis.events or {}).get(name) is not None
        if found and value is not None and value < CHECK_EVENT_BELOW and name not in coach_set:
            out.setdefault(name, []).append(f"engine confidence {value:.0%}")
    registry = _registry()
    for name, d in (details.get("metrics") or {}).items():
        spec = registry.get(name)
        if not isinstance(d, dict) or d.get("status") != "check" or spec is None:
            continue
        for event in getattr(spec, "events", ()):
            if (analysis.events or {}).get(event) is not None:
                out.setdefault(event, []).append(f"{label(name).lower()} is implausible")
    return out


def metric_lines(analysis) -> list[MetricLine]:
    """The analysis's metrics in the registry's order (unknown ones after), scored first."""
    if analysis is None:
        return []
    details = (analysis.details or {}).get("metrics") or {}
    names = list(analysis.metrics or {}) + [n for n in details if n not in analysis.metrics]
    order = {n: i for i, n in enumerate(metric_order())}
    names.sort(key=lambda n: (order.get(n, len(order)), n))
    out = []
    for name in names:
        d = details.get(name) or {}
        value = (analysis.metrics or {}).get(name, d.get("value"))
        available = bool(d.get("available", _finite(value) is not None))
        status = str(d.get("status") or "")
        spec = _registry().get(name)
        if not status and available and spec is not None and spec.weight <= 0:
            status = "recorded"  # an older engine's analysis, as the engine says it now
        out.append(
            MetricLine(
                name=name,
                label=label(name),
                value=format_short(name, value) if available else "–",
                band=format_band_short(name, d.get("band") or default_band(name)),
                # A score the overall does not count (too uncertain, or a metric only recorded)
                # is not shown as one.
                score=None if status in NOT_SCORED else _finite(d.get("score")),
                available=available,
                reason=d.get("reason") or "",
                definition=definition(name),
                confidence=_finite(d.get("confidence")),
                status=status,
            )
        )
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseMark:
    name: str
    label: str
    frame: int | None
    seconds: float | None
    check: str = ""  # why the coach should check this marker ("" when nothing to check)


def phase_marks(
    events: dict | None, fps: float | None, check: dict[str, list[str]] | None = None
) -> list[PhaseMark]:
    """The 8 events in swing order, with their frame and time (None where not found) and, from
    `check` (markers_to_check), why one is worth checking."""
    events = events or {}
    out = []
    for name in EVENT_NAMES:
        frame = events.get(name)
        frame = (
            int(frame) if isinstance(frame, int | float) and not isinstance(frame, bool) else None
        )
        seconds = frame / fps if frame is not None and fps else None
        why = "; ".join((check or {}).get(name, []))
        out.append(
            PhaseMark(name=name, label=EVENT_LABELS[name], frame=frame, seconds=seconds, check=why)
        )
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricDiff:
    name: str
    label: str
    a: str
    b: str
    delta: str
    band: str
    a_in_band: bool | None
    b_in_band: bool | None


def metric_diffs(a, b) -> list[MetricDiff]:
    """Metric by metric, swing B minus swing A (both analyses; either may lack a metric)."""
    if a is None or b is None:
        return []
    order = {n: i for i, n in enumerate(metric_order())}
    names = sorted(set(a.metrics) | set(b.metrics), key=lambda n: (order.get(n, len(order)), n))
    out = [
        MetricDiff(
            name=OVERALL,
            label=label(OVERALL),
            a=format_value(OVERALL, a.overall_score),
            b=format_value(OVERALL, b.overall_score),
            delta=format_change(OVERALL, a.overall_score, b.overall_score),
            band="",
            a_in_band=None,
            b_in_band=None,
        )
    ]
    for name in names:
        va, vb = a.metrics.get(name), b.metrics.get(name)
        if _finite(va) is None and _finite(vb) is None:
            continue
        band = ((a.details or {}).get("metrics") or {}).get(name, {}).get("band") or default_band(
            name
        )
        out.append(
            MetricDiff(
                name=name,
                label=label(name),
                a=format_short(name, va),
                b=format_short(name, vb),
                delta=format_change(name, va, vb),
                band=format_band_short(name, band),
                a_in_band=in_band(va, band),
                b_in_band=in_band(vb, band),
            )
        )
    return out
