"""Functional pooling: max/avg (fixed and adaptive windows, with indices), lp_pool, max_unpool.

Each calls one op of ``ember.ops.nn.pool``."""

from __future__ import annotations

import numbers

from ..backend import xp_of
from ..ops.nn.pool import AdaptiveMaxPool, AvgPool, MaxPool, named
from ..ops.nn.resample import AdaptiveAvgPoolOp, adaptive_avg_matrix
from ._functional_checks import _ntuple

__all__ = [
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "lp_pool1d",
    "lp_pool2d",
    "max_unpool1d",
    "max_unpool2d",
]


# ------------------------------------------------------------------------------ pooling
def _pool_input(x, nd, name):
    if x.dim() not in (nd + 1, nd + 2) or 0 in x.shape[1:]:
        if nd == 2:
            raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
        raise RuntimeError(
            f"{name}: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with optional 0 dim "
            f"batch size for input, but got: {list(x.shape)}"
        )
    return (x.unsqueeze(0), True) if x.dim() == nd + 1 else (x, False)


_NTH = {2: "two", 3: "three"}
_MAX1D_KINDS = {
    "kernel_size": "an int, list of ints or tuple of ints",
    "stride": "None, an int, list of ints, or tuple of ints",
    "padding": "an int, list of ints, or tuple of ints",
    "dilation": "an int, list of ints or tuple of ints",
}


def _pool_arg(v, nd, op, what):
    """``v`` as an ``nd``-tuple; a sequence of another length than 1 or ``nd`` raises PyTorch's
    RuntimeError (whose wording differs per op)."""
    if not isinstance(v, numbers.Integral) and len(tuple(v)) not in (1, nd):
        n = len(tuple(v))
        if op == "avg_pool1d":
            raise RuntimeError(f"avg_pool1d() argument '{what}' should contain one int (got {n})")
        if op == "max_pool1d":
            raise RuntimeError(
                f"max_pool1d() {what} must be {_MAX1D_KINDS[what]} of size 1 but got size {n}"
            )
        either = "" if op == "avg_pool3d" else "either "
        head = {"dilation": "must be either", "stride": f"must {either}be omitted,"}.get(
            what, f"must {either}be"
        )
        raise RuntimeError(f"{op}: {what} {head} a single int, or a tuple of {_NTH[nd]} ints")
    return _ntuple(v, nd)


def _maxpool_op(nd):
    return named(MaxPool, f"MaxPool{max(nd, 2)}DWithIndicesBackward0")


def _check_window(K, s, name):
    """PyTorch's errors for a zero or negative pooling window or stride (before any division)."""
    if len(K) == 1 and K[0] <= 0:
        raise RuntimeError(f"{name}() kernel_size must be greater than zero, but got {K[0]}")
    if any(v == 0 for v in s) or any(v == 0 for v in K):
        raise RuntimeError("stride should not be zero")
    if any(v < 0 for v in K):
        raise RuntimeError("kernel size should be greater than zero, but got " +
                           " ".join(f"k{a}: {v}" for a, v in zip("THW"[3 - len(K):], K)))


def _max_pool(nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    op = f"max_pool{nd}d"
    x, unbatched = _pool_input(input, nd, op)
    K = _pool_arg(kernel_size, nd, op, "kernel_size")
    s = (
        K
        if stride is None or (not isinstance(stride, int) and len(stride) == 0)
        else _pool_arg(stride, nd, op, "stride")
    )
    p, d = _pool_arg(padding, nd, op, "padding"), _pool_arg(dilation, nd, op, "dilation")
    _check_window(K, s, f"max_pool{nd}d")
    if any(v <= 0 for v in d):
        raise RuntimeError("dilation should be greater than zero, but got " +
                           " ".join(f"dilation{a}: {v}" for a, v in zip("DHW"[3 - nd:], d)))
    for i in range(nd):
        if p[i] * 2 > K[i]:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p[i]}, "
                f"kernel_size={K[i]} and dilation={d[i]}"
            )
    if return_indices:
        out, idx = _maxpool_op(nd).apply(x, K, s, p, d, bool(ceil_mode), True)
        return (out.squeeze(0), idx.squeeze(0)) if unbatched else (out, idx)
    out = _maxpool_op(nd).apply(x, K, s, p, d, bool(ceil_mode), False)
    return out.squeeze(0) if unbatched else out


