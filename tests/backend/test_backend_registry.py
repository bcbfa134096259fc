"""The backend registry: the NumPy fast path, unknown array types, devices and transfers."""

from __future__ import annotations

import numpy as np
import pytest

from ember import backend as B
from ember.backend import simulated_cupy as sim
from ember.backend.numpy_backend import NUMPY
from ember.backend.simulated_cuda import SIMULATED
from ember.device import device

B.register(SIMULATED)  # owns only simulated arrays: plain NumPy code paths are unaffected


def test_numpy_fast_path_and_host_data():
    a = np.ones(3)
    assert B.xp_of(a) is np and B.backend_of(a) is NUMPY and B.device_of(a) == device("cpu")
    assert B.xp_of(np.float32(1)) is np  # NumPy scalars are host data
    assert B.xp_of(None) is np and B.xp_of(3.0) is np  # Python data is built on the host
    assert B.xp_of(np.ma.masked_array([1.0])) is np  # ndarray subclasses live on the host
    assert B.xp_of_type(np.ndarray) is np


def test_unknown_array_type_raises():
    class Foreign:  # an array of some other library: it speaks the array protocol
        shape = (2,)

        def __array__(self, dtype=None, copy=None):
            return np.zeros(2)

    with pytest.raises(TypeError, match="no backend owns arrays of type"):
        B.xp_of(Foreign())
    with pytest.raises(TypeError, match="no backend owns arrays of type"):
        B.xp_of_type(Foreign)


def test_simulated_array_is_owned_by_its_backend():
    a = SIMULATED.from_host(np.arange(3.0), 1)
    assert B.backend_of(a) is SIMULATED and B.xp_of(a) is sim.cupy
    assert B.device_of(a) == device("cuda", 1)


def test_to_device_round_trip_and_no_copy_when_already_there():
    h = np.arange(4.0)
    with SIMULATED.device_guard(0):
        d0 = SIMULATED.from_host(h, 0)
        assert SIMULATED.to_device(d0, 0) is d0
        d1 = SIMULATED.to_device(d0, 1)
    assert B.device_of(d1) == device("cuda:1")
    back = SIMULATED.to_host(d1)
    assert type(back) is np.ndarray and np.array_equal(back, h)
    back[0] = 99  # a copy: the device array is untouched
    assert SIMULATED.to_host(d1)[0] == 0


def test_parse_and_backend_for_device():
    assert B.backend_for_device(None) is NUMPY and B.backend_for_device("cpu") is NUMPY
    assert B.xp_for_device(device("cpu")) is np
    with pytest.raises(RuntimeError, match="meta"):
        B.backend_for_device("meta")


@pytest.mark.parametrize("name", ["scatter_add", "scatter_max", "scatter_min", "scatter_mul"])
def test_scatter_matches_numpy_ufunc_at(name):
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 5, 40)
    vals = rng.standard_normal(40)
    ref = np.full(5, 0.5)
    {
        "scatter_add": np.add,
        "scatter_max": np.maximum,
        "scatter_min": np.minimum,
        "scatter_mul": np.multiply,
    }[name].at(ref, idx, vals)
    with SIMULATED.device_guard(0):
        out = SIMULATED.from_host(np.full(5, 0.5), 0)
        getattr(SIMULATED, name)(out, SIMULATED.from_host(idx, 0), SIMULATED.from_host(vals, 0))
    np.testing.assert_allclose(SIMULATED.to_host(out), ref, rtol=1e-12)


def test_scatter_mul_with_tuple_key_and_strided_target():
    ref = np.ones((3, 4))
    key = (np.array([0, 0, 2, 0]), np.array([1, 1, 3, 1]))
    np.multiply.at(ref.T.T, key, np.array([2.0, 3.0, 5.0, 7.0]))
    with SIMULATED.device_guard(0):
        base = SIMULATED.from_host(np.ones((4, 3)), 0)
        out = base.T  # not C-contiguous: the rounds work on a copy and write back
        SIMULATED.scatter_mul(
            out,
            tuple(SIMULATED.from_host(k, 0) for k in key),
            SIMULATED.from_host(np.array([2.0, 3.0, 5.0, 7.0]), 0),
        )
    np.testing.assert_array_equal(SIMULATED.to_host(out), ref)
    assert SIMULATED.to_host(base)[1, 0] == 42.0


def test_numpy_backend_differences():
    a = np.zeros(3)
    NUMPY.scatter_add(a, np.array([0, 0, 2]), 1.0)
    assert a.tolist() == [2.0, 0.0, 1.0]
    v = NUMPY.as_strided(np.arange(6.0), (2, 2), (16, 8))
    assert v.tolist() == [[0.0, 1.0], [2.0, 3.0]]
    assert NUMPY.LinAlgError is np.linalg.LinAlgError
    with NUMPY.errstate(all="raise"), pytest.raises(FloatingPointError):
        np.ones(1) / np.zeros(1)


def test_bfloat16_refused_on_cuda():
    with pytest.raises(TypeError, match="bfloat16 is not supported on cuda"):
        _ = SIMULATED.bfloat16


