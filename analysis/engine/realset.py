"""Real labelled swings: load a GolfDB-style dev set and score the engine on it.

A set is a directory with `index.csv` (one row per clip: id, player, view, slow, the 8 labelled
event frames, the labelled tempo ratio) and `poses/<id>_poses.csv.gz` (gzip CSV: frame, then x, y,
z, visibility of the 33 MediaPipe landmarks; a frame without a pose has no row). Scoring follows
GolfDB's rule: an event is correct within `max(round((impact - address) / 30), 1)` frames of its
label (PCE, the percentage of correct events).

`run` analyses every swing with a detector (the whole engine, `engine_detector`), `summarise`
turns the outcomes into the report's numbers and `format_real_report` prints them
(train_events.real_report runs it with leave-one-golfer-out models). Pure: numpy only, no Django.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.engine.core import AnalysisError, analyze
from analysis.engine.pose import EVENT_NAMES, N_LANDMARKS

FPS = 30.0  # GolfDB's source videos (about 30 fps)
CONFIDENCE_BINS = (0.0, 0.3, 0.5, 0.7, 0.85, 1.01)


@dataclass(frozen=True, slots=True, eq=False)
class RealSwing:
    """One labelled clip of a dev set (the engine report, the similarity report and the tests
    read the set through `load_set`)."""

    id: str
    player: str
    view: str  # face-on | down-the-line | other
    slow: bool
    keypoints: np.ndarray  # (clip frames, 33, 4), NaN rows where no pose was found
    events: dict[str, int]  # labelled frames
    tempo_ratio: float  # labelled (top - address) / (impact - top)
    club: str = ""

    @property
    def tolerance(self) -> int:
        return max(int(round((self.events["impact"] - self.events["address"]) / 30.0)), 1)

    @property
    def engine_view(self) -> str:
        """The camera view the engine is told ('other' angles are closest to face-on)."""
        return "down-the-line" if self.view == "down-the-line" else "face-on"


def load_poses(path: Path, n_frames: int) -> np.ndarray:
    """(n_frames, 33, 4) from a gzip pose CSV; frames without a row are NaN."""
    out = np.full((n_frames, N_LANDMARKS, 4), np.nan, dtype=np.float32)
    with gzip.open(path, "rt", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        rows = [r for r in reader if r]
    if rows:
        data = np.asarray(rows, dtype=np.float64)
        frames = data[:, 0].astype(int)
        keep = (frames >= 0) & (frames < n_frames)
        out[frames[keep]] = data[keep, 1:].reshape(-1, N_LANDMARKS, 4)
    return out


def load_set(directory: str | Path) -> list[RealSwing]:
    """Every swing of a dev set directory (index.csv + poses/)."""
    root = Path(directory)
    index = root / "index.csv"
    if not index.is_file():
        raise FileNotFoundError(f"no index.csv in {root} (expected a golfdb-dev style directory)")
    swings = []
    with index.open(newline="") as fh:
        for row in csv.DictReader(fh):
            pose_path = root / "poses" / f"{row['id']}_poses.csv.gz"
            if not pose_path.is_file():
                raise FileNotFoundError(f"missing pose file {pose_path}")
            swings.append(
                RealSwing(
                    id=row["id"],
                    player=row["player"],
                    view=row["view"],
                    slow=row["slow"].strip() == "1",
                    keypoints=load_poses(pose_path, int(row["clip_frames"])),
                    events={name: int(row[name]) for name in EVENT_NAMES},
                    tempo_ratio=float(row["tempo_ratio_address_top_impact"]),
                    club=row.get("club", ""),
                )
            )
    return swings


# ----------------------------------------------------------------------------- label precision
# Most golfers of golfdb-dev have a real-time clip and a slow-motion replay of the same swing, each
# labelled on its own: two labellings of one swing, which show how precise the labels are.
# MAPPING_EVENTS map a real-time clip's frames onto its replay (a straight line: the replay runs
# 2-8x slower, SLOW_FACTORS); a pair is the same swing when the line fits them within the replay's
# tolerance.
MAPPING_EVENTS = ("mid_backswing", "top", "mid_downswing", "impact", "mid_follow_through")
SLOW_FACTORS = (2.0, 8.0)
QUANTISATION_DRAWS = 500  # random draws of the sub-frame truth behind whole-frame labels


def pair_tolerance(swing: RealSwing) -> int:
    """GolfDB's tolerance, at least 2 frames (the similarity measure's, and the pairing's)."""
    return max(swing.tolerance, 2)


