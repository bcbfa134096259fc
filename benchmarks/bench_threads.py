"""When do ember's chunked intra-op kernels pay? A float32 ``tanh`` (compute-bound) and a
``multiply`` (memory-bound) at growing sizes, one plain NumPy call against
``backend.threads.parallel_ufunc`` split over N threads (the threshold forced off). The size
where the ratio passes 1 is ``threads.MIN_ELEMENTS`` x (N - 1).

    python3 benchmarks/bench_threads.py [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import numpy as np  # noqa: E402

from ember.backend import threads  # noqa: E402
from timing import best_seconds  # noqa: E402


def best_us(fn, n, rounds=20):
    return best_seconds(fn, rounds, n) * 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    threads.set_num_threads(args.threads)
    threads.MIN_ELEMENTS = 1
    print(f"{'elements':>9s} {'tanh 1t us':>11s} {'Nt us':>9s} {'gain':>6s}"
          f" {'mul 1t us':>10s} {'Nt us':>9s} {'gain':>6s}")
    for p in range(12, 23, 2):
        a = np.random.default_rng(0).standard_normal(1 << p).astype(np.float32)
        out = np.empty_like(a)
        n = max(1, 2_000_000 >> p)
        t1 = best_us(lambda: np.tanh(a, out=out), n)
        tn = best_us(lambda: threads.parallel_ufunc(np.tanh, a, out=out), n)
        m1 = best_us(lambda: np.multiply(a, a, out=out), n)
        mn = best_us(lambda: threads.parallel_ufunc(np.multiply, a, a, out=out), n)
        print(f"{1 << p:9d} {t1:11.1f} {tn:9.1f} {t1 / tn:6.2f} {m1:10.1f} {mn:9.1f} {m1 / mn:6.2f}")


if __name__ == "__main__":
    main()
