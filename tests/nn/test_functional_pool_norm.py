"""nn.functional.adaptive_max_pool3d (with indices) and local_response_norm against PyTorch:
values, indices, gradients and gradients of gradients (oracle.check), finite differences on
small inputs, PyTorch's errors and node names."""

from __future__ import annotations

import numpy as np
import pytest
from oracle import check, gfn, raises, same

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

rng = np.random.default_rng(3)
X5 = rng.standard_normal((2, 3, 4, 5, 6))


@pytest.mark.parametrize("size", [2, (2, None, 3), (4, 5, 6), (3, 2, 4), (1, 1, 1), (None, None, 2)])
def test_adaptive_max_pool3d_values_and_gradients(size):
    # (3, 2, 4) on (4, 5, 6): overlapping windows of unequal sizes
    check(lambda L, x: L.nn.functional.adaptive_max_pool3d(x, size), X5)
    check(lambda L, x: L.nn.functional.adaptive_max_pool3d(x, size, return_indices=True), X5,
          grad=False)
    check(lambda L, x: L.nn.functional.adaptive_max_pool3d_with_indices(x, size), X5)


def test_adaptive_max_pool3d_unbatched_and_empty_batch():
    check(lambda L, x: L.nn.functional.adaptive_max_pool3d(x, (2, 3, 2), True), X5[0],
          grad=False)
    check(lambda L, x: L.nn.functional.adaptive_max_pool3d(x, (2, 3, 2)), X5[0])
    same(lambda L: tuple(L.nn.functional.adaptive_max_pool3d(L.ones(0, 3, 3, 3, 3), 2).shape),
         (0, 3, 2, 2, 2))
    same(lambda L: tuple(L.nn.functional.adaptive_max_pool3d(L.ones(0, 3, 3, 3), 2).shape),
         (0, 2, 2, 2))


def test_adaptive_max_pool3d_finite_differences():
    a = ember.tensor(rng.standard_normal((1, 2, 3, 4, 5)), requires_grad=True)
    assert gradcheck(lambda t: F.adaptive_max_pool3d(t, (2, 3, 2)), a)
    assert gradgradcheck(lambda t: F.adaptive_max_pool3d(t, (2, 3, 2)), a)


def test_adaptive_max_pool3d_node_and_module():
    same(lambda L: gfn(L.nn.functional.adaptive_max_pool3d(
        L.ones(1, 1, 2, 2, 2, requires_grad=True), 1)), "AdaptiveMaxPool3DBackward0")
    same(lambda L: repr(L.nn.AdaptiveMaxPool3d((2, None, 1), return_indices=True)),
         "AdaptiveMaxPool3d(output_size=(2, None, 1))")
    check(lambda L, x: L.nn.AdaptiveMaxPool3d((2, 3, 1), return_indices=True)(x), X5,
          grad=False)
    check(lambda L, x: L.nn.AdaptiveMaxPool3d(3)(x), X5)


def test_adaptive_max_pool3d_errors():
    raises(lambda L: L.nn.functional.adaptive_max_pool3d(L.ones(4, 5, 6), 2), RuntimeError,
           "adaptive_max_pool3d(): Expected 4D or 5D tensor, but got: [4, 5, 6]")
    raises(lambda L: L.nn.functional.adaptive_max_pool3d(L.ones(1, 2, 3, 3, 3), (2, 3)),
           RuntimeError, "adaptive_max_pool3d(): internal error: output_size.size() must be 3")
    raises(lambda L: L.nn.functional.adaptive_max_pool3d(L.ones(2, 3, 0, 3, 3), 2),
           RuntimeError, "adaptive_max_pool3d(): Expected input to have non-zero size for "
           "non-batch dimensions, but input has sizes [2, 3, 0, 3, 3] with dimension 2 being "
           "empty")
    raises(lambda L: L.nn.functional.adaptive_max_pool3d(L.ones(1, 2, 3, 3, 3), -1),
           RuntimeError, "Trying to create tensor with negative dimension -1: [1, 2, -1, -1, -1]")
    # the same checks of the 1-d and 2-d forms
    raises(lambda L: L.nn.functional.adaptive_max_pool2d(L.ones(3), 2), RuntimeError,
           "adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: [3]")
    raises(lambda L: L.nn.functional.adaptive_max_pool1d(L.ones(3), 2), RuntimeError,
           "Expected 2 to 3 dimensions, but got 1-dimensional tensor for argument #1 'self' "
           "(while checking arguments for adaptive_max_pool1d)")
    raises(lambda L: L.nn.functional.adaptive_max_pool1d(L.ones(2, 0, 4), 2), RuntimeError,
           "adaptive_max_pool1d(): Expected input to have non-zero size for non-batch "
           "dimensions, but input has sizes [2, 0, 4] with dimension 1 being empty")


LRN_CASES = [
    ((2, 5, 4), {"size": 3}),
    ((2, 4, 5), {"size": 2, "alpha": 0.5, "beta": 0.6, "k": 2.0}),
    ((2, 5, 3, 2), {"size": 4, "alpha": 1.0, "beta": 0.75, "k": 1.5}),
    ((1, 6, 2, 3, 2), {"size": 5, "alpha": 2.0, "beta": 1.2, "k": 0.5}),
    ((3, 3, 2), {"size": 1, "alpha": 0.3}),
    ((1, 3, 2), {"size": 7, "alpha": 0.9, "beta": 0.5}),  # a window wider than the channels
]


@pytest.mark.parametrize("shape,kw", LRN_CASES)
def test_local_response_norm_values_and_gradients(shape, kw):
    x = rng.standard_normal(shape)
    check(lambda L, t: L.nn.functional.local_response_norm(t, **kw), x)
    check(lambda L, t: L.nn.LocalResponseNorm(**kw)(t), x)


def test_local_response_norm_finite_differences():
    a = ember.tensor(rng.standard_normal((2, 4, 3)), requires_grad=True)
    assert gradcheck(lambda t: F.local_response_norm(t, 3, alpha=0.8, beta=0.7, k=1.2), a)
    assert gradgradcheck(lambda t: F.local_response_norm(t, 3, alpha=0.8, beta=0.7, k=1.2), a)


def test_local_response_norm_edges():
    raises(lambda L: L.nn.functional.local_response_norm(L.ones(2, 3), 2), ValueError,
           "Expected 3D or higher dimensionality                          input (got 2 "
           "dimensions)")
    same(lambda L: tuple(L.nn.functional.local_response_norm(L.ones(0, 3, 2), 2).shape),
         (0, 3, 2))
    same(lambda L: repr(L.nn.LocalResponseNorm(2)),
         "LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)")
