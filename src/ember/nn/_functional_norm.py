"""Functional normalisation: batch_norm, layer_norm, group_norm, instance_norm, rms_norm
(ops in ``ember.ops.nn.normalization``), and local_response_norm (composed of differentiable
ops)."""

from __future__ import annotations

import numbers

from ..ops.nn.normalization import BatchNormEval, BatchNormTrain, GroupNormOp, Normalize

__all__ = [
    "batch_norm",
    "layer_norm",
    "group_norm",
    "instance_norm",
    "rms_norm",
    "local_response_norm",
]


# ------------------------------------------------------------------------------ normalisation
def batch_norm(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training=False,
    momentum=0.1,
    eps=1e-05,
):
    """Normalise each channel (dim 1) over the batch and spatial dims.

    Training uses the batch statistics and updates ``running_mean``/``running_var`` in place
    (``r = (1 - momentum) * r + momentum * stat``, unbiased variance); otherwise the running
    statistics normalise."""
    x = input
    if x.dim() < 2:
        raise ValueError(f"Expected 2D or more input (got {x.dim()}D input)")
    Cn = x.shape[1]
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and t.numel() != Cn:
            raise RuntimeError(f"{name} should contain {Cn} elements not {t.numel()}")
    wshape = (1, Cn) + (1,) * (x.dim() - 2)
    if training:
        n = x.numel() // Cn if Cn else 0
        if n == 0:  # an empty batch: PyTorch returns it (times weight[0], plus bias[0])
            return _empty_batch_norm(x, weight, bias)
        if n == 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {x.shape!r}"
            )
        axes = (0,) + tuple(range(2, x.dim()))
        return BatchNormTrain.apply(
            x,
            weight,
            bias,
            running_mean,
            running_var,
            float(momentum) if momentum is not None else 0.0,
            (tuple(x.shape), axes, wshape, float(eps)),
        )
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    return BatchNormEval.apply(x, weight, bias, running_mean, running_var, float(eps), wshape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalise over the last ``len(normalized_shape)`` dims, then scale and shift."""
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (int(normalized_shape),)
    ns = tuple(int(v) for v in normalized_shape)
    x = input
    k = len(ns)
    if x.dim() < k or tuple(x.shape[x.dim() - k :]) != ns:
        raise RuntimeError(
            f"Given normalized_shape={list(ns)}, expected input with shape "
            f"[*, {', '.join(map(str, ns))}], but got input of size{list(x.shape)}"
        )
    axes = tuple(range(x.dim() - k, x.dim()))
    wshape = (1,) * (x.dim() - k) + ns
    return Normalize.apply(x, weight, bias, (tuple(x.shape), axes, wshape, float(eps)))


def _empty_batch_norm(x, weight, bias):
    out = x.clone()
    if weight is not None:
        out = out * weight[0]
    if bias is not None:
        out = out + bias[0]
    return out


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Normalise each group of ``C / num_groups`` channels over them and the spatial dims."""
    x = input
    if x.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {x.dim()}"
        )
    N, Cn = x.shape[:2]
    if Cn % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(x.shape)} and num_groups={num_groups}"
        )
    wshape = (1, Cn) + (1,) * (x.dim() - 2)
    per_group = x.numel() // (N * num_groups) if N * num_groups else 0  # explicit: N may be 0
    return GroupNormOp.apply(x, weight, bias,
                             ((N, num_groups, per_group), (2,), wshape, float(eps)))


def instance_norm(
    input,
    running_mean=None,
    running_var=None,
    weight=None,
    bias=None,
    use_input_stats=True,
    momentum=0.1,
    eps=1e-05,
):
    """Normalise each (sample, channel) plane over its spatial dims."""
    x = input
    if x.dim() < 3:
        raise ValueError(f"Expected 3D or more input (got {x.dim()}D input)")
    Cn = x.shape[1]
    wshape = (1, Cn) + (1,) * (x.dim() - 2)
    if not use_input_stats:
        return BatchNormEval.apply(
            x, weight, bias, running_mean, running_var, float(eps), wshape
        )
    n = 1
    for v in x.shape[2:]:
        n *= v
    if n <= 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {x.shape!r}"
        )
    axes = tuple(range(2, x.dim()))
    return BatchNormTrain.apply(
        x,
        weight,
        bias,
        running_mean,
        running_var,
        float(momentum),
        (tuple(x.shape), axes, wshape, float(eps)),
    )


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``x / sqrt(mean(x**2 over the last dims) + eps)`` (``eps`` defaults to the dtype's
    machine epsilon), times ``weight``."""
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    nd = len(tuple(normalized_shape))
    if tuple(input.shape[input.dim() - nd:]) != tuple(normalized_shape):
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size"
            f"{list(input.shape)}")
    if eps is None:
        from ..dtypes import finfo
        eps = finfo(input.dtype).eps
    dims = tuple(range(input.dim() - nd, input.dim()))
    out = input * (input.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """``input / (k + alpha * mean of input**2 over the ``size`` neighbouring channels) **
    beta``: the channel window (dim 1) is zero-padded by ``size // 2`` before and
    ``(size - 1) // 2`` after, and the mean always divides by ``size``, as PyTorch (an average
    pool of the padded squares). Differentiable through the ops it is made of."""
    from ._functional_pooling import avg_pool2d, avg_pool3d
    from ._functional_resample import pad

    nd = input.dim()
    if nd < 3:
        raise ValueError("Expected 3D or higher dimensionality                          input "
                         f"(got {nd} dimensions)")
    if input.numel() == 0:
        return input
    before, after = size // 2, (size - 1) // 2
    sq = (input * input).unsqueeze(1)  # (N, 1, C, ...): the channels become a pooled dim
    if nd == 3:
        mean = avg_pool2d(pad(sq, (0, 0, before, after)), (size, 1), stride=1).squeeze(1)
    else:
        n, c = input.shape[0], input.shape[1]
        sq = sq.reshape(n, 1, c, input.shape[2], -1)
        mean = avg_pool3d(pad(sq, (0, 0, 0, 0, before, after)), (size, 1, 1), stride=1)
        mean = mean.squeeze(1).reshape(input.shape)
    return input / (mean * alpha + k) ** beta
