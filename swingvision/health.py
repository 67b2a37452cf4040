"""Health checks beyond the database; other parts of the app register theirs here."""

from __future__ import annotations

from collections.abc import Callable, Iterator

_CHECKS: dict[str, Callable[[], dict]] = {}


def register(name: str, check: Callable[[], dict]) -> None:
    """`check()` returns {"ok": bool, ...}; it must not raise."""
    _CHECKS[name] = check


def extra_checks() -> Iterator[tuple[str, dict]]:
    for name, check in _CHECKS.items():
        try:
            yield name, check()
        except Exception as e:  # noqa: BLE001 - a broken check reports itself, never 500s
            yield name, {"ok": False, "error": str(e)}
