"""The GPU check: ember on ``cuda`` against PyTorch, one table.

For each program -- the seed tutorial's training step and CustomReLU, an MLP, a CNN and a small
GPT -- it builds the model in PyTorch, copies the weights into ember, moves both to the device,
runs one training step on the same batch and compares the loss, every gradient and every
updated weight; then it times training steps (synchronising the device) and prints the ratio
ember / PyTorch. Raw CuPy is timed for per-op overhead (``a * b`` on 16 elements) and a large
matmul, as the floor ember can reach.

    python benchmarks/gpu_check.py              # needs an NVIDIA GPU; installs cupy-cuda12x
    python benchmarks/gpu_check.py --simulate   # CPU: the simulated cuda device vs PyTorch CPU

With ``--simulate`` the comparisons are real (ember's simulated cuda against PyTorch on the
CPU) and the times are only a smoke test of the script. Without a GPU and without
``--simulate`` it says so and exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
sys.path.insert(0, HERE)

from workloads import micro  # noqa: E402
from workloads import mlp as mlp_workload  # noqa: E402


def _have_gpu() -> tuple[bool, str]:
    """Whether CuPy sees an NVIDIA GPU, installing cupy-cuda12x first when it is missing."""
    try:
        import cupy  # is it installed?
    except ImportError:
        if shutil.which("nvidia-smi") is None:
            return False, "no NVIDIA driver (nvidia-smi not found)"
        print("installing cupy-cuda12x ...", flush=True)
        r = subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "cupy-cuda12x"],
            check=False,
            capture_output=True,
            text=True,
        )
        if r.returncode:
            return False, "pip install cupy-cuda12x failed:\n" + r.stderr[-2000:]
    try:
        import cupy

        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # noqa: BLE001 - CuPy raises CUDARuntimeError without a device
        return False, f"CuPy sees no GPU ({type(e).__name__}: {e})"
    return (n > 0), f"{n} GPU(s)"


# ---------------------------------------------------------------- the programs, written once
def seed_step(lib):
    nn = lib.nn

    class SimpleModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(10, 1)

        def forward(self, x):
            return self.fc(x)

    def batch(rng):
        x = rng.standard_normal((1, 10)).astype("float32")
        return x, rng.standard_normal((1, 1)).astype("float32")

    def loss(m, x, y):
        return nn.MSELoss()(m(x), y)

    return SimpleModel, lambda p: lib.optim.SGD(p, lr=0.01), batch, loss


def custom_relu_net(lib):
    CustomReLU = micro.custom_relu(lib)

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(1000, 1000)

        def forward(self, x):
            return CustomReLU.apply(self.fc(x))

    def batch(rng):
        return rng.standard_normal((8, 1000)).astype("float32"), None

    return Net, lambda p: lib.optim.SGD(p, lr=0.01), batch, lambda m, x, y: m(x).sum()


def mlp(lib):
    nn = lib.nn

    def batch(rng):
        return mlp_workload.batches(rng, 1)[0]

    return (
        mlp_workload.classes(lib),
        lambda p: lib.optim.SGD(p, lr=0.01, momentum=0.9),
        batch,
        lambda m, x, y: nn.functional.cross_entropy(m(x), y),
    )


def cnn(lib):
    nn = lib.nn

    def build():
        return nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32 * 7 * 7, 10),
        )

    def batch(rng):
        return rng.standard_normal((32, 1, 28, 28)).astype("float32"), rng.integers(0, 10, 32)

    return (
        build,
        lambda p: lib.optim.Adam(p, lr=1e-3),
        batch,
        lambda m, x, y: nn.functional.cross_entropy(m(x), y),
    )


def gpt(lib, vocab=64, block=32, n_embd=64, n_head=4, n_layer=2):
    nn, F = lib.nn, lib.nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(n_embd), nn.LayerNorm(n_embd)
            self.qkv, self.proj = nn.Linear(n_embd, 3 * n_embd), nn.Linear(n_embd, n_embd)
            self.fc, self.out = nn.Linear(n_embd, 4 * n_embd), nn.Linear(4 * n_embd, n_embd)

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
            q, k, v = (t.view(B, T, n_head, C // n_head).transpose(1, 2) for t in (q, k, v))
            att = (q @ k.transpose(-2, -1)) * (1.0 / (C // n_head) ** 0.5)
            mask = lib.ones(T, T, device=x.device).tril() == 0
            att = F.softmax(att.masked_fill(mask, float("-inf")), dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
            x = x + self.proj(y)
            return x + self.out(F.gelu(self.fc(self.ln2(x))))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok, self.pos = nn.Embedding(vocab, n_embd), nn.Embedding(block, n_embd)
            self.blocks = nn.Sequential(*[Block() for _ in range(n_layer)])
            self.ln, self.head = nn.LayerNorm(n_embd), nn.Linear(n_embd, vocab, bias=False)

        def forward(self, idx):
            T = idx.shape[1]
            x = self.tok(idx) + self.pos(lib.arange(T, device=idx.device))
            return self.head(self.ln(self.blocks(x)))

    def batch(rng):
        return rng.integers(0, vocab, (8, block)), rng.integers(0, vocab, (8, block))

    def loss(m, x, y):
        return F.cross_entropy(m(x).view(-1, vocab), y.view(-1))

    return GPT, lambda p: lib.optim.AdamW(p, lr=1e-3), batch, loss


PROGRAMS = [
    ("seed training step", seed_step),
    ("seed CustomReLU", custom_relu_net),
    ("MLP 784-256-256-10", mlp),
    ("CNN 2 conv", cnn),
    ("small GPT (2 layers)", gpt),
]


# ---------------------------------------------------------------- running and comparing
def _np(t):
    return t.detach().cpu().numpy()


def _one(lib, program, dev, rng_seed, state):
    """Build, load ``state``, move to ``dev``, one step; returns loss, grads, weights."""
    import numpy as np

    build, make_opt, batch, loss_fn = program(lib)
    model = build()
    model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    model = model.to(dev)
    opt = make_opt(model.parameters())
    x, y = batch(np.random.default_rng(rng_seed))
    x = lib.tensor(x).to(dev)
    y = None if y is None else lib.tensor(y).to(dev)
    opt.zero_grad()
    loss = loss_fn(model, x, y)
    loss.backward()
    grads = {k: _np(p.grad) for k, p in model.named_parameters()}
    opt.step()
    weights = {k: _np(p) for k, p in model.named_parameters()}
    return model, opt, (x, y), loss_fn, float(loss.item()), grads, weights


def _sync(lib, dev):
    if str(dev).startswith("cuda"):
        lib.cuda.synchronize()


def _time_steps(lib, dev, model, opt, batch, loss_fn, steps):
    x, y = batch
    for i in range(steps + 2):  # two warm-up steps
        if i == 2:
            _sync(lib, dev)
            t0 = time.perf_counter()
        opt.zero_grad()
        loss_fn(model, x, y).backward()
        opt.step()
    _sync(lib, dev)
    return (time.perf_counter() - t0) / steps * 1e3


def check_program(ember, torch, name, program, ember_dev, torch_dev, steps):
    import numpy as np

    torch.manual_seed(0)
    state = {k: v.detach().numpy().copy() for k, v in program(torch)[0]().state_dict().items()}
    em, eo, eb, efn, el, eg, ew = _one(ember, program, ember_dev, 1, state)
    tm, to, tb, tfn, tl, tg, tw = _one(torch, program, torch_dev, 1, state)
    diff = abs(el - tl) / (1 + abs(tl))  # relative to each quantity's size (float32 sums)
    for k in tg:
        for a, b in ((eg[k], tg[k]), (ew[k], tw[k])):
            diff = max(diff, float(np.max(np.abs(a - b))) / (1 + float(np.max(np.abs(b)))))
    on_dev = all(str(p.device).startswith(str(ember_dev)) for p in em.parameters())
    te = _time_steps(ember, ember_dev, em, eo, eb, efn, steps)
    tt = _time_steps(torch, torch_dev, tm, to, tb, tfn, steps)
    return {
        "case": name,
        "max |diff|": diff,
        "ok": diff < 1e-3 and on_dev,
        "ember ms": te,
        "torch ms": tt,
        "ratio": te / tt,
    }


def _conv(lib):
    return lambda u: lib.nn.functional.conv2d(u, u[:64, :, :3, :3], padding=1)


def _sync_any(lib, xp, ember, ember_dev, torch_dev):
    if lib is xp:  # the raw array library: CuPy's device (the simulated one needs nothing)
        if hasattr(xp, "cuda") and hasattr(xp.cuda, "Device"):
            xp.cuda.Device().synchronize()
    else:
        _sync(lib, ember_dev if lib is ember else torch_dev)


def per_op(ember, torch, xp, ember_dev, torch_dev, reps=2000):
    """``a * b`` on 16 elements, a 2048x2048 matmul and a 3x3 convolution: ember vs PyTorch,
    and vs the raw array library (CuPy, or the simulated CuPy) where it has the op. Each row
    checks ember's result against PyTorch's."""
    import numpy as np

    rows = []
    for label, shape, n, kind in (
        ("per-op a*b (16 elems)", (16,), reps, "mul"),
        ("matmul 2048x2048", (2048, 2048), 5, "matmul"),
        ("conv2d 3x3 8x64x56x56", (8, 64, 56, 56), 3, "conv"),
    ):
        h = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        e, t = ember.tensor(h).to(ember_dev), torch.tensor(h).to(torch_dev)
        a = e.detach()._data  # the array ember holds: raw library speed on the same memory
        ops = {"mul": lambda lib: (lambda u: u * u), "matmul": lambda lib: (lambda u: u @ u),
               "conv": _conv}
        got, want = _np(ops[kind](ember)(e)), _np(ops[kind](torch)(t))
        diff = float(np.max(np.abs(got - want))) / (1 + float(np.max(np.abs(want))))
        times = {}
        for key, lib, val in (("ember", ember, e), ("torch", torch, t), ("raw", xp, a)):
            if lib is xp and kind == "conv":
                continue  # CuPy has no convolution of its own (ember's is im2col + matmul)
            op = ops[kind](lib)
            op(val)
            _sync_any(lib, xp, ember, ember_dev, torch_dev)
            t0 = time.perf_counter()
            for _ in range(n):
                op(val)
            _sync_any(lib, xp, ember, ember_dev, torch_dev)
            times[key] = (time.perf_counter() - t0) / n * 1e3
        row = {
            "case": label,
            "max |diff|": diff,
            "ok": diff < 1e-4 and str(ember.tensor(h).to(ember_dev).device).startswith("cuda"),
            "ember ms": times["ember"],
            "torch ms": times["torch"],
            "ratio": times["ember"] / times["torch"],
        }
        if "raw" in times:
            row.update({"raw ms": times["raw"], "vs raw": times["ember"] / times["raw"]})
        rows.append(row)
    return rows


def print_bar(rows, simulated):
    """The issue's bar on a GPU, next to what this run measured."""
    by = {r["case"]: r for r in rows}
    lines = [
        ("per-op overhead vs raw CuPy", by["per-op a*b (16 elems)"]["vs raw"], 1.3),
        ("2048 matmul vs raw CuPy", by["matmul 2048x2048"]["vs raw"], 1.1),
        ("small GPT step vs PyTorch", by.get("small GPT (2 layers)", {}).get("ratio"), 1.5),
    ]
    print()
    for what, got, bar in lines:
        if got is None:
            continue
        verdict = "ok" if got <= bar else "over"
        print(f"bar: {what:30s} {got:7.2f}x  (at most {bar}x: {verdict})")
    if simulated:
        print("(--simulate: times are host-memory times of the simulation, not GPU times; "
              "only the checks are meaningful)")


