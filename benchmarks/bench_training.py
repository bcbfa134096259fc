"""Training-step speed, ember vs PyTorch, in one run on the same weights and batches.

1. An MLP 784-256-256-10 (ReLU, cross-entropy, SGD with momentum 0.9): one full step
   (zero_grad, forward, loss, backward, optimizer step) at batch 64 and at batch 512. Both
   libraries start from the same weights and cycle through the same 16 different batches.
2. A 1024x1024 float32 matmul forward + backward on ember, against the three bare NumPy
   matmuls it costs (``a @ b``, ``g @ b.T``, ``a.T @ g``).

PyTorch runs with as many intra-op threads as NumPy's BLAS uses (printed), for a fair ratio.
Prints milliseconds per step and the ratio ember / PyTorch (below 1: ember is faster).

    python3 benchmarks/bench_training.py [--repeat 5] [--steps 40] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import numpy as np

import ember

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

N_BATCHES = 16


def numpy_threads() -> int:
    """NumPy's BLAS threads as ember sees them (its own setter; the env vars otherwise)."""
    from ember.backend import threads

    n = threads.blas_threads()
    return n if n is not None else ember.get_num_threads()


def make_weights(rng):
    sizes = [(784, 256), (256, 256), (256, 10)]
    out = []
    for fan_in, fan_out in sizes:
        bound = 1 / np.sqrt(fan_in)
        out.append(
            (
                rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                rng.uniform(-bound, bound, fan_out).astype(np.float32),
            )
        )
    return out


def build(lib, weights):
    nn = lib.nn
    model = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
    )
    with lib.no_grad():
        for layer, (w, b) in zip([model[0], model[2], model[4]], weights):
            layer.weight.copy_(lib.tensor(w))
            layer.bias.copy_(lib.tensor(b))
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return model, opt, nn.CrossEntropyLoss()


def mlp_step_fn(lib, weights, xs, ys):
    model, opt, loss_fn = build(lib, weights)
    batches = [(lib.tensor(x), lib.tensor(y)) for x, y in zip(xs, ys)]
    state = {"i": 0}

    def step():
        x, y = batches[state["i"] % len(batches)]
        state["i"] += 1
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step, model


def time_steps(fns, steps, repeat):
    """For each function: the best over ``repeat`` rounds of the mean time of ``steps``
    consecutive calls (as ``timeit`` reports). The functions alternate within each round, so
    a busy machine slows them alike, and the best round is the least disturbed one."""
    for fn in fns:
        for _ in range(5):
            fn()
    runs = [[] for _ in fns]
    for _ in range(repeat):
        for fn, out in zip(fns, runs):
            t0 = time.perf_counter()
            for _ in range(steps):
                fn()
            out.append((time.perf_counter() - t0) / steps)
    return [min(r) * 1e3 for r in runs]


def bench_mlp(batch, steps, repeat):
    rng = np.random.default_rng(batch)
    weights = make_weights(rng)
    xs = [rng.standard_normal((batch, 784)).astype(np.float32) for _ in range(N_BATCHES)]
    ys = [rng.integers(0, 10, batch) for _ in range(N_BATCHES)]
    libs = [ember] + ([torch] if torch is not None else [])
    res = {}
    if torch is not None:
        # same start, same 20 batches: the weights must agree (later, float32 rounding
        # differences grow as the MLP memorises the 16 random batches)
        runs = [mlp_step_fn(lib, weights, xs, ys) for lib in libs]
        for _ in range(20):
            for step, _model in runs:
                step()
        res["agree"] = max(
            float(np.abs(pe.detach().numpy() - pt.detach().numpy()).max())
            for pe, pt in zip(runs[0][1].parameters(), runs[1][1].parameters())
        )
    steps_fns = [mlp_step_fn(lib, weights, xs, ys)[0] for lib in libs]
    times = time_steps(steps_fns, steps, repeat)
    for lib, t in zip(libs, times):
        res[lib.__name__] = t
    return res


def bench_matmul(repeat):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((1024, 1024)).astype(np.float32)
    b = rng.standard_normal((1024, 1024)).astype(np.float32)
    g = rng.standard_normal((1024, 1024)).astype(np.float32)
    ea = ember.tensor(a, requires_grad=True)
    eb = ember.tensor(b, requires_grad=True)
    eg = ember.tensor(g)

    def ember_fb():
        ea.grad = None
        eb.grad = None
        (ea @ eb).backward(eg)

    def numpy3():
        a @ b
        g @ b.T
        a.T @ g

    e, n = time_steps([ember_fb, numpy3], 2, 3 * repeat)
    return {"ember": e, "numpy x3": n}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument(
        "--threads",
        type=int,
        default=None,
        help="limit NumPy's BLAS (ember.set_num_threads) and PyTorch to this many",
    )
    args = ap.parse_args()
    if args.threads is not None:
        ember.set_num_threads(args.threads)
    threads = numpy_threads()
    print(f"numpy BLAS threads: {threads}")
    if torch is not None:
        torch.set_num_threads(threads)
        print(f"torch {torch.__version__}, torch.get_num_threads() = {torch.get_num_threads()}")
    else:
        print("PyTorch not installed: ember timings only")
    print(f"numpy {np.__version__}, ember {ember.__version__}\n")
    for batch in (64, 512):
        r = bench_mlp(batch, args.steps if batch == 64 else max(args.steps // 4, 5), args.repeat)
        line = f"MLP 784-256-256-10 SGD-momentum step, batch {batch:4d}: ember {r['ember']:7.3f} ms"
        if "torch" in r:
            line += (
                f"   torch {r['torch']:7.3f} ms   ratio {r['ember'] / r['torch']:.2f}"
                f"   (weights after 20 steps agree to {r['agree']:.1e})"
            )
        print(line)
    r = bench_matmul(args.repeat)
    print(
        f"1024x1024 matmul fwd+bwd: ember {r['ember']:.2f} ms   3 bare numpy matmuls "
        f"{r['numpy x3']:.2f} ms   ratio {r['ember'] / r['numpy x3']:.2f}"
    )


if __name__ == "__main__":
    main()
