"""Builders for ``torch.nn.functional`` layers called directly (``F.conv2d``,
``F.max_pool2d``, ``F.batch_norm``...); the module builders cover the same ops as modules."""

from __future__ import annotations

import numpy as np

from ._export import np_dtype
from ._ops import arg, builder


def _nt(v, n):
    return list(v) if isinstance(v, (tuple, list)) else [v] * n


@builder("conv1d", "conv2d", "conv3d")
def _conv(b, args, kwargs, value):
    x, w = args[0], args[1]
    bias = arg(args, kwargs, 2, "bias")
    n = x.rank - 2
    k = list(w.shape[2:])
    dil = _nt(arg(args, kwargs, 5, "dilation", 1), n)
    padding = arg(args, kwargs, 4, "padding", 0)
    if isinstance(padding, str):
        total = [d * (kk - 1) for d, kk in zip(dil, k)] if padding == "same" else [0] * n
        pads = [t // 2 for t in total] + [t - t // 2 for t in total]
    else:
        pads = _nt(padding, n) * 2
    ins = [x.name, b.tensor(w)] + ([b.tensor(bias)] if bias is not None else [])
    return b.op("Conv", ins, kernel_shape=k, strides=_nt(arg(args, kwargs, 3, "stride", 1), n),
                pads=pads, dilations=dil, group=int(arg(args, kwargs, 6, "groups", 1)))


@builder("max_pool1d", "max_pool2d", "max_pool3d")
def _max_pool(b, args, kwargs, value):
    x = args[0]
    n = x.rank - 2
    if arg(args, kwargs, 6, "return_indices", False):
        return NotImplemented
    k = _nt(arg(args, kwargs, 1, "kernel_size"), n)
    stride = arg(args, kwargs, 2, "stride") or k
    return b.op("MaxPool", [x.name], kernel_shape=k, strides=_nt(stride, n),
                pads=_nt(arg(args, kwargs, 3, "padding", 0), n) * 2,
                dilations=_nt(arg(args, kwargs, 4, "dilation", 1), n),
                ceil_mode=int(arg(args, kwargs, 5, "ceil_mode", False)))


@builder("avg_pool1d", "avg_pool2d", "avg_pool3d")
def _avg_pool(b, args, kwargs, value):
    x = args[0]
    n = x.rank - 2
    if arg(args, kwargs, 6, "divisor_override") is not None:
        return NotImplemented
    k = _nt(arg(args, kwargs, 1, "kernel_size"), n)
    stride = arg(args, kwargs, 2, "stride") or k
    return b.op("AveragePool", [x.name], kernel_shape=k, strides=_nt(stride, n),
                pads=_nt(arg(args, kwargs, 3, "padding", 0), n) * 2,
                ceil_mode=int(arg(args, kwargs, 4, "ceil_mode", False)),
                count_include_pad=int(arg(args, kwargs, 5, "count_include_pad", True)))


@builder("adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d")
def _adaptive_avg_pool(b, args, kwargs, value):
    x = args[0]
    n = x.rank - 2
    out = _nt(arg(args, kwargs, 1, "output_size"), n)
    spatial = list(x.shape[-n:])
    out = [s if o is None else o for o, s in zip(out, spatial)]
    if all(o == 1 for o in out):
        return b.op("GlobalAveragePool", [x.name])
    if any(s % o for s, o in zip(spatial, out)):
        return NotImplemented
    k = [s // o for s, o in zip(spatial, out)]
    return b.op("AveragePool", [x.name], kernel_shape=k, strides=k)


@builder("batch_norm")
def _batch_norm(b, args, kwargs, value):
    x, mean, var = args[0], args[1], args[2]
    w, bias = arg(args, kwargs, 3, "weight"), arg(args, kwargs, 4, "bias")
    if arg(args, kwargs, 5, "training", False) or mean is None:
        return NotImplemented  # batch statistics: only the eval form exports
    c = x.shape[1]
    dt = np_dtype(x.dtype)
    w = b.tensor(w) if w is not None else b.const(np.ones(c), dt)
    bias = b.tensor(bias) if bias is not None else b.const(np.zeros(c), dt)
    return b.op("BatchNormalization", [x.name, w, bias, b.tensor(mean), b.tensor(var)],
                epsilon=float(arg(args, kwargs, 7, "eps", 1e-5)))


@builder("layer_norm")
def _layer_norm(b, args, kwargs, value):
    x, shape = args[0], tuple(arg(args, kwargs, 1, "normalized_shape"))
    w, bias = arg(args, kwargs, 2, "weight"), arg(args, kwargs, 3, "bias")
    dt = np_dtype(x.dtype)
    w = b.tensor(w) if w is not None else b.const(np.ones(shape), dt)
    bias = b.tensor(bias) if bias is not None else b.const(np.zeros(shape), dt)
    return b.op("LayerNormalization", [x.name, w, bias], axis=-len(shape),
                epsilon=float(arg(args, kwargs, 4, "eps", 1e-5)))


@builder("embedding")
def _embedding(b, args, kwargs, value):
    idx, w = args[0], args[1]
    if arg(args, kwargs, 3, "max_norm") is not None:
        return NotImplemented
    return b.op("Gather", [b.tensor(w), b.tensor(idx)], axis=0)


