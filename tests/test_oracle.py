"""The test oracle itself (tests/oracle.py) and the lane without PyTorch (tests/conftest.py):
a wrong or disconnected gradient fails in both lanes, and hiding PyTorch reaches subprocesses."""

import os
import subprocess
import sys

import numpy as np
import pytest
from oracle import SKIPPED, check, torch

import ember
from ember.autograd.gradcheck import GradcheckError

HIDE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "without_torch")


class _WrongGrad(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x  # should be 2 * g * x


class _FirstOrderOnly(ember.autograd.Function):
    """Right first derivative, computed off the graph: the second derivative is lost."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2.0 * x.detach()


def _lib_fn(fn_ember, fn_torch):
    return lambda L, x: fn_ember(x) if L is ember else fn_torch(x)


def test_a_wrong_gradient_fails():
    with pytest.raises((AssertionError, GradcheckError)):
        check(_lib_fn(_WrongGrad.apply, lambda x: x * x), np.array([0.5, -1.5, 2.0]))


def test_a_disconnected_gradient_fails():
    # PyTorch (or finite differences) sees d(3x)/dx = 3; ember's None must not pass as "unused".
    # 20 elements: above NUMERIC_LIMIT, so with PyTorch only the comparison can catch it
    with pytest.raises((AssertionError, GradcheckError)):
        check(_lib_fn(lambda x: x.detach() * 3.0, lambda x: x * 3.0), np.linspace(-1.0, 1.0, 20))


def test_a_gradient_disconnected_at_second_order_fails():
    # the old oracle skipped the double-backward comparison when ember's gradients did not
    # require grad; now it compares them as constants and PyTorch's d2(x*x) = 2 differs
    with pytest.raises((AssertionError, GradcheckError)):
        check(_lib_fn(_FirstOrderOnly.apply, lambda x: x * x), np.linspace(-1.0, 1.0, 20))


def test_skipped_comparisons_are_counted():
    before = sum(SKIPPED.values())
    check(lambda L, x: x.sin(), np.array([0.5, 1.0]))
    assert sum(SKIPPED.values()) == before + (torch is None)


def test_the_torch_stand_in_refuses_import():
    env = dict(os.environ, PYTHONPATH=HIDE)
    r = subprocess.run([sys.executable, "-c", "import torch"], env=env, capture_output=True,
                       text=True)
    assert r.returncode != 0 and "ModuleNotFoundError" in r.stderr
    assert "EMBER_TESTS_WITHOUT_TORCH=1" in r.stderr


def test_hidden_lane_reaches_subprocesses():
    hidden = os.environ.get("EMBER_TESTS_WITHOUT_TORCH", "") not in ("", "0")
    assert (torch is None) if hidden else True
    if hidden:  # the subprocesses the tests start inherit PYTHONPATH with the stand-in first
        r = subprocess.run([sys.executable, "-c", "import torch"], capture_output=True,
                           text=True)
        assert r.returncode != 0 and "PyTorch is hidden" in r.stderr
        assert os.environ["PYTHONPATH"].split(os.pathsep)[0] == HIDE
