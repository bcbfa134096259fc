"""The timer the benchmark scripts share."""

from __future__ import annotations

import time


def best_seconds(fn, rounds, number):
    """The best over ``rounds`` of the mean time of one call, in seconds, each round timing
    ``number`` calls of ``fn`` back to back."""
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best
