"""Functional resampling and attention: ``pad``, ``interpolate`` (and the ``upsample*``
aliases), ``pixel_shuffle``/``pixel_unshuffle``, ``scaled_dot_product_attention``. Re-exported
by ``ember.nn.functional``.

Example::

    import ember
    import ember.nn.functional as F
    F.interpolate(ember.randn(1, 1, 2, 2), scale_factor=2, mode="bilinear").shape  # [1,1,4,4]
"""

from __future__ import annotations

import math
import numbers

from ..ops.nn.attention import scaled_dot_product_attention
from ..ops.nn.pool import named
from ..ops.nn.resample import (
    ConstantPad, cubic_matrix, index_matrix, linear_matrix, PadIndexOp, UpsampleBicubicOp,
    UpsampleNearestOp, UpsampleOp
)
from ..backend import xp_of
from ._functional_checks import _ntuple

__all__ = [
    "pad",
    "interpolate",
    "upsample",
    "upsample_nearest",
    "upsample_bilinear",
    "pixel_shuffle",
    "pixel_unshuffle",
    "scaled_dot_product_attention",
]


# ------------------------------------------------------------------------------ pad, resample
def _pad_index(mode, n, lo, hi):
    import numpy as _np  # only to build the small index vector on the host

    j = _np.arange(-lo, n + hi)
    if mode == "reflect":
        period = 2 * (n - 1)
        j = _np.abs(j) % period if period else _np.zeros_like(j)
        j = _np.where(j >= n, period - j, j)
    elif mode == "replicate":
        j = _np.clip(j, 0, n - 1)
    else:  # circular: PyTorch crops the negative pads first, then wraps around what is left
        start, m = max(-lo, 0), n - max(-lo, 0) - max(-hi, 0)
        j = start + _np.arange(-max(lo, 0), m + max(hi, 0)) % m if m > 0 else j[:0]
    return j


def pad(input, pad, mode="constant", value=None):
    """Pad the last dims: ``pad = (left, right[, top, bottom[, front, back]])``.

    Modes ``'constant'`` (with ``value``, negative pads crop), ``'reflect'``, ``'replicate'``,
    ``'circular'``."""
    pads = [int(v) for v in pad]
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pads) // 2 > input.dim():
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input "
            "dimension but got padding length "
            f"{len(pads)} and input of dimension {input.dim()}"
        )
    if mode == "constant":
        return ConstantPad.apply(input, pads, 0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    nd = len(pads) // 2
    if input.dim() not in (nd + 1, nd + 2):
        raise NotImplementedError(
            f"Padding size {len(pads)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    xp = xp_of(input._data)
    mats = []
    for i in range(nd):
        ax = input.dim() - nd + i
        n = input.shape[ax]
        lo, hi = pads[2 * (nd - 1 - i)], pads[2 * (nd - 1 - i) + 1]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {ax} of input "
                f"{list(input.shape)}"
            )
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        mats.append(
            None
            if lo == hi == 0
            else index_matrix(xp, xp.asarray(_pad_index(mode, n, lo, hi)), n)
        )
    name = {"reflect": "ReflectionPad", "replicate": "ReplicationPad"}.get(mode, "CircularPad")
    return named(PadIndexOp, f"{name}{nd}DBackward0").apply(input, mats)


def interpolate(
    input,
    size=None,
    scale_factor=None,
    mode="nearest",
    align_corners=None,
    recompute_scale_factor=None,
    antialias=False,
):
    """Resize the spatial dims by ``size`` or ``scale_factor``.

    Modes: ``'nearest'``, ``'nearest-exact'``, ``'linear'``, ``'bilinear'``, ``'bicubic'``,
    ``'trilinear'`` (with ``align_corners``), ``'area'`` (adaptive average pooling). ember
    difference: ``antialias=True`` is not supported (ValueError)."""
    if antialias:
        raise ValueError("ember: interpolate(antialias=True) is not supported")
    x = input
    nd = x.dim() - 2
    if nd < 1:
        raise ValueError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
            f"{x.dim()}D) for the modes: nearest | linear | bilinear | bicubic | "
            f"trilinear | area | nearest-exact (got {mode})"
        )
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: "
            "linear | bilinear | bicubic | trilinear"
        )
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    S = tuple(x.shape[2:])
    if size is not None:
        O = _ntuple(size, nd)
        scales = [S[i] / O[i] for i in range(nd)]
    else:
        sf = (
            (float(scale_factor),) * nd
            if isinstance(scale_factor, numbers.Number)
            else tuple(float(v) for v in scale_factor)
        )
        O = tuple(int(math.floor(S[i] * sf[i])) for i in range(nd))
        scales = [S[i] / O[i] if recompute_scale_factor else 1.0 / sf[i] for i in range(nd)]
    xp = xp_of(x._data)
    _check_int_dtype(x, mode, nd)
    if mode == "area":
        from ._functional_pooling import _adaptive_avg

        return _adaptive_avg(nd, x, O)
    if mode in ("nearest", "nearest-exact"):
        mats = []
        for i in range(nd):
            o = xp.arange(O[i])
            src = xp.floor((o + (0.5 if mode == "nearest-exact" else 0.0)) * scales[i])
            mats.append(index_matrix(xp, xp.minimum(src.astype(xp.int64), S[i] - 1), S[i]))
        exact = "Exact" if mode == "nearest-exact" else ""
        return named(UpsampleNearestOp, f"Upsample{'Nearest' + exact}{nd}DBackward0").apply(
            x, mats
        )
    want = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}.get(mode)
    if want is None:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.dim()}D) for the "
            "modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact "
            f"(got {mode})"
        )
    if want != nd:
        raise NotImplementedError(f"Got {x.dim()}D input, but {mode} mode needs {want + 2}D input")
    if mode == "bicubic":
        mats = [cubic_matrix(xp, S[i], O[i], bool(align_corners), scales[i]) for i in range(nd)]
        return UpsampleBicubicOp.apply(x, mats)  # UpsampleBicubic2DBackward0
    mats = [linear_matrix(xp, S[i], O[i], bool(align_corners), scales[i]) for i in range(nd)]
    name = {1: "Linear1D", 2: "Bilinear2D", 3: "Trilinear3D"}[nd]
    return named(UpsampleOp, f"Upsample{name}Backward0").apply(x, mats)


