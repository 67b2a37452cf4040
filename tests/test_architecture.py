"""The code's shape, checked: the import contracts of pyproject.toml hold (and a planted forbidden
import breaks them), no import cycle among the app's modules, and no app import hidden inside a
function (the way a cycle is usually dodged)."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("analysis", "swingvision", "progress")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
# Imports that must run late, each with its reason: Django's app registry is not ready while an
# AppConfig module is imported, so `ready()` imports what it starts.
LATE_IMPORTS_ALLOWED = {
    "analysis/apps.py": "AppConfig.ready starts the inline worker once apps are loaded",
    "swingvision/apps.py": "AppConfig.ready registers health checks once apps are loaded",
}


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(cwd / "pyproject.toml")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_import_contracts_hold():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("analysis/engine/pose.py", "import django.conf", "The engine imports no Django"),
        (
            "swingvision/db/managers/coaching.py",
            "import analysis.pipeline",
            "The data layer (gateway, managers, records) imports no page",
        ),
        ("swingvision/db/gateway.py", "import swingvision.db.managers", "Pages -> managers"),
        ("progress/views.py", "import sqlite3", "Only the gateway talks to a database driver"),
    ],
)
def test_a_planted_forbidden_import_breaks_its_contract(tmp_path, module, planted, contract):
    """Each contract can fail: a copy of the code with one forbidden import planted is refused."""
    for name in PACKAGES:
        shutil.copytree(
            ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.sql")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{planted}  # planted by the test\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in " ".join(broken.split()), result.stdout


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def test_no_import_cycle_among_app_modules():
    """Imports inside functions count too: grimp reads every import statement."""
    graph = grimp.build_graph(*PACKAGES)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.y", imported="a.z")
    assert _cycles(graph) == [["a.x", "a.y"]]


def _late_app_imports(path: Path) -> list[int]:
    tree = ast.parse(path.read_text())
    lines = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.ImportFrom):
                name = "." if node.level else (node.module or "")
            elif isinstance(node, ast.Import):
                name = node.names[0].name
            else:
                continue
            if name == "." or name.split(".")[0] in PACKAGES:
                lines.append(node.lineno)
    return sorted(set(lines))


def test_no_app_import_inside_a_function():
    found = {}
    for name in PACKAGES:
        for path in sorted((ROOT / name).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in LATE_IMPORTS_ALLOWED:
                continue
            lines = _late_app_imports(path)
            if lines:
                found[rel] = lines
    assert found == {}
