"""Moments and statistics: var, std, var_mean, std_mean (with PyTorch's correction rules),
cov, corrcoef."""

from __future__ import annotations

import math as _math

from ... import dtypes as _dt
from ...autograd.function import Function
from ...backend import errstate as _be_errstate
from ...backend import xp_of
from ...tensor import Tensor
from .._util import make_dense as make
from .dims import _kept, _reduced_shape, _unsqueeze_to, dims_of, max_
from .sum_prod import _write, mean


# ------------------------------------------------------------------------------------ var, std
def _correction(unbiased, correction, name):
    if correction is not None and unbiased is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got both "
                        "unbiased and correction")
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def _moments(x, dims, keepdim, correction, name, root=False):
    """(var, or std with ``root``; mean; degrees of freedom), computed in double precision."""
    d = x._data
    xp = xp_of(d)
    if d.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    n = 1
    for i in dims:
        n *= d.shape[i]
    dof = n - correction
    if dof <= 0:
        import warnings

        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=4)
    out_dtype = d.dtype
    if d.dtype.kind == "f" and d.itemsize < 8:  # PyTorch accumulates in double on the CPU:
        d = d.astype(xp.float64)  # var([100., 1e30]) must not overflow in float32
    elif d.dtype.kind == "c" and d.itemsize < 16:
        d = d.astype(xp.complex128)
    with _be_errstate(xp, invalid="ignore", divide="ignore", over="ignore"):
        mean_k = d.mean(axis=dims, keepdims=True) if n else xp.full(
            _reduced_shape(d.shape, dims, True), xp.nan, d.dtype)
        dev = d - mean_k
        sq = (dev * dev.conj()).real if d.dtype.kind == "c" else dev * dev
        var = sq.sum(axis=dims, keepdims=keepdim) / max_(dof, 0)
        if root:
            var = xp.sqrt(var)
    mean = mean_k if keepdim else mean_k.reshape(_reduced_shape(d.shape, dims, False))
    real = xp.empty(0, out_dtype).real.dtype
    with _be_errstate(xp, over="ignore"):
        return (xp.asarray(var).astype(real, copy=False),
                xp.asarray(mean).astype(out_dtype, copy=False), dof)


class Var(Function):
    """y = sum((x - mean)**2) / (n - correction);  dy/dx = 2 (x - mean) / (n - correction)"""

    _builtin = True
    _node_name = "VarBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, correction):
        var, _, dof = _moments(x, dims, keepdim, correction, "var")
        ctx.save_for_backward(x)
        ctx.dims, ctx.keepdim, ctx.dof = dims, keepdim, dof
        return make(var)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        g = _unsqueeze_to(grad_output, x.shape, ctx.dims, ctx.keepdim)
        return _var_grad(g, x, ctx.dims, ctx.dof), None, None, None


def _var_grad(g, x, dims, dof):
    """PyTorch's var_backward: ``g * 2 (x - mean) / dof``; with no degrees of freedom left
    over a full reduction, ``g`` times inf (nan where x equals the mean), and over dims
    ``2 / 0`` is inf, silently (no ZeroDivisionError)."""
    if dof <= 0 and len(dims) == x._data.ndim:
        from ..pointwise.clamp import where

        return g * where(x == mean(x, dims, True), _math.nan, _math.inf)
    return g * (x - mean(x, dims, True)) * (2.0 / dof if dof else _math.inf)


def _std_to_var_grad(g, yk):
    """PyTorch's std_backward: the gradient of var is ``g / (2 std)``, 0 where std is 0."""
    from ..pointwise.clamp import where

    # divide by a safe denominator so the masked places stay finite in double backward
    return where(yk == 0, 0.0, g / where(yk == 0, 1.0, 2.0 * yk))


class Std(Function):
    """y = sqrt(var(x));  dy/dx = (x - mean) / ((n - correction) y) (0 where y == 0)"""

    _builtin = True
    _node_name = "StdBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, correction):
        var, _, dof = _moments(x, dims, keepdim, correction, "std", root=True)
        y = make(var)
        ctx.save_for_backward(x, y)
        ctx.dims, ctx.keepdim, ctx.dof = dims, keepdim, dof
        return y

    @staticmethod
    def backward(ctx, grad_output):
        x, g, yk = _kept(ctx, grad_output)
        return _var_grad(_std_to_var_grad(g, yk), x, ctx.dims, ctx.dof), None, None, None


