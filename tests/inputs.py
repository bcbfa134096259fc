"""Inputs shared by the op tests: hypothesis strategies for shapes (0-d and empty included) and
broadcastable shape pairs, and random float64 arrays."""

import numpy as np
from hypothesis import strategies as st

RNG = np.random.default_rng(7)


def shapes(min_dims=0, max_dims=3, min_side=0, max_side=3):
    return st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims).map(
        tuple)


@st.composite
def broadcastable_pair(draw):
    a = draw(shapes(min_side=1))
    b = list(a)
    for i in range(len(b)):
        if draw(st.booleans()):
            b[i] = 1
    b = tuple(b[draw(st.integers(0, len(b))):])
    if draw(st.booleans()):
        a, b = b, a
    return a, b


def randn(shape, seed=0, positive=False, low=None):
    """Standard normal values (``positive``: |x| + 0.5), reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if positive:
        x = np.abs(x) + 0.5
    return np.asarray(x)


def rand_between(shape, seed=0, low=-2.0, high=2.0):
    """Uniform values in [low, high), reproducible from ``seed``."""
    return np.asarray(np.random.default_rng(seed).uniform(low, high, shape))


def uniform(*shape, lo=-2.0, hi=2.0):
    """Uniform values in [lo, hi) from one stream shared by the tests that use it."""
    return RNG.uniform(lo, hi, shape)


def positive(*shape):
    return RNG.uniform(0.5, 2.0, shape)
