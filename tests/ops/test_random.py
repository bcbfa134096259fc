"""Large uniform draws (dropout masks) come from fixed blocks of their own streams, filled on
the intra-op threads: the same numbers for a seed at any thread count, uniform on [0, 1)."""

import numpy as np
import pytest

import ember
from ember.backend import threads
from ember.ops import random as R


@pytest.fixture(autouse=True)
def restore_threads():
    n = threads.get_num_threads()
    yield
    threads.set_num_threads(n)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_large_draws_do_not_depend_on_the_thread_count(dtype):
    shape = (3, R.SPLIT_DRAWS + 1000)  # several blocks, the last one ragged
    draws = []
    for n in (1, 2, 3):
        threads.set_num_threads(n)
        ember.manual_seed(7)
        draws.append(R.uniform(R.default_generator._rng, shape, dtype))
    assert all(np.array_equal(draws[0], d) for d in draws[1:])
    u = draws[0]
    assert u.dtype == np.dtype(dtype) and u.shape == shape
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.002 and abs(u.var() - 1 / 12) < 0.002
    # blocks are different streams, not copies of one
    b = R.SPLIT_DRAWS
    assert not np.array_equal(u.reshape(-1)[:1000], u.reshape(-1)[b:b + 1000])
    # the parent stream moved on: the next draw differs
    assert not np.array_equal(u, R.uniform(R.default_generator._rng, shape, dtype))


def test_large_dropout_mask_is_seeded_and_has_the_rate():
    x = ember.ones(4, R.SPLIT_DRAWS // 2)
    threads.set_num_threads(2)
    ember.manual_seed(3)
    a = ember.nn.functional.dropout(x, 0.25)
    threads.set_num_threads(1)
    ember.manual_seed(3)
    b = ember.nn.functional.dropout(x, 0.25)
    assert np.array_equal(a.numpy(), b.numpy())
    kept = (a.numpy() != 0).mean()
    assert abs(kept - 0.75) < 0.002
    assert np.allclose(a.numpy()[a.numpy() != 0], 1 / 0.75)


def test_small_draws_are_one_stream():
    ember.manual_seed(5)
    u = R.uniform(R.default_generator._rng, (10, 10), "float64")
    ember.manual_seed(5)
    assert np.array_equal(u, R.default_generator._rng.random((10, 10)))
