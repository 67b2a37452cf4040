"""Engine accuracy report: analyse many synthetic swings with known truth and measure errors.

`python -m analysis.engine.report [--n 200] [--seed 0]` prints the table; `engine_report` returns the
numbers (the acceptance tests assert on them).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from analysis.engine import EVENT_NAMES, VIEWS, AnalysisError, analyze
from analysis.engine.synth import SwingParams, generate_swing, varied_params

REPORT_METRICS: tuple[str, ...] = (
    "tempo_ratio",
    "swing_time_s",
    "shoulder_turn_deg",
    "hip_turn_deg",
    "x_factor_deg",
    "head_sway",
    "head_dip",
    "hip_sway_top",
    "spine_angle_address_deg",
    "spine_angle_change_deg",
    "lead_arm_top_deg",
    "swing_plane_deg",
)
# Stated accuracy per view: |estimate - truth| within these bounds for >= 95% of swings.
# Engine 1.1.0; the sweep's 95th percentiles on seeds 0-2 sit below them (tempo: face-on
# ~0.10, down the line 0.16-0.19; face-on hip turn 4.1-4.7 deg).
TOLERANCES: dict[str, dict[str, float]] = {
    "face-on": {
        "tempo_ratio": 0.15,
        "swing_time_s": 0.02,
        "shoulder_turn_deg": 3.5,
        "hip_turn_deg": 5.0,
        "x_factor_deg": 7.0,
        "head_sway": 0.03,
        "head_dip": 0.03,
        "hip_sway_top": 0.03,
        "lead_arm_top_deg": 8.0,
    },
    "down-the-line": {
        "tempo_ratio": 0.2,
        "swing_time_s": 0.04,
        # No turns: on the synthetic oracle they read within 8 degrees, but on real tour swings
        # (GolfDB, labelled events) they spread over 5-129 degrees. They are not measurable
        # from this view (metrics.py; tests/engine/test_metric_validity.py).
        "head_dip": 0.03,
        "spine_angle_address_deg": 2.0,
        "spine_angle_change_deg": 3.0,
        "lead_arm_top_deg": 12.0,
        "swing_plane_deg": 4.0,
    },
}
TEMPO_TARGET = 0.15  # the product goal for tempo (both views); the share within it is reported
FPS_CHOICES = (30.0, 60.0, 120.0, 240.0)


def sweep_params(n: int, seed: int = 0) -> list[SwingParams]:
    """n realistic, varied swings: both views and hands, 30-240 fps, noise, dropouts in half
    (synth.varied_params, which the event model's generated training swings share)."""
    return varied_params(n, seed, FPS_CHOICES)


def event_tolerance(fps: float) -> int:
    """Frames an event may be off: 1 frame at 30 fps, proportionally more at higher rates."""
    return max(1, int(round(fps / 30.0)))


def engine_report(n: int = 200, seed: int = 0) -> dict:
    """Analyse n synthetic swings; event hit rates and metric errors, overall and per view."""
    events_hit = {name: [] for name in EVENT_NAMES}
    errors: dict[str, dict[str, list[float]]] = {
        view: {name: [] for name in REPORT_METRICS} for view in VIEWS
    }
    failures: list[str] = []
    times_ms: list[float] = []
    for params in sweep_params(n, seed):
        swing = generate_swing(params)
        started = time.perf_counter()
        try:
            result = analyze(
                swing.keypoints,
                params.fps,
                left_handed=params.left_handed,
                view=params.view,
                aspect=params.width / params.height,
            )
        except AnalysisError as exc:
            failures.append(f"{params.view} {params.fps:g} fps seed {params.seed}: {exc.reason}")
            for name in EVENT_NAMES:
                events_hit[name].append(False)
            continue
        times_ms.append(1000 * (time.perf_counter() - started) / swing.n_frames * 900)
        tol = event_tolerance(params.fps)
        for name in EVENT_NAMES:
            est = result.events[name]
            events_hit[name].append(est is not None and abs(est - swing.events[name]) <= tol)
        for name in REPORT_METRICS:
            r = result.metrics[name]
            truth = swing.metrics.get(name)
            if r.available and truth is not None and np.isfinite(truth):
                errors[params.view][name].append(r.value - truth)

    per_event = {name: float(np.mean(hits)) for name, hits in events_hit.items()}
    all_hits = [h for hits in events_hit.values() for h in hits]
    metric_stats: dict[str, dict[str, dict[str, float]]] = {}
    for view in VIEWS:
        metric_stats[view] = {}
        for name, errs in errors[view].items():
            if not errs:
                continue
            e = np.abs(np.asarray(errs))
            tol = TOLERANCES[view].get(name)
            metric_stats[view][name] = {
                "n": int(e.size),
                "tolerance": tol,
                "within": float(np.mean(e <= tol)) if tol is not None else None,
                "bias": float(np.mean(errs)),
                "mae": float(e.mean()),
                "p95": float(np.percentile(e, 95)),
                "max": float(e.max()),
            }
    tempo = [abs(e) for view in VIEWS for e in errors[view]["tempo_ratio"]]
    return {
        "n": n,
        "tempo_within_target": float(np.mean(np.asarray(tempo) <= TEMPO_TARGET)) if tempo else 0,
        "seed": seed,
        "event_tolerance": "max(1, round(fps / 30)) frames",
        "event_hit_rate": per_event,
        "event_hit_rate_overall": float(np.mean(all_hits)) if all_hits else 0.0,
        "metrics": metric_stats,
        "failures": failures,
        "analyze_ms_per_900_frames_median": float(np.median(times_ms)) if times_ms else None,
    }


def format_report(report: dict) -> str:
    """The report as a readable text table."""
    lines = [
        f"Engine report: {report['n']} synthetic swings (seed {report['seed']}), "
        f"event tolerance {report['event_tolerance']}",
        "",
        f"{'event':<22}{'within tolerance':>18}",
    ]
    for name, rate in report["event_hit_rate"].items():
        lines.append(f"{name:<22}{100 * rate:>17.1f}%")
    lines.append(f"{'all events':<22}{100 * report['event_hit_rate_overall']:>17.1f}%")
    for view, stats in report["metrics"].items():
        lines += ["", f"metric errors, {view} (estimate - truth)"]
        lines.append(
            f"{'metric':<26}{'n':>5}{'bias':>9}{'MAE':>9}{'p95':>9}{'max':>9}"
            f"{'tolerance':>11}{'within':>8}"
        )
        for name, s in stats.items():
            tol = "" if s["tolerance"] is None else f"{s['tolerance']:g}"
            within = "" if s["within"] is None else f"{100 * s['within']:.0f}%"
            lines.append(
                f"{name:<26}{s['n']:>5}{s['bias']:>9.3f}{s['mae']:>9.3f}{s['p95']:>9.3f}"
                f"{s['max']:>9.3f}{tol:>11}{within:>8}"
            )
    lines.append("")
    lines.append(
        f"tempo within ±{TEMPO_TARGET} (both views): {100 * report['tempo_within_target']:.1f}%"
    )
    lines.append("")
    lines.append(f"failures: {len(report['failures'])}")
    lines += [f"  {f}" for f in report["failures"][:10]]
    ms = report.get("analyze_ms_per_900_frames_median")
    if ms is not None:
        lines.append(f"analyze() time, scaled to 900 frames (median): {ms:.1f} ms")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="number of swings (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(format_report(engine_report(n=args.n, seed=args.seed)))


if __name__ == "__main__":
    main()
