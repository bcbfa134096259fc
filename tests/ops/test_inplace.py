"""In-place function forms (src/ember/ops/inplace.py): values and graphs as in PyTorch."""

import numpy as np
from inputs import positive, uniform
from oracle import check, same_values, to_numpy, torch

import ember


def test_inplace_function_forms():
    for name in ("abs_", "exp_", "sigmoid_", "tanh_", "sqrt_", "relu_", "neg_", "floor_",
                 "sinc_", "deg2rad_"):
        a = positive(4)
        e, t = ember.tensor(a), torch.tensor(a) if torch else None
        r = getattr(ember, name)(e)
        assert r is e
        if torch is not None:
            getattr(torch, name)(t)
            np.testing.assert_allclose(to_numpy(e), to_numpy(t), rtol=1e-6)
    same_values(lambda L: L.clamp_(L.tensor([-1.0, 3.0]), 0, 1))
    same_values(lambda L: L.xlogy_(L.tensor([0.0, 2.0]), L.tensor([0.0, 3.0])))
    same_values(lambda L: L.zero_(L.ones(2)))
    same_values(lambda L: L.fill_(L.ones(2), 3))
    same_values(lambda L: L.fill(L.ones(2), 3))


def test_inplace_methods_keep_the_graph():
    # composite in-place ops: gradients flow to the old value as if out of place
    check(lambda L, a, b: a.clone().deg2rad_() * b, uniform(3), uniform(3))
    check(lambda L, a, b, c: a.clone().addmm_(b, c), uniform(2, 2), uniform(2, 3), uniform(3, 2))
    check(lambda L, a, b: a.clone().copysign_(b), uniform(3), uniform(3))
    check(lambda L, a, b: a.clone().xlogy_(b), positive(3), positive(3))
    check(lambda L, a: a.clone().renorm_(2, 0, 0.5), uniform(2, 3))
    check(lambda L, a: a.clone().fill_diagonal_(2.0), uniform(3, 3))
    check(lambda L, a, b: a.clone().divide_(b, rounding_mode=None), uniform(3), positive(3))