def max_pool1d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """Max over sliding windows of ``(N, C, L)`` input."""
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """Max over sliding windows of ``(N, C, H, W)`` input; ``stride`` defaults to the kernel.

    With ``return_indices=True`` also the flat index (in the ``H*W`` plane) of each maximum."""
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=True
):
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=True
):
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=True
):
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_pool(
    nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
):
    name = f"avg_pool{nd}d"
    x, unbatched = _pool_input(input, nd, name)
    K = _pool_arg(kernel_size, nd, name, "kernel_size")
    s = (
        K
        if stride is None or (not isinstance(stride, int) and len(stride) == 0)
        else _pool_arg(stride, nd, name, "stride")
    )
    p = _pool_arg(padding, nd, name, "padding")
    _check_window(K, s, f"avg_pool{nd}d")
    for i in range(nd):
        if p[i] * 2 > K[i]:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p[i]}, "
                f"kernel_size={K[i]} and dilation=1"
            )
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    op = named(AvgPool, f"AvgPool{max(nd, 2)}DBackward0")
    out = op.apply(x, K, s, p, bool(ceil_mode), bool(count_include_pad), divisor_override)
    return out.squeeze(0) if unbatched else out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over sliding windows of ``(N, C, L)`` input."""
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """Mean over sliding windows; ``count_include_pad`` counts zero padding in the divisor."""
    return _avg_pool(
        2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def avg_pool3d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    return _avg_pool(
        3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def _adaptive_size(output_size, S):
    nd = len(S)
    if isinstance(output_size, numbers.Integral):
        return (int(output_size),) * nd
    out = tuple(S[i] if v is None else int(v) for i, v in enumerate(output_size))
    return out * nd if len(out) == 1 and nd > 1 else out


def _adaptive_avg(nd, input, output_size):
    x = input
    if x.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"adaptive_avg_pool{nd}d(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
            f"{list(x.shape)}"
        )
    S = x.shape[-nd:]
    O = _adaptive_size(output_size, S)
    xp = xp_of(x._data)
    mats = [None if O[i] == S[i] else adaptive_avg_matrix(xp, S[i], O[i]) for i in range(nd)]
    return named(AdaptiveAvgPoolOp, f"AdaptiveAvgPool{max(nd, 2)}DBackward0").apply(x, mats)


def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a fixed output length, windows ``[floor(iL/O), ceil((i+1)L/O))``."""
    return _adaptive_avg(1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed ``(H_out, W_out)`` (``None`` keeps that input size)."""
    return _adaptive_avg(2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg(3, input, output_size)


def _adaptive_max(nd, input, output_size, return_indices):
    x = input
    name = f"adaptive_max_pool{nd}d"
    if x.dim() not in (nd + 1, nd + 2):
        if nd == 1:
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.dim()}-dimensional "
                               f"tensor for argument #1 'self' (while checking arguments for "
                               f"{name})")
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: "
                           f"{list(x.shape)}")
    unbatched = x.dim() == nd + 1
    for i in range(1, x.dim()):  # dim 0 (the batch, or the channels unbatched) may be empty
        if x.shape[i] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(x.shape)} with dimension "
                               f"{i} being empty")
    if unbatched:
        x = x.unsqueeze(0)
    O = _adaptive_size(output_size, x.shape[2:])
    # one op for every dimensionality; 1-d and 2-d are PyTorch's 2-d kernel, 3-d its own node
    op = AdaptiveMaxPool if nd < 3 else named(AdaptiveMaxPool, "AdaptiveMaxPool3DBackward0")
    out, idx = op.apply(x, O)
    if unbatched:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return (out, idx) if return_indices else out


def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _adaptive_max(1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed ``(H_out, W_out)``."""
    return _adaptive_max(2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling to a fixed ``(D_out, H_out, W_out)`` (``None`` keeps that input size); with
    ``return_indices`` also the flat index of each maximum in its ``D*H*W`` plane."""
    return _adaptive_max(3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(2, input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(3, input, output_size, True)


def _lp_finish(out, norm_type, window):
    # PyTorch: (sign(out) * relu(|out|)) * window, then ** (1 / p)
    return (out.sign() * out.abs().relu()).mul(window).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: ``(sum over the window of x**p) ** (1/p)``."""
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, norm_type, kernel_size)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, numbers.Integral) else kernel_size
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, norm_type, kh * kw)


def _max_unpool(nd, input, indices, kernel_size, stride, padding, output_size):
    def tup(v):
        return (v,) * nd if isinstance(v, numbers.Integral) else tuple(v)

    k = tup(kernel_size)
    st = tup(stride if stride is not None else kernel_size)
    pd = tup(padding)
    lead = tuple(input.shape[:-nd])
    if output_size is None:
        size = tuple((input.shape[-nd + i] - 1) * st[i] - 2 * pd[i] + k[i] for i in range(nd))
    else:
        size = tuple(output_size)[-nd:]
    numel = 1
    for v in size:
        numel *= v
    flat = input.reshape(*lead, -1)
    out = flat.new_zeros(lead + (numel,)).scatter(-1, indices.reshape(*lead, -1), flat)
    return out.reshape(*lead, *size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of ``max_pool1d(return_indices=True)``: values back at their indices, zeros elsewhere."""
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)
