"""Activation functions as Functions: sigmoid, relu, logsigmoid, softplus, gelu, elu/celu/selu,
hardtanh, leaky_relu, threshold, hardsigmoid, softshrink, hardshrink, rrelu, hardswish, silu,
mish, glu, prelu; and the functional forms that ``ember.*`` shares with ``nn.functional``."""

from __future__ import annotations

import math

import numpy as _np

from ...autograd import dispatch as _door
from ...autograd.function import _NULL_CTX, Function
from ...autograd.grad_mode import _state
from ...backend import errstate as _be_errstate
from ...backend import xp_of
from ...tensor import Tensor
from .._util import _c, _float, _unary_fn, make
from .._util import _scalar_type_name as _type_name
from ..inplace import inplace as _inplace_op
from . import activation_kernels as _k
from .clamp import clamp, keep_where, where
from .trig import tanh


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x));  dy/dx = y * (1 - y)"""

    _builtin = True
    _saved_names = ('result',)
    _node_name = "SigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        xd = _float(x)
        if xd.dtype.kind == "c":
            xp = xp_of(xd)
            with _be_errstate(xp, over="ignore", invalid="ignore", divide="ignore"):
                y = make(1 / (1 + xp.exp(-xd)))
            ctx.save_for_backward(y)
            return y
        y = make(_k.sigmoid(xd))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        if _state.enabled or y._data.dtype.kind == "c":  # create_graph: differentiable
            return grad_output * _c(y * (1 - y))
        yd = y._data
        d = _k.scalar_like(yd, 1) - yd
        d *= yd
        d *= grad_output._data
        return make(d)


class Relu(Function):
    """y = max(x, 0);  dy/dx = 1 where y > 0"""

    _builtin = True
    _saved_names = ('result',)
    _node_name = "ReluBackward0"

    @staticmethod
    def forward(ctx, x):
        xd = x._data
        # maximum, not x * (x > 0): a negative input gives +0. (as PyTorch), NaN stays NaN;
        # same values as where(x <= 0, 0, x), ~10x faster on NumPy (where is slow on random masks)
        if xd.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        y = make(xp_of(xd).maximum(xd, _k.scalar_like(xd, 0)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        if _state.enabled or _door.busy:  # create_graph, or a mode sees the ops: Tensor ops
            return where(y <= 0, 0.0, grad_output)  # PyTorch's threshold_backward: NaN passes
        yd, gd = y._data, grad_output._data
        xp = xp_of(yd)
        if gd.dtype == yd.dtype and gd.shape == yd.shape:
            if gd.size <= 2048 and xp is _np:  # small: a copy zeroed under the mask, fewer
                out = gd.copy(order="K")  # NumPy calls (the multiply wins on large ones)
                _np.putmask(out, yd <= 0, 0)  # NaN inputs keep their gradient
                return make(out)
            out = keep_where(gd, xp.logical_not(yd <= 0))  # NaN inputs keep their gradient
            if out is not None:
                return make(out)
        return make(xp.where(yd <= 0, 0.0, gd))


sigmoid = _unary_fn(Sigmoid, "``1 / (1 + exp(-input))``, computed without overflow.")


relu = _unary_fn(Relu, "``max(input, 0)``.")


_SQRT2 = math.sqrt(2.0)


_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


_SIXTH_F32 = 0.1666666716337204  # float32(1/6)


# ---------------------------------------------------------------------- sigmoid / softplus
class LogSigmoid(Function):
    """y = -log(1 + exp(-x)) = min(x, 0) - log1p(exp(-|x|));  dy/dx = sigmoid(-x)"""

    _builtin = True
    _node_name = "LogSigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        d = x._data
        xp = xp_of(d)
        ctx.save_for_backward(x)
        return make(xp.minimum(d, 0) - xp.log1p(xp.exp(-xp.abs(d))))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * sigmoid(-x)


class Softplus(Function):
    """y = log(1 + exp(beta x)) / beta (x where beta x > threshold);
    dy/dx = sigmoid(beta x) (1 past the threshold)"""

    _builtin = True
    _node_name = "SoftplusBackward0"

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        # log1p(exp(-|bx|)) + max(bx, 0) never overflows
        return make(_k.softplus(x._data, beta, threshold))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        if not _state.enabled:
            return make(_k.softplus_backward(grad_output._data, x._data, ctx.beta,
                                             ctx.threshold)), None, None
        bx = x * ctx.beta
        above = make(bx._data > ctx.threshold)
        return where(above, grad_output, grad_output * sigmoid(bx)), None, None


# ------------------------------------------------------------------------------- GELU
class NormalCdf(Function):
    """y = Phi(x);  dy/dx = exp(-x^2/2) / sqrt(2 pi)"""

    _builtin = True
    _node_name = "NormalCdfBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return make(_k.normal_cdf(x._data))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (x * x * -0.5).exp() * _INV_SQRT_2PI


class Gelu(Function):
    """y = x Phi(x) (exact) or 0.5 x (1 + tanh(k (x + 0.044715 x^3))) ('tanh');
    dy/dx = Phi(x) + x phi(x), or the tanh form's derivative"""

    _builtin = True
    _node_name = "GeluBackward0"

    @staticmethod
    def forward(ctx, x, approximate):
        d = x._data
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh" or ctx is _NULL_CTX:
            return make(_k.gelu(d, approximate))
        y, ctx.cdf = _k.gelu(d, approximate, return_cdf=True)  # Phi(x), for the backward
        return make(y)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        if not _state.enabled:  # the array path; create_graph takes the differentiable one
            return make(_k.gelu_backward(grad_output._data, x._data, ctx.approximate,
                                         getattr(ctx, "cdf", None))), None
        if ctx.approximate == "tanh":
            k = math.sqrt(2.0 / math.pi)
            x2 = x * x
            t = tanh((x + x2 * x * 0.044715) * k)
            d = (t + 1.0) * 0.5 + x * 0.5 * (1.0 - t * t) * k * (x2 * (3 * 0.044715) + 1.0)
            return grad_output * d, None
        d = NormalCdf.apply(x) + x * (x * x * -0.5).exp() * _INV_SQRT_2PI
        return grad_output * d, None


