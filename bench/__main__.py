"""Run the benchmarks and print the table: `python -m bench [--quick] [--only NAME] [--json FILE]`.

Each module named in bench/suites.py exposes `run(quick: bool) -> list[Figure]`. Quick mode uses smaller data and
finishes in under two minutes; the full mode measures at the sizes the issues name. A benchmark that
raises is an error (exit 1); a figure that misses its target is reported, not fatal, because timing
on a shared machine is noisy (pass --strict to fail on misses).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import traceback


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingvision.settings")
    import django

    django.setup()


def format_table(rows: list[dict]) -> str:
    header = ("figure", "value", "floor", "ratio", "target", "result")
    lines = []
    for r in rows:
        unit = r["unit"]
        value = f"{r['value']:.4g} {unit}"
        floor = f"{r['floor']:.4g} {unit}" if r.get("floor") is not None else "-"
        if r.get("floor_label") and r.get("floor") is not None:
            floor += f" ({r['floor_label']})"
        ratio = f"{r['ratio']:.2f}x" if r.get("ratio") is not None else "-"
        result = {True: "pass", False: "MISS", None: "report"}[r.get("passed")]
        lines.append((r["name"], value, floor, ratio, r.get("target", ""), result))
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small data, under two minutes")
    parser.add_argument("--only", action="append", default=[], help="run only these suites")
    parser.add_argument("--json", default="", help="also write the table as JSON to this file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    _setup_django()
    from bench.suites import SUITES

    rows, errors = [], []
    started = time.perf_counter()
    for name in SUITES:
        if args.only and name not in args.only:
            continue
        t0 = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            figures = module.run(quick=args.quick)
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others
            errors.append(name)
            traceback.print_exc()
            continue
        rows += [dict(f.as_dict(), suite=name) for f in figures]
        print(f"[bench] {name} done in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    print(format_table(rows) if rows else "no figures")
    print(
        f"\n{len(rows)} figures in {time.perf_counter() - started:.0f}s; errors: {errors or 'none'}"
    )
    out = args.json or os.path.join(
        "var", "bench", "results-quick.json" if args.quick else "results.json"
    )
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w") as fh:
        json.dump({"quick": args.quick, "figures": rows, "errors": errors}, fh, indent=2)
    print(f"table written to {out}")
    missed = [r["name"] for r in rows if r.get("passed") is False]
    if errors or (args.strict and missed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
