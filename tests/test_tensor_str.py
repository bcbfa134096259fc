"""Printing fidelity: ``repr``/``str`` of tensors of every dtype and size (summarised, scientific,
complex, bool, float16, empty with ``size=``, 0-d, with ``requires_grad``/``grad_fn``) compared
with PyTorch's character for character, under several ``set_printoptions``; and the Python
protocols (``len``, ``iter``, ``bool``, ``float``, ``int``, ``index``, ``in``, ``__array__``,
hashing, ``Size``)."""

import numpy as np
import pytest

import ember
from oracle import check_error, requires_torch, torch

CASES = {
 "rand": lambda L: L.tensor(rng_arr((3, 4))),
 "randn_big": lambda L: L.tensor(rng_arr((5, 6)) * 1000),
 "tiny": lambda L: L.tensor([1e-5, 2e-6, 3.0]),
 "large": lambda L: L.tensor([1e9, 2.0, 3.5]),
 "ints_float": lambda L: L.tensor([1.0, 2.0, -3.0]),
 "ints_float_big": lambda L: L.tensor([1.0, 20000.0, 1e9]),
 "int64": lambda L: L.tensor([1, -20, 300]),
 "int_big": lambda L: L.tensor([[1, 2], [3, 400000]]),
 "int8": lambda L: L.tensor([1, 2], dtype=L.int8),
 "uint8": lambda L: L.tensor([1, 2], dtype=L.uint8),
 "int32_2d": lambda L: L.arange(12, dtype=L.int32).reshape(3, 4),
 "bool": lambda L: L.tensor([True, False]),
 "bool0": lambda L: L.tensor(True),
 "f64": lambda L: L.tensor([1.5, 2.25], dtype=L.float64),
 "f16": lambda L: L.tensor([1.5, 2.25, 1e-3], dtype=L.float16),
 "f16_int": lambda L: L.tensor([1.0, 2.0], dtype=L.float16),
 "zero_d": lambda L: L.tensor(3.25),
 "zero_d_int": lambda L: L.tensor(3),
 "zero_d_f64": lambda L: L.tensor(3.0, dtype=L.float64),
 "empty": lambda L: L.tensor([]),
 "empty2": lambda L: L.zeros(2, 0),
 "empty_int": lambda L: L.zeros(0, 3, dtype=L.int64),
 "empty_f64": lambda L: L.zeros(0, dtype=L.float64),
 "nan_inf": lambda L: L.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
 "nan_inf_int": lambda L: L.tensor([float("nan"), float("inf"), 2.0]),
 "all_nan": lambda L: L.tensor([float("nan")]),
 "zeros": lambda L: L.zeros(2, 3),
 "neg_zero": lambda L: L.tensor([-0.0, 1.0]),
 "summ_1d": lambda L: L.arange(2000),
 "summ_1df": lambda L: L.arange(2000.0) / 7,
 "summ_2d": lambda L: L.arange(3000.0).reshape(50, 60),
 "summ_3d": lambda L: L.arange(2400).reshape(10, 12, 20),
 "3d": lambda L: L.tensor(rng_arr((2, 3, 4))),
 "4d": lambda L: L.tensor(rng_arr((2, 1, 2, 3))),
 "long_row": lambda L: L.tensor(rng_arr((30,))),
 "long_row_sci": lambda L: L.tensor(rng_arr((30,)) * 1e-6),
 "complex": lambda L: L.tensor([1 + 2j, -3.5 - 1j]),
 "complex_int": lambda L: L.tensor([1 + 2j, 3 + 0j]),
 "complex128": lambda L: L.tensor([1 + 2j], dtype=L.complex128),
 "complex_sci": lambda L: L.tensor([1e-6 + 2j, 3e5 - 1j]),
 "complex0": lambda L: L.tensor(1 + 1j),
 "req_grad": lambda L: L.tensor([1.0, 2.0], requires_grad=True),
 "grad_fn": lambda L: L.tensor([1.0, 2.0], requires_grad=True) * 2,
 "grad_fn_long": lambda L: L.tensor(rng_arr((4, 9)), requires_grad=True) * 2,
 "f64_req": lambda L: L.tensor(rng_arr((2, 2)), dtype=L.float64, requires_grad=True),
 "mixed": lambda L: L.tensor([0.001, 12345.678, -1.0]),
 "precise": lambda L: L.tensor([0.1, 0.2, 0.30000001]),
 "big_ratio": lambda L: L.tensor([1.0, 1001.0]),
 "small_ratio": lambda L: L.tensor([1.5, 1000.0]),
 "sci_int": lambda L: L.tensor([1e10, 1.0]),
 "max_f32": lambda L: L.tensor([3.4e38, -1.0]),
 "int_neg": lambda L: L.tensor([[-1, 2], [3, -400]]),
 "bool2d": lambda L: L.tensor([[True, False], [False, True]]),
 "scalar_nan": lambda L: L.tensor(float("nan")),
 "scalar_inf": lambda L: L.tensor(float("-inf")),
 "f16_big": lambda L: L.tensor([60000.0, 0.5], dtype=L.float16),
 "one_elem_2d": lambda L: L.tensor([[5.5]]),
 "col": lambda L: L.tensor(rng_arr((4, 1))),
 "wide_int": lambda L: L.arange(40).reshape(2, 20) * 1000,
 "i16_summ": lambda L: L.arange(1100, dtype=L.int16),
 "bool_summ": lambda L: L.arange(1100) % 3 == 0,
}
_cache = {}
def rng_arr(shape):
    key = shape
    if key not in _cache:
        _cache[key] = np.random.default_rng(len(_cache) + 1).standard_normal(shape)
    return _cache[key]