# --------------------------------------------------------------------------------- ELU family
class Elu(Function):
    """y = scale x (x > 0), scale alpha (exp(input_scale x) - 1) otherwise;
    dy/dx = scale, or scale alpha input_scale exp(input_scale x)"""

    _builtin = True
    _node_name = "EluBackward0"

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        d = x._data
        xp = xp_of(d)
        neg = xp.minimum(d, 0) * input_scale  # exp of the positive part never runs
        out = xp.where(d > 0, d * scale, scale * alpha * xp.expm1(neg))
        ctx.save_for_backward(x)
        ctx.params = (alpha, scale, input_scale)
        return make(out.astype(d.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.params
        pos = make(~(x._data <= 0))  # NaN takes the positive branch, as PyTorch
        neg = clamp(x, None, 0) * input_scale
        d = where(pos, grad_output * scale,
                    grad_output * neg.exp() * (scale * alpha * input_scale))
        return d, None, None, None


class Celu(Elu):
    _node_name = "CeluBackward0"


# ------------------------------------------------------------ piecewise-linear activations
class _MaskedGrad(Function):
    """Base of activations whose derivative is a constant mask: backward is ``g * mask``."""

    _builtin = True

    @staticmethod
    def backward(ctx, grad_output):
        return (grad_output * ctx.mask,) + (None,) * ctx.n_extra


def _masked(ctx, out, mask, n_extra):
    ctx.mask = make(mask)
    ctx.n_extra = n_extra
    return make(out)


class Hardtanh(_MaskedGrad):
    """y = clamp(x, lo, hi);  dy/dx = 1 strictly inside (lo, hi), else 0"""

    _node_name = "HardtanhBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        d = x._data
        xp = xp_of(d)
        dt = d.dtype.type
        # PyTorch's mask is "not at or past a bound": NaN passes the gradient
        return _masked(ctx, xp.clip(d, dt(lo), dt(hi)), ~((d <= lo) | (d >= hi)), 2)


class LeakyRelu(_MaskedGrad):
    """y = x if x > 0 else slope x;  dy/dx = 1 or slope"""

    _node_name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx, x, slope):
        d = x._data
        xp = xp_of(d)
        dt = d.dtype.type
        pos = d > 0
        return _masked(ctx, xp.where(pos, d, d * dt(slope)),
                       xp.where(pos, dt(1), dt(slope)).astype(d.dtype), 1)


class Threshold(_MaskedGrad):
    """y = x if x > threshold else value;  dy/dx = 1 where x > threshold"""

    _node_name = "ThresholdBackward0"

    @staticmethod
    def forward(ctx, x, threshold, value):
        d = x._data
        xp = xp_of(d)
        keep = ~(d <= threshold)  # NaN is kept, as PyTorch
        return _masked(ctx, xp.where(keep, d, d.dtype.type(value)), keep.astype(d.dtype), 2)


class Hardsigmoid(_MaskedGrad):
    """y = clamp(x / 6 + 1/2, 0, 1);  dy/dx = 1/6 strictly inside (-3, 3)"""

    _node_name = "HardsigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        d = x._data
        xp = xp_of(d)
        dt = d.dtype.type
        out = xp.clip(d / dt(6) + dt(0.5), dt(0), dt(1))
        # PyTorch's kernel holds 1/6 as a float32 constant, in double precision too
        return _masked(ctx, out, (((d > -3) & (d < 3)) * dt(_SIXTH_F32)).astype(d.dtype), 0)


class Softshrink(_MaskedGrad):
    """y = x - lambd (x > lambd), x + lambd (x < -lambd), else 0;  dy/dx = 1 where |x| > lambd"""

    _node_name = "SoftshrinkBackward0"

    @staticmethod
    def forward(ctx, x, lambd):
        d = x._data
        xp = xp_of(d)
        dt = d.dtype.type
        inside = (d >= -lambd) & (d <= lambd)  # NaN is outside, as PyTorch
        with _be_errstate(xp, invalid="ignore", over="ignore"):
            out = xp.where(inside, dt(0), d - xp.copysign(dt(lambd), d))
        return _masked(ctx, out, (~inside).astype(d.dtype), 1)


class Hardshrink(_MaskedGrad):
    """y = x where |x| > lambd, else 0;  dy/dx = 1 where |x| > lambd"""

    _node_name = "HardshrinkBackward0"

    @staticmethod
    def forward(ctx, x, lambd):
        d = x._data
        keep = ~((d >= -lambd) & (d <= lambd))  # NaN is kept, as PyTorch
        return _masked(ctx, xp_of(d).where(keep, d, d.dtype.type(0)), keep.astype(d.dtype), 1)


class RreluWithNoise(_MaskedGrad):
    """y = x if x >= 0 else a x, a drawn per element from U(lower, upper) in training and
    (lower + upper) / 2 otherwise;  dy/dx = 1 or a"""

    _node_name = "RreluWithNoiseBackward0"

    @staticmethod
    def forward(ctx, x, slopes):
        d = x._data
        xp = xp_of(d)
        noise = xp.where(d > 0, d.dtype.type(1), slopes.astype(d.dtype, copy=False))
        return _masked(ctx, d * noise, noise, 1)


class Hardswish(Function):
    """y = x relu6(x + 3) / 6;  dy/dx = 0 (x <= -3), x/3 + 1/2 (x < 3), 1 (x >= 3)"""

    _builtin = True
    _node_name = "HardswishBackward0"

    @staticmethod
    def forward(ctx, x):
        d = x._data
        xp = xp_of(d)
        dt = d.dtype.type
        ctx.save_for_backward(x)
        with _be_errstate(xp, invalid="ignore", over="ignore"):
            return make(d * xp.clip(d + dt(3), dt(0), dt(6)) / dt(6))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        d = x._data
        # PyTorch: 0 up to -3, x/3 + 1/2 below 3, else 1 (NaN included)
        mid = make((d > -3) & (d < 3))
        hi = make((~((d <= -3) | (d < 3))).astype(d.dtype))
        return grad_output * where(mid, x / 3.0 + 0.5, hi)


class Silu(Function):
    """y = x sigmoid(x);  dy/dx = s (1 + x (1 - s)), s = sigmoid(x)"""

    _builtin = True
    _node_name = "SiluBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return make(_k.silu(x._data))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        if not _state.enabled and x._data.dtype.kind == "f":
            return make(_k.silu_backward(grad_output._data, x._data))
        s = sigmoid(x)
        return grad_output * s * (x * (1.0 - s) + 1.0)


class Mish(Function):
    """y = x tanh(softplus(x));  dy/dx = t + x sigmoid(x) (1 - t^2), t = tanh(softplus(x))"""

    _builtin = True
    _node_name = "MishBackward0"

    @staticmethod
    def forward(ctx, x):
        d = x._data
        xp = xp_of(d)
        with _be_errstate(xp, invalid="ignore", over="ignore"):
            sp = xp.log1p(xp.exp(-xp.abs(d))) + xp.maximum(d, 0)
            ctx.save_for_backward(x)
            return make((d * xp.tanh(sp)).astype(d.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        t = tanh(Softplus.apply(x, 1.0, 20.0))
        return grad_output * (t + x * sigmoid(x) * (1.0 - t * t))


class Glu(Function):
    """y = a sigmoid(b), (a, b) the halves of x along dim;
    dy/da = sigmoid(b), dy/db = a sigmoid(b) (1 - sigmoid(b))"""

    _builtin = True
    _node_name = "GluBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        d = x._data
        xp = xp_of(d)
        a, b = xp.split(d, 2, axis=dim)
        ctx.save_for_backward(x)
        ctx.dim = dim
        with _be_errstate(xp, over="ignore"):
            return make(a / (d.dtype.type(1) + xp.exp(-b)))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        n = x._data.shape[ctx.dim] // 2
        a = x.narrow(ctx.dim, 0, n)
        s = sigmoid(x.narrow(ctx.dim, n, n))
        ga = grad_output * s
        gb = ga * a * (1.0 - s)
        from ..shape.join import cat

        return cat([ga, gb], ctx.dim), None


class Prelu(Function):
    """y = x if x > 0 else w x (w broadcast along the channel dim);
    dy/dx = 1 or w, dy/dw = sum of x g where x <= 0"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "PreluKernelBackward0"

    @staticmethod
    def forward(ctx, x, w, wshape):
        d = x._data
        xp = xp_of(d)
        wb = w._data.reshape(wshape)
        ctx.save_for_backward(x, w)
        ctx.wshape = wshape
        return make(xp.where(d > 0, d, wb * d))

    @staticmethod
    def backward(ctx, grad_output):
        x, w = ctx.saved_tensors
        pos = make(x._data > 0)
        wb = w.reshape(ctx.wshape)
        gx = gw = None
        if ctx.needs_input_grad[0]:
            gx = where(pos, grad_output, grad_output * wb)
        if ctx.needs_input_grad[1]:
            gw = where(pos, 0.0, grad_output * x).sum_to_size(ctx.wshape).reshape(w.shape)
        return gx, gw, None


# ------------------------------------------- functional forms (shared with nn.functional)
def _act(cls, input: Tensor, inplace: bool, *args) -> Tensor:
    """``cls.apply(input, *args)``, or its in-place form: the result is written into ``input``
    and ``input`` takes the op's node as its history (saved inputs are snapshotted)."""
    if inplace:
        return _inplace_op(input, cls, *args)
    return cls.apply(input, *args)


def _float_kernel(input: Tensor, kernel: str) -> None:
    """PyTorch's error for a floating-point-only kernel given an integer tensor."""
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(input)}\'')


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """y = x if x > 0 else a * x, with one learnable ``a`` per channel (dim 1) or one shared."""
    _float_kernel(input, "prelu_cpu")
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(
            f"prelu: Type promoting not supported. Got {_type_name(input)} and "
            f"{_type_name(weight)}"
        )
    if weight.numel() != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.dim() >= 2 else input.shape[0]
        if weight.numel() != channels:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {weight.numel()} and channel size = {channels}."
            )
        shape = [1] * input.dim()
        shape[1 if input.dim() >= 2 else 0] = channels
        wshape = tuple(shape)
    else:
        wshape = (1,) * input.dim()
    return Prelu.apply(input, weight, wshape)


_SELU_ALPHA = 1.6732632423543772848170429916717


_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """y = scale * elu(x, alpha) with the self-normalising constants."""
    _float_kernel(input, "elu_cpu")
    return _act(Elu, input, inplace, _SELU_ALPHA, _SELU_SCALE, 1.0)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """y = x if x > 0 else alpha (exp(x / alpha) - 1)."""
    _float_kernel(input, "elu_cpu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _act(Celu, input, inplace, float(alpha), 1.0, 1.0 / alpha)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """y = x if x > threshold else value."""
    return _act(Threshold, input, inplace, threshold, value)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """y = x if |x| > lambd else 0."""
    _float_kernel(input, "hardshrink_cpu")
    return Hardshrink.apply(input, lambd)
