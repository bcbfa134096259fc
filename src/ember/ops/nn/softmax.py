"""softmax and log_softmax as Functions (numerically stable, with PyTorch's dtype rules)."""

from __future__ import annotations

import numpy as _np

from ...autograd import dispatch as _door
from ...autograd.function import Function
from ...autograd.grad_mode import _state
from ...backend import errstate as _be_errstate
from ...backend import threads as _threads
from ...backend import xp_of
from ...tensor import _ndarray
from .._util import low_precision, make_dense as make, sum_axes, wrap_dim
from ..inplace import _dtype_name


# ---------------------------------------------------------------------------- softmax family
def _softmax_dim(ndim, dim):
    return wrap_dim(dim, ndim) if ndim > 0 else None


class LogSoftmax(Function):
    """y = x - max - log(sum(exp(x - max)));  dy/dx = g - exp(y) * sum(g)"""

    _builtin = True
    _node_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        d = x._data
        xp = xp_of(d)
        low = low_precision(d)
        if low is not None:
            d = d.astype("float32")
        if d.ndim == 0:
            with _be_errstate(xp, invalid="ignore"):
                out = d - d  # NaN for inf, as PyTorch
        elif d.size == 0:  # nothing to normalise (an empty batch or an empty dim)
            out = d.copy()
        else:
            m = d.max(axis=dim, keepdims=True)
            with _be_errstate(xp, invalid="ignore", over="ignore", divide="ignore"):
                s = d - m
                e = xp.exp(s)
                out = s - xp.log(sum_axes(e, (dim,), True))
        y = make(out if low is None else out.astype(low))
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        low = y.dtype if low_precision(y._data) is not None else None
        if low is not None:
            y, grad_output = y.float(), grad_output.float()
        if ctx.dim is None:  # a 0-d input: the sum over the dim is the element itself
            g = grad_output - y.exp() * grad_output
        else:
            g = grad_output - y.exp() * grad_output.sum(ctx.dim, keepdim=True)
        return (g if low is None else g.to(low)), None


class Softmax(Function):
    """y = exp(x - max) / sum(exp(x - max));  dy/dx = y * (g - sum(g * y))"""

    _builtin = True
    _node_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        d = x._data
        xp = xp_of(d)
        low = low_precision(d)
        if low is not None:
            d = d.astype("float32")
        if d.ndim == 0:
            with _be_errstate(xp, invalid="ignore"):
                out = xp.exp(d - d)  # 1 (nan for inf or nan), as PyTorch
        elif d.size == 0:
            out = d.copy()
        else:
            out = _unshifted(d, dim) if d.size >= 1 << 16 else None
            if out is None:
                with _be_errstate(xp, invalid="ignore", over="ignore"):
                    out = xp.exp(d - d.max(axis=dim, keepdims=True))
                    out /= sum_axes(out, (dim,), True)
        y = make(out if low is None else out.astype(low))
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        low = y.dtype if low_precision(y._data) is not None else None
        if low is not None:
            y, grad_output = y.float(), grad_output.float()
        yd, gd = y._data, grad_output._data
        if ctx.dim is None or _state.enabled or _door.busy or yd.__class__ is not _ndarray \
                or gd.__class__ is not _ndarray or gd.shape != yd.shape:  # 0-d, a graph, a
            gy = grad_output * y  # mode: Tensor ops (0-d: 0 for a finite input, NaN for
            g = gy - y * (gy if ctx.dim is None else gy.sum(ctx.dim, keepdim=True))  # NaN/inf)
            return (g if low is None else g.to(low)), None
        # y * (g - sum(g * y)), PyTorch's formula: the row sums of g * y without making it
        # (einsum) where the dim is the last, then two passes
        if ctx.dim == yd.ndim - 1 and yd.flags.c_contiguous and gd.flags.c_contiguous:
            n = yd.shape[-1]
            s = _np.einsum("ij,ij->i", gd.reshape(-1, n), yd.reshape(-1, n))
            gy = _np.subtract(gd, s.reshape(yd.shape[:-1] + (1,)))
        else:
            gy = gd * yd
            _np.subtract(gd, sum_axes(gy, (ctx.dim,), True), out=gy)
        gy *= yd
        return make(gy if low is None else gy.astype(low.np)), None


def _unshifted(d, dim):
    """A large float32/float64 softmax over the last dim as exp(x) / sum(exp(x)), without
    the row maxima (three of five passes: 6.3 -> 3.0 ms for (64, 3, 128, 128) at 1 thread),
    where that is as accurate: no row sum overflowed (so no exp did) or is small enough for
    the terms that matter to be subnormal. Masked -inf entries are fine (exp gives 0). Blocks
    of rows run on the intra-op threads (each row computed alike at any thread count). None
    where a check fails (NaN, inf, extreme rows): the caller's shifted formula decides."""
    if d.__class__ is not _ndarray or dim != d.ndim - 1 or d.dtype.kind != "f" or \
            d.dtype.itemsize < 4 or not d.flags.c_contiguous:
        return None
    x = d.reshape(-1, d.shape[-1])
    e = _np.empty_like(x)
    sums = _np.empty(x.shape[0], d.dtype)

    def rows(lo, hi):
        out = e[lo:hi]
        with _np.errstate(over="ignore", invalid="ignore"):  # (overflow is checked below)
            _np.exp(x[lo:hi], out=out)
            s = _np.einsum("ij->i", out, out=sums[lo:hi])
            out /= s[:, None]

    if d.size >= 1 << 19 and _threads.get_num_threads() > 1:
        _threads.parallel_ranges(rows, x.shape[0])
    else:
        rows(0, x.shape[0])
    floor = 1e-22 if d.dtype.itemsize == 4 else 1e-200
    if not (sums.min() >= floor and sums.max() < _np.inf):  # (False for NaN too) a row of
        return None  # -inf (PyTorch gives NaN), of very negative x, or an overflow
    return e.reshape(d.shape)


def _check_float(input, dim, name):
    """Real floating dtypes only (bfloat16 included, complex refused), as PyTorch's kernels."""
    d = input._data
    if d.dtype.kind != "f" and d.dtype.name != "bfloat16":
        last = d.ndim == 0 or wrap_dim(dim, d.ndim) == d.ndim - 1
        kernel = f"{name}_lastdim_kernel_impl" if last else f"{name}_kernel_impl"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtype_name(d.dtype)}\'')


def log_softmax(input, dim, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    _check_float(input, dim, "log_softmax")
    return LogSoftmax.apply(input, _softmax_dim(input._data.ndim, dim))


def softmax(input, dim, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    _check_float(input, dim, "softmax")
    return Softmax.apply(input, _softmax_dim(input._data.ndim, dim))


# ---------------------------------------------------------------------------------- Tensor methods
def softmax_method(self, dim, dtype=None):
    """``x.softmax(dim)``."""
    return softmax(self, dim, dtype)


def log_softmax_method(self, dim, dtype=None):
    """``x.log_softmax(dim)``."""
    return log_softmax(self, dim, dtype)
