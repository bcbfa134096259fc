"""The simulated CuPy behaves like CuPy at the borders that keep data on the device."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from ember.backend import simulated_cupy as sim

cp = sim.cupy


@pytest.fixture
def a():
    with sim.Device(0):
        yield cp.asarray(np.arange(6.0).reshape(2, 3))


def test_mixing_with_numpy_arrays_raises_cupys_errors(a):
    with pytest.raises(TypeError, match=r"Unsupported type <class 'numpy.ndarray'>"):
        a + np.ones(3)
    with pytest.raises(TypeError, match=r"Unsupported type <class 'numpy.ndarray'>"):
        np.ones(3) * a  # NumPy hands the op to the device array, which refuses
    with pytest.raises(TypeError, match=r"Unsupported type <class 'list'>"):
        cp.add(a, [1, 2, 3])
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array is not allowed"):
        np.asarray(a)
    with pytest.raises(TypeError, match="Unsupported type"):
        cp.concatenate([a, np.ones((1, 3))])


def test_only_cupys_names_exist(a):
    with pytest.raises(AttributeError, match="errstate"):
        _ = cp.errstate
    with pytest.raises(AttributeError, match="resize"):
        _ = a.resize
    with pytest.raises(AttributeError, match="normal"):
        _ = cp.random.default_rng(0).normal
    with pytest.raises(NotImplementedError, match="multiply"):
        cp.multiply.at(a, (0, 0), 2.0)
    cp.add.at(a, (cp.asarray([0, 0]), cp.asarray([1, 1])), 1.0)  # add has a scatter kernel
    assert float(a[0, 1]) == 3.0


def test_results_stay_on_the_device_as_0d_arrays(a):
    s = a.sum()
    assert type(s) is sim.SimulatedCudaArray and s.shape == () and float(s) == 15.0
    e = a[1, 2]
    assert type(e) is sim.SimulatedCudaArray and e.shape == ()
    e[...] = 50.0  # a 0-d view, as CuPy's: writes reach the array
    assert float(a[1, 2]) == 50.0
    assert type(np.exp(a)) is sim.SimulatedCudaArray  # NumPy functions dispatch to "CuPy"
    assert type(np.concatenate([a, a])) is sim.SimulatedCudaArray
    q, _ = np.linalg.qr(cp.eye(3) * 2)
    assert type(q) is sim.SimulatedCudaArray


def test_setitem_takes_host_arrays_only_for_whole_copies(a):
    a[...] = np.ones((2, 3))
    assert float(a.sum()) == 6.0
    with pytest.raises(ValueError, match="non-scalar numpy.ndarray cannot be used for fill"):
        a[0] = np.zeros(3)
    a[0] = cp.zeros(3)
    a[1, 1] = 7.0
    assert a.get().tolist() == [[0.0, 0.0, 0.0], [1.0, 7.0, 1.0]]


def test_device_rules():
    with sim.Device(1):
        b = cp.ones(2)
    assert b.device.id == 1 and b.device == sim.Device(1)
    with pytest.raises(ValueError, match="array device = 1 while current = 0"):
        b * 2
    with pytest.raises(ValueError, match="array device = 1 while current = 0"):
        b[0]
    with sim.Device(1):
        c = b * 2
        assert c.device.id == 1
        with sim.Device(0):
            d = cp.asarray(c)  # an explicit copy onto the current device
    assert d.device.id == 0 and d.get().tolist() == [2.0, 2.0]
    with pytest.raises(ValueError, match="Invalid device ID"):
        sim.Device(2)


def test_operators_defer_to_higher_priority_objects(a):
    class T:
        __array_priority__ = 1000

        def __radd__(self, other):
            return "T.__radd__"

    assert a + T() == "T.__radd__"


def test_views_share_memory_and_inplace_ops(a):
    v = a[:, 1]
    v += 10
    assert float(a[0, 1]) == 11.0 and v.base is not None
    t = a.T
    assert t.shape == (3, 2) and type(t) is sim.SimulatedCudaArray
    a *= 0
    assert float(a.sum()) == 0.0


def test_pickle_and_copy_keep_the_device():
    with sim.Device(1):
        b = cp.arange(3)
        c = pickle.loads(pickle.dumps(b))
        d = copy.deepcopy(b)
        assert c.device.id == 1 and d.device.id == 1
        assert (c == b).all() and (d == b).all()


def test_unsupported_dtypes():
    with pytest.raises(ValueError, match="Unsupported dtype"):
        cp.asarray(np.array(["x"]))


def test_asnumpy_and_dlpack(a):
    h = cp.asnumpy(a)
    assert type(h) is np.ndarray and h.tolist() == a.get().tolist()
    assert np.from_dlpack(a).tolist() == h.tolist()  # host memory, honestly reported
    assert cp.from_dlpack(np.arange(2.0)).device.id == 0