def test_generators_are_per_device_and_reproducible():
    g0, g0b, g1 = SIMULATED.generator(7, 0), SIMULATED.generator(7, 0), SIMULATED.generator(7, 1)
    a, b, c = g0.random(4), g0b.random(4), g1.random(4)
    assert B.device_of(a) == device("cuda:0") and B.device_of(c) == device("cuda:1")
    with SIMULATED.device_guard(0):
        assert bool((a == b).all())
    p = SIMULATED.permutation(g0, 6)
    with SIMULATED.device_guard(0):
        assert sorted(SIMULATED.to_host(p).tolist()) == list(range(6))


def test_memory_statistics_follow_live_arrays():
    SIMULATED.reset_peak_memory_stats(1)
    before = SIMULATED.memory_allocated(1)
    with SIMULATED.device_guard(1):
        a = SIMULATED.xp.zeros(1000, dtype=np.float64)
    assert SIMULATED.memory_allocated(1) == before + 8000
    assert SIMULATED.max_memory_allocated(1) >= before + 8000
    del a
    assert SIMULATED.memory_allocated(1) == before
    assert SIMULATED.max_memory_allocated(1) >= before + 8000


def test_events_time_and_streams_nest():
    s = SIMULATED.new_stream(0)
    e1, e2 = SIMULATED.new_event(True), SIMULATED.new_event(True)
    e1.record()
    with s:
        assert SIMULATED.current_stream(0) is s
        e2.record()
    assert SIMULATED.current_stream(0) is not s
    assert SIMULATED.elapsed_ms(e1, e2) >= 0.0
    with pytest.raises(RuntimeError, match="recorded"):
        SIMULATED.elapsed_ms(SIMULATED.new_event(True), e2)


def test_same_device_error_names_both_devices_accelerator_first():
    import ember

    cpu = ember.ones(2)
    cuda = ember.Tensor._make(SIMULATED.from_host(np.ones(2), 0))
    err = B.same_device_error((cpu, cuda))
    assert isinstance(err, RuntimeError)
    assert str(err) == (
        "Expected all tensors to be on the same device, but found at least two "
        "devices, cuda:0 and cpu!"
    )
    assert B.same_device_error((cuda, [cuda, 1.0])) is None
    assert B.same_device_error((cpu, cpu, 2)) is None
    with SIMULATED.device_guard(1):
        other = ember.Tensor._make(SIMULATED.from_host(np.ones(2), 1))
    assert "cuda:0 and cuda:1" in str(B.same_device_error(([cuda, other],)))


def test_lift_cpu_scalars_only_for_0d_cpu_tensors():
    import ember

    cuda = ember.Tensor._make(SIMULATED.from_host(np.ones(2), 0))
    assert B.lift_cpu_scalars((cuda, ember.ones(2))) is None  # a real mix: PyTorch's error
    assert B.lift_cpu_scalars((cuda, 3.0)) is None  # nothing to lift
    assert B.lift_cpu_scalars((ember.ones(()), ember.ones(2))) is None  # no cuda at all


def test_retry_on_device_guards_raises_or_reraises(monkeypatch):
    import ember

    monkeypatch.setattr(B, "_cuda", [SIMULATED])
    with SIMULATED.device_guard(1):
        t1 = ember.Tensor._make(SIMULATED.from_host(np.arange(3.0), 1))
    calls = []

    def run(args):
        calls.append(SIMULATED.current_device())
        return args[0]._data * 2  # needs cuda:1 current, as CuPy does

    with pytest.raises(ValueError, match="array device = 1 while current = 0") as info:
        run((t1,))
    out = B.retry_on_device(run, (t1,), info.value)
    assert calls[-1] == 1 and B.device_of(out) == device("cuda:1")
    with pytest.raises(RuntimeError, match="cuda:1 and cpu"):
        B.retry_on_device(run, (t1, ember.ones(2)), TypeError("Unsupported type"))
    original = TypeError("a genuine error")
    with pytest.raises(TypeError, match="a genuine error"):
        B.retry_on_device(run, (ember.ones(2),), original)


def test_scatter_add_rows_matches_add_at():
    """NumPy backend: whole rows at one 1-D index (embedding/index backward) are summed by
    distinct row; the result is numpy.add.at's, negative and out-of-range indices included."""
    import numpy as np
    import pytest

    from ember.backend import NUMPY

    rng = np.random.default_rng(0)
    for n, m, d in [(65, 768, 128), (7, 300, 20), (1000, 64, 64), (3, 20, 2)]:
        idx = rng.integers(0, n, m)
        vals = rng.standard_normal((m, d))  # float64 (add.at adds row by row into a)
        want = rng.standard_normal((n, d))
        got = want.copy()
        np.add.at(want, idx, vals)
        NUMPY.scatter_add(got, idx, vals)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
        got2 = want.copy()
        np.subtract.at(got2, idx, vals)  # back to the start, then again by a tuple key
        NUMPY.scatter_add(got2, (idx,), vals)  # (a one-index tuple, as index_add passes)
        np.testing.assert_allclose(got2, want, rtol=1e-12, atol=1e-12)
    neg = np.array([-1, 0, 2, -1] * 8)
    vals = np.ones((32, 128))
    a, b = np.zeros((3, 128)), np.zeros((3, 128))
    np.add.at(a, neg, vals)
    NUMPY.scatter_add(b, neg, vals)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(IndexError):
        NUMPY.scatter_add(np.zeros((3, 128)), np.array([0, 3] * 16), np.ones((32, 128)))
