"""Memory layout of results against PyTorch: ``stride()``, ``is_contiguous()`` and whether a
later ``.view(-1)`` works, for elementwise ops, reductions, scans, softmax, normalisation,
cat/stack and masked_fill on transposed and permuted inputs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import ember
from oracle import requires_torch, torch

pytestmark = requires_torch

SHAPES = [(3, 4), (2, 3, 4), (2, 3, 4, 5)]


def _layouts():
    for shape in SHAPES:
        for perm in itertools.permutations(range(len(shape))):
            yield shape, perm


def _input(lib, base, perm):
    return lib.tensor(base).permute(*perm)


def _layout(t):
    try:
        t.view(-1)
        viewable = True
    except RuntimeError:
        viewable = False
    return tuple(t.shape), tuple(t.stride()), t.is_contiguous(), viewable


def _compare(fn, shape, perm, second="same"):
    base = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    res = []
    for lib in (ember, torch):
        a = _input(lib, base, perm)
        b = a if second == "same" else a.contiguous()
        res.append(_layout(fn(lib, a, b)))
    assert res[0] == res[1], f"ember {res[0]} != torch {res[1]}"


DENSE = {  # PyTorch allocates these contiguous whatever the input's layout
    "sum0": lambda L, a, b: a.sum(0),
    "sum_last_keepdim": lambda L, a, b: a.sum(-1, keepdim=True),
    "mean1": lambda L, a, b: a.mean(1),
    "amax0": lambda L, a, b: a.amax(0),
    "max0": lambda L, a, b: a.max(0)[0],
    "argmax0": lambda L, a, b: a.argmax(0),
    "var0": lambda L, a, b: a.var(0),
    "std_keepdim": lambda L, a, b: a.std(1, keepdim=True),
    "prod0": lambda L, a, b: a.prod(0),
    "logsumexp0": lambda L, a, b: a.logsumexp(0),
    "norm0": lambda L, a, b: a.norm(dim=0),
    "softmax_last": lambda L, a, b: L.softmax(a, -1),
    "log_softmax0": lambda L, a, b: L.log_softmax(a, 0),
    "cumsum0": lambda L, a, b: a.cumsum(0),
    "cumprod_last": lambda L, a, b: a.cumprod(-1),
    "layer_norm": lambda L, a, b: L.nn.functional.layer_norm(a, a.shape[-1:]),
    "layer_norm_module": lambda L, a, b: L.nn.LayerNorm(a.shape[-1])(a),
    "masked_fill": lambda L, a, b: a.masked_fill(a > 0, 0.0),
    "tril": lambda L, a, b: a.tril(),
    "stack": lambda L, a, b: L.stack([a, b]),
    "stack1": lambda L, a, b: L.stack([a, b], 1),
    "cat0": lambda L, a, b: L.cat([a, b], 0),
    "cat_last": lambda L, a, b: L.cat([a, b], -1),
}


@pytest.mark.parametrize("name", list(DENSE))
@pytest.mark.parametrize("shape, perm", list(_layouts()), ids=str)
def test_results_pytorch_allocates_contiguous(name, shape, perm):
    _compare(DENSE[name], shape, perm)


ELEMENTWISE = {  # PyTorch's TensorIterator: the result follows the inputs' layout
    "neg": lambda L, a, b: -a,
    "exp": lambda L, a, b: a.exp(),
    "mul_scalar": lambda L, a, b: a * 2,
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / b,
    "mul_add": lambda L, a, b: a * b + a,
    "relu": lambda L, a, b: L.relu(a),
    "sigmoid": lambda L, a, b: a.sigmoid(),
    "clamp": lambda L, a, b: a.clamp(0, 1),
    "abs": lambda L, a, b: a.abs(),
}


BINARY = ("add", "sub", "mul", "div", "mul_add")


@pytest.mark.parametrize("name, second", [(n, "same") for n in ELEMENTWISE] +
                         [(n, "contiguous") for n in BINARY])
@pytest.mark.parametrize("shape, perm", list(_layouts()), ids=str)
def test_elementwise_results_follow_the_first_input(name, shape, perm, second):
    """A second operand laid out otherwise (contiguous) leaves the first one in charge."""
    _compare(ELEMENTWISE[name], shape, perm, second)


@pytest.mark.parametrize("op", ["cat", "stack_then_view"])
def test_channels_last_inputs(op):
    base = np.random.default_rng(1).standard_normal((2, 3, 4, 5)).astype(np.float32)
    res = []
    for lib in (ember, torch):
        a = lib.tensor(base).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)
        out = lib.cat([a, a], 0) if op == "cat" else lib.stack([a, a]).sum(0)
        res.append(_layout(out))
    assert res[0] == res[1]


def test_view_after_layer_norm_on_a_transposed_input():
    x = ember.randn(4, 5, 6).transpose(0, 1)
    y = ember.nn.LayerNorm(6)(x)
    assert y.view(-1).shape == (120,)
    assert (x.sum(0).view(-1).shape, ember.stack([x, x]).view(-1).shape) == ((24,), (240,))
