"""Argument handling of the public entries (issue 10, class 1; ``ember/ops/_args.py``):
NumPy-style keyword aliases and int lists by keyword on PyTorch's built-in ops, and the
arguments PyTorch refuses (int tuples of the nd ops, dims, factory dtypes) refused with its
error type and message."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from oracle import check, check_error, requires_torch, torch

import ember

A = np.arange(12, dtype=np.float64).reshape(3, 4) / 7 - 0.5
B = np.linspace(-1, 1, 12).reshape(3, 4)


# ------------------------------------------------------------------------------- aliases
@pytest.mark.parametrize("fn", [
    lambda L, a: a.sum(axis=1),
    lambda L, a: a.sum(axis=0, keepdims=True),
    lambda L, a: L.sum(a, axis=1, keepdims=True),
    lambda L, a: L.max(a=a, axis=0).values,
    lambda L, a: L.max(a, axis=1, keepdims=True)[0],
    lambda L, a: a.mean(axis=-1),
    lambda L, a: L.cumsum(a, axis=0),
    lambda L, a: L.std(a, axis=1),
    lambda L, a: L.logsumexp(a, axis=1),
    lambda L, a: L.exp(x=a),
    lambda L, a: L.softmax(a, axis=1),
    lambda L, a: a.softmax(axis=0),
    lambda L, a: L.cat([a, a], axis=1),
    lambda L, a: L.stack([a, a], axis=0),
    lambda L, a: L.squeeze(a.unsqueeze(0), axis=0),
], ids=lambda f: inspect.getsource(f).split("lambda L, a:")[1].strip().rstrip(","))
def test_numpy_aliases_on_builtin_ops(fn):
    check(fn, A)


@pytest.mark.parametrize("fn", [
    lambda L, a, b: L.add(x1=a, x2=b),
    lambda L, a, b: L.add(a, x2=b, alpha=2),
    lambda L, a, b: L.mul(input=a, x2=b),
    lambda L, a, b: a.sub(x2=b),
    lambda L, a, b: L.maximum(x1=a, other=b),
    lambda L, a, b: L.atan2(x1=a, x2=b),
], ids=lambda f: inspect.getsource(f).split("lambda L, a, b:")[1].strip().rstrip(","))
def test_input_other_aliases(fn):
    check(fn, A, B)


@pytest.mark.parametrize("fn", [
    lambda L, a: a.view(size=(4, 3)),
    lambda L, a: a.reshape(shape=(2, 6)),
    lambda L, a: a.permute(dims=(1, 0)),
    lambda L, a: L.flip(a, dims=(0,)),
    lambda L, a: a.repeat(repeats=(2, 1)),
    lambda L, a: a.expand(size=(2, 3, 4)),
    lambda L, a: a + L.zeros(size=(3, 4), dtype=L.float64),
], ids=lambda f: inspect.getsource(f).split("lambda L, a:")[1].strip().rstrip(","))
def test_int_lists_by_keyword(fn):
    check(fn, A)


def _error_of(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 - the error is what is compared
        return e
    return None


@requires_torch
@pytest.mark.parametrize("fn", [
    lambda L: L.ones(2, 3).sum(axis=1, dim=1),           # both spellings of one parameter
    lambda L: L.nn.functional.softmax(L.ones(2, 3), axis=1),   # a Python function: no aliases
    lambda L: L.norm(L.ones(2, 3), axis=1),               # torch.functional.norm: no aliases
    lambda L: L.ones(2, 3).view(3, size=(2,)),            # the list twice
], ids=["both", "F.softmax", "norm", "view-twice"])
def test_refused_aliases_raise_type_error(fn):
    assert isinstance(_error_of(fn, ember), TypeError)
    assert isinstance(_error_of(fn, torch), TypeError)


@requires_torch
def test_every_dim_op_takes_axis_as_pytorch_does():
    """Every public entry (Tensor method, ``ember`` function) with a ``dim`` parameter:
    ``axis=`` gives what ``dim=`` gives when PyTorch takes it, an error when it refuses it."""
    x = np.random.default_rng(0).standard_normal((3, 4))
    tried = 0
    for owner in ("Tensor", "ember"):
        names = dir(ember.Tensor) if owner == "Tensor" else dir(ember)
        for n in names:
            if n.startswith("_") or n.endswith("_"):
                continue
            f = getattr(ember.Tensor if owner == "Tensor" else ember, n, None)
            tf = getattr(torch.Tensor if owner == "Tensor" else torch, n, None)
            if not getattr(f, "__ember_public__", False) or tf is None:
                continue  # (Tensor.size, .dim... of tensor.py's class body are not entries)
            try:
                params = inspect.signature(f).parameters
            except (TypeError, ValueError):
                continue
            if "dim" not in params:
                continue

            def call(L, kw, n=n, owner=owner):
                t = L.tensor(x)
                if owner == "Tensor":
                    return getattr(t, n)(**kw)
                return getattr(L, n)(t, **kw)

            want = _error_of(lambda L: call(L, {"dim": 1}), torch)
            if want is not None:
                continue  # the op needs more arguments than these
            got_t = _error_of(lambda L: call(L, {"axis": 1}), torch)
            got_e = _error_of(lambda L: call(L, {"axis": 1}), ember)
            assert (got_t is None) == (got_e is None), (owner, n, got_t, got_e)
            if got_t is None:
                re_, rt = call(ember, {"axis": 1}), call(torch, {"axis": 1})
                re_ = re_[0] if isinstance(re_, (tuple, list)) else re_
                rt = rt[0] if isinstance(rt, (tuple, list)) else rt
                as_float = lambda r: np.asarray(
                    r.tolist() if hasattr(r, "tolist") else r, dtype=float)
                np.testing.assert_allclose(as_float(re_), as_float(rt), rtol=1e-6,
                                           err_msg=f"{owner}.{n}")
            tried += 1
    assert tried > 40


# ---------------------------------------------------------------------- nd int tuples
X1, X2, X3 = (lambda L: L.ones(1, 2, 6)), (lambda L: L.ones(1, 2, 6, 6)), \
    (lambda L: L.ones(1, 2, 6, 6, 6))


def _w(n):
    return lambda L: L.ones((2, 2) + (3,) * n)


ND_CASES = [
    (lambda L: L.nn.functional.conv2d(X2(L), _w(2)(L), padding=(1, 1, 1)), RuntimeError,
     ("expected padding to be a single integer value or a list of 2 values to match the "
      "convolution dimensions, but got padding=[1, 1, 1]")),
    (lambda L: L.nn.functional.conv1d(X1(L), _w(1)(L), stride=(1, 1)), RuntimeError,
     "expected stride to be a single integer value or a list of 1 values"),
    (lambda L: L.nn.functional.conv3d(X3(L), _w(3)(L), dilation=()), RuntimeError,
     ("expected dilation to be a single integer value or a list of 3 values to match the "
      "convolution dimensions, but got dilation=[]")),
    (lambda L: L.nn.functional.conv2d(X2(L), _w(2)(L), stride=0), RuntimeError,
     "non-positive stride is not supported"),
    (lambda L: L.nn.functional.conv2d(X2(L), _w(2)(L), padding=-1), RuntimeError,
     "negative padding is not supported"),
    (lambda L: L.nn.functional.conv2d(X2(L), _w(2)(L), dilation=0), RuntimeError,
     "dilation should be greater than zero, but got [0, 0]"),
    (lambda L: L.nn.functional.conv1d(X1(L), _w(1)(L), dilation=0), RuntimeError,
     "dilation should be greater than zero, but got [1, 0]"),
    (lambda L: L.nn.functional.conv_transpose2d(X2(L), _w(2)(L), output_padding=()),
     RuntimeError, "expected output_padding to be a single integer value or a list of 2 values"),
    (lambda L: L.nn.functional.conv_transpose2d(X2(L), _w(2)(L), output_padding=-1),
     RuntimeError, "negative output_padding is not supported"),
    (lambda L: L.nn.functional.conv_transpose2d(X2(L), _w(2)(L), dilation=0), RuntimeError,
     "dilation should be greater than zero, but got dilation_height: 0, dilation_width: 0"),
    (lambda L: L.nn.functional.conv_transpose3d(X3(L), _w(3)(L), dilation=0), RuntimeError,
     ("dilation should be greater than zero, but got dilation_depth: 0, dilation_height: 0, "
      "dilation_width: 0")),
    (lambda L: L.nn.functional.avg_pool2d(X2(L), 2, padding=(1, 1, 1)), RuntimeError,
     "avg_pool2d: padding must either be a single int, or a tuple of two ints"),
    (lambda L: L.nn.functional.max_pool2d(X2(L), (1, 1, 1)), RuntimeError,
     "max_pool2d: kernel_size must either be a single int, or a tuple of two ints"),
    (lambda L: L.nn.functional.max_pool2d(X2(L), 2, stride=(1, 1, 1)), RuntimeError,
     "max_pool2d: stride must either be omitted, a single int, or a tuple of two ints"),
    (lambda L: L.nn.functional.max_pool2d(X2(L), 2, dilation=()), RuntimeError,
     "max_pool2d: dilation must be either a single int, or a tuple of two ints"),
    (lambda L: L.nn.functional.avg_pool3d(X3(L), (1, 1)), RuntimeError,
     "avg_pool3d: kernel_size must be a single int, or a tuple of three ints"),
    (lambda L: L.nn.functional.avg_pool3d(X3(L), 2, stride=(1, 1)), RuntimeError,
     "avg_pool3d: stride must be omitted, a single int, or a tuple of three ints"),
    (lambda L: L.nn.functional.max_pool3d(X3(L), 2, padding=(0, 0)), RuntimeError,
     "max_pool3d: padding must either be a single int, or a tuple of three ints"),
    (lambda L: L.nn.functional.avg_pool1d(X1(L), (1, 1)), RuntimeError,
     "avg_pool1d() argument 'kernel_size' should contain one int (got 2)"),
    (lambda L: L.nn.functional.max_pool1d(X1(L), 2, stride=(1, 1)), RuntimeError,
     ("max_pool1d() stride must be None, an int, list of ints, or tuple of ints of size 1 but "
      "got size 2")),
    (lambda L: L.nn.functional.max_pool1d(X1(L), 0), RuntimeError,
     "max_pool1d() kernel_size must be greater than zero, but got 0"),
    (lambda L: L.nn.functional.max_pool1d(X1(L), 2, padding=-1), RuntimeError,
     "max_pool1d() padding must be non-negative, but got -1"),
    (lambda L: L.nn.functional.avg_pool2d(X2(L), 0), RuntimeError, "stride should not be zero"),
    (lambda L: L.nn.functional.max_pool2d(X2(L), 0, stride=1), RuntimeError,
     "kernel size should be greater than zero, but got kH: 0 kW: 0"),
    (lambda L: L.nn.functional.avg_pool2d(X2(L), 2, padding=-1), RuntimeError,
     "pad must be non-negative, but got pad: -1"),
    (lambda L: L.nn.functional.max_pool2d(X2(L), 2, dilation=0), RuntimeError,
     "dilation should be greater than zero, but got dilationH: 0 dilationW: 0"),
    (lambda L: L.nn.functional.lp_pool1d(X1(L), 2.0, (1, 1)), RuntimeError,
     "avg_pool1d() argument 'kernel_size' should contain one int (got 2)"),
    (lambda L: L.nn.functional.lp_pool2d(X2(L), 2.0, (1, 1, 1)), ValueError,
     "too many values to unpack (expected 2)"),
    (lambda L: L.nn.functional.adaptive_avg_pool1d(X1(L), (1, 1)), RuntimeError,
     "adaptive_avg_pool1d() argument 'output_size' should contain one int (got 2)"),
    (lambda L: L.nn.functional.adaptive_avg_pool2d(X2(L), (1, 1, 1)), RuntimeError,
     "adaptive_avg_pool2d: output_size must be 2"),
    (lambda L: L.nn.functional.adaptive_max_pool2d(X2(L), ()), RuntimeError,
     "adaptive_max_pool2d(): internal error: output_size.size() must be 2"),
    (lambda L: L.nn.functional.adaptive_avg_pool2d(X2(L), -1), RuntimeError,
     ("adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
      "received {-1, -1}")),
    (lambda L: L.nn.functional.adaptive_max_pool2d(X2(L), -1), RuntimeError,
     "Trying to create tensor with negative dimension -1: [1, 2, -1, -1]"),
    (lambda L: L.nn.functional.fold(L.ones(1, 8, 9), (4, 4), 2, stride=(1, 1, 1)), RuntimeError,
     "It is expected stride equals to 2, but got size 3"),
    (lambda L: L.nn.functional.unfold(X2(L), 2, padding=-1), RuntimeError,
     "padding should be non-negative, but got pad_height: -1 pad_width: -1"),
    (lambda L: L.nn.functional.fold(L.ones(1, 8, 9), (4, 4), 0), RuntimeError,
     "kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 0"),
    (lambda L: L.nn.functional.interpolate(X2(L), size=(1,)), ValueError,
     ("Input and output must have the same number of spatial dimensions, but got input with "
      "spatial dimensions of [6, 6] and output size of (1,).")),
    (lambda L: L.nn.functional.interpolate(X1(L), scale_factor=(2.0, 2.0)), ValueError,
     "Input and scale_factor must have the same number of spatial dimensions"),
    (lambda L: L.nn.functional.interpolate(X2(L), size=(0, 2)), RuntimeError,
     ("Input and output sizes should be greater than 0, but got input (H: 6, W: 6) output "
      "(H: 0, W: 2)")),
    (lambda L: L.nn.functional.interpolate(X1(L), size=-1), RuntimeError,
     "Input and output sizes should be greater than 0, but got input (W: 6) and output (W: -1)"),
]


@pytest.mark.parametrize("fn,exc,phrase", ND_CASES, ids=[c[2][:60] for c in ND_CASES])
def test_nd_int_tuples_refused_as_pytorch(fn, exc, phrase):
    check_error(fn, fn, exc, phrase)


@pytest.mark.parametrize("fn", [
    lambda L, x: L.nn.functional.conv2d(x, L.ones(2, 2, 3, 3, dtype=L.float64), padding=(1,)),
    lambda L, x: L.nn.functional.conv2d(x, L.ones(2, 2, 3, 3, dtype=L.float64), padding="same"),
    lambda L, x: L.nn.functional.avg_pool2d(x, (2,), stride=()),
    lambda L, x: L.nn.functional.max_pool2d(x, [2, 2], stride=[1, 2], padding=1),
    lambda L, x: L.nn.functional.adaptive_avg_pool2d(x, (None, 2)),
    lambda L, x: L.nn.functional.interpolate(x, scale_factor=2.0),
], ids=["conv-len1", "conv-same", "pool-len1", "pool-lists", "adaptive-None", "interp"])
def test_accepted_int_tuples_still_run(fn):
    check(fn, np.random.default_rng(1).standard_normal((1, 2, 6, 6)), gradgrad=False)


# ------------------------------------------------------------------------------- dims
DIM_CASES = [
    (lambda L: L.squeeze(L.tensor(1.0), 10), IndexError,
     "Dimension out of range (expected to be in range of [-1, 0], but got 10)"),
    (lambda L: L.tensor(1.0).squeeze(-2), IndexError,
     "Dimension out of range (expected to be in range of [-1, 0], but got -2)"),
    (lambda L: L.tensor(1.0).squeeze_(1), IndexError,
     "Dimension out of range (expected to be in range of [-1, 0], but got 1)"),
    (lambda L: L.ones(2, 3).squeeze((0, 0)), RuntimeError,
     "dim 0 appears multiple times in the list of dims"),
    (lambda L: L.ones(2, 3).squeeze((1, -1)), RuntimeError,
     "dim 1 appears multiple times in the list of dims"),
    (lambda L: L.softmax(L.tensor(1.0), 1), IndexError,
     "Dimension out of range (expected to be in range of [-1, 0], but got 1)"),
    (lambda L: L.tensor(1.0).log_softmax(dim=-2), IndexError,
     "Dimension out of range (expected to be in range of [-1, 0], but got -2)"),
    (lambda L: L.nn.functional.softmin(L.tensor(1.0), dim=3), IndexError,
     "Dimension out of range (expected to be in range of [-1, 0], but got 3)"),
    (lambda L: L.special.softmax(L.tensor(1.0), 2), IndexError,
     "Dimension out of range (expected to be in range of [-1, 0], but got 2)"),
    (lambda L: L.tensor(1.0).flatten(1), IndexError,
     "Dimension out of range (expected to be in range of [-1, 0], but got 1)"),
    (lambda L: L.flatten(L.tensor(1.0), 0, -2), IndexError,
     "Dimension out of range (expected to be in range of [-1, 0], but got -2)"),
    (lambda L: L.linalg.vector_norm(L.ones(2, 3), dim=(1, -1)), RuntimeError,
     "dim 1 appears multiple times in the list of dims"),
    (lambda L: L.linalg.norm(L.ones(2, 3), dim=(0, 0)), RuntimeError,
     "dim 0 appears multiple times in the list of dims"),
    (lambda L: L.linalg.matrix_norm(L.ones(2, 3), dim=(1, -1)), RuntimeError,
     "linalg.matrix_norm: dims must be different. Got (1, 1)"),
    (lambda L: L.flip(L.ones(2, 3), dims=(1, -1)), RuntimeError,
     "dim 1 appears multiple times in the list of dims"),
]


@pytest.mark.parametrize("fn,exc,phrase", DIM_CASES, ids=range(len(DIM_CASES)))
def test_dims_refused_as_pytorch(fn, exc, phrase):
    check_error(fn, fn, exc, phrase)


@pytest.mark.parametrize("fn", [
    lambda L, x: x.squeeze(-1),
    lambda L, x: L.squeeze(x, 0),
    lambda L, x: x.softmax(-1),
    lambda L, x: x.flatten(0, -1),
    lambda L, x: L.linalg.vector_norm(x.reshape(1, 1), dim=(0, -1)),
], ids=["squeeze", "squeeze0", "softmax", "flatten", "vector_norm"])
def test_in_range_dims_of_0d_still_run(fn):
    check(fn, np.array(0.7))


# ----------------------------------------------------------------------------- dtypes
DTYPE_CASES = [
    (lambda L: L.linspace(0, 1, 5, dtype=L.bool), NotImplementedError,
     "\"linspace_cpu\" not implemented for 'Bool'"),
    (lambda L: L.logspace(0, 1, 5, dtype=L.bool), NotImplementedError,
     "\"logspace_cpu\" not implemented for 'Bool'"),
    (lambda L: L.arange(0, 5, dtype=L.complex64), NotImplementedError,
     "\"arange_cpu\" not implemented for 'ComplexFloat'"),
    (lambda L: L.arange(5, dtype=L.bool), NotImplementedError,
     "\"arange_cpu\" not implemented for 'Bool'"),
    (lambda L: L.rand(3, dtype=L.int64), NotImplementedError,
     "\"check_uniform_bounds\" not implemented for 'Long'"),
    (lambda L: L.randn_like(L.ones(3), dtype=L.uint8), NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Byte'"),
    (lambda L: L.normal(0.0, 1.0, (3,), dtype=L.int32), NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Int'"),
    (lambda L: L.randint(0, 5, (3,), dtype=L.bool), RuntimeError,
     "to - 1 is out of bounds for bool"),
    (lambda L: L.randint(0, 5, (3,), dtype=L.complex64), RuntimeError,
     "check_random_bounds handles only integral, floating-point and boolean types"),
    (lambda L: L.randperm(4, dtype=L.bool), NotImplementedError,
     "\"randperm\" not implemented for 'Bool'"),
    (lambda L: L.tril_indices(3, 3, dtype=L.float32), NotImplementedError,
     "\"tril_indices\" not implemented for 'Float'"),
    (lambda L: L.hann_window(4, dtype=L.complex64), NotImplementedError,
     "\"arange_cpu\" not implemented for 'ComplexFloat'"),
    (lambda L: L.ones(3).cumsum(0, dtype=L.bool), NotImplementedError,
     "\"cumsum_out_cpu\" not implemented for 'Bool'"),
    (lambda L: L.ones(3).mean(dtype=L.int64), RuntimeError,
     ("mean(): could not infer output dtype. Optional dtype must be either a floating point or "
      "complex dtype. Got: Long")),
]


@pytest.mark.parametrize("fn,exc,phrase", DTYPE_CASES, ids=[c[2][:40] for c in DTYPE_CASES])
def test_factory_dtypes_refused_as_pytorch(fn, exc, phrase):
    check_error(fn, fn, exc, phrase)


@pytest.mark.parametrize("fn", [
    lambda L: L.linspace(0, 1, 5, dtype=L.float64),
    lambda L: L.arange(0, 5, dtype=L.int32),
    lambda L: L.tril_indices(3, 3, dtype=L.int32),
    lambda L: L.ones(3, dtype=L.int64).cumsum(0, dtype=L.float32),
    lambda L: L.ones(3).mean(dtype=L.float64),
], ids=["linspace", "arange", "tril_indices", "cumsum", "mean"])
def test_accepted_dtypes_still_run(fn):
    check(lambda L: fn(L), grad=False)
