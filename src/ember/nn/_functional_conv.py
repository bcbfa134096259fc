"""Functional convolutions: conv1d/2d/3d, conv_transpose1d/2d/3d, unfold, fold, channel_shuffle.

Signatures, defaults, checks and messages are PyTorch's; each calls one op of
``ember.ops.nn.conv``.

Example::

    import ember
    import ember.nn.functional as F
    y = F.conv2d(ember.randn(2, 1, 8, 8), ember.randn(4, 1, 3, 3), padding=1)
    y.shape  # torch.Size([2, 4, 8, 8])"""

from __future__ import annotations

import numbers

from ..ops.nn.conv import Col2Im, ConvTranspose, Convolution, Im2Col
from ..ops.nn.resample import ConstantPad
from ..tensor import Tensor
from ._functional_checks import _check_same_type, _ntuple

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "unfold",
    "fold",
    "channel_shuffle",
]


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


def _conv_arg(v, nd, what):
    """``v`` as an ``nd``-tuple; a sequence of another length than 1 or ``nd`` raises
    PyTorch's RuntimeError."""
    if not isinstance(v, numbers.Integral) and len(tuple(v)) not in (1, nd):
        raise RuntimeError(
            f"expected {what} to be a single integer value or a list of {nd} values to match the "
            f"convolution dimensions, but got {what}={[int(a) for a in v]}"
        )
    return _ntuple(v, nd)


def _conv(nd, name, input, weight, bias, stride, padding, dilation, groups):
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{name}() argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    x, unbatched = _conv_input(input, nd, name, weight, bias)
    K = tuple(weight.shape[2:])
    s = _conv_arg(stride, nd, "stride")
    d = _conv_arg(dilation, nd, "dilation")
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
                x = ConstantPad.apply(x, pads, 0.0)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        p = _conv_arg(padding, nd, "padding")
    if any(v <= 0 for v in s):
        raise RuntimeError("non-positive stride is not supported")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(d)}")
    if any(v < 0 for v in p):
        raise RuntimeError("negative padding is not supported")
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
    out = Convolution.apply(x, weight, bias, (s, p, d, int(groups)))
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
    s, p = _conv_arg(stride, nd, "stride"), _conv_arg(padding, nd, "padding")
    d, op = _conv_arg(dilation, nd, "dilation"), _conv_arg(output_padding, nd, "output_padding")
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
    out = ConvTranspose.apply(x, weight, bias, (s, p, d, int(groups)), out_size)
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
    out = Im2Col.apply(
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
    out = Col2Im.apply(x, osz, K, d, p, s)
    return out.squeeze(0) if unbatched else out


def channel_shuffle(input, groups):
    """``(N, g*k, *)`` -> channels reordered as ``(k, g)``: the ShuffleNet channel shuffle."""
    n, c = input.shape[0], input.shape[1]
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(n, c, *rest)
