"""Scores and feedback: target bands to 0-100 sub-scores, an overall score, coaching items."""

from __future__ import annotations

from analysis.engine.metrics import METRICS, MetricSpec

MIN_SCORED_CONFIDENCE = 0.3  # metrics below this confidence do not count in the overall score
ESTIMATED_BELOW = 0.7  # findings say "an estimated" below this confidence


def sub_score(value: float, band: tuple[float, float], margin: float) -> float:
    """100 inside the band, falling linearly to 0 at `margin` outside it."""
    lo, hi = band
    if lo <= value <= hi:
        return 100.0
    dist = lo - value if value < lo else value - hi
    return round(100.0 * max(0.0, 1.0 - dist / margin), 1)


def overall_label(score: float) -> str:
    if score >= 85:
        return "excellent"
    if score >= 70:
        return "good"
    if score >= 50:
        return "fair"
    return "needs work"


def priority(score: float) -> int:
    """1 high (score < 50), 2 medium (< 75), 3 low."""
    return 1 if score < 50 else 2 if score < 75 else 3


# How a value of each unit reads: its number format and what follows the number.
_UNIT_FORMAT = {
    "deg": (".0f", "°"),
    "s": (".2f", " s"),
    "ratio": (".1f", ":1"),
    "torso": (".2f", " torso lengths"),
    "stance": ("+.2f", " stance widths"),
}


def format_value(spec: MetricSpec, value: float) -> str:
    """A value with its unit, as a coach reads it."""
    number, unit = _UNIT_FORMAT.get(spec.unit, ("g", ""))
    return f"{value:{number}}{unit}"


def format_band(spec: MetricSpec, band: tuple[float, float]) -> str:
    lo, hi = band
    if spec.unit == "torso":
        return f"at most {format_value(spec, hi)}" if lo <= 0 else f"{lo:.2f}–{hi:.2f}"
    if spec.unit in ("deg", "ratio", "s"):
        number, unit = _UNIT_FORMAT[spec.unit]
        return f"{lo:{number}}–{hi:{number}}{unit}"
    return f"{lo:+.2f} to {hi:+.2f}"


# What each metric is called in a finding, and what to do when it is low or high.
_ADVICE: dict[str, tuple[str, str, str]] = {
    "tempo_ratio": (
        "Backswing to downswing tempo",
        "Take the club back more smoothly and for longer, toward 3:1 (24/8 frames at 30 fps).",
        "Quicken the backswing toward 3:1 (24/8 frames at 30 fps); swing to a count.",
    ),
    "swing_time_s": (
        "Takeaway to impact",
        "A little more time in the backswing helps sequencing.",
        "Make the backswing more compact and committed.",
    ),
    "backswing_s": ("Backswing time", "Slow the takeaway down.", "Keep the backswing flowing."),
    "downswing_s": ("Downswing time", "Let the club drop; avoid forcing.", "Accelerate through."),
    "shoulder_turn_deg": (
        "Shoulder turn at the top",
        "Turn the lead shoulder under the chin and let the trail hip turn; cross-arm turn drill.",
        "Shorten the backswing: stop turning once the back faces the target.",
    ),
    "hip_turn_deg": (
        "Hip rotation at the top",
        "Let the trail hip turn back freely; allow the lead heel to flex.",
        "Brace the trail leg to restrain the hips and build coil.",
    ),
    "x_factor_deg": (
        "X-factor (shoulders minus hips) at the top",
        "Turn the shoulders more against quieter hips to build coil.",
        "Let the hips turn a little more to ease strain on the lower back.",
    ),
    "head_sway": (
        "Head movement from address to impact",
        "Head movement is within range.",
        "Keep the head centred; turn around the spine rather than sliding (wall drill).",
    ),
    "head_dip": (
        "Head dip or rise from address to impact",
        "Head height is within range.",
        "Keep your posture: maintain knee flex and spine angle through impact.",
    ),
    "spine_angle_address_deg": (
        "Spine angle at address",
        "Hinge more from the hips at address.",
        "Stand a little taller at address.",
    ),
    "spine_angle_change_deg": (
        "Spine angle change from address to impact",
        "Spine angle is stable.",
        "Keep the chest over the ball; hips back through impact (chair drill).",
    ),
    "lead_arm_top_deg": (
        "Lead arm at the top",
        "Keep width: extend the lead arm at the top without locking it.",
        "Lead arm is straight.",
    ),
    "hip_sway_top": (
        "Hip sway at the top",
        "Avoid shifting toward the target in the backswing (reverse pivot).",
        "Turn around the trail hip; keep pressure on the inside of the trail foot.",
    ),
    "swing_plane_deg": (
        "Downswing hand plane",
        "The hands come down on a flat plane.",
        "The hands come down on a steep plane.",
    ),
    "plane_shift_deg": (
        "Plane shift (downswing vs backswing)",
        "The downswing drops well under the backswing plane; shallow a little less.",
        "Shallow the club in transition: the downswing is steeper (over the top).",
    ),
}


def finding_text(name: str, value: float, band: tuple[float, float], confidence: float) -> str:
    spec = METRICS[name]
    what = _ADVICE[name][0]
    estimated = "an estimated " if confidence < ESTIMATED_BELOW else ""
    return f"{what} was {estimated}{format_value(spec, value)} (target {format_band(spec, band)})."


def recommendation_text(name: str, value: float, band: tuple[float, float]) -> str:
    _, low, high = _ADVICE[name]
    return low if value < band[0] else high