def print_table(rows, title):
    print(title)
    head = (
        f"{'case':26s} {'check':>6s} {'rel diff':>10s} {'ember ms':>10s} {'torch ms':>10s} "
        f"{'ratio':>7s} {'raw ms':>9s} {'vs raw':>7s}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        raw = f"{r['raw ms']:9.4f} {r['vs raw']:7.2f}" if "raw ms" in r else f"{'':9s} {'':7s}"
        print(
            f"{r['case']:26s} {'ok' if r['ok'] else 'FAIL':>6s} {r['max |diff|']:10.2e} "
            f"{r['ember ms']:10.4f} {r['torch ms']:10.4f} {r['ratio']:7.2f} {raw}"
        )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--simulate",
        action="store_true",
        help="run on the simulated cuda device (CPU) against PyTorch on the CPU",
    )
    ap.add_argument("--steps", type=int, default=10, help="timed training steps per program")
    ap.add_argument("--only", default=None, help="run only programs whose name contains this")
    args = ap.parse_args(argv)
    if args.simulate:
        os.environ["EMBER_SIMULATE_CUDA"] = "1"
        torch_dev = "cpu"
    else:
        ok, why = _have_gpu()
        if not ok:
            print(
                f"gpu_check: no NVIDIA GPU here: {why}.\n"
                "Run it on a machine with one, or try the logic on the CPU with --simulate."
            )
            return 2
        torch_dev = "cuda"
    import numpy as np  # noqa: F401

    import ember

    try:
        import torch
    except ImportError:
        print("gpu_check: PyTorch is needed as the reference (pip install torch).")
        return 2
    if torch_dev == "cuda" and not torch.cuda.is_available():
        print(
            "gpu_check: this PyTorch has no CUDA; comparing against PyTorch on the CPU "
            "(values and gradients are still checked; time ratios are not GPU vs GPU)."
        )
        torch_dev = "cpu"
    torch.set_num_threads(max(1, torch.get_num_threads()))
    ember_dev = "cuda"
    rows = []
    for name, program in PROGRAMS:
        if args.only and args.only.lower() not in name.lower():
            continue
        rows.append(check_program(ember, torch, name, program, ember_dev, torch_dev, args.steps))
    xp = ember.backend.xp_for_device(ember_dev)
    rows += per_op(ember, torch, xp, ember_dev, torch_dev, reps=200 if args.simulate else 2000)
    where = (
        "simulated cuda (host memory) vs PyTorch CPU"
        if args.simulate
        else f"ember cuda ({ember.cuda.get_device_name()}) vs PyTorch {torch_dev}"
    )
    print_table(rows, f"gpu_check: {where}")
    print_bar(rows, args.simulate)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