def _line(fast: RealSwing, slow: RealSwing, events: tuple[str, ...]) -> tuple[float, float]:
    """(factor, offset) of the straight line taking `fast`'s frames of `events` to `slow`'s."""
    x = np.array([fast.events[e] for e in events], dtype=np.float64)
    y = np.array([slow.events[e] for e in events], dtype=np.float64)
    factor, offset = np.polyfit(x, y, 1)
    return float(factor), float(offset)


def replay_pairs(swings: list[RealSwing]) -> list[tuple[RealSwing, RealSwing, float, float]]:
    """(real-time clip, its slow-motion replay, factor, offset) for each swing filmed both ways:
    one golfer's clips whose middle events fit a straight line within the replay's tolerance at a
    slow-motion factor in SLOW_FACTORS, matched one to one, best fit first."""
    candidates = []
    for fast in swings:
        for slow in swings:
            if fast.slow or not slow.slow or fast.player != slow.player:
                continue
            factor, offset = _line(fast, slow, MAPPING_EVENTS)
            y = np.array([slow.events[e] for e in MAPPING_EVENTS], dtype=np.float64)
            x = np.array([fast.events[e] for e in MAPPING_EVENTS], dtype=np.float64)
            misfit = float(np.abs(y - (factor * x + offset)).max()) / pair_tolerance(slow)
            if misfit <= 1.0 and SLOW_FACTORS[0] <= factor <= SLOW_FACTORS[1]:
                candidates.append((misfit, fast.id, slow.id, fast, slow, factor, offset))
    candidates.sort(key=lambda c: c[:3])
    used: set[str] = set()
    pairs = []
    for _misfit, fast_id, slow_id, fast, slow, factor, offset in candidates:
        if fast_id not in used and slow_id not in used:
            used |= {fast_id, slow_id}
            pairs.append((fast, slow, factor, offset))
    return pairs


def label_precision(swings: list[RealSwing], seed: int = 0) -> dict:
    """How far GolfDB's labels agree with themselves, by the engine report's own measures: the
    most any detector can be expected to agree with them.

    - agreement: per event, in how many pairs (replay_pairs) the replay's label, mapped into the
      real-time clip's frames, is within GolfDB's tolerance of the real-time label (the PCE
      rule). The line is fitted on the middle events other than the one checked.
    - tempo: the median |difference| of the two clips' labelled tempo ratios, over every pair and
      over the face-on and down-the-line ones.
    - quantisation: the median |tempo error| on the headline swings (real-time face-on and
      down-the-line) of a detector that finds each true moment exactly, where the truth behind a
      whole-frame label is anywhere within half a frame of it (mean over random draws).
    """
    pairs = replay_pairs(swings)
    agree = {}
    for name in EVENT_NAMES:
        hits = 0
        for fast, slow, _factor, _offset in pairs:
            factor, offset = _line(fast, slow, tuple(e for e in MAPPING_EVENTS if e != name))
            mapped = (slow.events[name] - offset) / factor
            hits += abs(mapped - fast.events[name]) <= fast.tolerance
        agree[name] = hits
    tempo_all = [abs(f.tempo_ratio - s.tempo_ratio) for f, s, _, _ in pairs]
    tempo_views = [abs(f.tempo_ratio - s.tempo_ratio) for f, s, _, _ in pairs if f.view != "other"]
    head = [s for s in swings if not s.slow and s.view != "other"]
    quantisation = None
    if head:
        a, t, i = (
            np.array([s.events[e] for s in head], float) for e in ("address", "top", "impact")
        )
        labelled = (t - a) / (i - t)
        rng = np.random.default_rng(seed)
        jitter = rng.uniform(-0.5, 0.5, size=(QUANTISATION_DRAWS, 3, len(head)))
        ta, tt, ti = a + jitter[:, 0], t + jitter[:, 1], i + jitter[:, 2]
        err = np.abs((tt - ta) / (ti - tt) - labelled)
        quantisation = float(np.median(err, axis=1).mean())
    n = len(pairs)
    return {
        "pairs": n,
        "pairs_face_on_down_the_line": len(tempo_views),
        "agree": agree,
        "agreement": sum(agree.values()) / (n * len(EVENT_NAMES)) if n else 0.0,
        "tempo_median_abs": float(np.median(tempo_all)) if tempo_all else None,
        "tempo_median_abs_face_on_down_the_line": (
            float(np.median(tempo_views)) if tempo_views else None
        ),
        "tempo_quantisation": quantisation,
    }