class VarMean(Function):
    """(v, m) = (var(x), mean(x));  dv/dx = 2 (x - m) / (n - c), dm/dx = 1 / n"""

    _builtin = True
    _node_name = "VarMeanBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, correction):
        var, m, dof = _moments(x, dims, keepdim, correction, "var_mean")
        ctx.save_for_backward(x)
        ctx.dims, ctx.keepdim, ctx.dof = dims, keepdim, dof
        n = 1
        for i in dims:
            n *= x._data.shape[i]
        ctx.n = n
        return make(var), make(m.astype(x._data.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_var, grad_mean):
        (x,) = ctx.saved_tensors
        gv = _unsqueeze_to(grad_var, x.shape, ctx.dims, ctx.keepdim)
        gm = _unsqueeze_to(grad_mean, x.shape, ctx.dims, ctx.keepdim)
        gx = _var_grad(gv, x, ctx.dims, ctx.dof) + gm.expand(x.shape) / ctx.n
        return gx, None, None, None


class StdMean(Function):
    """(s, m) = (std(x), mean(x));  ds/dx = (x - m) / ((n - c) s), dm/dx = 1 / n"""

    _builtin = True
    _node_name = "StdMeanBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, correction):
        var, m, dof = _moments(x, dims, keepdim, correction, "std_mean", root=True)
        s = make(var)
        ctx.save_for_backward(x, s)
        ctx.dims, ctx.keepdim, ctx.dof = dims, keepdim, dof
        n = 1
        for i in dims:
            n *= x._data.shape[i]
        ctx.n = n
        return s, make(m.astype(x._data.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_std, grad_mean):
        x, s = ctx.saved_tensors
        gs = _unsqueeze_to(grad_std, x.shape, ctx.dims, ctx.keepdim)
        sk = _unsqueeze_to(s, x.shape, ctx.dims, ctx.keepdim)
        gm = _unsqueeze_to(grad_mean, x.shape, ctx.dims, ctx.keepdim)
        gx = _var_grad(_std_to_var_grad(gs, sk), x, ctx.dims, ctx.dof) + \
            gm.expand(x.shape) / ctx.n
        return gx, None, None, None


def _var_args(input, dim, unbiased, keepdim, correction, name):
    if isinstance(dim, bool):  # var(input, unbiased)
        unbiased, dim = dim, None
    c = _correction(unbiased, correction, name)
    return dims_of(dim, input._data.ndim), keepdim, c


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over ``dim`` with Bessel's ``correction`` (1 by default; ``unbiased=False``
    is ``correction=0``)."""
    dims, keepdim, c = _var_args(input, dim, unbiased, keepdim, correction, "var")
    res = Var.apply(input, dims, keepdim, c)
    return res if out is None else _write(res, out, input)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over ``dim`` (``correction`` as in ``var``)."""
    dims, keepdim, c = _var_args(input, dim, unbiased, keepdim, correction, "std")
    res = Std.apply(input, dims, keepdim, c)
    return res if out is None else _write(res, out, input)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` in one pass (a plain tuple, as PyTorch returns)."""
    dims, keepdim, c = _var_args(input, dim, unbiased, keepdim, correction, "var_mean")
    return VarMean.apply(input, dims, keepdim, c)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` in one pass."""
    dims, keepdim, c = _var_args(input, dim, unbiased, keepdim, correction, "std_mean")
    return StdMean.apply(input, dims, keepdim, c)


# --------------------------------------------------------------------------------- statistics
def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of ``input`` (observations in the
    columns), with PyTorch's frequency/analytic weights and ``correction``."""
    if input._data.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input._data.ndim} dimensions")
    x = input.reshape(1, -1) if input._data.ndim < 2 else input
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        x = x.to(_dt.get_default_dtype())
    num_obs = x._data.shape[1]
    w = None
    if fweights is not None:
        if fweights._data.dtype.kind not in "iu":
            raise RuntimeError(f"cov(): expected fweights to have integral dtype but got "
                               f"fweights with {fweights.dtype} dtype")
        w = fweights
    if aweights is not None:
        if aweights._data.dtype.kind != "f":
            raise RuntimeError(f"cov(): expected aweights to have floating point dtype but got "
                               f"aweights with {aweights.dtype} dtype")
        if bool((aweights._data < 0).any()):
            raise RuntimeError("cov(): aweights cannot be negative")
        w = aweights if w is None else w * aweights
    if w is None:
        avg = x.mean(1)
        w_sum = num_obs
        norm_factor = w_sum - correction
    else:
        w = w.to(x.dtype) if not w.dtype.is_floating_point else w
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        if aweights is not None and correction != 0:
            wa = (w * aweights).sum() if fweights is not None else (w * w).sum()
            norm_factor = w_sum - correction * wa / w_sum
        else:
            norm_factor = w_sum - correction
    nf = float(norm_factor) if isinstance(norm_factor, Tensor) else norm_factor
    if nf <= 0:
        import warnings

        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm_factor = 0.0 if not isinstance(norm_factor, Tensor) else norm_factor.clamp(min=0)
    xc = x - avg.unsqueeze(1)
    xw = xc if w is None else xc * w
    c = xc.matmul(xw.t().conj() if x.dtype.is_complex else xw.t())
    with _quiet(x):
        out = c / norm_factor
    return out.squeeze()


def _quiet(t):
    xp = xp_of(t._data)
    return _be_errstate(xp, divide="ignore", invalid="ignore")


def corrcoef(input):
    """Pearson correlation coefficients of the variables in the rows of ``input``."""
    c = cov(input)
    if c._data.ndim == 0:
        return c / c
    d = c.diagonal()
    std = d.sqrt() if not c.dtype.is_complex else d.real.sqrt()
    c = c / std.unsqueeze(1)
    c = c / std.unsqueeze(0)
    return c.clamp(-1, 1) if not c.dtype.is_complex else c
