"""Functional forms of the layer ops (conv, pooling, normalisation, attention, pad, ...).

Signatures and defaults are PyTorch's (``F.conv2d(input, weight, bias=None, stride=1,
padding=0, dilation=1, groups=1)``...). Each checks its input the way PyTorch does, with its
exception types and messages, then calls one op from ``ember.ops.conv_ops``, ``pool_ops`` or
``norm_ops``. ``ember.nn.functional`` re-exports everything listed in ``__all__``.

Example::

    import ember
    import ember.nn.functional as F
    x = ember.randn(2, 1, 8, 8)
    y = F.max_pool2d(F.relu(F.conv2d(x, ember.randn(4, 1, 3, 3), padding=1)), 2)
    y.shape  # torch.Size([2, 4, 4, 4])
"""

from __future__ import annotations

import numbers

from ..ops import conv_ops as C
from ..ops import norm_ops as NO
from ..ops import pool_ops as P
from ..ops._util import Tensor, xp_of

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "unfold",
    "fold",
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
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "batch_norm",
    "layer_norm",
    "group_norm",
    "instance_norm",
]

_TYPE_NAMES = {
    "float32": "Float",
    "float64": "Double",
    "float16": "Half",
    "int64": "Long",
    "int32": "Int",
    "bool": "Bool",
    "uint8": "Byte",
}


def _ntuple(v, n):
    if isinstance(v, numbers.Integral):
        return (int(v),) * n
    v = tuple(int(a) for a in v)
    if len(v) == 1 and n > 1:
        return v * n
    return v


def _type_name(t):
    return _TYPE_NAMES.get(t.dtype.name if hasattr(t.dtype, "name") else str(t.dtype), "Float")


def _check_same_type(input, *others):
    for o in others:
        if o is not None and o._data.dtype != input._data.dtype:
            raise RuntimeError(
                f"expected scalar type {_type_name(input)} but found {_type_name(o)}"
            )


# ------------------------------------------------------------------------------ convolution
def _conv_input(x, nd, name, weight, bias):
    """``x`` as a batch (an unbatched input gets a batch of one) and whether it was unbatched;
    checks the rank and that ``weight`` and ``bias`` have the input's dtype."""
    if x.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {list(x.shape)}"
        )
    unbatched = x.dim() == nd + 1
    if unbatched:
        x = x.unsqueeze(0)
    _check_same_type(x, weight, bias)
    return x, unbatched


