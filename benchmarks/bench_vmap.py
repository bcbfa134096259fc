"""Per-example gradients of a 2-layer MLP over a batch of 128: ``vmap(grad(f))`` vs a Python
loop of ``grad(f)`` over the examples (ember), and vs ``torch.func`` doing the same.

Prints milliseconds and two ratios: loop / vmap (want >= 10) and ember vmap / torch.func vmap
(want <= 2); then the same per-example gradients written with nn.Sequential and
functional_call, ember / torch.func.

    python3 benchmarks/bench_vmap.py [--repeat 5] [--batch 128] [--torch-threads 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import timeit

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import numpy as np

import ember

try:
    import torch
    import torch.func
except ImportError:  # pragma: no cover
    torch = None

D_IN, HIDDEN, D_OUT = 32, 64, 10


def setup(lib, batch, seed=0):
    rng = np.random.default_rng(seed)
    params = {
        "w1": lib.tensor(rng.standard_normal((HIDDEN, D_IN)).astype("float32") * 0.2),
        "b1": lib.tensor(np.zeros(HIDDEN, "float32")),
        "w2": lib.tensor(rng.standard_normal((D_OUT, HIDDEN)).astype("float32") * 0.2),
        "b2": lib.tensor(np.zeros(D_OUT, "float32")),
    }
    x = lib.tensor(rng.standard_normal((batch, D_IN)).astype("float32"))
    y = lib.tensor(rng.standard_normal((batch, D_OUT)).astype("float32"))
    return params, x, y


def loss_fn(lib):
    def loss(params, x, y):
        h = lib.tanh(x @ params["w1"].T + params["b1"])
        out = h @ params["w2"].T + params["b2"]
        return ((out - y) ** 2).mean()

    return loss


def per_example_vmap(lib, func_mod):
    return func_mod.vmap(func_mod.grad(loss_fn(lib)), in_dims=(None, 0, 0))


def per_example_loop(lib, func_mod):
    g = func_mod.grad(loss_fn(lib))

    def run(params, x, y):
        grads = [g(params, x[i], y[i]) for i in range(x.shape[0])]
        return {k: lib.stack([gr[k] for gr in grads]) for k in params}

    return run


def module_case(lib, batch, seed=0):
    """The PyTorch tutorial form: an nn.Sequential run through functional_call."""
    rng = np.random.default_rng(seed)
    model = lib.nn.Sequential(lib.nn.Linear(D_IN, HIDDEN), lib.nn.Tanh(),
                              lib.nn.Linear(HIDDEN, D_OUT))
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)).astype("float32") * 0.2))
    params = {k: v.detach() for k, v in model.named_parameters()}
    x = lib.tensor(rng.standard_normal((batch, D_IN)).astype("float32"))
    y = lib.tensor(rng.standard_normal((batch, D_OUT)).astype("float32"))

    def loss(p, xi, yi):
        out = lib.func.functional_call(model, p, (xi.unsqueeze(0),))
        return lib.nn.functional.mse_loss(out, yi.unsqueeze(0))

    fn = lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))
    return lambda: fn(params, x, y)


def best(fn, repeat, number=1):
    return min(timeit.repeat(fn, repeat=repeat, number=number)) / number * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--torch-threads", type=int, default=1,
                    help="PyTorch intra-op threads (0: its default). One by default: on a busy "
                         "machine with few cores PyTorch's thread pool stalls for whole "
                         "scheduler slices on these sub-millisecond calls, which says nothing "
                         "about either library")
    a = ap.parse_args()
    if torch is not None and a.torch_threads:
        torch.set_num_threads(a.torch_threads)

    params, x, y = setup(ember, a.batch)
    vm = per_example_vmap(ember, ember.func)
    lp = per_example_loop(ember, ember.func)
    gv, gl = vm(params, x, y), lp(params, x, y)
    for _ in range(10):
        vm(params, x, y)
    err = max(float((gv[k] - gl[k]).abs().max()) for k in params)
    t_vmap = best(lambda: vm(params, x, y), a.repeat, 3)
    t_loop = best(lambda: lp(params, x, y), max(2, a.repeat // 2))
    print(f"ember vmap(grad):  {t_vmap:8.3f} ms   (max |vmap - loop| = {err:.2e})")
    print(f"ember loop(grad):  {t_loop:8.3f} ms")
    print(f"loop / vmap ratio: {t_loop / t_vmap:8.2f}x   (want >= 10)")
    if torch is not None:
        tp, tx, ty = setup(torch, a.batch)
        tvm = per_example_vmap(torch, torch.func)
        tg = tvm(tp, tx, ty)
        for _ in range(10):  # torch.func's first calls are slow (one-time setup); skip them
            tvm(tp, tx, ty)
        terr = max(float(np.abs(gv[k].numpy() - tg[k].numpy()).max()) for k in params)
        t_torch = best(lambda: tvm(tp, tx, ty), a.repeat, 3)
        print(f"torch.func vmap:   {t_torch:8.3f} ms   (max |ember - torch| = {terr:.2e})")
        print(f"ember / torch:     {t_vmap / t_torch:8.2f}x   (want <= 2)")
        em, tm = module_case(ember, a.batch), module_case(torch, a.batch)
        for _ in range(10):
            em(), tm()
        t_em, t_tm = best(em, a.repeat, 3), best(tm, a.repeat, 3)
        print(f"nn.Sequential + functional_call: ember {t_em:.3f} ms, torch.func {t_tm:.3f} ms, "
              f"ember / torch {t_em / t_tm:.2f}x")
    else:
        print("PyTorch not installed: no ember / torch ratio")


if __name__ == "__main__":
    main()
