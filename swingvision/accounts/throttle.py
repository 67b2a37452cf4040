"""Login rate limiting per account and per client address (in process memory)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from django.http import HttpRequest

MAX_FAILURES_PER_LOGIN = 5
MAX_FAILURES_PER_IP = 20
WINDOW_S = 300.0


class LoginThrottle:
    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    @staticmethod
    def _keys(login: str, request: HttpRequest) -> list[tuple[str, int]]:
        ip = request.META.get("REMOTE_ADDR", "")
        return [
            (f"login:{login.strip().lower()}", MAX_FAILURES_PER_LOGIN),
            (f"ip:{ip}", MAX_FAILURES_PER_IP),
        ]

    def _prune(self, q: deque[float], now: float) -> None:
        while q and now - q[0] > WINDOW_S:
            q.popleft()

    def blocked(self, login: str, request: HttpRequest) -> int:
        """Seconds to wait, or 0."""
        now = time.monotonic()
        with self._lock:
            for key, limit in self._keys(login, request):
                q = self._failures.get(key)
                if q is None:
                    continue
                self._prune(q, now)
                if len(q) >= limit:
                    return int(WINDOW_S - (now - q[0])) + 1
        return 0

    def failed(self, login: str, request: HttpRequest) -> None:
        now = time.monotonic()
        with self._lock:
            for key, _ in self._keys(login, request):
                self._failures[key].append(now)

    def succeeded(self, login: str, request: HttpRequest) -> None:
        with self._lock:
            self._failures.pop(f"login:{login.strip().lower()}", None)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()


login_throttle = LoginThrottle()
