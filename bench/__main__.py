"""Run the benchmarks and print the table: `python -m bench [--quick] [--only NAME]
[--json FILE] [--compare PREVIOUS.json [--threshold PCT]] [--strict]`.

Each module named in bench/suites.py exposes `run(quick: bool) -> list[Figure]`. Quick mode uses
smaller data and finishes in under two minutes; the full mode measures at the sizes the issues name.
A benchmark that raises is an error (exit 1); a figure that misses its target is reported, not
fatal, because timing on a shared machine is noisy (pass --strict to fail on misses).
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import platform
import re
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime

QUICK_BUDGET_S = 120.0  # the quick mode's promise (CI runs it after the tests)
# Two runs of the same code on this shared 2-core machine differ by up to ~20% (other sessions'
# load comes and goes): --compare marks only larger changes, unless told otherwise.
COMPARE_THRESHOLD_PCT = 25.0
# A size in a figure's name: "10k", "100k", "1M" (not "top-10", "20 MB" or "30 players").
SIZE_TOKEN = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)([kM])(?!\w)")
SIZE_FACTOR = {"k": 1e3, "M": 1e6}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingvision.settings")
    import django

    django.setup()


# -- growth over sizes ----------------------------------------------------------------------------
def _series(row: dict) -> tuple[str, float] | None:
    """The series a figure belongs to and its size in it: explicit, or read from its name."""
    if row.get("series") and row.get("scale") is not None:
        return row["series"], float(row["scale"])
    matches = list(SIZE_TOKEN.finditer(row["name"]))
    if not matches:
        return None
    m = matches[-1]
    key = row["name"][: m.start()] + "{n}" + row["name"][m.end() :]
    return key, float(m.group(1)) * SIZE_FACTOR[m.group(2)]


def format_scale(scale: float) -> str:
    for suffix, factor in (("M", 1e6), ("k", 1e3)):
        if scale >= factor and scale % factor == 0:
            return f"{scale / factor:g}{suffix}"
    return f"{scale:g}"


def add_growth(rows: list[dict]) -> None:
    """Set `growth` (value / the value at the series' smallest size), `floor_growth` (the same for
    the floor) and `growth_base` on every figure of a series measured at more than one size."""
    groups: dict[tuple[str, str], list[tuple[float, dict]]] = {}
    for row in rows:
        row.setdefault("growth", None)
        row.setdefault("floor_growth", None)
        row.setdefault("growth_base", "")
        found = _series(row)
        if found is not None:
            groups.setdefault((row.get("suite", ""), found[0]), []).append((found[1], row))
    for members in groups.values():
        if len({scale for scale, _ in members}) < 2:
            continue
        base_scale, base = min(members, key=lambda m: m[0])
        for scale, row in members:
            if scale == base_scale:
                continue
            row["growth_base"] = format_scale(base_scale)
            row["growth"] = _quotient(row.get("value"), base.get("value"))
            row["floor_growth"] = _quotient(row.get("floor"), base.get("floor"))


def _quotient(a: float | None, b: float | None) -> float | None:
    if a is None or b in (None, 0) or not math.isfinite(a) or not math.isfinite(b):
        return None
    return a / b


# -- the table ------------------------------------------------------------------------------------
def _num(v: float | None) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    if abs(v) >= 10_000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def _ratio_text(v: float | None) -> str:
    return f"{v:.2f}x" if v is not None else "-"


def _factor(v: float) -> str:
    return f"x{v:,.0f}" if v >= 100 else f"x{v:.3g}"


def _growth_text(r: dict) -> str:
    if r.get("growth") is None:
        return "-"
    text = f"{_factor(r['growth'])} vs {r['growth_base']}"
    if r.get("floor_growth") is not None:
        text += f" (floor {_factor(r['floor_growth'])})"
    return text


def format_table(rows: list[dict]) -> str:
    header = ("figure", "value", "floor", "ratio", "target", "result", "growth")
    lines = []
    for r in rows:
        unit = f" {r['unit']}" if r.get("unit") else ""
        value = f"{_num(r['value'])}{unit}"
        floor = f"{_num(r['floor'])}{unit}" if r.get("floor") is not None else "-"
        if r.get("floor_label") and r.get("floor") is not None:
            floor += f" ({r['floor_label']})"
        ratio = _ratio_text(r.get("ratio"))
        result = {True: "pass", False: "MISS", None: "report"}[r.get("passed")]
        target = r.get("target") or "-"
        lines.append((r["name"], value, floor, ratio, target, result, _growth_text(r)))
    return "\n".join(_aligned(header, lines))


def _aligned(header: tuple[str, ...], lines: list[tuple[str, ...]]) -> list[str]:
    """The header, a rule and the lines in left-aligned columns."""
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out += [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    ]
    return out


def format_notes(rows: list[dict]) -> str:
    return "\n".join(f"- {r['name']}: {r['note']}" for r in rows if r.get("note"))


# -- comparison with an earlier run ---------------------------------------------------------------
def _judged_change(before: dict, now: dict) -> tuple[float | None, str]:
    """The relative change that decides better/worse and what it was taken on. The ratio to the
    floor when both runs have one (a busier machine slows value and floor alike), else the value."""
    for key in ("ratio", "value"):
        a, b = before.get(key), now.get(key)
        if a is not None and b is not None and a != 0 and math.isfinite(a) and math.isfinite(b):
            return b / a - 1, key
    return None, ""


def compare(
    previous: dict,
    rows: list[dict],
    *,
    label: str = "previous run",
    threshold_pct: float = COMPARE_THRESHOLD_PCT,
) -> str:
    """Per figure: the value before and now, its change, and the ratio to the floor before and
    now; a change beyond threshold_pct is marked better or worse (from `better`)."""
    before = {r["name"]: r for r in previous.get("figures", [])}
    header = ("figure", "before", "now", "change", "ratio before -> now", "verdict")
    lines, worse, better = [], 0, 0
    for r in rows:
        unit = f" {r['unit']}" if r.get("unit") else ""
        b = before.get(r["name"])
        if b is None:
            lines.append((r["name"], "-", f"{_num(r['value'])}{unit}", "new", "-", ""))
            continue
        change = _quotient(r.get("value"), b.get("value"))
        change_text = f"{(change - 1) * 100:+.1f}%" if change is not None else "-"
        ratios = "-"
        if b.get("ratio") is not None or r.get("ratio") is not None:
            ratios = f"{_ratio_text(b.get('ratio'))} -> {_ratio_text(r.get('ratio'))}"
        judged, on = _judged_change(b, r)
        verdict = ""
        if judged is not None and abs(judged) * 100 > threshold_pct:
            good = judged < 0 if r.get("better", "lower") == "lower" else judged > 0
            verdict = f"{'better' if good else 'WORSE'} ({on} {judged * 100:+.0f}%)"
            worse += not good
            better += good
        lines.append(
            (r["name"], f"{_num(b.get('value'))}{unit}", f"{_num(r['value'])}{unit}",
             change_text, ratios, verdict)
        )  # fmt: skip
    names = {r["name"] for r in rows}
    gone = [name for name in before if name not in names]
    out = [f"change vs {label} (marked beyond +-{threshold_pct:g}%):"]
    if lines:
        out += _aligned(header, lines)
    if gone:
        out.append("not measured this time: " + "; ".join(gone))
    out.append(f"{worse} worse, {better} better beyond the threshold")
    return "\n".join(out)


def _load_previous(path: str) -> dict:
    with open(path) as fh:
        data = json.load(fh)
    if not isinstance(data, dict) or not isinstance(data.get("figures"), list):
        raise ValueError("not a table written by python -m bench (no 'figures' list)")
    return data


# -- the run --------------------------------------------------------------------------------------
def _default_json(quick: bool, only: Sequence[str] = ()) -> str:
    """results.json / results-quick.json for a whole run, the baseline --compare reads; a run of
    some suites (--only) writes results[-quick]-only-<suites>.json beside it and leaves the
    baseline alone."""
    from bench.core import bench_dir

    name = "results-quick" if quick else "results"
    if only:
        name += "-only-" + "-".join(sorted(set(only)))
    return os.path.join(bench_dir(), f"{name}.json")


def main(argv: list[str] | None = None, *, suites: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="small data, under two minutes")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="SUITE",
        help="run only this suite (repeatable; names in bench/suites.py)",
    )
    parser.add_argument(
        "--json", default="", help="write the table as JSON here (default var/bench/results*.json)"
    )
    parser.add_argument(
        "--compare", default="", metavar="PREVIOUS.json", help="print the change per figure"
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=COMPARE_THRESHOLD_PCT,
        metavar="PCT",
        help=f"--compare marks changes beyond this many percent (default {COMPARE_THRESHOLD_PCT:g})",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if suites is None:
        from bench.suites import SUITES

        suites = SUITES
    unknown = [name for name in args.only if name not in suites]
    if unknown:
        parser.error(f"unknown suite(s) {', '.join(unknown)}; known: {', '.join(suites)}")
    previous = None
    if args.compare:
        # Read before running: comparing with the file this run overwrites works, and a bad file
        # fails now rather than after minutes of benchmarks.
        try:
            previous = _load_previous(args.compare)
        except (OSError, ValueError) as e:
            parser.error(f"--compare {args.compare}: {e}")
    _setup_django()

    rows: list[dict] = []
    errors: list[str] = []
    error_details: dict[str, str] = {}
    suite_seconds: dict[str, float] = {}
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    load_before = os.getloadavg()
    started = time.perf_counter()
    for name in suites:
        if args.only and name not in args.only:
            continue
        t0 = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            figures = module.run(quick=args.quick)
        except Exception as e:  # noqa: BLE001 - one broken benchmark must not hide the others
            errors.append(name)
            error_details[name] = f"{type(e).__name__}: {e}"
            traceback.print_exc()
            print(f"[bench] {name} FAILED", file=sys.stderr, flush=True)
            continue
        finally:
            suite_seconds[name] = round(time.perf_counter() - t0, 1)
        rows += [dict(f.as_dict(), suite=name) for f in figures]
        print(f"[bench] {name} done in {suite_seconds[name]:.1f}s", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    add_growth(rows)

    print(format_table(rows) if rows else "no figures")
    notes = format_notes(rows)
    if notes:
        print("\nnotes:\n" + notes)
    timing = ", ".join(f"{k} {v:.0f}s" for k, v in suite_seconds.items())
    print(f"\n{len(rows)} figures in {seconds:.0f}s ({timing}); errors: {errors or 'none'}")
    load_after = os.getloadavg()
    print(f"load average {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end")
    if args.quick and seconds > QUICK_BUDGET_S:
        print(f"WARNING: the quick mode took {seconds:.0f}s, over its {QUICK_BUDGET_S:.0f}s budget")
    if previous is not None:
        print()
        label = f"{args.compare} ({previous.get('started_at', 'time unknown')})"
        print(compare(previous, rows, label=label, threshold_pct=args.threshold))

    out = args.json or _default_json(args.quick, args.only)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as fh:
        json.dump(
            {
                "quick": args.quick,
                "only": sorted(set(args.only)),  # empty: every suite ran
                "started_at": started_at,
                "seconds": round(seconds, 1),
                "suite_seconds": suite_seconds,
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
                },
                "figures": rows,
                "errors": errors,
                "error_details": error_details,
            },
            fh,
            indent=2,
        )
    print(f"table written to {out}")
    missed = [r["name"] for r in rows if r.get("passed") is False]
    if errors or (args.strict and missed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
