"""Optimizers vs PyTorch: same parameters, same gradient sequence, several steps; state,
state_dict round trips, parameter groups, hooks and errors."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

import ember
import ember.optim as eoptim
from oracle import requires_torch

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

SHAPES = [(3, 4), (4,), ()]


def _params(lib, dtype, rng, requires_grad=True):
    out = []
    for s in SHAPES:
        a = rng.standard_normal(s).astype(dtype)
        out.append(lib.tensor(a, requires_grad=requires_grad))
    return out


def _grads(rng, dtype, steps):
    return [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(steps)]


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.02, "betas": (0.8, 0.95), "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True}),
    ("Adam", {"lr": 0.02, "maximize": True, "decoupled_weight_decay": True, "weight_decay": 0.2}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True, "maximize": True}),
    ("Adamax", {"lr": 0.02}),
    ("Adamax", {"lr": 0.02, "weight_decay": 0.1, "maximize": True}),
    ("NAdam", {"lr": 0.02}),
    ("NAdam", {"lr": 0.02, "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.02, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.02}),
    ("RAdam", {"lr": 0.02, "weight_decay": 0.1, "betas": (0.9, 0.9)}),
    ("RAdam", {"lr": 0.02, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    (
        "Adagrad",
        {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
    ),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1, "maximize": True}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2), "maximize": True}),
    ("ASGD", {"lr": 0.05}),
    (
        "ASGD",
        {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 2, "weight_decay": 0.1, "maximize": True},
    ),
]


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_optimizer_matches_torch(name, kw, dtype):
    rng = np.random.default_rng(1)
    ep = _params(ember, dtype, rng)
    rng = np.random.default_rng(1)
    tp = _params(torch, dtype, rng)
    eopt = getattr(eoptim, name)(ep, **kw)
    topt = getattr(torch.optim, name)(tp, **kw)
    grads = _grads(np.random.default_rng(2), dtype, 6)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    for step, gs in enumerate(grads):
        for e, t, g in zip(ep, tp, gs):
            e.grad = ember.tensor(g)
            t.grad = torch.tensor(g)
        if step == 3:  # a parameter without a gradient is skipped (its state untouched)
            ep[2].grad = None
            tp[2].grad = None
        eopt.step()
        topt.step()
        for e, t in zip(ep, tp):
            np.testing.assert_allclose(_np(e), _np(t), rtol=rtol, atol=rtol * 1e-2)
    for e, t in zip(ep, tp):
        es, ts = eopt.state[e], topt.state[t]
        assert list(es.keys()) == list(ts.keys())
        for k in ts:
            if isinstance(ts[k], torch.Tensor):
                assert es[k].dtype.name == str(ts[k].dtype).split(".")[-1], k
                assert tuple(es[k].shape) == tuple(ts[k].shape), k
                np.testing.assert_allclose(_np(es[k]), _np(ts[k]), rtol=rtol * 10, atol=rtol * 1e-2)
    # identical group layout (keys and values) and repr
    tsd, esd = topt.state_dict(), eopt.state_dict()
    assert [sorted(g) for g in esd["param_groups"]] == [sorted(g) for g in tsd["param_groups"]]
    assert esd["param_groups"] == tsd["param_groups"]
    assert sorted(esd["state"]) == sorted(tsd["state"])
    assert repr(eopt) == repr(topt)


@requires_torch
def test_training_with_autograd_matches_torch():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((16, 5)).astype(np.float32)
    Y = rng.standard_normal((16, 1)).astype(np.float32)
    W = rng.standard_normal((5, 1)).astype(np.float32)

    def run(lib, opt_name):
        w = lib.tensor(W, requires_grad=True)
        b = lib.zeros(1, requires_grad=True)
        x, y = lib.tensor(X), lib.tensor(Y)
        opt = getattr(lib.optim, opt_name)([w, b], lr=0.01)
        losses = []
        for _ in range(10):
            opt.zero_grad()
            loss = ((x @ w + b - y) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, _np(w)

    for name in ["SGD", "Adam", "RMSprop", "NAdam"]:
        el, ew = run(ember, name)
        tl, tw = run(torch, name)
        np.testing.assert_allclose(el, tl, rtol=1e-5)
        np.testing.assert_allclose(ew, tw, rtol=1e-5, atol=1e-7)


@requires_torch
@pytest.mark.parametrize(
    "line_search_fn,fn,rtol",
    [
        (None, "smooth", 1e-12),
        ("strong_wolfe", "smooth", 1e-12),
        # Rosenbrock amplifies rounding differences; the line search keeps them small
        ("strong_wolfe", "rosenbrock", 1e-6),
    ],
)
def test_lbfgs_matches_torch(line_search_fn, fn, rtol):
    x0 = np.array([-1.5, 2.0, 0.5], dtype=np.float64)

    def run(lib):
        x = lib.tensor(x0, requires_grad=True)
        w = lib.tensor([1.0, 3.0, 0.5], dtype=lib.float64)
        opt = lib.optim.LBFGS([x], lr=1, max_iter=20, history_size=5, line_search_fn=line_search_fn)

        def closure():
            opt.zero_grad()
            if fn == "rosenbrock":
                loss = (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
            else:
                loss = ((x - 0.7) ** 2 * w).sum() + 0.1 * (x**4).sum() + x[0] * x[1]
            loss.backward()
            return loss

        losses = [opt.step(closure).item() for _ in range(4)]
        st = opt.state[x]
        return losses, _np(x), st["func_evals"], st["n_iter"]

    el, ex, ef, en = run(ember)
    tl, tx, tf, tn = run(torch)
    np.testing.assert_allclose(el, tl, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(ex, tx, rtol=rtol, atol=rtol)
    assert (ef, en) == (tf, tn)


@requires_torch
def test_lbfgs_float32_state_like_torch():
    def run(lib):
        x = lib.tensor([1.5, -0.5], requires_grad=True)
        opt = lib.optim.LBFGS([x], max_iter=4)

        def closure():
            opt.zero_grad()
            loss = ((x - 0.3) ** 2).sum() + (x**4).sum()
            loss.backward()
            return loss

        opt.step(closure)
        opt.step(closure)
        return _np(x), opt.state[x]

    ex, es = run(ember)
    tx, ts = run(torch)
    np.testing.assert_allclose(ex, tx, rtol=1e-5)
    assert sorted(es) == sorted(ts)
    assert len(es["old_dirs"]) == len(ts["old_dirs"])
    assert es["d"].dtype == ember.float32 and tuple(es["d"].shape) == tuple(ts["d"].shape)


def test_lbfgs_converges_on_quadratic():
    # runs without PyTorch: L-BFGS must solve a convex quadratic almost exactly
    rng = np.random.default_rng(3)
    A = rng.standard_normal((6, 6))
    A = A @ A.T + 6 * np.eye(6)
    bvec = rng.standard_normal(6)
    x = ember.zeros(6, dtype=ember.float64, requires_grad=True)
    At, bt = ember.tensor(A), ember.tensor(bvec)
    opt = eoptim.LBFGS(
        [x],
        line_search_fn="strong_wolfe",
        max_iter=100,
        tolerance_grad=1e-12,
        tolerance_change=1e-15,
    )

    def closure():
        opt.zero_grad()
        loss = 0.5 * (x @ (At @ x)) - (bt * x).sum()
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(x.detach().numpy(), np.linalg.solve(A, bvec), rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="per-parameter options"):
        eoptim.LBFGS([{"params": [x]}, {"params": [ember.zeros(1, requires_grad=True)]}])
    x.data = ember.zeros(6, dtype=ember.float64)
    opt = eoptim.LBFGS([x], line_search_fn="armijo")
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


def test_sgd_formula_without_torch():
    # p -= lr * (momentum buffer); buffer starts as the first gradient
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = eoptim.SGD([p], lr=0.1, momentum=0.5)
    for g in ([1.0, -1.0], [2.0, 0.0]):
        p.grad = ember.tensor(g)
        opt.step()
    # buf1 = [1,-1]; p1 = [0.9, 2.1]; buf2 = [0.5*1+2, -0.5] = [2.5, -0.5]; p2 = [0.65, 2.15]
    np.testing.assert_allclose(p.detach().numpy(), [0.65, 2.15], rtol=1e-6)
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].numpy(), [2.5, -0.5])
    assert p._version == 2  # every step is an in-place update of the parameter


def test_adam_first_step_moves_by_lr():
    p = ember.tensor([1.0, -2.0, 3.0], dtype=ember.float64, requires_grad=True)
    opt = eoptim.Adam([p], lr=0.1)
    p.grad = ember.tensor([5.0, -0.01, 100.0], dtype=ember.float64)
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [0.9, -1.9, 2.9], rtol=1e-6)
    st = opt.state[p]
    assert list(st) == ["step", "exp_avg", "exp_avg_sq"]
    assert isinstance(st["step"], ember.Tensor) and st["step"].dtype == ember.float32
    assert float(st["step"]) == 1.0 and st["step"].dim() == 0


# ----- Optimizer base class -------------------------------------------------------------------


def test_param_groups_defaults_and_errors():
    a = ember.zeros(2, requires_grad=True)
    b = ember.zeros(3, requires_grad=True)
    opt = eoptim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["params"] == [b]
    assert opt.param_groups[0]["momentum"] == 0.9
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    c = ember.zeros(1, requires_grad=True)
    opt.add_param_group({"params": [c], "momentum": 0.0})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.0
    with pytest.raises(ValueError, match="empty parameter list"):
        eoptim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        eoptim.SGD(a, lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors"):
        eoptim.SGD([1.0], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        eoptim.SGD([a * 2], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        eoptim.SGD([{"params": {a}}], lr=0.1)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero"):
        eoptim.SGD([a], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        eoptim.Adam([a], lr=-1)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.0"):
        eoptim.Adam([a], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="Invalid momentum value"):
        eoptim.SGD([a], lr=0.1, momentum=-0.1)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        eoptim.SGD([a, a], lr=0.1)


def test_named_params():
    a = ember.zeros(2, requires_grad=True)
    b = ember.zeros(3, requires_grad=True)
    opt = eoptim.Adam([("a", a), ("b", b)])
    assert opt.param_groups[0]["param_names"] == ["a", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["a", "b"]
    with pytest.raises(ValueError, match="Some param names are missing"):
        eoptim.Adam([("a", a), b])


def test_zero_grad():
    a = ember.ones(2, requires_grad=True)
    (a * 3).sum().backward()
    opt = eoptim.SGD([a], lr=0.1)
    g = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is g and a.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert a.grad is None
    a.sum().backward()  # a broadcast gradient can still be zeroed in place
    opt.zero_grad(set_to_none=False)
    assert a.grad.tolist() == [0.0, 0.0]


def test_step_hooks_and_closure():
    a = ember.ones(2, requires_grad=True)
    opt = eoptim.SGD([a], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kw: calls.append(("pre", o is opt)))
    opt.register_step_post_hook(lambda o, args, kw: calls.append(("post", len(args))))

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert float(loss) == 2.0
    np.testing.assert_allclose(a.detach().numpy(), [0.8, 0.8], rtol=1e-6)
    assert calls == [("pre", True), ("post", 1)]
    h1.remove()
    opt.step(closure)
    assert calls[-1] == ("post", 1) and len(calls) == 3


def test_state_dict_roundtrip_continues_identically():
    rng = np.random.default_rng(5)
    init = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = _grads(rng, np.float32, 6)

    def fresh():
        return [ember.tensor(x.copy(), requires_grad=True) for x in init]

    for name, kw in [
        ("SGD", {"lr": 0.1, "momentum": 0.9}),
        ("Adam", {"lr": 0.01, "amsgrad": True}),
        ("RMSprop", {"momentum": 0.5, "centered": True}),
        ("NAdam", {}),
        ("Adagrad", {}),
        ("Adadelta", {}),
        ("Adamax", {}),
        ("RAdam", {}),
    ]:
        p1 = fresh()
        o1 = getattr(eoptim, name)(p1, **kw)
        for gs in grads[:3]:
            for p, g in zip(p1, gs):
                p.grad = ember.tensor(g)
            o1.step()
        sd = copy.deepcopy(o1.state_dict())
        assert set(sd["state"]) == {0, 1, 2}
        p2 = [ember.tensor(p.detach().numpy().copy(), requires_grad=True) for p in p1]
        o2 = getattr(eoptim, name)(p2, **kw)
        o2.load_state_dict(sd)
        for gs in grads[3:]:
            for pa, pb, g in zip(p1, p2, gs):
                pa.grad = ember.tensor(g)
                pb.grad = ember.tensor(g)
            o1.step()
            o2.step()
        for pa, pb in zip(p1, p2):
            np.testing.assert_array_equal(pa.detach().numpy(), pb.detach().numpy())


def test_load_state_dict_errors_and_casts():
    a = ember.zeros(2, requires_grad=True)
    b = ember.zeros(2, requires_grad=True)
    opt = eoptim.SGD([a], lr=0.1, momentum=0.9)
    a.grad = ember.ones(2)
    opt.step()
    sd = opt.state_dict()
    other = eoptim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        other.load_state_dict(sd)
    other = eoptim.SGD([a, b], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        other.load_state_dict(sd)
    # a float64 buffer loaded for a float32 parameter is cast to the parameter's dtype
    sd["state"][0]["momentum_buffer"] = ember.ones(2, dtype=ember.float64)
    sd["param_groups"][0]["lr"] = 0.5
    new = eoptim.SGD([b], lr=0.1, momentum=0.9)
    new.load_state_dict(sd)
    assert new.state[b]["momentum_buffer"].dtype == ember.float32
    assert new.param_groups[0]["lr"] == 0.5 and new.param_groups[0]["params"][0] is b


@requires_torch
def test_state_dict_layout_matches_torch():
    def build(lib):
        a = lib.zeros(2, requires_grad=True)
        b = lib.zeros(3, requires_grad=True)
        c = lib.zeros(1, requires_grad=True)
        opt = lib.optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.1}])
        for p in (a, c):
            p.grad = lib.ones_like(p)
        opt.step()
        return opt.state_dict()

    e, t = build(ember), build(torch)
    assert e["param_groups"] == t["param_groups"]
    assert sorted(e["state"]) == sorted(t["state"]) == [0, 2]
    assert list(e["state"][0]) == list(t["state"][0])


@requires_torch
def test_adagrad_creates_state_eagerly_like_torch():
    ea = ember.zeros(2, requires_grad=True)
    ta = torch.zeros(2, requires_grad=True)
    es = eoptim.Adagrad([ea], initial_accumulator_value=0.25).state[ea]
    ts = torch.optim.Adagrad([ta], initial_accumulator_value=0.25).state[ta]
    assert list(es) == list(ts)
    assert es["sum"].tolist() == ts["sum"].tolist()


def test_differentiable_refused():
    a = ember.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="differentiable"):
        eoptim.SGD([a], lr=0.1, differentiable=True)


def test_complex_params_adam():
    pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    z0 = (rng.standard_normal(3) + 1j * rng.standard_normal(3)).astype(np.complex64)
    g = (rng.standard_normal(3) + 1j * rng.standard_normal(3)).astype(np.complex64)
    e = ember.tensor(z0, requires_grad=True)
    t = torch.tensor(z0, requires_grad=True)
    eo, to = eoptim.Adam([e], lr=0.1), torch.optim.Adam([t], lr=0.1)
    for _ in range(3):
        e.grad = ember.tensor(g)
        t.grad = torch.tensor(g)
        eo.step()
        to.step()
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-5)


def test_no_warning_in_plain_step():
    a = ember.zeros(2, requires_grad=True)
    opt = eoptim.AdamW([a])
    a.grad = ember.ones(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()


@requires_torch
def test_user_defined_optimizer_like_torch():
    def make(lib):
        class MySGD(lib.optim.Optimizer):
            def __init__(self, params, lr=0.1, decay=0.0):
                super().__init__(params, {"lr": lr, "decay": decay})

            @lib.no_grad()
            def step(self, closure=None):
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is None:
                            continue
                        st = self.state[p]
                        st["n"] = st.get("n", 0) + 1
                        p.mul_(1 - group["decay"]).add_(p.grad, alpha=-group["lr"])

        w = lib.tensor([1.0, -2.0, 0.5], requires_grad=True)
        opt = MySGD([w], lr=0.05, decay=0.01)
        calls = []
        opt.register_step_post_hook(lambda *a: calls.append(1))
        for _ in range(5):
            opt.zero_grad()
            (w**3).sum().backward()
            opt.step()
        return _np(w), opt.state_dict(), len(calls), repr(opt)

    ew, esd, ec, er = make(ember)
    tw, tsd, tc, tr = make(torch)
    np.testing.assert_allclose(ew, tw, rtol=1e-6)
    assert esd == tsd and ec == tc == 5 and er == tr


def test_utils_data_reachable_from_top_level():
    assert ember.utils.data.DataLoader is not None


# ----- torch.amp.GradScaler (nanoGPT's train loop keeps the calls with enabled=False) ---------


def _scaler_run(lib, grads, **kw):
    """Drive a GradScaler through steps whose gradients are given (some with inf)."""
    p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
    opt = lib.optim.SGD([p], lr=0.1, momentum=0.9)
    scaler = lib.amp.GradScaler("cpu", init_scale=8.0, growth_interval=2, **kw)
    log = []
    for i, g in enumerate(grads):
        opt.zero_grad()
        loss = (p * lib.tensor(g)).sum()
        scaled = scaler.scale(loss)
        scaled.backward()
        if i % 2:
            scaler.unscale_(opt)  # explicit unscale before clipping, as in the AMP recipe
            lib.nn.utils.clip_grad_norm_([p], 10.0)
        ret = scaler.step(opt)
        scaler.update()
        log.append((scaled.item() if np.isfinite(scaled.item()) else "inf", ret,
                    p.detach().numpy().tolist(), scaler.get_scale()))
    return log, scaler.state_dict()


@requires_torch
def test_grad_scaler_matches_torch():
    import torch

    inf = float("inf")
    grads = [[1.0, 2.0], [0.5, -1.0], [inf, 1.0], [1.0, 1.0], [2.0, 0.0], [1.0, float("nan")],
             [0.1, 0.1], [0.3, 0.2]]
    le, se = _scaler_run(ember, grads)
    lt, st = _scaler_run(torch, grads)
    assert se == st
    for a, b in zip(le, lt):
        assert a[1] is None and b[1] is None
        assert a[3] == b[3]
        np.testing.assert_allclose(a[2], b[2], rtol=1e-6)
        if a[0] != "inf":
            np.testing.assert_allclose(a[0], b[0], rtol=1e-6)


def test_grad_scaler_disabled_and_errors():
    p = ember.nn.Parameter(ember.ones(2))
    opt = eoptim.SGD([p], lr=0.5)
    off = ember.amp.GradScaler("cpu", enabled=False)
    loss = (p * 3).sum()
    assert off.scale(loss) is loss and off.get_scale() == 1.0 and off.state_dict() == {}
    loss.backward()
    off.unscale_(opt)
    off.step(opt)
    off.update()
    assert p.tolist() == [-0.5, -0.5]
    with pytest.warns(UserWarning, match="CUDA is not available"):
        assert not ember.amp.GradScaler("cuda").is_enabled()
    assert not ember.cuda.amp.GradScaler(enabled=False).is_enabled()
    on = ember.amp.GradScaler("cpu")
    (on.scale((p * 1).sum())).backward()
    on.unscale_(opt)
    with pytest.raises(RuntimeError, match="already been called"):
        on.unscale_(opt)
    with pytest.raises(RuntimeError, match="Closure"):
        on.step(opt, closure=lambda: 0)
    s2 = ember.amp.GradScaler("cpu", init_scale=4.0)
    s2.load_state_dict(on.state_dict())
    assert s2.get_scale() == on.get_scale() == 2.0 ** 16


def test_autocast_disabled_runs_and_enabled_refuses():
    x = ember.ones(2, 2)
    with ember.autocast(device_type="cpu", enabled=False):
        assert (x @ x).dtype == ember.float32
    with ember.amp.autocast("cuda", enabled=False):
        pass
    with pytest.raises(NotImplementedError, match="enabled=False"):
        with ember.autocast("cpu", dtype=ember.bfloat16):
            pass
