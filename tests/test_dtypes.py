"""dtype objects, PyTorch's type promotion (all pairs, dimensioned / 0-d / Python scalars),
conversions, default dtype, finfo/iinfo, against PyTorch when installed."""

import itertools
import pickle

import numpy as np
import pytest

import ember
from oracle import check_error, requires_torch, torch

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
         "complex64", "complex128"]


def _complex32(a, b, da, db):
    """PyTorch gives complex32 (which ember lacks; it uses complex64) where float16 meets a
    complex operand of lower priority."""
    return "float16" in (a, b) and ("complex64" in (a, b) or "complex128" in (a, b)) and \
        (da, db) in ((1, 0), (0, 1)) and ((a == "float16") == (da == 1))


def test_dtype_objects():
    assert repr(ember.float32) == "torch.float32" and str(ember.int64) == "torch.int64"
    assert ember.float is ember.float32 and ember.double is ember.float64
    assert ember.half is ember.float16 and ember.long is ember.int64 and ember.int is ember.int32
    assert ember.short is ember.int16 and ember.cfloat is ember.complex64
    assert ember.float32.is_floating_point and not ember.int8.is_floating_point
    assert ember.complex64.is_complex and not ember.float64.is_complex
    assert [getattr(ember, n).itemsize for n in NAMES] == [1, 1, 1, 2, 4, 8, 2, 4, 8, 8, 16]
    assert ember.int8.is_signed and not ember.uint8.is_signed and not ember.bool.is_signed
    assert ember.complex128.to_real() is ember.float64 and ember.float32.to_complex() is \
        ember.complex64
    assert pickle.loads(pickle.dumps(ember.float16)) is ember.float16
    assert isinstance(ember.float32, ember.dtype)
    with pytest.raises(RuntimeError, match="Unknown Complex ScalarType for Int"):
        ember.int32.to_complex()


@requires_torch
def test_dtype_attributes_match_torch():
    for n in NAMES:
        e, t = getattr(ember, n), getattr(torch, n)
        assert (e.is_floating_point, e.is_complex, e.is_signed, e.itemsize) == \
            (t.is_floating_point, t.is_complex, t.is_signed, t.itemsize), n


@requires_torch
def test_promote_types_and_can_cast_all_pairs():
    for a, b in itertools.product(NAMES, NAMES):
        ea, eb, ta, tb = getattr(ember, a), getattr(ember, b), getattr(torch, a), getattr(torch, b)
        assert str(ember.promote_types(ea, eb)) == str(torch.promote_types(ta, tb)), (a, b)
        assert ember.can_cast(ea, eb) == torch.can_cast(ta, tb), (a, b)


@requires_torch
def test_result_type_dimensioned_zero_dim_and_scalars():
    for a, b in itertools.product(NAMES, NAMES):
        for da, db in [(1, 1), (0, 1), (1, 0), (0, 0)]:
            if _complex32(a, b, da, db):
                continue
            ea = ember.zeros((2,) * da, dtype=getattr(ember, a))
            eb = ember.zeros((2,) * db, dtype=getattr(ember, b))
            ta = torch.zeros((2,) * da, dtype=getattr(torch, a))
            tb = torch.zeros((2,) * db, dtype=getattr(torch, b))
            want = str(torch.result_type(ta, tb))
            assert str(ember.result_type(ea, eb)) == want, (a, b, da, db)
            if not (a == b == "bool"):
                assert str((ea * eb).dtype) == str((ta * tb).dtype), (a, b, da, db)
    for a in NAMES:
        for s in [True, 3, 2.5, 1j, np.float64(2.5), np.int32(3)]:
            if a == "float16" and isinstance(s, complex):
                continue
            e = ember.result_type(ember.zeros(2, dtype=getattr(ember, a)), s)
            t = torch.result_type(torch.zeros(2, dtype=getattr(torch, a)), s)
            assert str(e) == str(t), (a, s)
            e0 = ember.result_type(ember.tensor(1, dtype=getattr(ember, a)), s)
            t0 = torch.result_type(torch.tensor(1, dtype=getattr(torch, a)), s)
            assert str(e0) == str(t0), ("0-d", a, s)


def test_promotion_examples_without_torch():
    assert (ember.tensor([1, 2]) * 1.5).dtype is ember.float32
    assert (ember.tensor([1, 2], dtype=ember.int8) + ember.tensor(1000)).dtype is ember.int8
    assert (ember.tensor([1.0]) + ember.tensor(1.0, dtype=ember.float64)).dtype is ember.float32
    assert (ember.tensor([1], dtype=ember.uint8) + ember.tensor([1], dtype=ember.int8)).dtype \
        is ember.int16
    assert ember.promote_types(ember.float16, ember.int64) is ember.float16
    assert ember.result_type(ember.tensor([True]), 2) is ember.int64


