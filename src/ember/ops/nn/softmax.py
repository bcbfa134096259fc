"""softmax and log_softmax as Functions (numerically stable, with PyTorch's dtype rules)."""

from __future__ import annotations

from ...autograd.function import Function
from ...backend import errstate as _be_errstate
from ...backend import xp_of
from .._util import make_dense as make, sum_axes, wrap_dim
from ..inplace import _dtype_name


def _low(d):
    """float16 and bfloat16 compute in float32 and round once, as PyTorch's kernels (which
    accumulate in float): the dtype to return to, or None."""
    return d.dtype if d.dtype.name in ("float16", "bfloat16") else None


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
        low = _low(d)
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
        low = y.dtype if _low(y._data) is not None else None
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
        low = _low(d)
        if low is not None:
            d = d.astype("float32")
        if d.ndim == 0:
            with _be_errstate(xp, invalid="ignore"):
                out = xp.exp(d - d)  # 1 (nan for inf or nan), as PyTorch
        elif d.size == 0:
            out = d.copy()
        else:
            with _be_errstate(xp, invalid="ignore", over="ignore"):
                e = xp.exp(d - d.max(axis=dim, keepdims=True))
                e /= sum_axes(e, (dim,), True)
            out = e
        y = make(out if low is None else out.astype(low))
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        low = y.dtype if _low(y._data) is not None else None
        if low is not None:
            y, grad_output = y.float(), grad_output.float()
        gy = grad_output * y
        if ctx.dim is None:  # 0 for a finite 0-d input, NaN for inf or NaN, as PyTorch
            g = gy - y * gy
        else:
            g = gy - y * gy.sum(ctx.dim, keepdim=True)
        return (g if low is None else g.to(low)), None


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
