"""Reentrant backward: ``autograd.grad`` / ``backward`` called while a backward pass runs (from a
custom Function's backward, a tensor hook, a leaf hook, a post-accumulate hook, a node pre-hook)
on a graph that shares a leaf with the outer pass. Each pass keeps its own dependency counts,
gradient buffers and captures, so the outer gradients are those of the plain loss, and the inner
results are those of the inner graph: checked against PyTorch and against finite differences."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from oracle import to_numpy, torch

import ember

RNG = np.random.default_rng(7)
W0 = RNG.standard_normal((3, 3))
B0 = RNG.standard_normal(3)
X0 = RNG.standard_normal((4, 3))


def _loss_np(W, b, x):
    """The outer loss in NumPy: an RNN-like loop sharing the bias across steps."""
    h = np.zeros(3)
    for t in range(4):
        h = np.tanh(h @ W + x[t] + b)
    return float((h * b).sum() + b.sum())


def _inner_np(W, b, x):
    """The inner (reentrant) loss."""
    z = x[0] @ W + b
    return float(((1 / (1 + np.exp(-z))) * b).sum())


def _numeric(f, arrays, k, eps=1e-6):
    a = arrays[k]
    g = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        plus = [x.copy() for x in arrays]
        minus = [x.copy() for x in arrays]
        plus[k][i] += eps
        minus[k][i] -= eps
        g[i] = (f(*plus) - f(*minus)) / (2 * eps)
    return g


def _run(lib, where, inner, pre, create_graph):
    """Outer ``loss.backward()``; ``where`` says who calls back into the engine, ``inner`` whether
    it is ``autograd.grad`` or ``backward``. Returns the leaves' grads and the inner results."""
    W = lib.tensor(W0, requires_grad=True)
    b = lib.tensor(B0, requires_grad=True)
    x = lib.tensor(X0, requires_grad=True)
    if pre:
        b.grad = lib.ones(3, dtype=lib.float64)
    state = {"calls": 0, "got": None}

    def reenter(*_):
        if state["calls"] >= 2:  # a leaf hook also fires for the inner pass: stop the recursion
            return
        state["calls"] += 1
        with lib.enable_grad():
            y = ((x[0] @ W + b).sigmoid() * b).sum()
            if inner == "grad":
                got = lib.autograd.grad(y, (b, W), create_graph=create_graph)
                state["got"] = [g.detach() for g in got]
            else:
                y.backward(create_graph=create_graph)
        return

    class Tanh(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            y = a.tanh()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            if where == "function":
                reenter()
            return g * (1 - y * y)

    h = lib.zeros(3, dtype=lib.float64)
    for t in range(4):
        a = h @ W + x[t] + b
        if where == "tensor_hook" and t == 2:
            a.register_hook(reenter)
        h = Tanh.apply(a)
    if where == "leaf_hook":
        b.register_hook(reenter)
    elif where == "post_accumulate_hook":
        b.register_post_accumulate_grad_hook(reenter)
    elif where == "node_prehook":
        h.grad_fn.register_prehook(reenter)
    loss = (h * b).sum() + b.sum()
    loss.backward()
    if create_graph and inner == "backward":  # break the grad <-> graph cycle PyTorch warns of
        grads = [to_numpy(t.grad.detach()) for t in (W, b, x)]
    else:
        grads = [to_numpy(t.grad) for t in (W, b, x)]
    return grads, [to_numpy(g) for g in state["got"] or []], state["calls"]


CASES = list(itertools.product(
    ["function", "tensor_hook", "leaf_hook", "post_accumulate_hook", "node_prehook"],
    ["grad", "backward"], [False, True], [False, True]))


@pytest.mark.parametrize("where,inner,pre,create_graph", CASES)
def test_reentrant_backward_keeps_each_pass_apart(where, inner, pre, create_graph):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # backward(create_graph=True)'s cycle note
        grads, got, calls = _run(ember, where, inner, pre, create_graph)
        if torch is not None:
            t_grads, t_got, t_calls = _run(torch, where, inner, pre, create_graph)
            assert calls == t_calls
            for e, t in zip(grads + got, t_grads + t_got):
                np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)
    assert calls >= 1
    # finite differences: the outer loss's gradient, plus (for an inner backward) the inner
    # loss's gradient once per inner call, plus b's starting .grad
    arrays = [W0, B0, X0]
    inner_times = calls if inner == "backward" else 0
    for k in range(3):
        want = _numeric(_loss_np, arrays, k) + inner_times * _numeric(_inner_np, arrays, k)
        if k == 1 and pre:
            want = want + 1
        np.testing.assert_allclose(grads[k], want, rtol=1e-6, atol=1e-7)
    if inner == "grad":  # autograd.grad returns the inner graph's gradients, touching no .grad
        np.testing.assert_allclose(got[0], _numeric(_inner_np, arrays, 1), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(got[1], _numeric(_inner_np, arrays, 0), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("inner_leaves", [False, True])
def test_cell_whose_backward_is_autograd_grad(inner_leaves):
    """A fused RNN cell whose backward rebuilds its graph and calls ``autograd.grad`` on it (on
    the real weight and bias leaves, or on detached copies), the bias shared by every step and
    also reached directly by the loss."""

    def run(lib):
        W = lib.tensor(W0, requires_grad=True)
        b = lib.tensor(B0, requires_grad=True)
        x = lib.tensor(X0, requires_grad=True)

        class Cell(lib.autograd.Function):
            @staticmethod
            def forward(ctx, h, xt, W_, b_):
                ctx.save_for_backward(h, xt, W_, b_)
                return (h @ W_ + xt + b_).tanh()

            @staticmethod
            def backward(ctx, g):
                h, xt, W_, b_ = ctx.saved_tensors
                with lib.enable_grad():
                    hd = h.detach().requires_grad_()
                    xd = xt.detach().requires_grad_()
                    if not inner_leaves:
                        W_ = W_.detach().requires_grad_()
                        b_ = b_.detach().requires_grad_()
                    out = (hd @ W_ + xd + b_).tanh()
                    return lib.autograd.grad(out, (hd, xd, W_, b_), g)

        h = lib.zeros(3, dtype=lib.float64)
        for t in range(4):
            h = Cell.apply(h, x[t], W, b) if t % 2 else (h @ W + x[t] + b).tanh()
        ((h * b).sum() + b.sum()).backward()
        return [to_numpy(t.grad) for t in (W, b, x)]

    got = run(ember)
    if torch is not None:
        for e, t in zip(got, run(torch)):
            np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)
    for k in range(3):
        np.testing.assert_allclose(got[k], _numeric(_loss_np, [W0, B0, X0], k), rtol=1e-6,
                                   atol=1e-7)


def test_reentrant_checkpoint_with_shared_bias():
    """``checkpoint(use_reentrant=True)`` runs ``backward`` inside a backward: every other step
    of an RNN loop checkpointed, the bias shared by all steps."""

    def run(lib, checkpoint):
        W = lib.tensor(W0, requires_grad=True)
        b = lib.tensor(B0, requires_grad=True)
        x = lib.tensor(X0, requires_grad=True)

        def cell(h, xt):
            return (h @ W + xt + b).tanh()

        h = lib.zeros(3, dtype=lib.float64)
        for t in range(4):
            h = checkpoint(cell, h, x[t], use_reentrant=True) if t % 2 else cell(h, x[t])
        ((h * b).sum() + b.sum()).backward()
        return [to_numpy(t.grad) for t in (W, b, x)]

    from ember.utils.checkpoint import checkpoint

    got = run(ember, checkpoint)
    if torch is not None:
        from torch.utils.checkpoint import checkpoint as t_checkpoint

        for e, t in zip(got, run(torch, t_checkpoint)):
            np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)
    for k in range(3):
        np.testing.assert_allclose(got[k], _numeric(_loss_np, [W0, B0, X0], k), rtol=1e-6,
                                   atol=1e-7)