def _conv(nd, name, input, weight, bias, stride, padding, dilation, groups):
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{name}() argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    x, unbatched = _conv_input(input, nd, name, weight, bias)
    K = tuple(weight.shape[2:])
    s = _ntuple(stride, nd)
    d = _ntuple(dilation, nd)
    if isinstance(padding, str):
        if padding == "valid":
            p = (0,) * nd
        elif padding == "same":
            if any(v != 1 for v in s):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [d[i] * (K[i] - 1) for i in range(nd)]
            p = tuple(t // 2 for t in total)
            extra = [total[i] - 2 * p[i] for i in range(nd)]
            if any(extra):  # PyTorch pads the odd element on the right, then pads evenly
                pads = []
                for i in range(nd - 1, -1, -1):
                    pads += [0, extra[i]]
                x = P.ConstantPad.apply(x, pads, 0.0)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        p = _ntuple(padding, nd)
    cin = x.shape[1]
    if weight.shape[1] * groups != cin:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
            f"input{list(x.shape)} to have {weight.shape[1] * groups} channels, but got {cin} "
            "channels instead"
        )
    S = x.shape[2:]
    padded = [S[i] + 2 * p[i] for i in range(nd)]
    eff = [d[i] * (K[i] - 1) + 1 for i in range(nd)]
    if any(padded[i] < eff[i] for i in range(nd)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than "
            "actual input size"
        )
    out = C.Convolution.apply(x, weight, bias, (s, p, d, int(groups)))
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution over ``(N, C_in, L)`` (or unbatched ``(C_in, L)``) input.

    ``padding`` may be an int, a tuple, ``'valid'`` or ``'same'`` (stride 1)."""
    return _conv(1, "conv1d", input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution over ``(N, C_in, H, W)`` input with ``weight`` ``(C_out, C_in/groups,
    kH, kW)``.

    Example::

        y = F.conv2d(ember.randn(1, 3, 8, 8), ember.randn(4, 3, 3, 3), padding=1)  # (1,4,8,8)
    """
    return _conv(2, "conv2d", input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution over ``(N, C_in, D, H, W)`` input."""
    return _conv(3, "conv3d", input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose(
    nd,
    input,
    weight,
    bias,
    stride,
    padding,
    output_padding,
    groups,
    dilation,
    output_size=None,
):
    x, unbatched = _conv_input(input, nd, f"conv_transpose{nd}d", weight, bias)
    if x.shape[1] != weight.shape[0]:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
            f"{list(x.shape)} to have {weight.shape[0]} channels, but got {x.shape[1]} channels "
            "instead"
        )
    K = tuple(weight.shape[2:])
    s, p, d = _ntuple(stride, nd), _ntuple(padding, nd), _ntuple(dilation, nd)
    op = _ntuple(output_padding, nd)
    for i in range(nd):
        if op[i] >= max(s[i], d[i]):
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got "
                f"output_padding_height: {op[i]} output_padding_width: {op[-1]} stride_height: "
                f"{s[i]} stride_width: {s[-1]} dilation_height: {d[i]} dilation_width: {d[-1]}"
            )
    O = x.shape[2:]
    out_size = tuple(
        (O[i] - 1) * s[i] - 2 * p[i] + d[i] * (K[i] - 1) + 1 + op[i] for i in range(nd)
    )
    if output_size is not None:
        out_size = tuple(output_size)[-nd:]
    out = C.ConvTranspose.apply(x, weight, bias, (s, p, d, int(groups)), out_size)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """1-D transposed convolution; ``weight`` is ``(C_in, C_out/groups, kL)``."""
    return _conv_transpose(
        1, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """2-D transposed convolution (the gradient of conv2d w.r.t. its input)."""
    return _conv_transpose(
        2, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def conv_transpose3d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """3-D transposed convolution."""
    return _conv_transpose(
        3, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks: ``(N, C, H, W)`` -> ``(N, C*kH*kW, L)`` (im2col)."""
    x = input
    if x.dim() not in (3, 4):
        raise RuntimeError(
            f"Input Error: Only 3D or 4D input Tensors are supported (got {x.dim()}D)"
        )
    unbatched = x.dim() == 3
    if unbatched:
        x = x.unsqueeze(0)
    out = C.Im2Col.apply(
        x, _ntuple(kernel_size, 2), _ntuple(dilation, 2), _ntuple(padding, 2), _ntuple(stride, 2)
    )
    return out.squeeze(0) if unbatched else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding blocks back: ``(N, C*kH*kW, L)`` -> ``(N, C, H, W)`` (col2im)."""
    x = input
    if x.dim() not in (2, 3):
        raise RuntimeError(
            f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got "
            f"{x.dim()}D)"
        )
    unbatched = x.dim() == 2
    if unbatched:
        x = x.unsqueeze(0)
    K = _ntuple(kernel_size, 2)
    osz, d, p, s = (
        _ntuple(output_size, 2),
        _ntuple(dilation, 2),
        _ntuple(padding, 2),
        _ntuple(stride, 2),
    )
    kk = K[0] * K[1]
    if x.shape[1] % kk:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={x.shape[1]} and kernel_size={K}"
        )
    L = 1
    for i in range(2):
        L *= (osz[i] + 2 * p[i] - d[i] * (K[i] - 1) - 1) // s[i] + 1
    if x.shape[2] != L:
        raise RuntimeError(
            f"Given output_size={osz}, kernel_size={K}, dilation={d}, padding={p}, stride={s}, "
            f"expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {L}, but got input.size(2)={x.shape[2]}."
        )
    out = C.Col2Im.apply(x, osz, K, d, p, s)
    return out.squeeze(0) if unbatched else out


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


def _maxpool_op(nd):
    return P.named(P.MaxPool, f"MaxPool{max(nd, 2)}DWithIndicesBackward0")


def _max_pool(nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x, unbatched = _pool_input(input, nd, f"max_pool{nd}d")
    K = _ntuple(kernel_size, nd)
    s = (
        K
        if stride is None or (not isinstance(stride, int) and len(stride) == 0)
        else _ntuple(stride, nd)
    )
    p, d = _ntuple(padding, nd), _ntuple(dilation, nd)
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
    x, unbatched = _pool_input(input, nd, f"avg_pool{nd}d")
    K = _ntuple(kernel_size, nd)
    s = (
        K
        if stride is None or (not isinstance(stride, int) and len(stride) == 0)
        else _ntuple(stride, nd)
    )
    p = _ntuple(padding, nd)
    for i in range(nd):
        if p[i] * 2 > K[i]:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p[i]}, "
                f"kernel_size={K[i]} and dilation=1"
            )
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    op = P.named(P.AvgPool, f"AvgPool{max(nd, 2)}DBackward0")
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
    mats = [None if O[i] == S[i] else P.adaptive_avg_matrix(xp, S[i], O[i]) for i in range(nd)]
    return P.named(P.AdaptiveAvgPoolOp, f"AdaptiveAvgPool{max(nd, 2)}DBackward0").apply(x, mats)


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
    if x.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"adaptive_max_pool{nd}d(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
            f"{list(x.shape)}"
        )
    unbatched = x.dim() == nd + 1
    if unbatched:
        x = x.unsqueeze(0)
    O = _adaptive_size(output_size, x.shape[2:])
    out, idx = P.AdaptiveMaxPool.apply(x, O)
    if unbatched:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return (out, idx) if return_indices else out


def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _adaptive_max(1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed ``(H_out, W_out)``."""
    return _adaptive_max(2, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(2, input, output_size, True)


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
        if n <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {x.shape!r}"
            )
        axes = (0,) + tuple(range(2, x.dim()))
        return NO.BatchNormTrain.apply(
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
    return NO.BatchNormEval.apply(x, weight, bias, running_mean, running_var, float(eps), wshape)


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
    return NO.Normalize.apply(x, weight, bias, (tuple(x.shape), axes, wshape, float(eps)))


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
    return NO.GroupNormOp.apply(x, weight, bias, ((N, num_groups, -1), (2,), wshape, float(eps)))


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
        return NO.BatchNormEval.apply(
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
    return NO.BatchNormTrain.apply(
        x,
        weight,
        bias,
        running_mean,
        running_var,
        float(momentum),
        (tuple(x.shape), axes, wshape, float(eps)),
    )


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


def channel_shuffle(input, groups):
    """``(N, g*k, *)`` -> channels reordered as ``(k, g)``: the ShuffleNet channel shuffle."""
    n, c = input.shape[0], input.shape[1]
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(n, c, *rest)


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


__all__ += ["lp_pool1d", "lp_pool2d", "rms_norm", "channel_shuffle", "max_unpool1d", "max_unpool2d"]

from ._functional_resample import *  # noqa: E402,F401,F403
from ._functional_resample import __all__ as _resample_all  # noqa: E402

__all__ = __all__ + _resample_all
