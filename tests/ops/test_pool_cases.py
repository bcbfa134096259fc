"""Pooling arguments of the wrong length: PyTorch's RuntimeError and wording, per op."""

import numpy as np
import pytest

from oracle import check, check_error

X5 = np.random.default_rng(0).standard_normal((1, 2, 4, 6, 6))

CASES = [
    ("avg_pool2d", 4, dict(kernel_size=(2, 2), padding=(1, 1, 1)),
     "avg_pool2d: padding must either be a single int, or a tuple of two ints"),
    ("avg_pool2d", 4, dict(kernel_size=(2, 2, 2)),
     "avg_pool2d: kernel_size must either be a single int, or a tuple of two ints"),
    ("avg_pool2d", 4, dict(kernel_size=2, stride=(1, 1, 1)),
     "avg_pool2d: stride must either be omitted, a single int, or a tuple of two ints"),
    ("max_pool2d", 4, dict(kernel_size=(2, 2), padding=(1, 1, 1)),
     "max_pool2d: padding must either be a single int, or a tuple of two ints"),
    ("max_pool2d", 4, dict(kernel_size=2, dilation=(1, 1, 1)),
     "max_pool2d: dilation must be either a single int, or a tuple of two ints"),
    ("avg_pool3d", 5, dict(kernel_size=(2, 2)),
     "avg_pool3d: kernel_size must be a single int, or a tuple of three ints"),
    ("avg_pool3d", 5, dict(kernel_size=2, stride=(1, 1)),
     "avg_pool3d: stride must be omitted, a single int, or a tuple of three ints"),
    ("max_pool3d", 5, dict(kernel_size=2, padding=(1, 1)),
     "max_pool3d: padding must either be a single int, or a tuple of three ints"),
    ("avg_pool1d", 3, dict(kernel_size=2, padding=(1, 1)),
     "avg_pool1d() argument 'padding' should contain one int (got 2)"),
    ("max_pool1d", 3, dict(kernel_size=(2, 2)),
     "max_pool1d() kernel_size must be an int, list of ints or tuple of ints of size 1 but got "
     "size 2"),
    ("max_pool1d", 3, dict(kernel_size=2, stride=(1, 1)),
     "max_pool1d() stride must be None, an int, list of ints, or tuple of ints of size 1 but got "
     "size 2"),
]


def _input(lib, ndim):
    t = lib.tensor(X5)
    return t.reshape(t.shape[5 - ndim:]) if ndim == 5 else t.reshape((2, 4, 36) if ndim == 3
                                                                      else (2, 4, 6, 6))


@pytest.mark.parametrize("op,ndim,kw,msg", CASES)
def test_pool_argument_length_error(op, ndim, kw, msg):
    f = lambda lib: getattr(lib.nn.functional, op)(_input(lib, ndim), **kw)  # noqa: E731
    check_error(f, f, RuntimeError, msg)


@pytest.mark.parametrize("kw", [dict(kernel_size=(2,)), dict(kernel_size=2, stride=()),
                                dict(kernel_size=(3, 3), padding=(1,), stride=(2,))])
def test_pool_arguments_of_length_one_or_empty_stride_still_work(kw):
    x = X5[0, :, :3, :5, :5].copy()
    check(lambda lib, t: lib.nn.functional.avg_pool2d(t, **kw), x)
    check(lambda lib, t: lib.nn.functional.max_pool2d(t, **kw), x)
