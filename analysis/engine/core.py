"""The swing analysis engine: poses in, phases, metrics, scores and feedback out.

Pure numpy/scipy; no Django or database. `analyze` is the one entry point; it raises
AnalysisError (a ValueError) with a reason a coach can read when a clip cannot be analysed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.engine import eventmodel
from analysis.engine.events import (
    EVENT_NAMES,
    MIN_RISE_TORSO,
    AnalysisError,
    Events,
    Motion,
    detect_events,
    prepare,
)
from analysis.engine.metrics import METRICS, VIEWS, MetricSpec, compute_metrics, implausible
from analysis.engine.pose import N_LANDMARKS, mirror_poses, pose_embeddings, swing_embedding
from analysis.engine.scoring import (
    MIN_SCORED_CONFIDENCE,
    finding_text,
    overall_label,
    priority,
    recommendation_text,
    sub_score,
)
from analysis.engine.timing import DURATION_METRICS, too_slow_for_real_time

ENGINE_VERSION = "2.3.0"

__all__ = [
    "ENGINE_VERSION",
    "EVENT_NAMES",
    "METRICS",
    "AnalysisError",
    "FeedbackItem",
    "MetricResult",
    "MetricSpec",
    "UNCOUNTED_STATUSES",
    "SwingAnalysis",
    "analyze",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricResult:
    name: str
    value: float | None
    unit: str
    available: bool
    reason: str | None  # why it is unavailable
    score: float | None  # 0-100 against the band
    band: tuple[float, float]
    confidence: float  # 0-1
    # scored | recorded (weight 0) | low-confidence | check (outside the plausible range: the
    # markers or the camera view) | unknown-rate (a duration of a clip that may be slow motion)
    # | not-measurable (from this view) | unavailable
    status: str = "scored"


# The statuses of a value kept on the swing but not scored: it is not counted in the overall
# score, nor averaged, charted or compared across swings (swingvision.db.swing_facts.counted_metrics).
UNCOUNTED_STATUSES = ("low-confidence", "check", "unknown-rate", "not-measurable")

CHECK_REASON = "check the markers or the camera view"
# An overall score needs at least this share of the weight of the metrics this swing could be
# scored on (those measurable from its view, durations aside while its rate is unknown): a score
# made of one or two sure metrics while the rest are too uncertain would read as the whole swing.
MIN_SCORED_SHARE = 0.5
UNKNOWN_RATE_REASON = "unknown until the capture rate is known (is this slow motion?)"


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedbackItem:
    aspect: str  # a metric name
    finding: str
    recommendation: str
    priority: int  # 1 high, 2 medium, 3 low


@dataclass(frozen=True, slots=True, kw_only=True)
class SwingAnalysis:
    engine_version: str
    fps: float
    n_frames: int
    view: str
    left_handed: bool
    events: dict[str, int | None]
    event_confidence: dict[str, float]
    event_times_s: dict[str, float | None]  # sub-frame event times, seconds from the clip start
    # state: "real time", "too slow for real time" (durations unknown until the rate is
    # confirmed: timing.py) or "confirmed" (the caller gave the capture rate); with the event
    # model's slow_motion_factor, too_slow_for_real_time and downswing_s (analysis/README.md).
    timing: dict
    metrics: dict[str, MetricResult]
    overall_score: float | None
    overall_label: str | None
    feedback: list[FeedbackItem]
    pose_embeddings: np.ndarray  # (F, POSE_EMBEDDING_DIM) float32
    swing_embedding: np.ndarray  # (SWING_EMBEDDING_DIM,) float32

    def metric_values(self) -> dict[str, float | None]:
        """{name: value} of every metric, None when unavailable (for storage and charts)."""
        return {name: r.value for name, r in self.metrics.items()}


def _validate(keypoints, fps: float, view: str, aspect: float) -> np.ndarray:
    if view not in VIEWS:
        raise AnalysisError(f"unknown camera view {view!r} (expected one of {', '.join(VIEWS)})")
    try:
        fps_ok = bool(np.isfinite(float(fps)) and float(fps) > 0)
    except (TypeError, ValueError):
        fps_ok = False
    if not fps_ok:
        raise AnalysisError(f"invalid frame rate: {fps!r}")
    if not (np.isfinite(aspect) and aspect > 0):
        raise AnalysisError(f"invalid aspect ratio: {aspect!r}")
    kp = np.asarray(keypoints, dtype=np.float32)
    if kp.ndim != 3 or kp.shape[1:] != (N_LANDMARKS, 4):
        if kp.size == 0:
            kp = kp.reshape(0, N_LANDMARKS, 4)
        else:
            raise AnalysisError(f"poses must have shape (frames, 33, 4), got {kp.shape}")
    return kp


def analyze(
    keypoints: np.ndarray,
    fps: float,
    *,
    left_handed: bool = False,
    view: str = "face-on",
    targets: dict[str, tuple[float, float]] | None = None,
    events_override: dict[str, int] | None = None,
    aspect: float = 1.0,
    rate_confirmed: bool = False,
    event_model: eventmodel.EventModel | None = None,
    club: str | None = None,
) -> SwingAnalysis:
    """Analyse one swing.

    keypoints: (F, 33, 4) x, y, z, confidence (see analysis.engine.pose); fps: frames per second;
    aspect: frame width / height, so x and y share a unit; targets: per-metric bands that
    replace the defaults (a coach's targets for a player); events_override: frames a coach
    set by hand, which win over detection (the other events are detected around them);
    rate_confirmed: fps is the capture rate someone confirmed (else a clip too slow for real
    time has its durations unknown and only ratios scored); club: what the coach called the
    club, for the bands that depend on it (MetricSpec.band_for);
    event_model: the learned event model to use (default: the shipped weights; the real-set
    report passes each cross-validation fold's).
    """
    kp = _validate(keypoints, fps, view, aspect)
    rh = mirror_poses(kp) if left_handed else kp
    motion = prepare(rh, float(fps), float(aspect))
    events, for_metrics, timing = _events(motion, view, events_override, event_model)
    values = compute_metrics(motion, for_metrics, view)

    bands = {name: spec.band_for(club) for name, spec in METRICS.items()}
    for name, band in (targets or {}).items():
        if name not in METRICS:
            raise AnalysisError(f"unknown metric in targets: {name!r}")
        lo, hi = float(band[0]), float(band[1])
        bands[name] = (min(lo, hi), max(lo, hi))

    # Slow motion without its capture rate: durations in seconds would be the clip's, not the
    # swing's. The event model's speed scale or durations no real-time swing has say so; then
    # the durations are unknown, the ratios (tempo) stand and the page asks for the rate.
    too_slow = not rate_confirmed and (
        timing["too_slow_for_real_time"]
        or too_slow_for_real_time(values["downswing_s"].value, values["swing_time_s"].value)
    )
    timing["too_slow_for_real_time"] = bool(too_slow)
    timing["state"] = (
        "confirmed" if rate_confirmed else "too slow for real time" if too_slow else "real time"
    )
    results = {
        name: _result(name, values[name], bands[name], view, timing["state"]) for name in METRICS
    }

    scored = [r for r in results.values() if r.status == "scored"]
    total_w = sum(METRICS[r.name].weight * r.confidence for r in scored)
    overall = (
        round(sum(METRICS[r.name].weight * r.confidence * r.score for r in scored) / total_w, 1)
        if total_w > 0 and _scored_share(results) >= MIN_SCORED_SHARE
        else None
    )

    ranked = sorted(
        (r for r in scored if r.score < 100),
        key=lambda r: METRICS[r.name].weight * (100 - r.score),
        reverse=True,
    )[:3]
    feedback = [
        FeedbackItem(
            aspect=r.name,
            finding=finding_text(r.name, r.value, r.band, r.confidence),
            recommendation=recommendation_text(r.name, r.value, r.band),
            priority=priority(r.score),
        )
        for r in sorted(ranked, key=lambda r: priority(r.score))
    ]

    emb = pose_embeddings(kp, left_handed=left_handed, aspect=aspect)
    return SwingAnalysis(
        engine_version=ENGINE_VERSION,
        fps=float(fps),
        n_frames=int(kp.shape[0]),
        view=view,
        left_handed=left_handed,
        events=dict(events.frames),
        event_confidence=dict(events.confidence),
        event_times_s={k: None if v is None else v / fps for k, v in events.times.items()},
        timing=timing,
        metrics=results,
        overall_score=overall,
        overall_label=None if overall is None else overall_label(overall),
        feedback=feedback,
        pose_embeddings=emb,
        swing_embedding=swing_embedding(emb, events.frames),
    )


def _result(name: str, mv, band: tuple[float, float], view: str, state: str) -> MetricResult:
    """One metric's value with its score and status: a value outside the plausible range, or a
    duration of a clip too slow for real time, is kept or blanked but never scored."""
    spec = METRICS[name]
    value, reason, score = mv.value, mv.reason, None
    if value is None:
        status = "not-measurable" if view not in spec.views else "unavailable"
    elif state == "too slow for real time" and name in DURATION_METRICS:
        value, reason, status = None, UNKNOWN_RATE_REASON, "unknown-rate"
    elif implausible(spec, value):
        reason, status = CHECK_REASON, "check"
    else:
        score = sub_score(value, band, spec.margin)
        if spec.weight <= 0:
            status = "recorded"
        elif mv.confidence < MIN_SCORED_CONFIDENCE:
            status = "low-confidence"
        else:
            status = "scored"
    return MetricResult(
        name=name,
        value=None if value is None else round(value, 4),
        unit=spec.unit,
        available=value is not None,
        reason=reason,
        score=score,
        band=band,
        confidence=mv.confidence if value is not None else 0.0,
        status=status,
    )


def _events(
    m: Motion, view: str, override: dict[str, int] | None, model: eventmodel.EventModel | None
) -> tuple[Events, Events, dict]:
    """The 8 events, the same with the confidences metrics use, and the timing. The rules
    propose (events.detect_events), the learned model decides (eventmodel). A clip the rules
    refuse is still analysed when the model finds a swing in it (the hands rise at least
    MIN_RISE_TORSO from address to the top and come back down); otherwise the rules' reason
    stands."""
    try:
        rule = detect_events(m, override, view=view)
        refusal = None
    except AnalysisError as exc:
        if "no swing found" not in exc.reason:
            raise
        rule, refusal = None, exc
    frames, times, conf, near, scale, too_slow = eventmodel.detect(m, view, rule, override, model)
    if rule is None:
        y = m.hand[:, 1]
        rise = (y[frames["address"]] - y[frames["top"]]) / m.torso
        fall = (y[frames["impact"]] - y[frames["top"]]) / m.torso
        if rise < MIN_RISE_TORSO or fall < 0.5 * MIN_RISE_TORSO:
            raise refusal
    a_f = frames["address"]
    a_lo = max(0, a_f - max(1, int(0.1 * m.fps)))
    events = Events(
        frames=dict(frames),
        times=dict(times),
        confidence={k: round(float(v), 3) for k, v in conf.items()},
        address_hand=m.hand[a_lo : a_f + 1].mean(axis=0),
    )
    # Metrics read the body at an event and change little within a few frames of it: their
    # trust follows how near the event surely is (eventmodel.NEAR_SWING_FRAMES), not whether
    # it is on GolfDB's exact frame (the events' own confidence).
    for_metrics = Events(
        frames=events.frames,
        times=events.times,
        confidence={k: round(float(v), 3) for k, v in near.items()},
        address_hand=events.address_hand,
    )
    factor = scale / (m.fps / eventmodel.SWING_FPS)
    down_s = (times["impact"] - times["top"]) / m.fps
    timing = {
        "slow_motion_factor": round(float(factor), 2),
        "too_slow_for_real_time": bool(too_slow),
        "downswing_s": round(float(down_s), 3),
    }
    return events, for_metrics, timing


def _scored_share(results: dict[str, MetricResult]) -> float:
    """The share of the scorable weight that was scored (uncertain or implausible values count
    against it; metrics not measurable from the view or waiting for the capture rate do not)."""
    scorable = [
        r
        for r in results.values()
        if METRICS[r.name].weight > 0 and r.status in ("scored", "low-confidence", "check")
    ]
    total = sum(METRICS[r.name].weight for r in scorable)
    done = sum(METRICS[r.name].weight for r in scorable if r.status == "scored")
    return done / total if total else 0.0