OPTIONS = [dict(), dict(precision=2), dict(precision=8), dict(sci_mode=True),
           dict(sci_mode=False), dict(linewidth=40), dict(threshold=5),
           dict(edgeitems=1, threshold=10), dict(profile="short"), dict(profile="full"),
           dict(edgeitems=0, threshold=3)]


@pytest.fixture
def printoptions():
    yield
    for lib in (ember, torch) if torch is not None else (ember,):
        lib.set_printoptions(profile="default")
        lib.set_printoptions(sci_mode=None)
        lib.set_default_dtype(lib.float32)


@requires_torch
@pytest.mark.parametrize("default", ["float32", "float64"])
@pytest.mark.parametrize("opts", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items())
                         or "default")
def test_repr_matches_torch(opts, default, printoptions):
    for lib in (ember, torch):
        lib.set_default_dtype(getattr(lib, default))
        lib.set_printoptions(**opts)
    for name, make in CASES.items():
        if opts.get("profile") == "full" and name.startswith(("summ", "i16", "bool_s")):
            continue
        e, t = make(ember), make(torch)
        assert repr(e) == repr(t), name
        assert str(e) == str(t), name


EXPECTED = {  # PyTorch 2.13's output, checked with or without PyTorch installed
    "int64": "tensor([  1, -20, 300])",
    "ints_float": "tensor([ 1.,  2., -3.])",
    "tiny": "tensor([1.0000e-05, 2.0000e-06, 3.0000e+00])",
    "bool": "tensor([ True, False])",
    "f16": "tensor([1.5000e+00, 2.2500e+00, 1.0004e-03], dtype=torch.float16)",
    "zero_d": "tensor(3.2500)",
    "empty": "tensor([])",
    "empty2": "tensor([], size=(2, 0))",
    "empty_int": "tensor([], size=(0, 3), dtype=torch.int64)",
    "nan_inf": "tensor([   nan,    inf,   -inf, 1.5000])",
    "complex": "tensor([ 1.0000+2.j, -3.5000-1.j])",
    "req_grad": "tensor([1., 2.], requires_grad=True)",
    "grad_fn": "tensor([2., 4.], grad_fn=<MulBackward0>)",
    "uint8": "tensor([1, 2], dtype=torch.uint8)",
    "neg_zero": "tensor([-0., 1.])",
    "summ_1d": "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_repr_expected(name):
    assert repr(CASES[name](ember)) == EXPECTED[name]


def test_repr_summarised_2d():
    s = repr(ember.arange(3000.0).reshape(50, 60))
    assert s.startswith("tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 5.7000e+01, "
                        "5.8000e+01,")
    assert "\n        ...,\n" in s


def test_printoptions_roundtrip(printoptions):
    ember.set_printoptions(precision=2)
    assert repr(ember.tensor([1.2345])) == "tensor([1.23])"
    assert ember.get_printoptions()["precision"] == 2
    ember.set_printoptions(profile="default")
    assert repr(ember.tensor([1.2345])) == "tensor([1.2345])"


def test_python_protocols():
    t = ember.tensor([[1, 2], [3, 4]])
    assert len(t) == 2 and [r.tolist() for r in t] == [[1, 2], [3, 4]]
    assert bool(ember.tensor([0.5])) and not bool(ember.tensor(0))
    assert float(ember.tensor([[2.5]])) == 2.5 and int(ember.tensor(-2.7)) == -2
    assert [10, 20, 30][ember.tensor(2)] == 30
    assert 3 in t and 7 not in t and ember.tensor(4) in t
    assert np.asarray(t).dtype == np.int64 and np.array(t, dtype=np.float32).dtype == np.float32
    a, b = ember.tensor(1), ember.tensor(1)
    assert hash(a) != hash(b) and len({a, b}) == 2 and hash(a) == id(a)
    assert isinstance(t.shape, tuple) and isinstance(t.shape, ember.Size)
    assert t.shape.numel() == 4 and ember.Size([2, 3, 4]).numel() == 24
    assert repr(t.shape) == "torch.Size([2, 2])" and repr(t.shape[1:]) == "torch.Size([2])"
    assert t.shape == (2, 2) and t.shape + (5,) == ember.Size([2, 2, 5])
    r = ember.tensor([1.0, 2.0]) * np.ones(2)  # an ndarray operand is taken as a tensor
    assert isinstance(r, ember.Tensor) and r.dtype is ember.float64
    r = np.ones(2) * ember.tensor([1.0, 2.0])  # ndarray first: Tensor wins by __array_priority__
    assert isinstance(r, ember.Tensor)
    assert ember.Tensor.__array_priority__ > 0
    assert f"{ember.tensor(2.5):.2f}" == "2.50"


def test_protocol_errors():
    for f, exc, phrase in [
            (lambda L: len(L.tensor(1.0)), TypeError, "len() of a 0-d tensor"),
            (lambda L: iter(L.tensor(1.0)), TypeError, "iteration over a 0-d tensor"),
            (lambda L: bool(L.tensor([1, 2])), RuntimeError, "more than one value is ambiguous"),
            (lambda L: bool(L.tensor([])), RuntimeError, "with no values is ambiguous"),
            (lambda L: float(L.tensor([1.0, 2.0])), ValueError, "only one element tensors"),
            (lambda L: int(L.tensor([1, 2])), ValueError, "only one element tensors"),
            (lambda L: [0, 1][L.tensor(1.0)], TypeError,
             "only integer tensors of a single element can be converted to an index"),
            (lambda L: "a" in L.tensor([1, 2]), RuntimeError,
             "Tensor.__contains__ only supports Tensor or scalar")]:
        check_error(f, f, exc, phrase)
