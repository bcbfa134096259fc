"""Intra-op threads: the setting, the BLAS limit, and chunked kernels equal to one call."""

import numpy as np
import pytest

from ember.backend import threads


@pytest.fixture(autouse=True)
def restore():
    n = threads.get_num_threads()
    old = threads.MIN_ELEMENTS
    yield
    threads.MIN_ELEMENTS = old
    threads.set_num_threads(n)


def test_default_is_the_cores_available():
    import os

    threads._state["n"] = None
    assert threads.get_num_threads() == len(os.sched_getaffinity(0))


def test_set_and_errors():
    threads.set_num_threads(1)
    assert threads.get_num_threads() == 1
    with pytest.raises(RuntimeError, match="positive"):
        threads.set_num_threads(0)
    with pytest.raises(TypeError):
        threads.set_num_threads(1.5)


def test_blas_limit_follows_set_num_threads():
    # NumPy's BLAS found in the process and set through its own setter (no threadpoolctl)
    if threads.blas_threads() is None:
        pytest.skip("no BLAS library with a thread setter is loaded (not Linux/OpenBLAS/MKL)")
    try:
        threads.set_num_threads(1)
        assert threads.blas_threads() == 1
        threads.set_num_threads(2)
        assert threads.blas_threads() == 2
    finally:
        threads.set_num_threads(threads._cores())


@pytest.mark.parametrize("ufunc,n_in", [(np.tanh, 1), (np.exp, 1), (np.multiply, 2),
                                        (np.add, 2)])
def test_chunked_ufunc_equals_one_call(ufunc, n_in):
    threads.set_num_threads(3)
    threads.MIN_ELEMENTS = 1000  # force splitting on a small array
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((50, 97)).astype(np.float32) for _ in range(n_in)]
    want = ufunc(*xs)
    got = threads.parallel_ufunc(ufunc, *xs)
    assert got.dtype == want.dtype and np.array_equal(got, want)
    out = np.empty_like(want)
    assert threads.parallel_ufunc(ufunc, *xs, out=out) is out
    assert np.array_equal(out, want)
    assert threads.chunks_for(xs[0].size) == 3


def test_small_or_strided_inputs_run_as_one_call():
    threads.set_num_threads(2)
    a = np.arange(12.0).reshape(3, 4).T  # not C-contiguous
    assert np.array_equal(threads.parallel_ufunc(np.sqrt, a), np.sqrt(a))
    assert threads.chunks_for(10) == 1
    threads.set_num_threads(1)
    assert threads.chunks_for(10**9) == 1


def test_parallel_rows_softmax():
    threads.set_num_threads(2)
    threads.MIN_ELEMENTS = 100
    x = np.random.default_rng(1).standard_normal((64, 33))

    def softmax(a, out):
        e = np.exp(a - a.max(axis=1, keepdims=True))
        np.divide(e, e.sum(axis=1, keepdims=True), out=out)

    want = np.empty_like(x)
    softmax(x, want)
    got = threads.parallel_rows(softmax, x, np.empty_like(x))
    assert np.array_equal(got, want)


def test_batched_matmul_split_over_threads_equals_one_call(monkeypatch):
    """Stacks of small matrices are multiplied on the intra-op threads, whole matrices per
    thread: the same values as one NumPy call, forward and backward."""
    import ember

    rng = np.random.default_rng(5)
    a = rng.standard_normal((5, 3, 8, 4)).astype(np.float32)
    b = rng.standard_normal((5, 3, 4, 6)).astype(np.float32)
    g = rng.standard_normal((5, 3, 8, 6)).astype(np.float32)

    def run():
        x, y = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
        out = x @ y
        out.backward(ember.tensor(g))
        return out._data, x.grad._data, y.grad._data

    threads.set_num_threads(1)
    want = run()
    threads.set_num_threads(2)
    threads.MIN_ELEMENTS = 10
    calls = []
    real = threads._run
    monkeypatch.setattr(threads, "_run", lambda tasks: (calls.append(len(tasks)), real(tasks)))
    got = run()
    assert calls == [2, 2, 2]  # the product and both gradients
    assert all(np.array_equal(w, x) for w, x in zip(want, got))
    assert np.array_equal(want[0], a @ b)
