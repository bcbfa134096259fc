"""Bitwise ops on the wrong dtypes raise PyTorch's NotImplementedError (kernel names as
PyTorch's); shifts of bool by an int scalar promote to int64."""

import numpy as np
import pytest

from oracle import check, check_error


@pytest.mark.parametrize("name,call", [
    ("bitwise_and", lambda lib: lib.randn(3).bitwise_and(lib.randn(3))),
    ("bitwise_or", lambda lib: lib.randn(3) | 1),
    ("bitwise_xor", lambda lib: lib.tensor([1.0]) ^ True),
    ("bitwise_not", lambda lib: lib.randn(3).bitwise_not()),
    ("lshift", lambda lib: lib.randn(3) << 1),
    ("lshift", lambda lib: lib.randn(3).bitwise_left_shift(1)),
    ("rshift", lambda lib: lib.randn(3).bitwise_right_shift(lib.randn(3))),
])
def test_bitwise_float_not_implemented(name, call):
    check_error(call, call, NotImplementedError, f'"{name}_cpu" not implemented for \'Float\'')


def test_shift_bool_by_bool_not_implemented():
    f = lambda lib: lib.tensor([True]) << lib.tensor([True])  # noqa: E731
    check_error(f, f, NotImplementedError, '"lshift_cpu" not implemented for \'Bool\'')


@pytest.mark.parametrize("fn", [
    lambda lib, t: t << 1,
    lambda lib, t: t >> 1,
    lambda lib, t: t.bitwise_left_shift(lib.tensor(2)),
])
def test_shift_bool_by_int_promotes(fn):
    check(fn, np.array([True, False]))


@pytest.mark.parametrize("fn", [
    lambda lib, t: t.int() << 31,
    lambda lib, t: t.to(lib.int8) << lib.tensor([1, 2, 3], dtype=lib.int32),
    lambda lib, t: 3 >> t.long(),
])
def test_integer_shifts_unchanged(fn):
    check(fn, np.array([1, 2, 3]))


_OPS = {"<<": lambda x, y: x << y, ">>": lambda x, y: x >> y, "&": lambda x, y: x & y,
        "|": lambda x, y: x | y, "^": lambda x, y: x ^ y}


@pytest.mark.parametrize("op", sorted(_OPS))
@pytest.mark.parametrize("scalar", [1, 3, -1, -2, 300])
@pytest.mark.parametrize("scalar_first", [True, False])
def test_python_int_with_bool_tensor(op, scalar, scalar_first):
    # a Python int beside a bool tensor (either order, the operators and the functionals):
    # the bool promotes to int64, as PyTorch (1 << tensor([True]) is tensor([2]))
    f = _OPS[op]
    fn = (lambda lib, t: f(scalar, t)) if scalar_first else (lambda lib, t: f(t, scalar))
    check(fn, np.array([True, False, True]))


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "int32"])
@pytest.mark.parametrize("op", sorted(_OPS))
@pytest.mark.parametrize("scalar", [1, -2, 257, 260, 300, -255, -129])
def test_python_int_beside_integer_tensor_wraps_to_its_dtype(dtype, op, scalar):
    # PyTorch casts the int to the tensor's dtype with wrap-around (300 is 44 in int8), for the
    # shifted value and for the shift amount; the result keeps the tensor's dtype
    f = _OPS[op]
    for fn in (lambda lib, t: f(scalar, t.to(getattr(lib, dtype))),
               lambda lib, t: f(t.to(getattr(lib, dtype)), scalar)):
        check(fn, np.array([64, 1, 0, 3, 100]))
    for name in ("bitwise_left_shift", "bitwise_right_shift", "bitwise_and"):
        check(lambda lib, t, name=name: getattr(lib, name)(scalar, t.to(getattr(lib, dtype))),
              np.array([64, 1, 0, 3, 100]))