def _check_int_dtype(x, mode, nd):
    """PyTorch resamples integer images only as uint8, and only by nearest, bilinear and
    bicubic; the other kernels raise NotImplementedError naming the dtype."""
    kind = x._data.dtype.kind
    if kind in "fc":
        return
    from ..ops.inplace import _dtype_name

    u8 = x._data.dtype.name == "uint8"
    if mode == "area":
        kernel = "adaptive_avg_pool3d_cpu" if nd == 3 else "adaptive_avg_pool2d"
    elif mode in ("linear", "trilinear"):
        kernel = "compute_indices_weights_linear"
    elif u8 or mode not in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        return
    elif mode == "bicubic":
        kernel = "compute_indices_weights_cubic"
    elif nd == 2:
        kernel = f"upsample_{'bilinear' if mode == 'bilinear' else 'nearest'}2d_channels_last"
    else:
        kernel = "compute_indices_weights_nearest"
    raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtype_name(x._data.dtype)}\'')


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input, upscale_factor):
    """``(*, C*r*r, H, W)`` -> ``(*, C, H*r, W*r)``."""
    r = int(upscale_factor)
    x = input
    if x.dim() < 3:
        raise RuntimeError(
            f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{x.dim()} dimension(s)"
        )
    *lead, c, h, w = x.shape
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    nl = len(lead)
    y = x.reshape(*lead, c // (r * r), r, r, h, w)
    y = y.permute(*range(nl), nl, nl + 3, nl + 1, nl + 4, nl + 2)
    return y.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """``(*, C, H*r, W*r)`` -> ``(*, C*r*r, H, W)``."""
    r = int(downscale_factor)
    x = input
    *lead, c, h, w = x.shape
    if h % r or w % r:
        raise RuntimeError(
            "pixel_unshuffle expects height and width to be divisible by downscale_factor"
        )
    nl = len(lead)
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    y = y.permute(*range(nl), nl, nl + 2, nl + 4, nl + 1, nl + 3)
    return y.reshape(*lead, c * r * r, h // r, w // r)
