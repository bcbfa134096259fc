"""Learning-rate schedulers vs PyTorch: the lr (and momentum) sequence over many steps, two
parameter groups, get_last_lr, state_dict round trips, and the constructors' errors."""

from __future__ import annotations

import math
import warnings

import pytest

import ember
import ember.optim as eoptim
from ember.optim import lr_scheduler as elrs
from oracle import requires_torch

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def _opt(lib, kind="SGD"):
    a = lib.zeros(2, requires_grad=True)
    b = lib.zeros(3, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if kind == "SGD":
        return lib.optim.SGD(groups, lr=0.1, momentum=0.9)
    return lib.optim.Adam(groups, lr=0.1)


def _sched(lib, name, opt):
    L = lib.optim.lr_scheduler
    return {
        "StepLR": lambda: L.StepLR(opt, step_size=3, gamma=0.5),
        "MultiStepLR": lambda: L.MultiStepLR(opt, milestones=[2, 5, 5, 9], gamma=0.3),
        "ExponentialLR": lambda: L.ExponentialLR(opt, gamma=0.9),
        "CosineAnnealingLR": lambda: L.CosineAnnealingLR(opt, T_max=5, eta_min=0.001),
        "CosineAnnealingWarmRestarts": lambda: L.CosineAnnealingWarmRestarts(
            opt, T_0=3, T_mult=2, eta_min=0.01
        ),
        "LambdaLR": lambda: L.LambdaLR(opt, lr_lambda=[lambda e: 0.95**e, lambda e: 1 / (e + 1)]),
        "MultiplicativeLR": lambda: L.MultiplicativeLR(opt, lr_lambda=lambda e: 0.9),
        "LinearLR": lambda: L.LinearLR(opt, start_factor=0.25, end_factor=1.0, total_iters=4),
        "ConstantLR": lambda: L.ConstantLR(opt, factor=0.5, total_iters=3),
        "PolynomialLR": lambda: L.PolynomialLR(opt, total_iters=6, power=2.0),
        "OneCycleLR": lambda: L.OneCycleLR(opt, max_lr=[1.0, 0.5], total_steps=16),
        "OneCycleLR3": lambda: L.OneCycleLR(
            opt, max_lr=1.0, total_steps=16, three_phase=True, anneal_strategy="linear"
        ),
        "CyclicLR": lambda: L.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=3),
        "CyclicLR2": lambda: L.CyclicLR(
            opt,
            base_lr=[0.01, 0.02],
            max_lr=0.1,
            step_size_up=2,
            step_size_down=3,
            mode="triangular2",
        ),
        "CyclicLRexp": lambda: L.CyclicLR(
            opt, base_lr=0.01, max_lr=0.1, step_size_up=2, mode="exp_range", gamma=0.9
        ),
        "SequentialLR": lambda: L.SequentialLR(
            opt,
            [L.LinearLR(opt, start_factor=0.1, total_iters=3), L.ExponentialLR(opt, gamma=0.8)],
            milestones=[3],
        ),
        "ChainedScheduler": lambda: L.ChainedScheduler(
            [L.ConstantLR(opt, factor=0.5, total_iters=4), L.ExponentialLR(opt, gamma=0.9)]
        ),
    }[name]()


NAMES = [
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "LambdaLR",
    "MultiplicativeLR",
    "LinearLR",
    "ConstantLR",
    "PolynomialLR",
    "OneCycleLR",
    "OneCycleLR3",
    "CyclicLR",
    "CyclicLR2",
    "CyclicLRexp",
    "SequentialLR",
    "ChainedScheduler",
]


def _trace(lib, name, kind="SGD", steps=15):
    opt = _opt(lib, kind)
    sched = _sched(lib, name, opt)
    out = [
        (
            list(sched.get_last_lr()),
            [g["lr"] for g in opt.param_groups],
            [g.get("momentum", g.get("betas")) for g in opt.param_groups],
        )
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(steps):
            opt.step()
            sched.step()
            out.append(
                (
                    list(sched.get_last_lr()),
                    [g["lr"] for g in opt.param_groups],
                    [g.get("momentum", g.get("betas")) for g in opt.param_groups],
                )
            )
    return out


def _close(a, b):
    if isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b)
        for x, y in zip(a, b):
            _close(x, y)
    else:
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15), (a, b)


