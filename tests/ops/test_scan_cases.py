"""logcumsumexp with inputs far apart, against PyTorch (value, gradient, gradient of gradient)."""

import numpy as np
import pytest

from oracle import check, requires_torch, torch

import ember


@pytest.mark.parametrize("vals", [[0.0, 100.0], [100.0, 0.0, -50.0], [-300.0, 0.0, 300.0, 1.0]])
def test_logcumsumexp_far_apart_float32(vals):
    a = np.array(vals, dtype=np.float32)
    t = ember.tensor(a, requires_grad=True)
    y = ember.logcumsumexp(t, 0)
    y.sum().backward()
    assert y.dtype == ember.float32 and t.grad.dtype == ember.float32
    # exact: each running value is the running max up to a negligible term
    np.testing.assert_allclose(y.detach().numpy(), np.maximum.accumulate(a), atol=1e-4)
    assert np.isfinite(t.grad.numpy()).all()
    if torch is not None:
        tt = torch.tensor(a, requires_grad=True)
        yt = torch.logcumsumexp(tt, 0)
        yt.sum().backward()
        np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-6)
        np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_logcumsumexp_value_grad_gradgrad():
    rng = np.random.default_rng(0)
    check(lambda lib, t: lib.logcumsumexp(t, 1), rng.standard_normal((3, 4)))
    check(lambda lib, t: lib.logcumsumexp(t, 0), np.array([0.0, 40.0, -20.0]))


@requires_torch
def test_logcumsumexp_float32_random_matches_torch():
    a = np.random.default_rng(1).standard_normal((6, 7)).astype(np.float32) * 30
    check(lambda lib, t: lib.logcumsumexp(t, 1), a, rtol=1e-5, atol=1e-6, gradgrad=False)
