"""Cost of a public call, ember vs PyTorch: operators, ``ember.*`` functions, Tensor methods and
``F.*`` on small tensors (16 float32 elements, no grad), where the per-call overhead dominates.

Prints microseconds per call and the ratio ember / PyTorch (below 1 means ember is faster).
PyTorch runs with ``--threads`` intra-op threads (default 1, as ember). Times are the process's
CPU time (``time.process_time``), best of ``--repeat``, so other processes on a shared machine
inflate them less than wall-clock time would.

    python3 benchmarks/bench_public_calls.py [--repeat 7] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import timeit

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import numpy as np  # noqa: E402

import ember  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:  # pragma: no cover
    torch = None


def cases(lib):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal(16).astype(np.float32))
    y = lib.tensor(rng.standard_normal(16).astype(np.float32))
    m = lib.tensor(rng.standard_normal((4, 4)).astype(np.float32))
    F = lib.nn.functional
    return {
        "x * y + x": lambda: x * y + x,
        "lib.add(x, y)": lambda: lib.add(x, y),
        "x.exp()": lambda: x.exp(),
        "x.sum(dim=0)": lambda: x.sum(dim=0),
        "lib.cat([x, y])": lambda: lib.cat([x, y]),
        "F.relu(x)": lambda: F.relu(x),
        "m.transpose(0, 1)": lambda: m.transpose(0, 1),
        "lib.zeros(4, 4)": lambda: lib.zeros(4, 4),
    }


def measure(fn, repeat, n=20000):
    fn()
    return min(timeit.repeat(fn, number=n, repeat=repeat, timer=time.process_time)) / n * 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    ours = {k: measure(f, args.repeat) for k, f in cases(ember).items()}
    theirs = {}
    if torch is not None:
        torch.set_num_threads(args.threads)
        theirs = {k: measure(f, args.repeat) for k, f in cases(torch).items()}
    print(f"{'case':22s} {'ember us':>10s} {'torch us':>10s} {'ratio':>7s}")
    for k, v in ours.items():
        t = theirs.get(k)
        print(f"{k:22s} {v:10.2f} {t if t else float('nan'):10.2f} "
              f"{(v / t) if t else float('nan'):7.2f}")


if __name__ == "__main__":
    main()