def format_label_precision(r: dict) -> str:
    n = r["pairs"]
    lines = [
        f"label precision: {n} swings labelled twice (a real-time clip and its slow-motion replay,"
        " mapped by the middle events)",
        "  the replay's label within GolfDB's tolerance of the real-time one: "
        + ", ".join(f"{e} {k}/{n}" for e, k in r["agree"].items())
        + f" (all events {r['agreement']:.2f})",
    ]
    if r["tempo_median_abs"] is not None:
        lines.append(
            f"  tempo ratio of the two labellings: median |difference| {r['tempo_median_abs']:.2f}"
            f" ({r['pairs_face_on_down_the_line']} face-on / down-the-line pairs: "
            f"{r['tempo_median_abs_face_on_down_the_line']:.2f})"
        )
    if r["tempo_quantisation"] is not None:
        lines.append(
            "  tempo median |error| of a detector exact to the sub-frame, from whole-frame labels"
            f" alone: {r['tempo_quantisation']:.2f}"
        )
    return "\n".join(lines)


# A detector: swing -> (frames, confidences, flags) or raises AnalysisError.
Detector = Callable[[RealSwing], tuple[dict[str, int | None], dict[str, float], dict]]


def engine_detector(swing: RealSwing, **analyze_kwargs) -> tuple[dict, dict, dict]:
    """The whole engine (`analyze`) on one swing; analyze_kwargs e.g. a fold's event_model."""
    result = analyze(swing.keypoints, FPS, view=swing.engine_view, **analyze_kwargs)
    tempo = result.metrics["tempo_ratio"]
    flags = {"tempo_ratio": tempo.value, "timing": dict(result.timing)}
    return dict(result.events), dict(result.event_confidence), flags


@dataclass(slots=True)
class SwingOutcome:
    swing: RealSwing
    refused: str | None
    frames: dict[str, int | None]
    confidence: dict[str, float]
    tempo_ratio: float | None
    flags: dict


def run(swings: list[RealSwing], detector_for: Callable[[RealSwing], Detector]) -> list:
    """Analyse each swing with the detector `detector_for(swing)` returns (a CV fold's model)."""
    outcomes = []
    for swing in swings:
        detector = detector_for(swing)
        try:
            frames, conf, flags = detector(swing)
        except AnalysisError as exc:
            outcomes.append(SwingOutcome(swing, exc.reason, {}, {}, None, {}))
            continue
        outcomes.append(
            SwingOutcome(swing, None, frames, conf, flags.get("tempo_ratio"), flags.get("timing"))
        )
    return outcomes


def _pce(outs: list[SwingOutcome]) -> dict:
    """PCE overall and per event; a refused swing counts as wrong on every event."""
    hits = {name: [] for name in EVENT_NAMES}
    for o in outs:
        for name in EVENT_NAMES:
            f = o.frames.get(name)
            hits[name].append(f is not None and abs(f - o.swing.events[name]) <= o.swing.tolerance)
    per = {name: float(np.mean(h)) if h else 0.0 for name, h in hits.items()}
    flat = [x for h in hits.values() for x in h]
    return {
        "n": len(outs),
        "refused": sum(o.refused is not None for o in outs),
        "pce": float(np.mean(flat)) if flat else 0.0,
        "per_event": per,
    }


GROUPS: tuple[tuple[str, Callable[[RealSwing], bool]], ...] = (
    ("real-time face-on + down-the-line", lambda s: not s.slow and s.view != "other"),
    ("real-time face-on", lambda s: not s.slow and s.view == "face-on"),
    ("real-time down-the-line", lambda s: not s.slow and s.view == "down-the-line"),
    ("real-time other views", lambda s: not s.slow and s.view == "other"),
    ("slow motion (all views)", lambda s: s.slow),
    ("all swings", lambda s: True),
)


