"""Run the engine on a pose file without storing anything:
`manage.py analyze_poses FILE [--fps N] [--view face-on|down-the-line] [--left-handed] [--json]`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.engine import AnalysisError, analyze
from analysis.engine.metrics import VIEWS
from analysis.engine.pose_io import PoseFileError, load_pose_file
from analysis.pipeline import _jsonable


class Command(BaseCommand):
    help = "Analyse a pose file (MediaPipe CSV/JSON, COCO-17, OpenPose) and print the result."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--fps", type=float, help="frame rate (required if the file has none)")
        parser.add_argument("--view", choices=VIEWS, default="face-on")
        parser.add_argument("--left-handed", action="store_true")
        parser.add_argument("--width", type=int, help="frame width in pixels (pixel formats)")
        parser.add_argument("--height", type=int, help="frame height in pixels (pixel formats)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **o):
        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            pf = load_pose_file(path.read_bytes(), path.name, width=o["width"], height=o["height"])
        except PoseFileError as e:
            raise CommandError(f"{path.name}: {e}") from e
        fps = o["fps"] or pf.fps
        if not fps or fps <= 0:
            raise CommandError("the file has no frame rate: pass --fps")
        w, h = pf.width or o["width"], pf.height or o["height"]
        try:
            result = analyze(
                pf.keypoints,
                fps,
                left_handed=o["left_handed"],
                view=o["view"],
                aspect=(w / h) if w and h else 1.0,
            )
        except AnalysisError as e:
            raise CommandError(f"no analysis: {getattr(e, 'reason', e)}") from e
        out = {
            "engine_version": result.engine_version,
            "fps": fps,
            "frames": int(len(pf.keypoints)),
            "events": _jsonable(dict(result.events)),
            "metrics": {k: _jsonable(m.value) for k, m in result.metrics.items()},
            "units": {k: m.unit for k, m in result.metrics.items()},
            "scores": {k: _jsonable(m.score) for k, m in result.metrics.items()},
            "overall_score": _jsonable(result.overall_score),
            "feedback": [_jsonable(f) for f in result.feedback],
        }
        if o["json"]:
            self.stdout.write(json.dumps(out, indent=2))
            return
        self.stdout.write(f"{path.name}: {out['frames']} frames at {fps:g} fps, {o['view']}")
        self.stdout.write("events:")
        for name, frame in out["events"].items():
            self.stdout.write(f"  {name:<20} {frame if frame is not None else '-'}")
        self.stdout.write("metrics:")
        for name, value in out["metrics"].items():
            score = out["scores"][name]
            shown = f"{value:.3g}" if isinstance(value, float) else "unavailable"
            tail = f"  score {score:.0f}" if isinstance(score, float) else ""
            self.stdout.write(f"  {name:<24} {shown} {out['units'][name]}{tail}")
        overall = out["overall_score"]
        self.stdout.write(f"overall score: {overall:.0f}" if overall is not None else "no score")
        for f in out["feedback"]:
            self.stdout.write(f"  [{f['priority']}] {f['finding']} {f['recommendation']}")
