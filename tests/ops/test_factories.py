"""Tensor creation: factories (values, dtypes, shapes, keywords), memory sharing, random
sampling (distributions, generators, RNG state), tril/triu (differentiable), meshgrid and the
in-place samplers, against PyTorch where values are deterministic."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inputs import positive, uniform
from oracle import T, check, check_error, raises, requires_torch, same, same_values, to_numpy, torch

import ember

SET = settings(max_examples=15, deadline=None)

DETERMINISTIC = {
    "tensor_nested": lambda L: L.tensor([[1, 2], [3, 4]]),
    "tensor_mixed": lambda L: L.tensor([1, 2.5, True]),
    "tensor_dtype": lambda L: L.tensor([1, 2], dtype=L.float64),
    "tensor_complex": lambda L: L.tensor([1, 2j]),
    "tensor_scalar": lambda L: L.tensor(3),
    "tensor_empty": lambda L: L.tensor([[], []]),
    "zeros": lambda L: L.zeros(2, 3),
    "zeros_tuple": lambda L: L.zeros((2, 3), dtype=L.int32),
    "zeros_empty": lambda L: L.zeros(0),
    "ones": lambda L: L.ones([2], dtype=L.bool),
    "ones_0d": lambda L: L.ones(()),
    "full": lambda L: L.full((2, 2), 7),
    "full_float": lambda L: L.full((2,), 1.5, dtype=L.float64),
    "full_bool": lambda L: L.full((3,), False),
    "arange": lambda L: L.arange(5),
    "arange_float": lambda L: L.arange(0, 1, 0.1),
    "arange_neg": lambda L: L.arange(5, -3, -2.5),
    "arange_dtype": lambda L: L.arange(1, 4, dtype=L.float64),
    "arange_empty": lambda L: L.arange(3, 3),
    "linspace": lambda L: L.linspace(0, 1, 7),
    "linspace_neg": lambda L: L.linspace(-3.3, 10.1, 11),
    "linspace_one": lambda L: L.linspace(2, 5, 1),
    "linspace_zero": lambda L: L.linspace(2, 5, 0),
    "linspace_f64": lambda L: L.linspace(0, 1, 9, dtype=L.float64),
    "linspace_int": lambda L: L.linspace(0, 10, 4, dtype=L.int64),
    "logspace": lambda L: L.logspace(0, 2, 5),
    "logspace_base2": lambda L: L.logspace(-1, 3, 6, base=2.0),
    "eye": lambda L: L.eye(3),
    "eye_rect": lambda L: L.eye(2, 4, dtype=L.int64),
    "zeros_like": lambda L: L.zeros_like(L.ones(2, 3, dtype=L.int8)),
    "ones_like": lambda L: L.ones_like(L.ones(2), dtype=L.float64),
    "full_like": lambda L: L.full_like(L.ones(2, dtype=L.int64), 2.7),
    "empty_like_shape": lambda L: L.empty_like(L.ones(2, 5)).shape,
    "empty_shape": lambda L: L.empty(3, 1, dtype=L.int16).dtype,
    "tril": lambda L: L.tril(L.arange(1.0, 13.0).reshape(3, 4)),
    "tril_k": lambda L: L.arange(1, 13).reshape(3, 4).tril(-1),
    "triu_k": lambda L: L.triu(L.arange(1.0, 25.0).reshape(2, 3, 4), 1),
    "tril_indices": lambda L: L.tril_indices(3, 4, 1),
    "triu_indices": lambda L: L.triu_indices(4, 3, -1),
    "meshgrid_ij": lambda L: L.meshgrid(L.arange(2), L.arange(3), indexing="ij"),
    "meshgrid_xy": lambda L: L.meshgrid(L.arange(2), L.arange(3), L.arange(4), indexing="xy"),
    "as_tensor": lambda L: L.as_tensor([1, 2], dtype=L.float32),
    "scalar_tensor": lambda L: L.scalar_tensor(3),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_deterministic_factories(name):
    e, t = DETERMINISTIC[name](ember), DETERMINISTIC[name](torch)
    es = e if isinstance(e, tuple) and not isinstance(e, ember.Size) else (e,)
    ts = t if isinstance(t, tuple) and not isinstance(t, torch.Size) else (t,)
    for a, b in zip(es, ts):
        if isinstance(b, torch.Tensor):
            assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape), name
            np.testing.assert_array_equal(to_numpy(a), to_numpy(b), err_msg=name)  # bit-exact
            assert repr(a) == repr(b)
        else:
            assert repr(a) == repr(b), name


def test_factories_without_torch():
    assert ember.linspace(0, 1, 7).tolist()[4] == np.float32(1 - 2 * np.float32(1 / 6))
    assert ember.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert ember.eye(2, 3).tolist() == [[1, 0, 0], [0, 1, 0]]
    assert ember.full((2,), 3).dtype is ember.int64
    assert ember.tensor([[1.0, 2.0]]).dtype is ember.float32
    x = ember.zeros(2, 3, requires_grad=True)
    assert x.requires_grad and x.is_leaf
    assert ember.ones(2, dtype=ember.float64, device="cpu").device.type == "cpu"


@SET
@given(shape=st.lists(st.integers(0, 3), max_size=3).map(tuple))
def test_shapes_of_factories(shape):
    for f in (ember.zeros, ember.ones, ember.empty, ember.rand, ember.randn):
        t = f(shape)
        assert t.shape == shape and t.dtype is ember.float32
        assert f(*shape).shape == shape
    assert ember.randint(0, 5, shape).shape == shape
    assert ember.full(shape, 2.0).shape == shape
    assert ember.rand_like(ember.zeros(shape, dtype=ember.float64)).dtype is ember.float64


def test_creation_errors():
    check_error(lambda L: L.tensor([[1, 2], [3]]), lambda L: L.tensor([[1, 2], [3]]), ValueError,
                "expected sequence of length 2 at dim 1 (got 1)")
    check_error(lambda L: L.zeros(-1), lambda L: L.zeros(-1), RuntimeError, "negative")
    check_error(lambda L: L.eye(-1), lambda L: L.eye(-1), RuntimeError,
                "n must be greater or equal to 0, got -1")
    check_error(lambda L: L.arange(0, 5, 0), lambda L: L.arange(0, 5, 0), RuntimeError,
                "step must be nonzero")
    check_error(lambda L: L.zeros(2, dtype=L.int64, requires_grad=True),
                lambda L: L.zeros(2, dtype=L.int64, requires_grad=True), RuntimeError,
                "floating point")
    check_error(lambda L: L.randn(2, dtype=L.int64), lambda L: L.randn(2, dtype=L.int64),
                RuntimeError, "not implemented for 'Long'")
    check_error(lambda L: L.tril(L.ones(3)), lambda L: L.tril(L.ones(3)), RuntimeError,
                "tril: input tensor must have at least 2 dimensions")
    check_error(lambda L: L.multinomial(L.tensor([1.0, 0.0]), 3),
                lambda L: L.multinomial(L.tensor([1.0, 0.0]), 3), RuntimeError,
                "cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    check_error(lambda L: L.meshgrid(L.ones(2), L.ones(2), indexing="yx"),
                lambda L: L.meshgrid(L.ones(2), L.ones(2), indexing="yx"), RuntimeError,
                "indexing must be one of")


def test_memory_sharing():
    a = np.arange(4.0)
    t = ember.from_numpy(a)
    a[0] = 9.0
    assert t[0].item() == 9.0
    t.add_(1)
    assert a[0] == 10.0
    u = ember.as_tensor(a)
    a[1] = -5.0
    assert u[1].item() == -5.0
    v = ember.tensor(a)
    a[2] = 100.0
    assert v[2].item() != 100.0
    assert ember.as_tensor(t) is t
    with pytest.raises(TypeError, match="expected np.ndarray"):
        ember.from_numpy([1, 2])


def test_tril_triu_gradients():
    x = np.random.default_rng(0).standard_normal((3, 4))
    check(lambda L, x: L.tril(x, 1) * 2, x)
    check(lambda L, x: L.triu(x, -1).sum(0), x)
    check(lambda L, x: (x * 1).tril_() + (x * 1).triu_(2), x)
    y = ember.tensor(x, requires_grad=True)
    assert type(ember.tril(y).grad_fn).__name__ == "TrilBackward0"


def test_meshgrid_gradient_and_warning():
    check(lambda L, a, b: [g * 1 for g in L.meshgrid(a, b, indexing="xy")][0] *
          L.meshgrid(a, b, indexing="xy")[1], np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0]))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ember.meshgrid(ember.arange(2), ember.arange(2))
    assert "indexing argument" in str(w[0].message)


def test_generators_and_rng_state():
    ember.manual_seed(123)
    a = ember.rand(5)
    ember.manual_seed(123)
    assert ember.equal(a, ember.rand(5))
    state = ember.get_rng_state()
    assert state.dtype is ember.uint8
    b = ember.randn(4)
    ember.set_rng_state(state)
    assert ember.equal(b, ember.randn(4))
    g1, g2 = ember.Generator().manual_seed(7), ember.Generator().manual_seed(7)
    assert g1.initial_seed() == 7
    for f in [lambda g: ember.rand(3, generator=g), lambda g: ember.randn(3, generator=g),
              lambda g: ember.randint(0, 10, (3,), generator=g),
              lambda g: ember.randperm(6, generator=g),
              lambda g: ember.normal(0.0, 1.0, (3,), generator=g),
              lambda g: ember.bernoulli(ember.full((5,), 0.5), generator=g),
              lambda g: ember.multinomial(ember.ones(5), 3, generator=g),
              lambda g: ember.empty(4).uniform_(generator=g)]:
        assert ember.equal(f(g1), f(g2))
    s = g1.get_state()
    x = ember.rand(3, generator=g1)
    g1.set_state(s)
    assert ember.equal(x, ember.rand(3, generator=g1))


def test_distributions():
    ember.manual_seed(0)
    n = 20000
    u = ember.rand(n)
    assert 0 <= u.min().item() and u.max().item() < 1 and abs(u.mean().item() - 0.5) < 0.02
    z = ember.randn(n, dtype=ember.float64)
    assert z.dtype is ember.float64 and abs(z.std().item() - 1) < 0.03
    r = ember.randint(3, 7, (n,))
    assert r.dtype is ember.int64 and r.min().item() == 3 and r.max().item() == 6
    assert ember.randint(5, (2,), dtype=ember.int8).dtype is ember.int8
    p = ember.randperm(10)
    assert sorted(p.tolist()) == list(range(10)) and p.dtype is ember.int64
    b = ember.bernoulli(ember.full((n,), 0.3))
    assert b.dtype is ember.float32 and abs(b.mean().item() - 0.3) < 0.02
    m = ember.multinomial(ember.tensor([[0.0, 1.0, 3.0], [1.0, 0.0, 0.0]]), 4, replacement=True)
    assert m.shape == (2, 4) and (m[1] == 0).all() and not (m[0] == 0).any()
    w = ember.multinomial(ember.tensor([1.0, 2.0, 3.0, 4.0]), 4)
    assert sorted(w.tolist()) == [0, 1, 2, 3]
    counts = ember.bincount(ember.multinomial(ember.tensor([1.0, 3.0]), n, True), minlength=2)
    assert abs(counts[1].item() / n - 0.75) < 0.02


def test_normal_overloads():
    ember.manual_seed(1)
    mean = ember.arange(4.0)
    std = ember.tensor([0.0, 0.0, 0.0, 0.0])
    assert ember.normal(mean, std).tolist() == [0.0, 1.0, 2.0, 3.0]
    assert ember.normal(mean, 0.0).tolist() == [0.0, 1.0, 2.0, 3.0]
    assert ember.normal(2.0, std).tolist() == [2.0] * 4
    t = ember.normal(5.0, 2.0, (3000,))
    assert t.shape == (3000,) and abs(t.mean().item() - 5) < 0.2 and abs(t.std().item() - 2) < 0.2
    assert ember.normal(mean.double(), 1.0).dtype is ember.float64
    assert ember.normal(ember.zeros(2, 1), ember.ones(3)).shape == (2, 3)
    check_error(lambda L: L.normal(L.zeros(2), L.ones(3)), lambda L: L.normal(L.zeros(2),
                                                                               L.ones(3)),
                RuntimeError, "must match the size")
    check_error(lambda L: L.normal(0.0, -1.0, (2,)), lambda L: L.normal(0.0, -1.0, (2,)),
                RuntimeError, "normal expects std >= 0.0")


def test_inplace_samplers():
    ember.manual_seed(3)
    x = ember.empty(5000)
    assert x.uniform_(-2, 3) is x and -2 <= x.min().item() and x.max().item() < 3
    x.normal_(1.0, 0.5)
    assert abs(x.mean().item() - 1) < 0.05
    x.exponential_(2.0)
    assert x.min().item() >= 0 and abs(x.mean().item() - 0.5) < 0.05
    x.bernoulli_(0.25)
    assert set(np.unique(to_numpy(x)).tolist()) <= {0.0, 1.0}
    x.random_(3)
    assert set(np.unique(to_numpy(x)).tolist()) == {0.0, 1.0, 2.0}
    x.random_(5, 7)
    assert set(np.unique(to_numpy(x)).tolist()) == {5.0, 6.0}
    i = ember.zeros(100, dtype=ember.int8).random_()
    assert i.dtype is ember.int8 and i.min().item() >= 0
    v = x._version
    x.uniform_()
    assert x._version == v + 1
    w = ember.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.normal_()
    with ember.no_grad():
        w.normal_()
    check_error(lambda L: L.zeros(2, dtype=L.int64).normal_(),
                lambda L: L.zeros(2, dtype=L.int64).normal_(), RuntimeError,
                "not implemented for 'Long'")


# ---- programs run on ember and PyTorch; `same(fn, expected)` also states PyTorch's answer
def test_tensor_from_list_of_numpy_float64_scalars():
    same(lambda t: t.tensor([np.float64(2.0), np.float64(3.0)]), T([2.0, 3.0], "float64"))


def test_tensor_from_list_of_ndarrays():
    same(
        lambda t: t.tensor([np.array([1.0, 2.0]), np.array([3.0, 4.0])]),
        T([[1.0, 2.0], [3.0, 4.0]], "float64"),
    )


def test_tensor_of_none_is_runtime_error():
    raises(lambda t: t.tensor(None), RuntimeError, "Could not infer dtype of NoneType")


def test_full_with_numpy_scalar_is_default_dtype():
    same(lambda t: t.full((2,), np.float64(2.0)), T([2.0, 2.0]))


# ---- less common functions of the API, compared with PyTorch
def test_window_functions():
    for name in ("hann_window", "hamming_window", "blackman_window", "bartlett_window",
                 "kaiser_window"):
        for n in (0, 1, 5, 8):
            for periodic in (True, False):
                same_values(lambda L: getattr(L, name)(n, periodic), atol=1e-6, rtol=1e-5)
        same_values(lambda L: getattr(L, name)(7, dtype=L.float64), atol=1e-12)
    same_values(lambda L: L.kaiser_window(6, True, 5.0, dtype=L.float64))
    same_values(lambda L: L.hamming_window(6, True, 0.5, 0.5, dtype=L.float64))
    check_error(lambda L: L.hann_window(4, dtype=L.int64),
                lambda L: L.hann_window(4, dtype=L.int64), RuntimeError,
                "expects floating point dtypes")


def test_asarray_shares_numpy_memory():
    a = np.array([1.0, 2.0])
    t = ember.asarray(a)
    t[0] = 5
    assert a[0] == 5 and t.dtype == ember.float64
    same_values(lambda L: L.asarray([1, 2]))
    same_values(lambda L: L.asarray([1.0, 2.0]))
    same_values(lambda L: L.asarray(3.0))
    same_values(lambda L: L.asarray(np.array([1, 2], dtype=np.int32), dtype=L.float64))
    x = ember.tensor([1.0])
    assert ember.asarray(x) is x and ember.asarray(x, copy=True) is not x


def test_from_dlpack_shares_memory():
    a = np.arange(4.0)
    t = ember.from_dlpack(a)
    assert t.dtype == ember.float64 and t.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert t.data_ptr() == a.__array_interface__["data"][0]
    if torch is not None:
        u = torch.arange(3, dtype=torch.int32)
        assert ember.from_dlpack(u).tolist() == [0, 1, 2]
        assert ember.from_dlpack(u).dtype == ember.int32


def test_frombuffer_and_empty_strided():
    buf = bytearray(np.arange(6, dtype=np.float32).tobytes())
    same_values(lambda L: L.frombuffer(bytearray(buf), dtype=L.float32, count=3, offset=4))
    t = ember.frombuffer(buf, dtype=ember.float32)
    t[0] = 7
    assert np.frombuffer(buf, dtype=np.float32)[0] == 7  # a view of the buffer
    e = ember.empty_strided((2, 3), (1, 2))
    assert e.shape == (2, 3) and e.stride() == (1, 2)
    assert ember.empty_permuted((2, 3, 4), (0, 2, 1)).shape == (2, 3, 4)


def test_range_binomial_complex():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_values(lambda L: L.range(0, 1, 0.25))
        same_values(lambda L: L.range(1, 4, dtype=L.int64))
    ember.manual_seed(0)
    draws = ember.binomial(ember.full((1000,), 10.0), ember.full((1000,), 0.3))
    assert draws.dtype == ember.float32 and abs(float(draws.mean()) - 3.0) < 0.3
    check(lambda L, a, b: L.complex(a, b).abs(), uniform(3), uniform(3))
    check(lambda L, a, b: L.view_as_real(L.polar(a, b)), positive(3), uniform(3), gradgrad=False)
    check(lambda L, a: L.view_as_complex(a).abs(), uniform(3, 2), gradgrad=False)


@requires_torch
@pytest.mark.parametrize("args,dtype", [
    ((0.5, 5.5, 1.5), "int64"), ((0.5, 5.5, 1.5), "int32"), ((-3.7, 4.2, 1.9), "int64"),
    ((-3.7, 4.2, 1.9), "int16"), ((-3.7, 4.2, 1.9), "uint8"), ((0.0, 300.0, 1.5), "int8"),
    ((0.0, 5.0, 0.5), "int32"), ((5.0, 0.0, -0.5), "int32"), ((0, 5.5), "int64"),
    ((0.9, 0.5, -1), "int64"), ((2**40 + 0.5, 2**40 + 10.0, 2.5), "int64"),
])
def test_arange_integer_dtype_from_float_bounds(args, dtype):
    # bounds and step truncate toward zero; the length comes from the truncated values for
    # int64 and from the float ones for the other integer dtypes (a step of 0 repeats start)
    def fn(L):
        return L.arange(*args, dtype=getattr(L, dtype)).tolist()

    assert fn(ember) == fn(torch)


def test_arange_range_errors():
    # int64 with a step that truncates to 0: PyTorch's ValueError; the double-precision checks
    # (RuntimeError) come first
    raises(lambda L: L.arange(0.0, 5.0, 0.5, dtype=L.int64), ValueError, "step must be nonzero")
    raises(lambda L: L.arange(0, 5, 0.5, dtype=L.int64), ValueError, "step must be nonzero")
    raises(lambda L: L.arange(0.0, 5.0, -0.5, dtype=L.int64), RuntimeError,
           "upper bound and lower bound inconsistent with step sign")
    raises(lambda L: L.arange(0.0, 5.0, 0.0, dtype=L.int64), RuntimeError,
           "step must be nonzero")
    raises(lambda L: L.arange(0.0, float("inf"), 0.5), RuntimeError, "unsupported range: 0 -> inf")
    raises(lambda L: L.arange(float("-inf"), 5.5), RuntimeError, "unsupported range: -inf -> 5.5")
    raises(lambda L: L.arange(0.0, 5.0, float("nan")), RuntimeError, "step must be nonzero")
    raises(lambda L: L.arange(0.0, 1e20, 1.0), RuntimeError, "invalid size, possible overflow?")