def summarise(outcomes: list[SwingOutcome]) -> dict:
    """The report's numbers from analysed swings."""
    groups = {}
    for name, keep in GROUPS:
        outs = [o for o in outcomes if keep(o.swing)]
        if outs:
            groups[name] = _pce(outs)
    headline = [o for o in outcomes if not o.swing.slow and o.swing.view != "other"]
    errors: dict[str, dict] = {}
    for label, outs in (
        ("real time", headline),
        ("slow motion", [o for o in outcomes if o.swing.slow]),
    ):
        per = {}
        for name in EVENT_NAMES:
            e = np.array(
                [
                    o.frames[name] - o.swing.events[name]
                    for o in outs
                    if o.refused is None and o.frames.get(name) is not None
                ],
                dtype=float,
            )
            if e.size:
                per[name] = {
                    "median": float(np.median(e)),
                    "p90_abs": float(np.percentile(np.abs(e), 90)),
                    "mean": float(e.mean()),
                }
        errors[label] = per
    tempo = {}
    for label, outs in (
        ("real time", headline),
        ("slow motion", [o for o in outcomes if o.swing.slow]),
    ):
        e = np.array(
            [o.tempo_ratio - o.swing.tempo_ratio for o in outs if o.tempo_ratio is not None]
        )
        if e.size:
            tempo[label] = {
                "n": int(e.size),
                "median_abs": float(np.median(np.abs(e))),
                "median": float(np.median(e)),
                "p90_abs": float(np.percentile(np.abs(e), 90)),
            }
    # Calibration: every detected event of every swing, binned by its confidence.
    conf_rows = []
    pairs = [
        (
            o.confidence.get(name, 0.0),
            abs(o.frames[name] - o.swing.events[name]) <= o.swing.tolerance,
        )
        for o in outcomes
        if o.refused is None
        for name in EVENT_NAMES
        if o.frames.get(name) is not None
    ]
    if pairs:
        c = np.array([p[0] for p in pairs])
        h = np.array([p[1] for p in pairs])
        for lo, hi in zip(CONFIDENCE_BINS[:-1], CONFIDENCE_BINS[1:], strict=True):
            sel = (c >= lo) & (c < hi)
            if sel.any():
                conf_rows.append(
                    {
                        "lo": lo,
                        "hi": min(hi, 1.0),
                        "n": int(sel.sum()),
                        "mean_confidence": float(c[sel].mean()),
                        "correct": float(h[sel].mean()),
                    }
                )
    slow_flags = {}
    for label, keep in (("real time", lambda s: not s.slow), ("slow motion", lambda s: s.slow)):
        outs = [o for o in outcomes if keep(o.swing) and o.refused is None]
        if outs:
            flagged = sum(bool((o.flags or {}).get("too_slow_for_real_time")) for o in outs)
            slow_flags[label] = {"n": len(outs), "flagged_too_slow": flagged}
    return {
        "groups": groups,
        "errors": errors,
        "tempo": tempo,
        "calibration": conf_rows,
        "refused": [
            (o.swing.id, o.swing.view, "slow" if o.swing.slow else "real time", o.refused)
            for o in outcomes
            if o.refused is not None
        ],
        "too_slow_flags": slow_flags,
    }


def format_real_report(report: dict, title: str) -> str:
    short = {
        "address": "A",
        "toe_up": "TU",
        "mid_backswing": "MB",
        "top": "T",
        "mid_downswing": "MD",
        "impact": "I",
        "mid_follow_through": "MFT",
        "finish": "F",
    }
    lines = [title, "", "PCE (GolfDB rule: within max(round((impact - address) / 30), 1) frames)"]
    head = f"{'swings':<36}{'n':>4}{'ref':>4}{'PCE':>7}" + "".join(
        f"{short[e]:>6}" for e in EVENT_NAMES
    )
    lines.append(head)
    for name, g in report["groups"].items():
        lines.append(
            f"{name:<36}{g['n']:>4}{g['refused']:>4}{g['pce']:>7.3f}"
            + "".join(f"{g['per_event'][e]:>6.2f}" for e in EVENT_NAMES)
        )
    for label, per in report["errors"].items():
        scope = "real-time face-on + down-the-line" if label == "real time" else "slow motion"
        lines += ["", f"signed error, frames (detected - label), {scope}"]
        lines.append(f"{'event':<22}{'median':>8}{'mean':>8}{'p90 |e|':>9}")
        for name, s in per.items():
            lines.append(f"{name:<22}{s['median']:>8.1f}{s['mean']:>8.2f}{s['p90_abs']:>9.1f}")
    lines += ["", "tempo ratio (top - address) / (impact - top), detected - labelled"]
    for label, t in report["tempo"].items():
        lines.append(
            f"  {label:<12} n={t['n']:<3} median |e| {t['median_abs']:.2f}"
            f"  median {t['median']:+.2f}  p90 |e| {t['p90_abs']:.2f}"
        )
    lines += ["", "confidence calibration (all analysed swings, all events)"]
    lines.append(f"{'confidence':<14}{'events':>8}{'mean conf':>11}{'correct':>9}")
    for r in report["calibration"]:
        lines.append(
            f"{r['lo']:.2f}-{r['hi']:.2f}{'':<5}{r['n']:>8}{r['mean_confidence']:>11.2f}"
            f"{100 * r['correct']:>8.0f}%"
        )
    if report.get("too_slow_flags"):
        lines += ["", "flagged too slow for real time (the page asks for the capture rate)"]
        for label, s in report["too_slow_flags"].items():
            lines.append(f"  {label:<12} {s['flagged_too_slow']}/{s['n']}")
    lines += ["", f"refused: {len(report['refused'])}"]
    lines += [f"  {i} ({v}, {k}): {r}" for i, v, k, r in report["refused"]]
    if report.get("labels"):
        lines += ["", format_label_precision(report["labels"])]
    return "\n".join(lines)
