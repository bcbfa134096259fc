"""Inverse hyperbolic functions at the edges of their domain, against PyTorch."""

import numpy as np
import pytest

from oracle import check, requires_torch, torch

import ember


def test_acosh_grad_left_of_the_domain():
    # acosh is nan for x < 1, but PyTorch's gradient 1/sqrt(x**2 - 1) is finite for x < -1
    x = np.array([-3.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 3.0])
    check(lambda lib, t: lib.acosh(t), x, grad=False)
    t = ember.tensor(x, requires_grad=True)
    ember.acosh(t).sum().backward()
    g = t.grad.numpy()
    assert np.isfinite(g[[0, 1, 6, 7]]).all()
    assert np.isinf(g[[2, 5]]).all() and np.isnan(g[[3, 4]]).all()


@requires_torch
@pytest.mark.parametrize("x", [[-3.0, -1.5, -1.0], [1.0, 1.5, 4.0]])
def test_acosh_grad_matches_torch(x):
    a = np.array(x, dtype=np.float32)
    te, tt = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ember.acosh(te).sum().backward()
    torch.acosh(tt).sum().backward()
    np.testing.assert_allclose(te.grad.numpy(), tt.grad.numpy(), rtol=1e-6)


def test_acosh_in_domain_value_grad_gradgrad():
    check(lambda lib, t: lib.acosh(t), np.array([1.2, 2.0, 5.0]))
    check(lambda lib, t: lib.acosh(t), np.array([-1.2, -2.0, -5.0]), gradgrad=False, grad=False)


def test_acosh_complex_grad_unchanged():
    z = np.array([-1.5 + 0.5j, 0.5 + 0.0j, 2.0 - 1.0j])
    te = ember.tensor(z, requires_grad=True)
    ember.acosh(te).abs().sum().backward()
    if torch is not None:
        tt = torch.tensor(z, requires_grad=True)
        torch.acosh(tt).abs().sum().backward()
        np.testing.assert_allclose(te.grad.numpy(), tt.grad.numpy(), rtol=1e-6)
    else:  # 1/(sqrt(z-1) sqrt(z+1)) branch, conjugated into the real-valued loss gradient
        assert np.all(np.isfinite(te.grad.numpy()))
