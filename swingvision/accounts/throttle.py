"""Login rate limiting per account and per client address (in process memory).

Failures count against the account a login string names, whichever of its names was typed (its
username or its email): a locked account stays locked through the other name. A string that names
no account counts against itself.

An attempt is claimed before its password is checked, and the claim counts as a failure until the
check succeeds: so simultaneous attempts cannot all pass the check while none has failed yet (15
parallel guesses at one account get 5 checks, the rest 429).

Each process counts failures in a sliding window, so with N web workers an attacker gets at most N
times the limit, still a handful of guesses a minute per account; a shared counter (or the load
balancer's rate limit) is the next step if that ever matters. Behind a proxy, the client address is
read from X-Forwarded-For only as far as SWINGVISION_TRUSTED_PROXIES says (otherwise every client
would share the proxy's address and one attacker could lock everybody out).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from django.conf import settings
from django.http import HttpRequest

MAX_FAILURES_PER_LOGIN = 5
MAX_FAILURES_PER_IP = 20
WINDOW_S = 300.0
MAX_KEYS = 100_000  # memory bound: past this many tracked keys, stale ones are dropped


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address the trusted proxies in front of us saw."""
    hops = int(getattr(settings, "SWINGVISION_TRUSTED_PROXIES", 0))
    remote = request.META.get("REMOTE_ADDR", "")
    if hops <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    # Each trusted proxy appends the address it received from; the client's is `hops` from the end.
    return forwarded[-hops] if len(forwarded) >= hops else remote


def account_key(login: str, user_id: str | None) -> str:
    """What a login attempt counts against: the account it names, else the string itself."""
    return f"account:{user_id}" if user_id else f"login:{login.strip().lower()}"


class LoginThrottle:
    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    @staticmethod
    def _keys(account: str, request: HttpRequest) -> list[tuple[str, int]]:
        return [
            (account, MAX_FAILURES_PER_LOGIN),
            (f"ip:{client_ip(request)}", MAX_FAILURES_PER_IP),
        ]

    def _prune(self, q: deque[float], now: float) -> None:
        while q and now - q[0] > WINDOW_S:
            q.popleft()

    def blocked(self, account: str, request: HttpRequest) -> int:
        """Seconds to wait, or 0. `account` is account_key()'s."""
        with self._lock:
            return self._wait(account, request, time.monotonic())

    def _wait(self, account: str, request: HttpRequest, now: float) -> int:
        for key, limit in self._keys(account, request):
            q = self._failures.get(key)
            if q is None:
                continue
            self._prune(q, now)
            if len(q) >= limit:
                return int(WINDOW_S - (now - q[0])) + 1
        return 0

    def claim(self, account: str, request: HttpRequest) -> tuple[int, float | None]:
        """Claim one attempt before checking its password: (seconds to wait, None) when the
        account or the address is locked, else (0, the claim), counted as a failure from now on
        until succeeded() or released() takes it back."""
        now = time.monotonic()
        with self._lock:
            wait = self._wait(account, request, now)
            if wait:
                return wait, None
            self._count(account, request, now)
            return 0, now

    def release(self, account: str, request: HttpRequest, claim: float) -> None:
        """Take back a claim whose attempt checked no password (an empty field)."""
        with self._lock:
            for key, _ in self._keys(account, request):
                self._unclaim(key, claim)

    def failed(self, account: str, request: HttpRequest) -> None:
        with self._lock:
            self._count(account, request, time.monotonic())

    def _count(self, account: str, request: HttpRequest, now: float) -> None:
        if len(self._failures) >= MAX_KEYS:
            self._drop_stale(now)
        for key, _ in self._keys(account, request):
            self._failures[key].append(now)

    def _unclaim(self, key: str, claim: float) -> None:
        q = self._failures.get(key)
        if q is not None and claim in q:
            q.remove(claim)

    def _drop_stale(self, now: float) -> None:
        for key in list(self._failures):
            q = self._failures[key]
            self._prune(q, now)
            if not q:
                del self._failures[key]

    def succeeded(self, account: str, request: HttpRequest, claim: float | None = None) -> None:
        """The password was right: the account's failures are forgotten, and the attempt's claim
        no longer counts against the address."""
        with self._lock:
            self._failures.pop(account, None)
            if claim is not None:
                self._unclaim(f"ip:{client_ip(request)}", claim)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()


login_throttle = LoginThrottle()