def test_default_dtype_follows_python_floats():
    assert ember.get_default_dtype() is ember.float32
    try:
        ember.set_default_dtype(ember.float64)
        assert ember.tensor(1.5).dtype is ember.float64
        assert ember.tensor([1j]).dtype is ember.complex128
        assert ember.zeros(2).dtype is ember.float64 and ember.arange(1.0).dtype is ember.float64
        assert (ember.tensor([1]) * 0.5).dtype is ember.float64
        assert ember.finfo().dtype == "float64"
        assert repr(ember.tensor([1.5])) == "tensor([1.5000])"
    finally:
        ember.set_default_dtype(ember.float32)
    assert ember.tensor(1.5).dtype is ember.float32 and ember.tensor([1j]).dtype is \
        ember.complex64
    check_error(lambda L: L.set_default_dtype(L.int32), lambda L: L.set_default_dtype(L.int32),
                TypeError, "only floating-point types are supported as the default type")


def test_finfo_iinfo():
    f = ember.finfo(ember.float16)
    assert (f.bits, f.max, f.eps) == (16, 65504.0, 2.0 ** -10) and f.dtype == "float16"
    assert ember.finfo(ember.complex64).dtype == "float32"
    assert ember.iinfo(ember.int8).min == -128 and ember.iinfo(ember.uint8).max == 255
    assert ember.iinfo(ember.int64).bits == 64
    if torch is not None:
        for n in ["float16", "float32", "float64", "complex128"]:
            assert repr(ember.finfo(getattr(ember, n))) == repr(torch.finfo(getattr(torch, n)))
            e, t = ember.finfo(getattr(ember, n)), torch.finfo(getattr(torch, n))
            for k in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
                assert getattr(e, k) == getattr(t, k), (n, k)
        for n in ["uint8", "int8", "int16", "int32", "int64"]:
            assert repr(ember.iinfo(getattr(ember, n))) == repr(torch.iinfo(getattr(torch, n)))
    check_error(lambda L: L.iinfo(L.float32), lambda L: L.iinfo(L.float32), TypeError,
                "requires an integer input type")
    check_error(lambda L: L.finfo(L.int32), lambda L: L.finfo(L.int32), TypeError,
                "requires a floating point input type")
    check_error(lambda L: L.iinfo(L.bool), lambda L: L.iinfo(L.bool), TypeError,
                "torch.bool is not supported by torch.iinfo")


def test_conversions():
    x = ember.tensor([1.7, -2.2])
    assert x.type() == "torch.FloatTensor"
    assert x.type(ember.int32).tolist() == [1, -2]
    assert x.type("torch.DoubleTensor").dtype is ember.float64
    for m, d in [("float", "float32"), ("double", "float64"), ("half", "float16"),
                 ("long", "int64"), ("int", "int32"), ("short", "int16"), ("bool", "bool"),
                 ("byte", "uint8"), ("char", "int8"), ("cfloat", "complex64"),
                 ("cdouble", "complex128")]:
        assert getattr(x, m)().dtype is getattr(ember, d), m
    assert x.to(ember.float32) is x and x.to(ember.float32, copy=True) is not x
    assert x.to("cpu", ember.float64).dtype is ember.float64
    assert x.to(ember.tensor([1])).dtype is ember.int64
    assert x.is_floating_point() and not x.long().is_floating_point()
    assert x.element_size() == 4 and x.double().element_size() == 8
    y = ember.tensor([1.0, 2.0], requires_grad=True)
    z = y.double()
    assert z.requires_grad and type(z.grad_fn).__name__ == "ToCopyBackward0"
    z.sum().backward()
    assert y.grad.dtype is ember.float32


@requires_torch
def test_dtype_of_tensor_factories():
    cases = [lambda L: L.tensor([1, 2]), lambda L: L.tensor([1.0, 2]), lambda L: L.tensor(True),
             lambda L: L.tensor([1 + 2j]), lambda L: L.tensor(np.array([1, 2], np.int16)),
             lambda L: L.tensor([]), lambda L: L.arange(3), lambda L: L.arange(0, 1, 0.25),
             lambda L: L.full((2,), 3), lambda L: L.full((2,), True),
             lambda L: L.full((2,), 1.5), lambda L: L.zeros(2, dtype=L.int8),
             lambda L: L.as_tensor([1, 2], dtype=L.float64), lambda L: L.randint(5, (3,)),
             lambda L: L.linspace(0, 1, 3), lambda L: L.eye(2, dtype=L.bool)]
    for f in cases:
        assert str(f(ember).dtype) == str(f(torch).dtype)
