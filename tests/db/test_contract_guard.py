"""The guard of the managers' contract: every public method of every manager class reachable
from `managers(db)` is called by a test that runs on every configured backend (SQLite always,
CrateDB when SWINGVISION_CRATEDB_URL is set). The contract tests live here in tests/db/, one file
per manager (test_users.py for swingvision/db/managers/users.py, and so on).

How coverage is measured: a static scan of the contract files' source, not a recorder.

A recorder (patching every manager method while the contract files run) only knows the calls of
the tests in the current pytest session: run this file alone, or one contract file, or with -k,
and it would fail (or have to skip, and then guard nothing); and it needs a conftest hook around
the whole session. The scan gives the same answer however the suite is selected or ordered:
- contract files are found, not listed: every tests/**/*.py whose fixtures are parametrized with
  `params=BACKENDS` (tests/backends.py), or that holds `m = managers_fixture()`, so a new
  contract file counts as soon as it exists;
- in them, every call `<x>.<attr>.<method>(...)` where <attr> names a manager (a field of
  `Managers`, or a manager held by one, e.g. `m.admin.users`), and every call
  `<ManagerClass>(...).<method>(...)` (Summaries, which the managers build per call), credits
  that class's method. Calls a contract test makes only indirectly (through the pipeline or a
  helper module) do not count: the contract test must call the method itself.
The methods required are every public method (no leading underscore) of every manager class
reachable from `managers(db)`: the Managers fields, the managers they hold, and the classes of
swingvision/db/managers built over the gateway alone (what the managers build inside methods).
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
from pathlib import Path

from swingvision.db import managers as package
from swingvision.db.gateway import Database, parse_db_url
from swingvision.db.managers import Managers, managers

TESTS = Path(__file__).resolve().parent.parent

# "<attr>.<method>" -> why it needs no backend test. Only pure Python helpers that run no SQL may
# be listed here (none today: every public manager method reads or writes the database).
PURE_PYTHON: dict[str, str] = {}


def _manager_classes(tmp_path) -> dict[str, type]:
    """attr name -> manager class, for every manager class reachable from managers(db)."""
    db = Database(parse_db_url(f"sqlite:///{tmp_path / 'guard.db'}"))  # never connected
    found: dict[str, type] = {}

    def walk(attr: str, obj: object) -> None:
        cls = type(obj)
        if not cls.__module__.startswith(f"{package.__name__}."):
            return
        assert found.setdefault(attr, cls) is cls, f"{attr} names two manager classes"
        for name, value in vars(obj).items():
            walk(name, value)

    ms = managers(db)
    for f in dataclasses.fields(Managers):
        walk(f.name, getattr(ms, f.name))
    reachable = set(found.values())
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, cls in vars(module).items():
            if (
                inspect.isclass(cls)
                and cls.__module__ == module.__name__
                and inspect.isfunction(init := vars(cls).get("__init__"))
                and list(inspect.signature(init).parameters) == ["self", "db"]
                and cls not in reachable
            ):
                found[name.lower()] = cls
                reachable.add(cls)
    return found


def _public_methods(cls: type) -> list[str]:
    return sorted(
        name
        for name, value in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    )


def _runs_on_backends(node: ast.AST) -> bool:
    """A fixture over every backend: `params=BACKENDS`, or `m = managers_fixture()`."""
    if isinstance(node, ast.keyword):
        return (
            node.arg == "params"
            and isinstance(node.value, ast.Name)
            and node.value.id == "BACKENDS"
        )
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "managers_fixture"
    )


def _contract_files() -> list[Path]:
    out = []
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        if any(_runs_on_backends(node) for node in ast.walk(tree)):
            out.append(path)
    return out


def _credited_calls(path: Path, by_attr: dict[str, type]) -> set[tuple[type, str]]:
    by_name = {cls.__name__: cls for cls in by_attr.values()}
    calls = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = node.func.value
        cls = None
        if isinstance(receiver, ast.Attribute):
            cls = by_attr.get(receiver.attr)
        elif isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name):
            cls = by_name.get(receiver.func.id)
        if cls is not None:
            calls.add((cls, node.func.attr))
    return calls


def test_every_manager_method_runs_in_a_backend_contract_test(tmp_path):
    by_attr = _manager_classes(tmp_path)
    canonical = {}
    for attr, cls in by_attr.items():
        canonical.setdefault(cls, attr)  # the Managers field name comes first
    required = {
        f"{attr}.{name}": (cls, name)
        for cls, attr in canonical.items()
        for name in _public_methods(cls)
    }
    # The introspection must see what the review named, or it proves nothing.
    for known in ("summaries.for_coach", "admin.change_password", "swings.points_between"):
        assert known in required, known
    assert len(canonical) >= 16 and len(required) >= 100
    files = _contract_files()
    names = {p.relative_to(TESTS).as_posix() for p in files}
    # One contract file per manager module (tests/db/test_users.py for managers/users.py), each
    # run on every backend.
    modules = {info.name for info in pkgutil.iter_modules(package.__path__)}
    assert {"users", "videos", "notes", "similarity"} <= modules
    assert {f"db/test_{module}.py" for module in modules} <= names
    called = set().union(*(_credited_calls(p, by_attr) for p in files))
    stale = sorted(k for k in PURE_PYTHON if k not in required)
    assert not stale, f"PURE_PYTHON lists methods that do not exist: {stale}"
    missing = sorted(
        key for key, target in required.items() if target not in called and key not in PURE_PYTHON
    )
    assert not missing, (
        "manager methods no backend-parametrized contract test calls "
        f"(add one to tests/db/test_<manager module>.py): {missing}"
    )
