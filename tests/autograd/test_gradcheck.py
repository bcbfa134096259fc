"""ember.autograd.gradcheck / gradgradcheck: pass on right gradients, catch wrong ones."""

import pytest
from inputs import randn
from oracle import custom_function

import ember


def test_gradcheck_and_gradgradcheck_on_core_ops():
    x = ember.tensor(randn((3,), 1), requires_grad=True)
    y = ember.tensor(randn((3,), 2), requires_grad=True)
    f = lambda a, b: (a * b).tanh().sum() + (a.exp() / (1 + b * b)).mean()  # noqa: E731
    assert ember.autograd.gradcheck(f, (x, y))
    assert ember.autograd.gradgradcheck(f, (x, y))


def test_gradcheck_catches_a_wrong_gradient():
    Bad = custom_function("Bad", lambda x: x * 2, lambda g: g * 3)  # d(2x)/dx is 2, not 3

    x = ember.tensor(randn((3,), 1), requires_grad=True)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        ember.autograd.gradcheck(Bad.apply, (x,))
    assert ember.autograd.gradcheck(Bad.apply, (x,), raise_exception=False) is False
