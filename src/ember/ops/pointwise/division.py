"""Division with rounding and remainders: floor_divide, remainder, fmod, and the floor-rounding
division behind ``div(..., rounding_mode='floor')``, with PyTorch's integer-division-by-zero
error."""

from __future__ import annotations

from ...autograd.function import _NULL_CTX, Function
from ...backend import errstate as _be_errstate
from ...backend import xp_of
from ...tensor import Tensor
from .._util import _binary, _kind, _ret, _xp, broadcast_error, make, pair, shape_of
from .rounding import trunc


def _mod_grads(ctx, grad_output, quotient):
    """The gradients of ``a - quotient(a, b) * b`` (fmod, remainder): 1 for ``a``,
    ``-quotient(a, b)`` for a tensor ``b``."""
    a, b = ctx.saved_tensors
    ga = grad_output if ctx.needs_input_grad[0] else None
    gb = None
    if isinstance(b, Tensor) and ctx.needs_input_grad[1]:
        gb = -grad_output * quotient(a, b)
    return ga, gb


class Fmod(Function):
    """y = a - trunc(a / b) * b (sign of a);  dy/da = 1, dy/db = -trunc(a / b)"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "FmodBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = pair(a, b)
        xp = xp_of(a._data)
        _int_zero_div(ad, bd, "ZeroDivisionError")
        ctx.save_for_backward(a, b)
        if isinstance(b, Tensor) and ctx is not _NULL_CTX:
            ctx.__class__ = _FmodTensorNode
        with _be_errstate(xp, divide="ignore", invalid="ignore"):
            return make(_binary(xp.fmod, a, b))

    @staticmethod
    def backward(ctx, grad_output):
        return _mod_grads(ctx, grad_output, lambda a, b: trunc(a / b))


class Remainder(Function):
    """y = a - floor(a / b) * b (sign of b);  dy/da = 1, dy/db = -floor(a / b)"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "RemainderBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = pair(a, b)
        xp = _xp(a, b)
        _int_zero_div(ad, bd, "ZeroDivisionError")
        ctx.save_for_backward(a, b)
        if isinstance(b, Tensor) and isinstance(a, Tensor) and ctx is not _NULL_CTX:
            ctx.__class__ = _RemainderTensorNode
        with _be_errstate(xp, divide="ignore", invalid="ignore"):
            try:
                if _kind(ad) in "fc" or _kind(bd) in "fc":
                    # PyTorch's kernel: r = fmod(a, b), plus b where r != 0 and the signs
                    # differ (so -2.0 % 2 is -0.0, where NumPy's mod gives +0.0)
                    r = xp.fmod(ad, bd)
                    return make(xp.asarray(xp.where((r != 0) & ((r < 0) != (xp.asarray(bd) < 0)),
                                                    r + bd, r)))
                return make(xp.mod(ad, bd))
            except ValueError:
                raise broadcast_error(shape_of(a), shape_of(b)) from None

    @staticmethod
    def backward(ctx, grad_output):
        # DivFloor: PyTorch's floor division (1 // -inf = -1)
        return _mod_grads(ctx, grad_output, DivFloor.apply)


class FmodTensor(Fmod):
    _node_name = "FmodBackward1"


class RemainderTensor(Remainder):
    _node_name = "RemainderBackward1"


_FmodTensorNode = FmodTensor._backward_cls


_RemainderTensorNode = RemainderTensor._backward_cls


def _int_zero_div(ad, bd, _):
    """PyTorch refuses integer division by zero (NumPy would warn and give 0)."""
    if _kind(ad) in "iub" and _kind(bd) in "iub":
        z = bd == 0
        if z.any() if hasattr(z, "any") else z:
            raise RuntimeError("ZeroDivisionError")


class FloorDivide(Function):
    """y = floor(a / b);  not differentiable (PyTorch's node raises when reached)"""

    _builtin = True
    _node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, a, b):
        xp = _xp(a, b)
        ad, bd = pair(a, b)
        if _kind(ad) == "b" and _kind(bd) == "b":
            raise NotImplementedError("\"div_floor_cpu\" not implemented for 'Bool'")
        _int_zero_div(ad, bd, "ZeroDivisionError")
        with _be_errstate(xp, divide="ignore", invalid="ignore"):
            try:
                return make(xp.floor_divide(ad, bd))
            except ValueError:
                raise broadcast_error(shape_of(a), shape_of(b)) from None

    @staticmethod
    def backward(ctx, grad_output):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class DivFloor(FloorDivide):
    """y = floor(a / b) as ``div(rounding_mode='floor')``;  dy/da = dy/db = 0"""

    _node_name = "DivBackward2"

    @staticmethod
    def backward(ctx, grad_output):
        need_a, need_b = ctx.needs_input_grad
        return (grad_output * 0 if need_a else None), (grad_output * 0 if need_b else None)


def floor_divide(input, other, *, out=None):
    """``floor(input / other)`` (integer inputs stay integer; not differentiable)."""
    return _ret(FloorDivide.apply(input, other), out, input, other)


def remainder(input, other, *, out=None):
    """Python-style modulus: the result has the sign of ``other``."""
    if not isinstance(input, Tensor):  # remainder(Scalar, Tensor)
        from ..factories import tensor as _tensor

        input = _tensor(input)
    return _ret(Remainder.apply(input, other), out, input, other)


def fmod(input, other, *, out=None):
    """C-style remainder: the result has the sign of ``input``."""
    return _ret(Fmod.apply(input, other), out, input, other)
