"""Per-example gradients with ``cross_entropy`` (issue 14): ``vmap(grad(loss))`` of a 2-layer
MLP (32-64-10, ReLU) over a batch of 128, against ember's own Python loop of ``grad`` and
against ``torch.func`` doing the same. The bar: ember vmap <= 2x torch.func, >= 10x the loop.

    python3 benchmarks/bench_vmap_nn.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import numpy as np

import ember
from timing import best_seconds

try:
    import torch
    import torch.func
except ImportError:  # pragma: no cover
    torch = None


def setup(lib, batch=128):
    rng = np.random.default_rng(0)
    params = {"w1": rng.standard_normal((64, 32)) * 0.2, "b1": np.zeros(64),
              "w2": rng.standard_normal((10, 64)) * 0.2, "b2": np.zeros(10)}
    params = {k: lib.tensor(v.astype(np.float32)) for k, v in params.items()}
    x = lib.tensor(rng.standard_normal((batch, 32)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    F = lib.nn.functional

    def loss(p, xi, yi):
        h = F.relu(F.linear(xi, p["w1"], p["b1"]))
        return F.cross_entropy(F.linear(h, p["w2"], p["b2"]).unsqueeze(0), yi.unsqueeze(0))

    vg = lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))
    g = lib.func.grad(loss)

    def loop():
        return [g(params, x[i], y[i]) for i in range(x.shape[0])]

    return (lambda: vg(params, x, y)), loop


def best_ms(fn, repeat, number):
    return best_seconds(fn, repeat, number) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    if torch is not None:
        torch.set_num_threads(1)
    ev, el = setup(ember)
    ev()
    t_v, t_l = best_ms(ev, a.repeat, 5), best_ms(el, max(2, a.repeat // 2), 1)
    print(f"ember vmap(grad) {t_v:8.3f} ms   loop {t_l:8.2f} ms   loop / vmap {t_l / t_v:6.1f}x")
    if torch is not None:
        tv, _ = setup(torch)
        for _ in range(5):
            tv()
        t_t = best_ms(tv, a.repeat, 5)
        print(f"torch.func vmap  {t_t:8.3f} ms   ember / torch {t_v / t_t:6.2f}x")


if __name__ == "__main__":
    main()
