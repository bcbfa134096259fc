"""Activation checkpointing (src/ember/utils/checkpoint.py): same gradients with fewer
saved tensors, recomputation in backward, checkpoint_sequential, nesting and context_fn."""

import gc
import weakref

import numpy as np
import pytest
from oracle import assert_close

import ember
from ember.autograd.saved_hooks import saved_tensors_hooks
from ember.utils.checkpoint import checkpoint, checkpoint_sequential


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
