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


# ------------------------------------------------------------------ convolution argument lengths
CONV_CASES = [
    ("conv2d", (2, 3, 5, 5), (4, 3, 3, 3), dict(padding=(1, 1, 1)), "padding", 2, [1, 1, 1]),
    ("conv2d", (2, 3, 5, 5), (4, 3, 3, 3), dict(stride=(1, 1, 1)), "stride", 2, [1, 1, 1]),
    ("conv2d", (2, 3, 5, 5), (4, 3, 3, 3), dict(dilation=(1, 1, 1)), "dilation", 2, [1, 1, 1]),
    ("conv1d", (2, 3, 5), (4, 3, 3), dict(padding=(1, 1)), "padding", 1, [1, 1]),
    ("conv3d", (1, 3, 4, 4, 4), (2, 3, 3, 3, 3), dict(padding=(1, 1)), "padding", 3, [1, 1]),
    ("conv_transpose2d", (2, 3, 5, 5), (3, 4, 3, 3), dict(padding=(1, 1, 1)), "padding", 2,
     [1, 1, 1]),
    ("conv_transpose2d", (2, 3, 5, 5), (3, 4, 3, 3), dict(output_padding=(0, 0, 0)),
     "output_padding", 2, [0, 0, 0]),
]


@pytest.mark.parametrize("op,xs,ws,kw,what,nd,got", CONV_CASES)
def test_conv_argument_length_error(op, xs, ws, kw, what, nd, got):
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    f = lambda lib: getattr(lib.nn.functional, op)(lib.tensor(x), lib.tensor(w), **kw)  # noqa
    check_error(f, f, RuntimeError,
                f"expected {what} to be a single integer value or a list of {nd} values to match "
                f"the convolution dimensions, but got {what}={got}")


def test_conv_arguments_of_length_one_still_work():
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    check(lambda lib, a, b: lib.nn.functional.conv2d(a, b, padding=(1,), stride=(2,)), x, w)
