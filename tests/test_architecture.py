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


def _ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_edges(graph) -> dict[str, set[str]]:
    """What importing each module runs: the modules it imports, and the packages (`__init__`)
    above them that are not already being imported around the importer itself."""
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        own = set(_ancestors(module))
        out = set()
        for imported in graph.find_modules_directly_imported_by(module):
            out.add(imported)
            out.update(a for a in _ancestors(imported) if a not in own and a in graph.modules)
        edges[module] = out
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
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
                    work.append((child, iter(sorted(edges.get(child, ())))))
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
    assert _cycles(import_edges(graph)) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.y", imported="a.z")
    assert _cycles(import_edges(graph)) == [["a.x", "a.y"]]


def test_the_cycle_finder_sees_a_cycle_through_a_package_init():
    """b.m imports p.q, which runs p/__init__, which imports p.r, which imports b.m: a real cycle
    that no single import statement shows."""
    graph = grimp.ImportGraph()
    for name in ("b", "b.m", "p", "p.q", "p.r"):
        graph.add_module(name)
    graph.add_import(importer="b.m", imported="p.q")
    graph.add_import(importer="p", imported="p.r")
    graph.add_import(importer="p.r", imported="b.m")
    assert _cycles(import_edges(graph)) == [["b.m", "p", "p.r"]]


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
