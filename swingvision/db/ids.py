"""Time-sortable random ids (ULID layout: 48-bit milliseconds + 80 random bits, Crockford base32)."""

import os
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


_lock = threading.Lock()
_last = 0


def new_id(now_ms: int | None = None) -> str:
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    return _encode((ms << 80) | int.from_bytes(os.urandom(10), "big"))


def monotonic_id() -> str:
    """Like new_id, but strictly growing within this process even inside one millisecond (the
    audit log lists entries of the same moment in the order they were written)."""
    global _last
    with _lock:
        value = max(
            (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big"), _last + 1
        )
        _last = value
    return _encode(value)


def _encode(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))
