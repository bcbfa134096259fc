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
