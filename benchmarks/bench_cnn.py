"""A small CNN training step on ember and on PyTorch, side by side, reported as a ratio.

Model: Conv2d(1, 8, 3, padding=1) + ReLU + MaxPool2d(2), Conv2d(8, 16, 3, padding=1) + ReLU +
MaxPool2d(2), Linear(16*7*7, 10); CrossEntropyLoss; Adam; batches of 32 images 1x28x28. Both
libraries start from the same weights and see the same batches (cycling through several), and
their losses are checked to agree. Run: ``python benchmarks/bench_cnn.py [--steps N]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import ember  # noqa: E402


def build(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, 10),
    )


def make_step(lib, model, batches):
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()
    data = [(lib.tensor(x), lib.tensor(y)) for x, y in batches]

    def step(i):
        x, y = data[i % len(data)]
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def timeit(step, steps, warmup=5):
    for i in range(warmup):
        step(i)
    t0 = time.perf_counter()
    for i in range(steps):
        step(i)
    return (time.perf_counter() - t0) / steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    batches = [
        (
            rng.standard_normal((32, 1, 28, 28)).astype(np.float32),
            rng.integers(0, 10, 32).astype(np.int64),
        )
        for _ in range(8)
    ]
    em = build(ember)
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the environment
        torch = None
    es, ts = make_step(ember, em, batches), None
    if torch is not None:
        torch.manual_seed(0)
        tm = build(torch)
        with ember.no_grad():  # torch's weights into ember: both start equal
            for (_, p), (_, q) in zip(tm.named_parameters(), em.named_parameters()):
                q.copy_(ember.tensor(p.detach().numpy()))
        es, ts = make_step(ember, em, batches), make_step(torch, tm, batches)
        le = [es(i).item() for i in range(3)]
        lt = [ts(i).item() for i in range(3)]
        assert np.allclose(le, lt, rtol=1e-3, atol=1e-4), (le, lt)
        print(f"losses agree over 3 steps: ember {le[-1]:.6f} torch {lt[-1]:.6f}")
    # PyTorch runs with its default thread count and with one thread (ember uses one core; on
    # a busy machine extra threads can make PyTorch slower); the ratio uses its faster time.
    threads = [torch.get_num_threads(), 1] if torch is not None else []
    threads = sorted(set(threads), reverse=True)
    best_e = float("inf")
    best_t = {n: float("inf") for n in threads}
    for _ in range(args.rounds):  # interleaved rounds, best of each: robust to machine noise
        best_e = min(best_e, timeit(es, args.steps))
        for n in threads:
            torch.set_num_threads(n)
            best_t[n] = min(best_t[n], timeit(ts, args.steps))
    print(f"ember  {best_e * 1e3:7.3f} ms/step")
    for n in threads:
        print(f"torch  {best_t[n] * 1e3:7.3f} ms/step  ({n} thread{'s' if n > 1 else ''})")
    if threads:
        print(f"ratio  {best_e / min(best_t.values()):7.2f}x  (ember / fastest torch)")


if __name__ == "__main__":
    main()
