"""The test oracle itself (tests/oracle.py) and the lane without PyTorch (tests/conftest.py):
a wrong or disconnected gradient fails in both lanes, and hiding PyTorch reaches subprocesses."""

import os
import subprocess
import sys

import numpy as np
import pytest
from oracle import SKIPPED, check, custom_function, torch

import ember
from ember.autograd.gradcheck import GradcheckError

HIDE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "without_torch")


def _square(backward):
    """x * x as a custom Function whose backward returns ``backward(x, g)``."""
    return custom_function("Square", lambda x: x * x, backward, saves="inputs").apply


def _lib_fn(fn_ember, fn_torch):
    return lambda L, x: fn_ember(x) if L is ember else fn_torch(x)


# a wrong gradient: 2 * g * x is right
WRONG_GRAD = _lib_fn(_square(lambda x, g: g * x), lambda x: x * x)
# PyTorch (or finite differences) sees d(3x)/dx = 3; ember's None must not pass as "unused".
DISCONNECTED = _lib_fn(lambda x: x.detach() * 3.0, lambda x: x * 3.0)
# the right first derivative, computed off the graph: the second derivative is lost. The old
# oracle skipped the double-backward comparison when ember's gradients did not require grad;
# now it compares them as constants and PyTorch's d2(x*x) = 2 differs
FIRST_ORDER_ONLY = _lib_fn(_square(lambda x, g: g * 2.0 * x.detach()), lambda x: x * x)


# 20 elements: above NUMERIC_LIMIT, so with PyTorch only the comparison can catch it
@pytest.mark.parametrize("fn, x", [
    pytest.param(WRONG_GRAD, np.array([0.5, -1.5, 2.0]), id="wrong_gradient"),
    pytest.param(DISCONNECTED, np.linspace(-1.0, 1.0, 20), id="disconnected_gradient"),
    pytest.param(FIRST_ORDER_ONLY, np.linspace(-1.0, 1.0, 20), id="disconnected_at_second_order"),
])
def test_a_bad_gradient_fails(fn, x):
    with pytest.raises((AssertionError, GradcheckError)):
        check(fn, x)


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
