"""Anomaly detection, saved-tensor hooks (and save_on_cpu), activation checkpointing."""

import gc
import warnings
import weakref

import numpy as np
import pytest
from oracle import assert_close, torch

import ember
from ember.autograd import detect_anomaly, set_detect_anomaly
from ember.autograd.saved_hooks import disable_saved_tensors_hooks, save_on_cpu, saved_tensors_hooks
from ember.utils.checkpoint import checkpoint, checkpoint_sequential


# ------------------------------------------------------------------------------- anomaly
def test_anomaly_nan_check_names_the_node_and_warns_with_forward_stack():
    x = ember.tensor([0.0, 1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        ctx = detect_anomaly()
    with ctx:
        y = (x.log() * x).sum()  # forward-line-marker
        with pytest.warns(UserWarning, match="Error detected in LogBackward0. Traceback of forward "
                                             "call that caused the error:(.|\n)*forward-line-marker"):
            with pytest.raises(RuntimeError, match="Function 'LogBackward0' returned nan values in "
                                                   "its 0th output."):
                y.backward()
        assert "traceback_" in y.grad_fn.metadata
    # off again: the same NaN passes silently, nodes carry no traceback
    y = (x.log() * x).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y.backward()
    assert np.isnan(x.grad.numpy()).any()
    assert "traceback_" not in y.grad_fn.metadata


def test_anomaly_error_in_custom_backward_and_check_nan_off():
    class Bad(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            raise ValueError("boom")

    x = ember.tensor([1.0], requires_grad=True)
    set_detect_anomaly(True, check_nan=False)
    try:
        assert ember.autograd.anomaly_mode.is_anomaly_enabled()
        assert not ember.autograd.anomaly_mode.is_anomaly_check_nan_enabled()
        with pytest.warns(UserWarning, match="Error detected in BadBackward"):
            with pytest.raises(ValueError, match="boom"):
                Bad.apply(x).sum().backward()
        z = ember.tensor([0.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (z.log() * z).sum().backward()  # check_nan=False: no error
    finally:
        set_detect_anomaly(False)
    assert not ember.autograd.anomaly_mode.is_anomaly_enabled()


def test_anomaly_off_costs_no_hook():
    from ember.autograd import dispatch

    assert not (dispatch.busy and dispatch.tls.apply)  # no graph-level mode on the stack


# ----------------------------------------------------------------------- saved-tensor hooks
def test_saved_tensors_hooks_pack_and_unpack_and_innermost_wins():
    log = []
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with saved_tensors_hooks(lambda t: log.append("outer") or ("outer", t), lambda p: p[1]):
        with saved_tensors_hooks(lambda t: log.append("pack") or ("inner", t * 1),
                                 lambda p: log.append("unpack") or p[1]):
            y = (x * x).sum()
        z = x.exp().sum()
    assert log == ["pack", "pack", "outer"]
    (g,) = ember.autograd.grad(y, x)
    assert log.count("unpack") == 2
    assert_close(g.numpy(), [2.0, 4.0])
    (gz,) = ember.autograd.grad(z, x)
    assert_close(gz.numpy(), np.exp([1.0, 2.0]))
    with pytest.raises(TypeError, match="unpack_hook expected to be a Tensor"):
        with saved_tensors_hooks(lambda t: t, lambda p: 3):
            w = (x * x).sum()
        w.backward()


def _count_saved(L, hooks):
    n = []
    x = L.tensor([1.0, 2.0], requires_grad=True)
    with hooks(lambda t: n.append(tuple(t.shape)) or t, lambda t: t):
        y = (L.tanh(x) * x).exp().sum()
    y.backward()
    return n, x.grad.numpy()


def test_saved_tensors_hooks_see_what_each_op_saves():
    n, g = _count_saved(ember, saved_tensors_hooks)
    # tanh saves its output, mul both operands, exp its output
    assert n == [(2,), (2,), (2,), (2,)]
    xv = np.array([1.0, 2.0])
    assert_close(g, np.exp(np.tanh(xv) * xv) * ((1 - np.tanh(xv) ** 2) * xv + np.tanh(xv)))
    if torch is not None:
        tn, tg = _count_saved(torch, torch.autograd.graph.saved_tensors_hooks)
        assert n == tn
        assert_close(g, tg)


def test_inplace_change_detected_through_hooks_and_save_on_cpu():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with save_on_cpu():
        a = x * 1
        y = (a * a).sum()
    y.backward()
    assert_close(x.grad.numpy(), [2.0, 4.0])
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        a = x * 1
        y = (a * a).sum()
    a.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    with disable_saved_tensors_hooks("no hooks here"):
        with pytest.raises(RuntimeError, match="no hooks here"):
            with saved_tensors_hooks(lambda t: t, lambda t: t):
                pass


# ------------------------------------------------------------------------------ checkpoint
def _net(L, seed=0):
    L.manual_seed(seed)
    w1 = L.randn(8, 8, requires_grad=True)
    w2 = L.randn(8, 8, requires_grad=True)

    def block(h):
        h = L.tanh(h @ w1)
        h = h * (L.rand(h.shape) > 0.3).float()  # dropout-like: needs the RNG state preserved
        return L.sigmoid(h @ w2).exp()

    return w1, w2, block


def _step(use_ckpt, reentrant=False):
    w1, w2, block = _net(ember)
    x = ember.randn(4, 8, requires_grad=True)
    alive = []

    def pack(t):
        alive.append(weakref.ref(t))
        return t

    with saved_tensors_hooks(pack, lambda t: t):
        if use_ckpt:
            h = checkpoint(block, x, use_reentrant=reentrant)
        else:
            h = block(x)
        loss = (h * h).mean()
    kept = len(alive)
    loss.backward()
    return kept, [w1.grad.numpy(), w2.grad.numpy(), x.grad.numpy()]


def test_checkpoint_same_gradients_fewer_saved_tensors():
    kept_plain, grads_plain = _step(False)
    kept_ckpt, grads_ckpt = _step(True)
    for a, b in zip(grads_plain, grads_ckpt):
        assert_close(a, b, rtol=0, atol=0)
    assert kept_ckpt < kept_plain
    _, grads_re = _step(True, reentrant=True)
    for a, b in zip(grads_plain, grads_re):
        assert_close(a, b, rtol=0, atol=0)


def test_checkpoint_recomputes_in_backward_and_works_with_grad():
    calls = []
    x = ember.tensor([0.5, -1.0], requires_grad=True)

    def f(v, scale=1.0):
        calls.append(1)
        return (v.sin() * v).exp() * scale

    y = checkpoint(f, x, use_reentrant=False, scale=2.0).sum()
    assert len(calls) == 1
    (g,) = ember.autograd.grad(y, x)
    assert len(calls) == 2
    xv = x.detach().numpy()
    ref = 2 * np.exp(np.sin(xv) * xv) * (np.cos(xv) * xv + np.sin(xv))
    assert_close(g.numpy(), ref)
    with pytest.warns(UserWarning, match="the use_reentrant parameter should be passed "
                                         "explicitly"):
        checkpoint(f, x)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: scale"):
        checkpoint(f, x, use_reentrant=True, scale=2.0)


def test_checkpoint_sequential_matches_plain():
    ember.manual_seed(0)
    model = ember.nn.Sequential(*[ember.nn.Linear(6, 6) for _ in range(3)], ember.nn.Tanh(),
                                ember.nn.Linear(6, 1))
    x = ember.randn(5, 6)
    model(x).sum().backward()
    ref = [p.grad.numpy().copy() for p in model.parameters()]
    model.zero_grad()
    out = checkpoint_sequential(model, 2, x, use_reentrant=False)
    out.sum().backward()
    for p, r in zip(model.parameters(), ref):
        assert_close(p.grad.numpy(), r, rtol=1e-6, atol=1e-7)
    gc.collect()


def test_nested_checkpoint_and_context_fn():
    ember.manual_seed(1)
    w = ember.randn(3, 3, requires_grad=True)
    x = ember.randn(2, 3, requires_grad=True)
    entered = []

    class Ctx:
        def __init__(self, name):
            self.name = name

        def __enter__(self):
            entered.append(self.name)

        def __exit__(self, *exc):
            return None

    def inner(h):
        return (h @ w).tanh()

    def outer(h):
        return checkpoint(inner, h, use_reentrant=False).exp() @ w

    y = checkpoint(outer, x, use_reentrant=False,
                   context_fn=lambda: (Ctx("forward"), Ctx("recompute"))).sum()
    assert entered == ["forward"]
    y.backward()
    assert entered == ["forward", "recompute"]
    got = (w.grad.numpy().copy(), x.grad.numpy().copy())
    w.grad = x.grad = None
    (inner(x).exp() @ w).sum().backward()
    assert_close(got[0], w.grad.numpy(), rtol=0, atol=0)
    assert_close(got[1], x.grad.numpy(), rtol=0, atol=0)
