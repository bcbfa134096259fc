"""Graphs are freed by reference counting alone: an op that saves its own output keeps it
without owning its node (PyTorch's SavedVariable), so a forward pass without backward leaves
no reference cycle behind."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
from oracle import custom_function

import ember
import ember.nn.functional as F

_OPS = {
    "sigmoid": lambda t: t.sigmoid(), "tanh": lambda t: t.tanh(), "exp": lambda t: t.exp(),
    "exp2": lambda t: ember.exp2(t), "expm1": lambda t: t.expm1(), "relu": lambda t: t.relu(),
    "sqrt": lambda t: t.abs().sqrt(), "rsqrt": lambda t: (t.abs() + 1).rsqrt(),
    "reciprocal": lambda t: (t.abs() + 1).reciprocal(), "softmax": lambda t: t.softmax(1),
    "log_softmax": lambda t: t.log_softmax(1), "max": lambda t: t.max(1)[0],
    "amax": lambda t: t.amax(1), "min": lambda t: t.min(), "logsumexp": lambda t: t.logsumexp(1),
    "cumprod": lambda t: t.cumprod(1), "cumsum": lambda t: t.cumsum(1), "norm": lambda t: t.norm(),
    "pow": lambda t: t.pow(3), "rpow": lambda t: 2 ** t, "prod": lambda t: t.prod(1),
    "gelu": F.gelu, "silu": F.silu, "elu": F.elu, "selu": F.selu, "celu": F.celu,
    "softplus": F.softplus, "mish": F.mish, "hardtanh": F.hardtanh, "leaky_relu": F.leaky_relu,
    "logsigmoid": F.logsigmoid, "layer_norm": lambda t: F.layer_norm(t, (t.shape[-1],)),
    "normalize": lambda t: F.normalize(t, dim=1), "dropout": lambda t: F.dropout(t, 0.5),
    "linear": lambda t: F.linear(t, ember.ones(3, t.shape[1])),
    "cross_entropy": lambda t: F.cross_entropy(t, ember.zeros(t.shape[0], dtype=ember.long)),
    "mse": lambda t: F.mse_loss(t, ember.zeros_like(t)), "sort": lambda t: t.sort(1)[0],
    "topk": lambda t: t.topk(2, 1)[0], "std": lambda t: t.std(1), "var": lambda t: t.var(),
    "atan": lambda t: t.atan(), "asinh": lambda t: t.asinh(), "sinh": lambda t: t.sinh(),
    "erf": lambda t: t.erf(), "log1p": lambda t: t.abs().log1p(), "abs": lambda t: t.abs(),
}


@pytest.mark.parametrize("name", sorted(_OPS))
def test_forward_without_backward_is_freed_by_refcount(name):
    x = ember.randn(4, 5, requires_grad=True)
    gc.collect()
    gc.disable()
    try:
        y = _OPS[name](x)
        node = weakref.ref(y.grad_fn)
        out = weakref.ref(y)
        del y
        assert out() is None, f"{name}: the output outlived its last reference"
        assert node() is None, f"{name}: its node outlived the output"
    finally:
        gc.enable()


_SavesOutput = custom_function("_SavesOutput", lambda x: x.exp(), lambda y, g: g * y,
                               saves="output")


def test_custom_function_saving_its_output_is_freed_and_still_differentiates_twice():
    x = ember.tensor([0.5, -1.0], dtype=ember.float64, requires_grad=True)
    gc.disable()
    try:
        y = _SavesOutput.apply(x)
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None
    finally:
        gc.enable()
    y = _SavesOutput.apply(x)
    assert y.grad_fn.saved_tensors[0].grad_fn is y.grad_fn
    (g,) = ember.autograd.grad(y.sum(), x, create_graph=True)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, -1.0]))


def test_saved_output_modified_in_place_is_still_caught():
    x = ember.randn(3, requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_eval_loop_without_no_grad_does_not_grow():
    x = ember.randn(64, 256, requires_grad=True)
    w = ember.randn(256, 256, requires_grad=True)
    gc.collect()
    gc.disable()
    try:
        alive = []
        for _ in range(20):
            y = (x @ w).tanh().sigmoid().softmax(1)
            alive.append(weakref.ref(y.grad_fn))
            del y
        assert all(r() is None for r in alive)
    finally:
        gc.enable()
