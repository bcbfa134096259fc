"""``torch.norm`` and the vector norm node it and ``linalg.vector_norm`` (``linalg/norms.py``)
share."""

from __future__ import annotations

import math as _math

from ...autograd.function import Function, grads_flow
from ...backend import errstate as _be_errstate
from ...backend import xp_of
from .._util import low_precision
from .._util import make_dense as make
from .dims import _kept, dims_of
from .sum_prod import _title, _write, sum


# ---------------------------------------------------------------------------------------- norm
class VectorNorm(Function):
    """y = (sum |x|**p)**(1/p) over dims (p = inf: max |x|, p = 0: count of nonzeros);
    dy/dx = x |x|**(p-2) / y**(p-1) (p = 2: x / y; p = 1: sgn x; inf: split among the maxima)"""

    _builtin = True
    _node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, ord, dims, keepdim):
        d = x._data
        xp = xp_of(d)
        if not grads_flow(d.dtype):  # floating or complex, bfloat16 included
            raise RuntimeError(
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                f"{_title(x)}")
        a = xp.abs(d)
        low = low_precision(d)  # float16, bfloat16: computed in float32, rounded once
        if low is not None:
            a = a.astype("float32")
        with _be_errstate(xp, over="ignore", invalid="ignore", divide="ignore"):
            if ord == 2:
                y = xp.sqrt((a * a).sum(axis=dims, keepdims=keepdim))
            elif ord == 1:
                y = a.sum(axis=dims, keepdims=keepdim)
            elif ord == _math.inf:
                if a.size == 0:
                    raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an "
                                       "empty tensor because the operation does not have an "
                                       "identity")
                y = a.max(axis=dims, keepdims=keepdim)
            elif ord == -_math.inf:
                if a.size == 0:
                    raise RuntimeError("linalg.vector_norm cannot compute the -inf norm on an "
                                       "empty tensor because the operation does not have an "
                                       "identity")
                y = a.min(axis=dims, keepdims=keepdim)
            elif ord == 0:
                y = (a != 0).sum(axis=dims, keepdims=keepdim).astype(a.dtype)
            else:
                y = ((a ** ord).sum(axis=dims, keepdims=keepdim)) ** (1.0 / ord)
            y = xp.asarray(y).astype(low or a.dtype, copy=False)
        out = make(y)
        ctx.save_for_backward(x, out)
        ctx.ord, ctx.dims, ctx.keepdim = ord, dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad_output):
        from ..pointwise.clamp import where
        from ..pointwise.rounding import abs as _abs
        from ..pointwise.rounding import sgn

        x, g, yk = _kept(ctx, grad_output)
        p = ctx.ord
        if p == 0:
            return x * 0 * g, None, None, None
        if p == 1:
            return g * sgn(x), None, None, None
        if p == 2:
            return where(yk == 0, 0.0, g / where(yk == 0, 1.0, yk)) * x, None, None, None
        if p in (_math.inf, -_math.inf):
            ax = _abs(x)
            mask = (ax == yk) | ax.isnan()  # PyTorch: the NaNs are maxima too (sgn(NaN) = 0)
            count = sum(mask, ctx.dims, True)
            return g * sgn(x) * mask / count, None, None, None
        a = _abs(x)
        # a safe base where |x| = 0 (no 0 ** negative, finite in double backward)
        scale = a ** (p - 2) if p >= 2 else where(a == 0, 0.0, where(a == 0, 1.0, a) ** (p - 2))
        safe = where(yk == 0, 1.0, yk)
        return where(yk == 0, 0.0, g / safe ** (p - 1)) * x * scale, None, None, None


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """``(sum |x|**ord)**(1/ord)`` over ``dim`` (all dims when None)."""
    if dtype is not None:
        x = x.to(dtype)
    dims = dims_of(dim, x._data.ndim)
    return VectorNorm.apply(x, float(ord), dims, keepdim)


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """The vector ``p``-norm over ``dim`` (``'fro'``: the 2-norm), as ``torch.norm``."""
    if p == "fro" or p is None:
        if dim is not None and not isinstance(dim, int) and len(dim) > 2:
            raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got " +
                               " ".join(str(d) for d in dim))
        p = 2
    elif p == "nuc":
        from ..linalg.norms import matrix_norm

        return matrix_norm(input, "nuc", dim=(-2, -1) if dim is None else dim, keepdim=keepdim)
    elif isinstance(p, str):
        raise RuntimeError(f"linalg.vector_norm: Expected a number as ord, got {p}")
    res = vector_norm(input, p, dim, keepdim, dtype=dtype)
    return res if out is None else _write(res, out, input)
