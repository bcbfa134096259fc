"""Bad input raises PyTorch's exception type (and, where ember matches it, PyTorch's message),
never NumPy's; and NumPy's floating-point RuntimeWarnings never escape ember's kernels, even
with warnings turned into errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from oracle import check_error, requires_torch, torch

_BUILTIN = (NotImplementedError, IndexError, TypeError, ValueError, RuntimeError)


def _builtin_type(exc):
    """The Python exception class PyTorch's exception is (torch's _LinAlgError is a
    RuntimeError)."""
    for cls in _BUILTIN:
        if isinstance(exc, cls):
            return cls
    return type(exc)


def F(lib):
    return lib.nn.functional


# (name, fn, same message): fn(lib) must raise in PyTorch, and ember the same kind of exception
CASES = [
    ("zeros_overflow", lambda L: L.zeros(2 ** 62), True),
    ("empty_overflow", lambda L: L.empty(2 ** 62), True),
    ("ones_overflow_2d", lambda L: L.ones(2 ** 31, 2 ** 31), True),
    ("full_overflow", lambda L: L.full((2 ** 62,), 1.0), True),
    ("randn_overflow", lambda L: L.randn(2 ** 62), True),
    ("rand_overflow", lambda L: L.rand(2 ** 62), True),
    ("zeros_negative", lambda L: L.zeros(-1), True),
    ("index_add_source_shape", lambda L: L.zeros(3, 2).index_add(0, L.tensor([0, 1]),
                                                                  L.ones(2, 3)), True),
    ("index_add_source_rank", lambda L: L.zeros(3, 2).index_add(0, L.tensor([0, 1]),
                                                                 L.ones(2, 2, 1)), True),
    ("index_add_source_dtype", lambda L: L.zeros(3, 2).index_add(
        0, L.tensor([0, 1]), L.ones(2, 2, dtype=L.float64)), True),
    ("index_add_count", lambda L: L.zeros(3, 2).index_add(0, L.tensor([0, 1]), L.ones(3, 2)),
     True),
    ("index_copy_source_dtype", lambda L: L.zeros(3, 2).index_copy(
        0, L.tensor([0, 1]), L.ones(2, 2, dtype=L.float64)), True),
    ("masked_scatter_dtype", lambda L: L.zeros(3, 2).masked_scatter(
        L.ones(3, 2, dtype=L.bool), L.ones(6, dtype=L.float64)), True),
    ("reshape_not_a_tensor", lambda L: L.reshape(2.0, 3), True),
    ("reshape_float_size", lambda L: L.reshape(L.ones(6), (2.0, 3)), False),
    ("view_float_size", lambda L: L.ones(6).view(2.0, 3), False),
    ("reshape_bad_numel", lambda L: L.ones(6).reshape(4, 2), True),
    ("bitwise_and_float", lambda L: L.ones(2) & L.ones(2), True),
    ("bitwise_or_float", lambda L: L.bitwise_or(L.ones(2), L.ones(2)), True),
    ("bitwise_xor_float", lambda L: L.ones(2) ^ L.ones(2), True),
    ("bitwise_not_float", lambda L: ~L.ones(2), True),
    ("lshift_float", lambda L: L.ones(2) << 1, True),
    ("rshift_float", lambda L: L.bitwise_right_shift(L.ones(2), 1), True),
    ("bitwise_and_scalar", lambda L: L.ones(2) & 1, True),
    ("gcd_float", lambda L: L.gcd(L.ones(2), L.ones(2)), True),
    ("round_decimals_int", lambda L: L.round(L.tensor([1]), decimals=1), True),
    ("ones_numpy_dtype", lambda L: L.ones(2, dtype=np.float32), True),
    ("zeros_str_dtype", lambda L: L.zeros(2, dtype="float32"), True),
    ("empty_numpy_dtype", lambda L: L.empty(2, dtype=np.float32), True),
    ("full_numpy_dtype", lambda L: L.full((2,), 1.0, dtype=np.float32), True),
    ("tensor_numpy_dtype", lambda L: L.tensor([1.0], dtype=np.float32), True),
    ("zeros_like_numpy_dtype", lambda L: L.zeros_like(L.ones(2), dtype=np.float32), True),
    ("arange_str_dtype", lambda L: L.arange(3, dtype="int64"), False),
    ("randn_numpy_dtype", lambda L: L.randn(2, dtype=np.float32), False),
    ("randn_int_dtype", lambda L: L.randn(2, dtype=L.int64), True),
    ("rand_int_dtype", lambda L: L.rand(2, dtype=L.int64), True),
    ("randint_empty_range", lambda L: L.randint(5, 2, (3,)), True),
    ("binomial_int_count", lambda L: L.binomial(L.ones(2, dtype=L.int32), L.ones(2)), True),
    ("exponential_int", lambda L: L.zeros(2, dtype=L.int64).exponential_(), True),
    ("cauchy_int", lambda L: L.zeros(2, dtype=L.int64).cauchy_(), True),
    ("outer_2d", lambda L: L.outer(L.ones(2, 2), L.ones(2)), True),
    ("ger_2d", lambda L: L.ger(L.ones(2), L.ones(2, 2)), True),
    ("bincount_float", lambda L: L.bincount(L.tensor([1.0])), True),
    ("bincount_negative", lambda L: L.bincount(L.tensor([-1])), True),
    ("relu_bool", lambda L: L.relu(L.tensor([True])), True),
    ("functional_relu_bool", lambda L: F(L).relu(L.tensor([True])), True),
    ("mean_int_dtype", lambda L: L.ones(2).mean(dtype=L.int64), True),
    ("mean_int_input", lambda L: L.ones(3, dtype=L.int64).mean(), True),
    ("subscript_str", lambda L: L.ones(2, 3)["a"], True),
    ("subscript_float", lambda L: L.ones(2, 3)[1.5], True),
    ("fill_str", lambda L: L.ones(2).fill_("a"), False),
    ("avg_pool_zero_kernel", lambda L: F(L).avg_pool2d(L.ones(1, 1, 4, 4), 0), True),
    ("max_pool_zero_stride", lambda L: F(L).max_pool2d(L.ones(1, 1, 4, 4), 2, stride=0), True),
    ("max_pool_zero_dilation", lambda L: F(L).max_pool2d(L.ones(1, 1, 4, 4), 2, dilation=0),
     True),
    ("max_pool1d_zero_kernel", lambda L: F(L).max_pool1d(L.ones(1, 1, 4), 0), True),
    ("conv_zero_stride", lambda L: F(L).conv2d(L.ones(1, 1, 4, 4), L.ones(1, 1, 2, 2),
                                               stride=0), True),
    ("conv_zero_dilation", lambda L: F(L).conv2d(L.ones(1, 1, 4, 4), L.ones(1, 1, 2, 2),
                                                 dilation=0), True),
    ("conv_negative_padding", lambda L: F(L).conv2d(L.ones(1, 1, 4, 4), L.ones(1, 1, 2, 2),
                                                    padding=-1), True),
    ("interpolate_long_bilinear", lambda L: F(L).interpolate(
        L.zeros(1, 1, 4, 4, dtype=L.int64), scale_factor=2, mode="bilinear"), True),
    ("interpolate_uint8_linear", lambda L: F(L).interpolate(
        L.zeros(1, 1, 4, dtype=L.uint8), scale_factor=2, mode="linear"), True),
    ("matmul_shapes", lambda L: L.ones(2, 3) @ L.ones(2, 3), True),
    ("add_shapes", lambda L: L.ones(2, 3) + L.ones(3, 2), True),
    ("sub_bools", lambda L: L.ones(2, dtype=L.bool) - L.ones(2, dtype=L.bool), True),
    ("gather_out_of_range", lambda L: L.ones(3).gather(0, L.tensor([5])), True),
    ("sum_dim_out_of_range", lambda L: L.ones(3).sum(2), True),
    ("inverse_singular", lambda L: L.linalg.inv(L.zeros(2, 2)), True),
    ("cross_entropy_float_target_shape", lambda L: F(L).nll_loss(L.ones(2, 3),
                                                                 L.tensor([0, 1, 2])), True),
]


@requires_torch
@pytest.mark.parametrize("name, fn, same_message", CASES, ids=[c[0] for c in CASES])
def test_error_type_as_pytorch(name, fn, same_message):
    with pytest.raises(Exception) as tinfo:
        fn(torch)
    kind = _builtin_type(tinfo.value)
    with pytest.raises(kind) as einfo:
        fn(ember)
    if same_message:
        first = str(tinfo.value).split("\n")[0]
        assert str(einfo.value).split("\n")[0] == first


def test_bitwise_on_floats_names_the_dtype():
    check_error(lambda L: L.ones(2) & L.ones(2), lambda L: L.ones(2) & L.ones(2),
                RuntimeError, "not implemented for 'Float'")


def test_allocation_errors_are_runtime_errors():
    check_error(lambda L: L.zeros(2 ** 62), lambda L: L.zeros(2 ** 62), RuntimeError,
                "Storage size calculation overflowed")


# ------------------------------------------------------------------- warnings as errors
QUIET = [
    lambda L: L.exp(L.tensor([1000.0, -1000.0])),
    lambda L: L.log(L.tensor([0.0, -1.0])),
    lambda L: L.tensor([1.0, 0.0, -1.0]) / 0,
    lambda L: L.tensor([1.0]) / L.tensor([0.0]),
    lambda L: L.tensor([float("inf")]) - L.tensor([float("inf")]),
    lambda L: L.tensor([float("inf")]) * 0,
    lambda L: L.tensor([1e30, -1e30]) * 1e30,
    lambda L: L.tensor([float("inf"), -float("inf")]).sum(),
    lambda L: L.tensor([[float("inf"), 1.0]]) @ L.tensor([[0.0], [1.0]]),
    lambda L: L.sqrt(L.tensor([-1.0])),
    lambda L: L.sin(L.tensor([float("inf")])),
    lambda L: L.tensor([float("inf"), 1.0]).var(),
    lambda L: L.tensor([float("inf"), 1.0]).mean(),
    lambda L: L.tensor([1e30, 1e30]).prod(),
    lambda L: L.tensor([1e30, 1e30]).cumsum(0) * 1e30,
    lambda L: L.nn.functional.normalize(L.tensor([[float("inf"), 1.0]])),
    lambda L: L.nn.functional.layer_norm(L.tensor([[float("inf"), 1.0]]), (2,)),
    lambda L: L.nn.functional.mse_loss(L.tensor([1e30]), L.tensor([-1e30])),
    lambda L: L.softmax(L.tensor([float("inf"), 1.0]), 0),
    lambda L: L.frac(L.tensor([float("inf")])),
    lambda L: L.lgamma(L.tensor([1e30])),
]


def _backward_too(fn, L):
    x = L.tensor([0.0, 1.0, float("inf")], requires_grad=True)
    for op in (L.sqrt, L.log, L.rsqrt, L.reciprocal, lambda t: t / 0, lambda t: t - t):
        op(x).sum().backward()
    return fn(L)


@pytest.mark.parametrize("k", range(len(QUIET)))
def test_no_numpy_warning_escapes_with_warnings_as_errors(k):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _backward_too(QUIET[k], ember)
    with warnings.catch_warnings():  # anomaly mode warns that it is on (a UserWarning, as
        warnings.simplefilter("error", RuntimeWarning)  # PyTorch): NumPy's must not escape
        x = ember.tensor([float("inf"), 1.0], requires_grad=True)
        with ember.autograd.detect_anomaly(check_nan=False):
            (x - x).sum().backward()


def test_in_place_arithmetic_with_warnings_as_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = ember.tensor([1.0, 0.0, float("inf")])
        x /= 0
        x -= x
        assert np.isnan(x.numpy()).all()
        assert x._version == 2


def test_gradient_accumulation_with_warnings_as_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = ember.tensor([1.0], requires_grad=True)
        (x * float("inf")).sum().backward()
        (x * -float("inf")).sum().backward()  # inf + -inf accumulates to nan, silently
        assert np.isnan(x.grad.numpy()).all()
