"""Is the clip real time? Durations only mean something at the rate the swing was filmed.

A phone's slow-motion file plays its 120 or 240 captured frames per second at 30, so a swing read
at the file's rate lasts 4 or 8 times longer than it did. Nobody swings a full club that slowly:
a full swing's downswing takes about 0.23-0.32 s (tour) and at most about 0.45 s (a slow
beginner), the whole swing from takeaway to impact at most about 2 s. Longer durations at the
file's rate mean slow motion (or misplaced markers), so until someone says at which rate the clip
was filmed the durations are unknown and only ratios (tempo) are scored.
"""

from __future__ import annotations

# Longest durations a real-time full swing has (seconds, takeaway to impact and top to impact).
REAL_TIME_MAX_DOWNSWING_S = 0.45
REAL_TIME_MAX_SWING_S = 2.2
# What the swing page offers when it asks "Is this slow motion?": factors of the file's rate,
# and capture rates. "real time" is the answer that keeps the file's rate.
SLOW_MOTION_FACTORS = (2, 3, 4, 8)
CAPTURE_RATES = (60, 120, 240)
DURATION_METRICS = ("swing_time_s", "backswing_s", "downswing_s")


def too_slow_for_real_time(downswing_s: float | None, swing_s: float | None) -> bool:
    """True when the swing, timed at the rate given, is slower than any real-time full swing."""
    if downswing_s is not None and downswing_s > REAL_TIME_MAX_DOWNSWING_S:
        return True
    return swing_s is not None and swing_s > REAL_TIME_MAX_SWING_S


def capture_rate(answer: str, file_fps: float) -> float:
    """The capture rate an answer to "Is this slow motion?" means: "real" (the file's own rate),
    "2x"/"4x"/"8x" (that many times the file's rate) or "60"/"120"/"240" (frames per second).
    Raises ValueError for anything else."""
    answer = answer.strip().lower()
    if not file_fps > 0:
        raise ValueError("the file's frame rate is unknown")
    # The answers are a fixed set: looked up, never parsed (5,000 ASCII digits made int() raise
    # its own error about digit limits instead of naming the answers).
    rates = {"real": float(file_fps)}
    rates.update({f"{f}x": float(file_fps) * f for f in SLOW_MOTION_FACTORS})
    rates.update({str(r): float(r) for r in CAPTURE_RATES})
    if answer in rates:
        return rates[answer]
    raise ValueError(
        f"expected real, {', '.join(f'{f}x' for f in SLOW_MOTION_FACTORS)} or "
        f"{', '.join(str(r) for r in CAPTURE_RATES)}"
    )