@requires_torch
@pytest.mark.parametrize("name", NAMES)
def test_schedule_matches_torch(name):
    _close(_trace(ember, name), _trace(torch, name))


@requires_torch
@pytest.mark.parametrize("name", ["OneCycleLR", "CyclicLR"])
def test_momentum_cycling_with_adam_betas(name):
    _close(_trace(ember, name, "Adam"), _trace(torch, name, "Adam"))


@requires_torch
def test_reduce_lr_on_plateau_matches_torch():
    metrics = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.91]

    def run(lib, **kw):
        opt = _opt(lib)
        s = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
        out = []
        for m in metrics:
            s.step(m)
            out.append([g["lr"] for g in opt.param_groups] + [s.num_bad_epochs, s.best])
        return out, s.get_last_lr()

    for kw in [
        {"patience": 2, "factor": 0.5},
        {"mode": "max", "patience": 1, "cooldown": 2},
        {"threshold_mode": "abs", "threshold": 0.02, "patience": 1, "min_lr": [0.03, 0.01]},
    ]:
        _close(run(ember, **kw), run(torch, **kw))


@requires_torch
@pytest.mark.parametrize(
    "name",
    ["StepLR", "CosineAnnealingLR", "OneCycleLR", "SequentialLR", "CosineAnnealingWarmRestarts"],
)
def test_state_dict_resume_matches_torch(name):
    def run(lib):
        opt = _opt(lib)
        s = _sched(lib, name, opt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(4):
                opt.step()
                s.step()
            sd = s.state_dict()
            opt2 = _opt(lib)
            opt2.load_state_dict(opt.state_dict())
            s2 = _sched(lib, name, opt2)
            s2.load_state_dict(sd)
            lrs = []
            for _ in range(5):
                opt2.step()
                s2.step()
                lrs.append(s2.get_last_lr())
        return sorted(k for k in sd if not k.startswith("_")), lrs

    ek, el = run(ember)
    tk, tl = run(torch)
    assert ek == tk
    _close(el, tl)


@requires_torch
def test_closed_form_with_epoch_matches_torch():
    def run(lib):
        opt = _opt(lib)
        s = lib.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        out = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for e in [3, 7, 1]:
                s.step(e)
                out.append(s.get_last_lr())
        return out

    _close(run(ember), run(torch))


def test_step_order_warning_and_basic_values():
    # runs without PyTorch
    a = ember.zeros(1, requires_grad=True)
    opt = eoptim.SGD([a], lr=1.0)
    s = elrs.StepLR(opt, step_size=2, gamma=0.1)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        s.step()
    opt.step()
    s.step()
    assert s.get_last_lr() == pytest.approx([0.1])
    assert opt.param_groups[0]["initial_lr"] == 1.0
    assert s.last_epoch == 2


def test_scheduler_errors():
    a = ember.zeros(1, requires_grad=True)
    opt = eoptim.SGD([a], lr=1.0)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        elrs.StepLR(object(), step_size=1)
    with pytest.raises(ValueError, match="Expected positive integer T_0"):
        elrs.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        elrs.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode foo is unknown"):
        elrs.ReduceLROnPlateau(opt, mode="foo")
    with pytest.raises(ValueError, match="Expected 1 lr_lambdas, but got 2"):
        elrs.LambdaLR(opt, [lambda e: 1.0, lambda e: 1.0])
    with pytest.raises(ValueError, match="You must define either total_steps OR"):
        elrs.OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(KeyError, match="initial_lr"):
        elrs.StepLR(eoptim.SGD([ember.zeros(1, requires_grad=True)], lr=1.0), 1, last_epoch=3)
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        elrs.LinearLR(opt, start_factor=0)
    s = elrs.OneCycleLR(opt, max_lr=1.0, total_steps=2)
    opt.step()
    s.step()
    s.step()
    with pytest.raises(ValueError, match="Tried to step 3 times"):
        s.step()
    adag = eoptim.Adagrad([ember.zeros(1, requires_grad=True)])
    with pytest.raises(ValueError, match="optimizer must support momentum"):
        elrs.CyclicLR(adag, 0.01, 0.1)
