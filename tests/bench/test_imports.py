"""Every project import in bench/ resolves, the ones inside functions too: the CrateDB benchmarks
run only with a live server, so a stale import there (a module that moved) would otherwise be
found by the first operator who runs them."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
PROJECT = ("analysis", "swingvision", "bench")


def _project_imports() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(BENCH.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] in PROJECT:
                    found += [(path.name, node.module, a.name) for a in node.names]
            elif isinstance(node, ast.Import):
                found += [
                    (path.name, a.name, "") for a in node.names if a.name.split(".")[0] in PROJECT
                ]
    return found


IMPORTS = _project_imports()


def test_the_scan_sees_the_function_level_imports():
    assert ("crate_knn.py", "analysis.engine.similarity", "exact_distances") in IMPORTS


@pytest.mark.parametrize(("file", "module", "name"), IMPORTS)
def test_bench_import_resolves(file, module, name):
    mod = importlib.import_module(module)
    if name and not hasattr(mod, name):
        importlib.import_module(f"{module}.{name}")  # a submodule, or ImportError names it
