"""Helpers for tests that run the lesson worker."""

from __future__ import annotations

from swingvision.lessons.service import process_lessons

WORKER_ROUNDS = 50


def process_all_lessons(m) -> int:
    """Run the lesson worker until no lesson waits; how many it handled. The session's database
    holds other tests' lessons too, and the worker takes a few at a time, oldest first, so one
    round may not reach the lesson a test just uploaded."""
    total = 0
    for _ in range(WORKER_ROUNDS):
        done = process_lessons(m)
        if not done:
            break
        total += done
    return total
