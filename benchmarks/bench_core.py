"""Per-op overhead of the autograd core, ember vs PyTorch, in one run on the same inputs.

Measures (16-element float32 tensors that require grad):
  1. forward op overhead: ``x * y``;
  2. forward + backward of a 100-op elementwise chain, per op;
  3. the seed's CustomReLU Function, forward + backward on 1,000 elements.
Prints microseconds and the ratio ember / PyTorch (below 1 means ember is faster).

    python3 benchmarks/bench_core.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import sys
import timeit

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import ember  # noqa: E402
from workloads.micro import custom_relu  # noqa: E402

try:
    import torch  # noqa: E402

    pass  # PyTorch with its default threads, as a user runs it
except ImportError:  # pragma: no cover
    torch = None


def cases(lib):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal(16).astype(np.float32), requires_grad=True)
    y = lib.tensor(rng.standard_normal(16).astype(np.float32), requires_grad=True)
    big = lib.tensor(rng.standard_normal(1000).astype(np.float32), requires_grad=True)
    relu = custom_relu(lib)

    def mul():
        return x * y

    def chain():
        z = x
        for _ in range(50):
            z = z * 1.0001
            z = z + 0.0001
        z.sum().backward()

    def seed_relu():
        relu.apply(big).sum().backward()

    return {"forward op (x * y)": (mul, 1), "100-op chain fwd+bwd, per op": (chain, 100),
            "CustomReLU fwd+bwd, 1000 elems": (seed_relu, 1)}


def measure(fn, per, repeat):
    n = 200 if per > 1 else 20000
    fn()
    best = min(timeit.repeat(fn, number=n, repeat=repeat))
    return best / n / per * 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    ours = {k: measure(f, per, args.repeat) for k, (f, per) in cases(ember).items()}
    theirs = {k: measure(f, per, args.repeat) for k, (f, per) in cases(torch).items()} \
        if torch is not None else {}
    print(f"{'case':34s} {'ember us':>10s} {'torch us':>10s} {'ratio':>7s}")
    for k, v in ours.items():
        t = theirs.get(k)
        print(f"{k:34s} {v:10.2f} {t if t else float('nan'):10.2f} "
              f"{(v / t) if t else float('nan'):7.2f}")


if __name__ == "__main__":
    main()
