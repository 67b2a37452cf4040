"""The swing engine: pure numpy/scipy, no Django, no database.

Poses in (frames x 33 landmarks x 4), phases, metrics, scores, feedback and embeddings out. The
Django side of analysis (pipeline, worker, pages, commands) lives beside this package in `analysis/`
and is the only way the product reaches it. The public entry point is re-exported here from
`core`; the modules hold the parts (pose, smoothing, events, metrics, scoring, similarity, synth,
report, extract, pose_io).
"""

from analysis.engine.core import (
    ENGINE_VERSION,
    EVENT_NAMES,
    METRICS,
    VIEWS,
    AnalysisError,
    FeedbackItem,
    MetricResult,
    MetricSpec,
    SwingAnalysis,
    analyze,
)

__all__ = [
    "ENGINE_VERSION",
    "EVENT_NAMES",
    "METRICS",
    "VIEWS",
    "AnalysisError",
    "FeedbackItem",
    "MetricResult",
    "MetricSpec",
    "SwingAnalysis",
    "analyze",
]
