"""Resampling as separable linear maps: adaptive average pooling, upsampling (nearest,
linear, bicubic) and padding by index."""

from __future__ import annotations

from ...autograd.function import _NULL_CTX, Function
from ...backend import xp_of
from .._util import _quiet as quiet
from .._util import make
from .pool import _adaptive_bounds


# ------------------------------------------------------- separable linear maps (one per dim)
def _apply_mats(x, mats):
    """Apply ``mats[i]`` ``(O_i, S_i)`` along spatial dim ``i`` (the last ``len(mats)`` dims)."""
    nd = len(mats)
    y = x
    for i, m in enumerate(mats):
        if m is None:
            continue
        ax = y.ndim - nd + i
        if ax == y.ndim - 1:
            y = y @ m.T
        elif ax == y.ndim - 2:
            y = m @ y
        else:
            xp = xp_of(y)
            y = xp.moveaxis(xp.moveaxis(y, ax, -1) @ m.T, -1, ax)
    return xp_of(y).ascontiguousarray(y)


def _fixed_point(m):
    """PyTorch's uint8 resampling weights: ``m`` scaled to int16 range by the largest power of
    two that keeps the largest weight below 2**15, rounded half away from zero."""
    xp = xp_of(m)
    wmax = float(xp.abs(m).max()) if m.size else 0.0
    prec = 0
    for prec in range(22):
        if int(0.5 + wmax * (1 << (prec + 1))) >= (1 << 15):
            break
    v = m * float(1 << prec)
    return xp.where(v < 0, xp.trunc(v - 0.5), xp.trunc(v + 0.5)).astype(xp.int64), prec


def _apply_mats_uint8(x, mats):
    """Interpolating a uint8 image as PyTorch does: fixed-point weights, one pass per dim from
    the last (horizontal) one, each rounded and clamped to [0, 255]."""
    xp = xp_of(x)
    nd = len(mats)
    y = x.astype(xp.int64)
    for i in reversed(range(nd)):
        if mats[i] is None:
            continue
        w, prec = _fixed_point(mats[i])
        ax = y.ndim - nd + i
        y = xp.moveaxis(xp.moveaxis(y, ax, -1) @ w.T, -1, ax)
        y = xp.clip((y + ((1 << prec) >> 1)) >> prec, 0, 255)
    return xp.ascontiguousarray(y.astype(x.dtype))


class SeparableLinear(Function):
    """y = x with matrix M_i applied along spatial dim i;  dy/dx = the same with M_i^T"""

    _builtin = True
    _node_name = "SeparableLinearBackward0"

    @staticmethod
    def forward(ctx, x, mats):
        xd = x._data
        if xd.dtype.kind == "u" and any(m is not None and m.dtype.kind == "f" for m in mats):
            return make(_apply_mats_uint8(xd, mats))
        ms = [None if m is None else m.astype(xd.dtype, copy=False) for m in mats]
        if ctx is not _NULL_CTX:
            ctx.mats = ms
        with quiet(xp_of(xd)):
            return make(_apply_mats(xd, ms))

    @staticmethod
    def backward(ctx, grad_output):
        cls = type(ctx)._forward_cls
        return cls.apply(grad_output, [None if m is None else m.T for m in ctx.mats]), None


class AdaptiveAvgPoolOp(SeparableLinear):
    _node_name = "AdaptiveAvgPool2DBackward0"


class UpsampleOp(SeparableLinear):
    _node_name = "UpsampleBilinear2DBackward0"


class UpsampleNearestOp(SeparableLinear):
    _node_name = "UpsampleNearest2DBackward0"


class UpsampleBicubicOp(SeparableLinear):
    _node_name = "UpsampleBicubic2DBackward0"


class PadIndexOp(SeparableLinear):
    _node_name = "ReflectionPad2DBackward0"


def adaptive_avg_matrix(xp, S, O):
    m = xp.zeros((O, S))
    for o, (a, b) in enumerate(_adaptive_bounds(S, O)):
        m[o, a:b] = 1.0 / (b - a)
    return m


def index_matrix(xp, idx, S):
    """The 0/1 matrix that gathers ``x[idx]`` along one dim of length ``S``."""
    m = xp.zeros((len(idx), S))
    m[xp.arange(len(idx)), idx] = 1.0
    return m


def linear_matrix(xp, S, O, align_corners, scale):
    """PyTorch's (bi/tri)linear interpolation weights along one dim, ``(O, S)``."""
    o = xp.arange(O, dtype=xp.float64)
    if align_corners:
        src = o * ((S - 1) / (O - 1)) if O > 1 else o * 0.0
    else:
        src = xp.maximum((o + 0.5) * scale - 0.5, 0.0)
    lo = xp.minimum(xp.floor(src).astype(xp.int64), S - 1)
    hi = xp.minimum(lo + 1, S - 1)
    lam = src - lo
    m = xp.zeros((O, S))
    m[xp.arange(O), lo] += 1.0 - lam
    m[xp.arange(O), hi] += lam
    return m


def cubic_matrix(xp, S, O, align_corners, scale):
    """PyTorch's bicubic weights (A = -0.75, border indices clamped) along one dim, ``(O, S)``."""
    A = -0.75
    o = xp.arange(O, dtype=xp.float64)
    if align_corners:
        src = o * ((S - 1) / (O - 1)) if O > 1 else o * 0.0
    else:
        src = (o + 0.5) * scale - 0.5  # not clamped at 0 for cubic, as PyTorch
    i0 = xp.floor(src).astype(xp.int64)
    t = src - i0

    def near(x):  # |x| <= 1
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A

    m = xp.zeros((O, S))
    rows = xp.arange(O)
    for off, w in ((-1, far(t + 1)), (0, near(t)), (1, near(1 - t)), (2, far(2 - t))):
        xp.add.at(m, (rows, xp.clip(i0 + off, 0, S - 1)), w)
    return m


class ConstantPad(Function):
    """y = x padded with value (negative pads crop);  dy/dx = y's gradient cropped back"""

    _builtin = True
    _node_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, pads, value):
        xd = x._data
        xp = xp_of(xd)
        nd = len(pads) // 2
        lead = xd.ndim - nd
        shape = list(xd.shape)
        src, dst = [slice(None)] * lead, [slice(None)] * lead
        for i in range(nd):
            ax = xd.ndim - 1 - i
            lo, hi = pads[2 * i], pads[2 * i + 1]
            n = xd.shape[ax]
            new = n + lo + hi
            if new < 0:
                raise RuntimeError(
                    f"The input size {n}, plus negative padding {lo} and {hi} resulted in a "
                    f"negative output size, which is invalid. Check dimension {ax} of your input."
                )
            shape[ax] = new
        for ax in range(lead, xd.ndim):
            i = xd.ndim - 1 - ax
            lo, hi = pads[2 * i], pads[2 * i + 1]
            n = xd.shape[ax]
            src.append(slice(max(-lo, 0), n - max(-hi, 0)))
            dst.append(slice(max(lo, 0), max(lo, 0) + max(n - max(-lo, 0) - max(-hi, 0), 0)))
        out = xp.full(shape, value, xd.dtype)
        out[tuple(dst)] = xd[tuple(src)]
        if ctx is not _NULL_CTX:
            ctx.pads = pads
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        return ConstantPad.apply(grad_output, [-v for v in ctx.pads], 0), None, None
