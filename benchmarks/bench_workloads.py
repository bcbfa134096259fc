"""Real training steps, ember vs PyTorch, in one run: same weights, same batches, same threads.

Models (benchmarks/workloads/, one module each, written as the original programs write them):
nanoGPT's GPT at its CPU recipe's sizes, minGPT's chargpt gpt-nano (manual masked softmax,
NewGELU), the two-LSTMCell time-sequence model, the digits CNN of examples/demo.py, the
784-256-256-10 MLP; plus ``micro``: a 100-op elementwise chain, ``x * y + x`` and a 1024^2
matmul forward + backward, per op. Each model is built with PyTorch, its weights copied into
the ember model, and both are checked to give the same loss before timing.

Each thread count sets ``torch.set_num_threads(n)`` and ``ember.set_num_threads(n)`` (NumPy's
BLAS through the library's own setter; ember's intra-op pool for large kernels). Steps alternate between the
libraries in rounds; a time is the best round's mean (the least disturbed on a shared machine).

    python3 benchmarks/bench_workloads.py                     # all, 1 thread and the default
    python3 benchmarks/bench_workloads.py nanogpt mlp --threads 1,2 --rounds 3
    python3 benchmarks/bench_workloads.py --json out.json     # results for the docs
    python3 benchmarks/bench_workloads.py --profile nanogpt   # ember's step under cProfile
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
sys.path.insert(0, HERE)

import numpy as np
from workloads import MODELS, micro

import ember

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

N_BATCHES = 8
COMPILE = False
clock = time.perf_counter  # --clock cpu: time.process_time (CPU seconds; robust on a busy
# machine, meaningful at 1 thread only: with more, it adds up the threads' time)


def default_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def set_threads(n: int) -> None:
    if torch is not None:
        torch.set_num_threads(n)
    ember.set_num_threads(n)  # NumPy's BLAS threads too (backend/threads.py)


def to_lib(lib, batch):
    return tuple(lib.tensor(a) for a in batch)


def setup(lib, mod, state=None):
    lib.manual_seed(0)
    model, opt = mod.build(lib)
    if state is not None:
        model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    return model, opt


def make_pair(mod):
    """(ember step, torch step, ember objects, loss agreement) for one model."""
    rng = np.random.default_rng(0)
    data = mod.batches(rng, N_BATCHES)
    out = {}
    state = None
    libs = ([torch] if torch is not None else []) + [ember]
    for lib in libs:
        model, opt = setup(lib, mod, state)
        if lib is torch:
            state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
        batches = [to_lib(lib, b) for b in data]
        model.eval()
        with lib.no_grad():
            first = float(mod.loss(lib, model, batches[0]))
        model.train()
        it = {"i": 0}

        def step(lib=lib, model=model, opt=opt, batches=batches, it=it):
            b = batches[it["i"] % len(batches)]
            it["i"] += 1
            return mod.step(lib, model, opt, b)

        out[lib.__name__] = (step, first, model)
    if COMPILE:
        from ember.compiler import compile as ember_compile

        model, opt = setup(ember, mod, state)
        batches = [to_lib(ember, b) for b in data]
        cstep = ember_compile(lambda *b: mod.step(ember, model, opt, b))
        it = {"i": 0}

        def step_c(batches=batches, it=it):
            b = batches[it["i"] % len(batches)]
            it["i"] += 1
            return cstep(*b)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its state is reported by explain()
            for _ in range(4):
                step_c()
        out["compiled"] = (step_c, None, cstep)
    agree = None
    if torch is not None:
        le, lt = out["ember"][1], out["torch"][1]
        agree = abs(le - lt) / max(abs(lt), 1e-12)
    return out, agree


def time_rounds(fns, rounds, target_s):
    """Best-of-rounds mean time per call (ms) for each function, alternating within a round.
    The steps per round are chosen from a warm-up so that the slowest takes about target_s."""
    for fn in fns:
        fn()
    t0 = clock()
    for fn in fns:
        fn()
    warm = clock() - t0
    steps = max(1, min(200, int(target_s * len(fns) / max(warm, 1e-6))))
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            t0 = clock()
            for _ in range(steps):
                fn()
            best[i] = min(best[i], (clock() - t0) / steps)
    return [b * 1e3 for b in best], steps


def run_model(name, threads, rounds, target_s):
    mod = MODELS[name]
    pair, agree = make_pair(mod)
    names = list(pair)
    times, steps = time_rounds([pair[n][0] for n in names], rounds, target_s)
    res = dict(zip(names, times))
    row = {"model": name, "title": mod.TITLE, "threads": threads, "steps_per_round": steps,
           "ember_ms": res["ember"], "torch_ms": res.get("torch"),
           "loss_rel_diff": agree}
    row["ratio"] = row["ember_ms"] / row["torch_ms"] if row["torch_ms"] else None
    if "compiled" in res:
        row["compiled_ms"] = res["compiled"]
        row["compiled_state"] = pair["compiled"][2].explain().splitlines()[-1]
    return [row]


def run_micro(threads, rounds):
    libs = [ember] + ([torch] if torch is not None else [])
    per_lib = {lib.__name__: micro.cases(lib) for lib in libs}
    rows = []
    for case in per_lib["ember"]:
        fns = [per_lib[lib.__name__][case][0] for lib in libs]
        per, n = per_lib["ember"][case][1], per_lib["ember"][case][2]
        best = [float("inf")] * len(fns)
        for fn in fns:
            fn()
        for _ in range(rounds):
            for i, fn in enumerate(fns):
                t0 = clock()
                for _ in range(n):
                    fn()
                best[i] = min(best[i], (clock() - t0) / n / per)
        unit = 1e3 if case == "matmul" else 1e6
        e = best[0] * unit
        t = best[1] * unit if len(best) > 1 else None
        rows.append({"model": f"micro:{case}", "threads": threads,
                     "unit": "ms" if unit == 1e3 else ("us/op" if per > 1 else "us"),
                     "ember": e, "torch": t, "ratio": e / t if t else None})
    return rows


def print_row(r):
    if r["model"].startswith("micro:"):
        t = f"{r['torch']:9.2f}" if r["torch"] else "        -"
        ratio = f"{r['ratio']:6.2f}" if r["ratio"] else "     -"
        print(f"{r['model']:12s} {r['threads']:>3d}  {r['ember']:9.2f} {t} {ratio}  {r['unit']}")
        return
    t = f"{r['torch_ms']:9.2f}" if r["torch_ms"] else "        -"
    ratio = f"{r['ratio']:6.2f}" if r["ratio"] else "     -"
    agree = f"loss rel diff {r['loss_rel_diff']:.1e}" if r["loss_rel_diff"] is not None else ""
    print(f"{r['model']:12s} {r['threads']:>3d}  {r['ember_ms']:9.2f} {t} {ratio}  ms/step"
          f"  ({r['steps_per_round']} steps/round; {agree})", flush=True)
    if "compiled_ms" in r:
        c = r["compiled_ms"]
        vs = f"{c / r['torch_ms']:6.2f}" if r["torch_ms"] else "     -"
        print(f"{'  compiled':12s} {r['threads']:>3d}  {c:9.2f} {'':9s} {vs}  ms/step  "
              f"({r['ember_ms'] / c:.2f}x eager; {r['compiled_state'][:70]})", flush=True)


def profile(name, steps, top, threads):
    """cProfile of ember's training step, by function (each op's forward/backward shows as
    its own line): the first question when a ratio is off."""
    mod = MODELS[name]
    model, opt = setup(ember, mod)
    batches = [to_lib(ember, b) for b in mod.batches(np.random.default_rng(0), N_BATCHES)]
    for b in batches[:2]:
        mod.step(ember, model, opt, b)
    prof = cProfile.Profile(clock)
    t0 = clock()
    prof.enable()
    for i in range(steps):
        mod.step(ember, model, opt, batches[i % len(batches)])
    prof.disable()
    wall = (clock() - t0) / steps * 1e3
    print(f"{mod.TITLE}: {steps} steps under cProfile ({threads} threads, {clock.__name__}), "
          f"{wall:.1f} ms/step (profiled)\n")
    stats = pstats.Stats(prof).strip_dirs().sort_stats("tottime")
    stats.print_stats(top)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*", help=f"any of {', '.join(MODELS)}, micro (default all)")
    ap.add_argument("--threads", default="1,default",
                    help="comma-separated thread counts; 'default' = the cores available")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=0.5,
                    help="about how long one library's round of steps takes")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="cpu: process CPU time (for 1 thread on a busy machine)")
    ap.add_argument("--compile", action="store_true",
                    help="also time ember.compile(step) (compiler/ replay)")
    ap.add_argument("--json", metavar="PATH", help="write the results as JSON")
    ap.add_argument("--profile", metavar="MODEL", help="profile ember's step of MODEL and exit")
    ap.add_argument("--profile-steps", type=int, default=5)
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args(argv)
    global clock, COMPILE
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    COMPILE = args.compile
    if args.profile:
        first = args.threads.split(",")[0].strip()
        threads = default_threads() if first == "default" else int(first)
        set_threads(threads)
        profile(args.profile, args.profile_steps, args.top, threads)
        return
    models = args.models or [*MODELS, "micro"]
    unknown = [m for m in models if m not in MODELS and m != "micro"]
    if unknown:
        ap.error(f"unknown model(s) {unknown}; choose from {', '.join(MODELS)}, micro")
    counts = []
    for t in args.threads.split(","):
        n = default_threads() if t.strip() == "default" else int(t)
        if n not in counts:
            counts.append(n)
    info = {"clock": args.clock, "python": platform.python_version(), "numpy": np.__version__,
            "ember": ember.__version__, "torch": torch.__version__ if torch else None,
            "cores": default_threads(), "machine": platform.machine()}
    print("  ".join(f"{k} {v}" for k, v in info.items()))
    if torch is None:
        print("PyTorch is not installed: ember's times only")
    print(f"\n{'workload':12s} {'thr':>3s}  {'ember':>9s} {'torch':>9s} {'ratio':>6s}")
    rows = []
    for n in counts:
        set_threads(n)
        for m in models:
            new = run_micro(n, args.rounds) if m == "micro" else \
                run_model(m, n, args.rounds, args.seconds)
            for r in new:
                print_row(r)
            rows += new
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"info": info, "results": rows}, f, indent=1)
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
