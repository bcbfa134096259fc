"""Arithmetic: add, sub, mul, div, neg, pow, float_power, lerp, addcmul, addcdiv, each a
Function with its backward, and their public forms with PyTorch's type promotion."""

from __future__ import annotations

import operator

from ...autograd import dispatch as _door
from ...autograd.function import _NULL_CTX, Function
from ...backend import errstate as _be_errstate
from ...autograd.grad_mode import _state
from ...tensor import Tensor
from .._util import (
    _binary, _c, _kind, _ret, _wrapped, _xp, broadcast_error, follow_first, make, pair, quiet_retry,
    scalar_operand, shape_of
)
from ...tensor import _ndarray
from .clamp import where
from .division import DivFloor, _int_zero_div
from .exp_log import log
from .rounding import trunc


# ---------------------------------------------------------------------------------- arithmetic
class Add(Function):
    """out = a + b;  d/da = 1, d/db = 1"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, a, b):
        if a.__class__ is Tensor and b.__class__ is Tensor:  # the common case inline: two
            ad, bd = a._data, b._data  # tensors of one dtype, the first contiguous
            if ad.dtype == bd.dtype and (ad.ndim < 2 or ad.flags.c_contiguous):
                try:
                    return make(ad + bd)
                except (ValueError, OverflowError, RuntimeWarning):
                    pass  # the shared path below says what went wrong (or retries quietly)
        return make(_binary(_add, a, b))

    @staticmethod
    def backward(ctx, grad_output):
        need_a, need_b = ctx.needs_input_grad
        return (grad_output if need_a else None), (grad_output if need_b else None)


class Sub(Function):
    """out = a - b;  d/da = 1, d/db = -1"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "SubBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ab = a._data.dtype.kind == "b" if a.__class__ is Tensor else a.__class__ is bool
        bb = b._data.dtype.kind == "b" if b.__class__ is Tensor else b.__class__ is bool
        if ab or bb:
            if ab and bb:
                raise RuntimeError(
                    "Subtraction, the `-` operator, with two bool tensors is not supported. Use "
                    "the `^` or `logical_xor()` operator instead."
                )
            raise RuntimeError(
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        if ctx is not _NULL_CTX and a.__class__ is not Tensor:
            ctx.__class__ = _RsubNode  # Scalar - Tensor is PyTorch's rsub
        return make(_binary(_sub, a, b))

    @staticmethod
    def backward(ctx, grad_output):
        need_a, need_b = ctx.needs_input_grad
        return (grad_output if need_a else None), (-grad_output if need_b else None)


class Rsub(Sub):
    _node_name = "RsubBackward1"
    _edges = (1,)


_RsubNode = Rsub._backward_cls


class Mul(Function):
    """out = a * b;  d/da = b, d/db = a"""

    _builtin = True
    _saved_names = ('self', 'other')
    _wrapped_numbers = True  # a number operand is PyTorch's wrapped 0-d tensor
    _edges = (0, 1)
    _node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        if a.__class__ is Tensor and b.__class__ is Tensor and \
                a._data.dtype == b._data.dtype:  # pair()'s common case, inline
            ad, bd = a._data, b._data
        else:
            ad, bd = pair(a, b)
        try:
            out = ad * bd
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None
        except OverflowError:
            ad, bd = _wrapped(ad, bd)
            out = ad * bd
        except RuntimeWarning:  # warnings are errors (costs nothing otherwise)
            out = quiet_retry(_mul, ad, bd)
        if ad.__class__ is _ndarray and ad.ndim > 1 and not ad.flags.c_contiguous:
            out = follow_first(out, ad)  # PyTorch's layout when the operands disagree
        if ctx is not _NULL_CTX:
            # save only what a wanted gradient reads (as PyTorch): y * 3 or y * const keeps
            # y out of the saved set, so a later in-place change of y is no error
            nxt = ctx._next
            ctx._saved = (a if nxt[1] is not None else None,  # save_for_backward, inlined
                          b if nxt[0] is not None else None)
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        if b.__class__ is float and not (_state.enabled or _door.busy):
            # ``x * 2.5`` (so only x needs a gradient) with no graph to build and no mode to
            # see the op: the array product itself, what ``grad_output * b`` computes (as
            # Exp's backward does)
            gd = grad_output._data
            if gd.__class__ is _ndarray and gd.dtype.kind in "fc" and (
                    gd.ndim < 2 or gd.flags.c_contiguous):
                try:
                    return make(gd * scalar_operand(gd, b)), None
                except RuntimeWarning:  # warnings are errors: the Tensor op redoes it quietly
                    pass
        need_a, need_b = ctx.needs_input_grad
        return (grad_output * _c(b) if need_a else None), (grad_output * _c(a) if need_b else None)


class Div(Function):
    """out = a / b;  d/da = 1/b, d/db = -a/b**2"""

    _builtin = True
    _saved_names = ('self', 'other')
    _wrapped_numbers = True
    _edges = (0, 1)
    _node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = pair(a, b)
        if _kind(ad) not in "fc" and _kind(bd) not in "fc":
            from ...dtypes import get_default_dtype

            dt = get_default_dtype().np
            if isinstance(a, Tensor):
                ad = ad.astype(dt)
            if isinstance(b, Tensor):
                bd = bd.astype(dt)
        try:
            out = ad / bd
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None
        except ZeroDivisionError:
            out = quiet_retry(_xp(a, b).true_divide, ad, bd)
        except RuntimeWarning:  # warnings are errors (costs nothing otherwise)
            out = quiet_retry(_div, ad, bd)
        if ad.__class__ is _ndarray and ad.ndim > 1 and not ad.flags.c_contiguous:
            out = follow_first(out, ad)
        if ctx is not _NULL_CTX:
            ctx.save_for_backward(a if ctx._next[1] is not None else None, b)  # as Mul
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        ga = grad_output / _c(b) if ctx.needs_input_grad[0] else None
        gb = -grad_output * _c(a / b / b) if ctx.needs_input_grad[1] else None  # b*b underflows
        return ga, gb


class Neg(Function):
    """y = -x;  dy/dx = -1"""

    _builtin = True
    _node_name = "NegBackward0"

    @staticmethod
    def forward(ctx, x):
        if x._data.dtype == bool:
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                "to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return make(-x._data)

    @staticmethod
    def backward(ctx, grad_output):
        return -grad_output


class Pow(Function):
    """y = a ** b;  dy/da = b * a**(b-1), dy/db = y * log(a)"""

    _builtin = True
    _saved_names = ('self', 'exponent', 'result')
    _node_name = "PowBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = pair(a, b)
        xp = _xp(a, b)
        ka, kb = _kind(ad), _kind(bd)
        if ka == "b" and kb == "b":
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")  # PyTorch's type
        try:
            if ka in "iu" and kb in "iu" and (xp.asarray(bd) < 0).any():
                if not isinstance(b, Tensor):
                    raise RuntimeError("Integers to negative integer powers are not allowed.")
                out = make(_int_pow_negative(xp, ad, bd))
            elif ka in "fc" and b.__class__ in (float, int):  # (pair may give b as an array)
                with _be_errstate(xp, over="ignore", invalid="ignore", divide="ignore"):
                    out = make(pow_scalar(xp, ad, b))
            else:
                out = make(xp.power(ad, bd))
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None
        if ctx is not _NULL_CTX:
            # the result only for b's gradient (so x.pow_(2) then x.add_(1) is fine, as in PyTorch)
            ctx.save_for_backward(a, b, out if ctx._next[1] is not None else None)
        if ctx is not _NULL_CTX and b.__class__ is Tensor:
            # PyTorch names the node by overload: Tensor ** Tensor, Scalar ** Tensor
            ctx.__class__ = _PowTensorNode if a.__class__ is Tensor else _PowScalarNode
        return out

    @staticmethod
    def backward(ctx, grad_output):
        a_, b_, out = ctx.saved_tensors
        scalar_b = not isinstance(b_, Tensor)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            if scalar_b and b_ not in (0, 1) and not _state.enabled and _kind(a_._data) == "f":
                # the array path (create_graph takes the differentiable one below)
                ad = a_._data
                xp = _xp(a_, b_)
                with _be_errstate(xp, over="ignore", invalid="ignore", divide="ignore"):
                    d = pow_scalar(xp, ad, b_ - 1) if b_ != 2 else xp.add(ad, ad)
                    if b_ != 2:
                        d = xp.multiply(d, ad.dtype.type(b_), out=d if d.ndim else None)
                    g = grad_output._data
                    ga = make(xp.asarray(xp.multiply(
                        d, g, out=d if d.ndim and d.shape == g.shape and d.dtype == g.dtype
                        else None)))
            elif scalar_b and b_ == 0:
                ga = grad_output * 0
            elif scalar_b and b_ == 2:
                ga = grad_output * 2 * _c(a_)
            elif scalar_b and b_ == 1:
                ga = grad_output
            else:
                ga = grad_output * _c(b_ * a_ ** (b_ - 1))
                if not scalar_b:
                    ga = where(b_ == 0, 0.0, ga)
        if ctx.needs_input_grad[1]:
            log_a = log(a_) if isinstance(a_, Tensor) else _math_log(a_)
            gb = grad_output * _c(out * log_a)
            # 0 ** b has gradient 0 w.r.t. b where b >= 0 (PyTorch masks the log(0) there)
            if isinstance(a_, Tensor):
                gb = where((a_ == 0) & (b_ >= 0), 0.0, gb)
            elif a_ == 0:
                gb = where(b_ >= 0, 0.0, gb)
        return ga, gb


def pow_scalar(xp, x, e):
    """x ** e for a float array and a Python-number exponent, with PyTorch's special cases
    (2 -> x*x, 3 -> x*x*x, 0.5 -> sqrt, -0.5 -> 1/sqrt, -1 -> 1/x, -2 -> 1/(x*x)); NumPy's
    general ``power`` (several times slower) otherwise. Always a new array."""
    if x.dtype.kind == "f" and e in (2, 3, 0.5, 1, -1, -0.5, -2):
        if x.ndim == 0:  # NumPy's scalar results take no out=
            return xp.asarray(pow_scalar(xp, x.reshape(1), e)).reshape(())
        t = x.dtype.type
        if e == 2:
            return x * x
        if e == 3:
            y = x * x
            y *= x
            return y
        if e == 0.5:
            return xp.sqrt(x)
        if e == 1:
            return x.copy()
        if e == -1:
            return xp.reciprocal(x)
        y = xp.sqrt(x) if e == -0.5 else x * x
        return xp.divide(t(1), y, out=y)
    if e.__class__ is int and x.dtype.itemsize < 8 and x.dtype.kind == "f" and \
            not -2**24 <= e <= 2**24:  # an exponent past float32's integers keeps its parity
        return xp.power(x.astype("float64"), float(e)).astype(x.dtype)  # (PyTorch: double)
    return xp.power(x, x.dtype.type(e) if x.dtype.kind in "fc" else e)


def _int_pow_negative(xp, ad, bd):
    """Integer powers with negative exponents, as PyTorch computes them: 1 ** -n = 1,
    (-1) ** -n = +-1, any other base gives 0."""
    ad, bd = xp.broadcast_arrays(xp.asarray(ad), xp.asarray(bd))
    neg = bd < 0
    out = xp.power(ad, xp.where(neg, 0, bd))
    odd = (bd % 2) != 0
    small = xp.where(ad == 1, 1, xp.where(ad == -1, xp.where(odd, -1, 1), 0)).astype(out.dtype)
    return xp.where(neg, small, out)


class PowTensor(Pow):
    _node_name = "PowBackward1"
    _edges = (0, 1)


class PowScalar(Pow):
    _node_name = "PowBackward2"
    _edges = (1,)


_PowTensorNode = PowTensor._backward_cls


_PowScalarNode = PowScalar._backward_cls


def _math_log(v):
    import math

    return math.log(v) if v > 0 else float("nan") if v < 0 else float("-inf")


_add, _sub, _mul = operator.add, operator.sub, operator.mul  # the kernels (C, no Python frame)


class Lerp(Function):
    """y = a + w (b - a) for a number w;  dy/da = 1 - w, dy/db = w"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "LerpBackward0"

    @staticmethod
    def forward(ctx, a, b, weight):
        ad, bd = a._data, b._data
        if ad.dtype != bd.dtype:
            raise RuntimeError(f"expected dtype {a.dtype} for `end` but got dtype {b.dtype}")
        ctx.weight = weight
        try:
            return make((ad + weight * (bd - ad)).astype(ad.dtype, copy=False))
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None

    @staticmethod
    def backward(ctx, grad_output):
        w = ctx.weight
        return (grad_output * (1 - w) if ctx.needs_input_grad[0] else None), \
            (grad_output * w if ctx.needs_input_grad[1] else None), None


class LerpTensor(Function):
    """y = a + w (b - a);  dy/da = 1 - w, dy/db = w, dy/dw = b - a"""

    _builtin = True
    _edges = (0, 1, 2)
    _node_name = "LerpBackward1"

    @staticmethod
    def forward(ctx, a, b, weight):
        ad, bd, wd = a._data, b._data, weight._data
        if ad.dtype != bd.dtype or ad.dtype != wd.dtype:
            other = b if ad.dtype != bd.dtype else weight
            raise RuntimeError(f"expected dtype {a.dtype} for `end` but got dtype {other.dtype}")
        ctx.save_for_backward(a, b, weight)
        try:
            return make(ad + wd * (bd - ad))
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None

    @staticmethod
    def backward(ctx, grad_output):
        a, b, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad_output * (1 - w) if need[0] else None), \
            (grad_output * w if need[1] else None), \
            (grad_output * (b - a) if need[2] else None)


class Addcmul(Function):
    """y = x + v * t1 * t2;  dy/dx = 1, dy/dt1 = v * t2, dy/dt2 = v * t1"""

    _builtin = True
    _edges = (0, 1, 2)
    _node_name = "AddcmulBackward0"

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        prod = _binary(_mul, t1, t2)
        return make(_binary(_add, x, make(prod * value if value != 1 else prod)))

    @staticmethod
    def backward(ctx, grad_output):
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        need = ctx.needs_input_grad
        return (grad_output if need[0] else None), (grad_output * t2 * v if need[1] else None), \
            (grad_output * t1 * v if need[2] else None), None


class Addcdiv(Function):
    """y = x + v * t1 / t2;  dy/dx = 1, dy/dt1 = v / t2, dy/dt2 = -v * t1 / t2**2"""

    _builtin = True
    _edges = (0, 1, 2)
    _node_name = "AddcdivBackward0"

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        if _kind(t1._data) in "biu" and _kind(t2._data) in "biu":
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future release "
                "addcdiv will perform a true division of tensor1 and tensor2. The historic "
                "addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / "
                "tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
                "tensor2) for float inputs. The future addcdiv behavior is just the latter "
                "implementation: (input + value * tensor1 / tensor2), for all dtypes."
            )
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        q = _binary(_div, t1, t2)
        return make(_binary(_add, x, make(q * value if value != 1 else q)))

    @staticmethod
    def backward(ctx, grad_output):
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        need = ctx.needs_input_grad
        return (grad_output if need[0] else None), (grad_output * v / t2 if need[1] else None), \
            (-grad_output * v * t1 / (t2 * t2) if need[2] else None), None


def _div(a, b):
    return a / b


# -------------------------------------------------------------------------------- public functions
def _check_alpha(input, other, alpha):
    if isinstance(alpha, float) and all(
            not isinstance(v, Tensor) or v._data.dtype.kind in "biu" for v in (input, other)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, broadcasting, with PyTorch's type promotion."""
    if alpha != 1:
        _check_alpha(input, other, alpha)
        other = other * alpha
    return _ret(Add.apply(input, other), out, input, other)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``."""
    if alpha != 1:
        _check_alpha(input, other, alpha)
        other = other * alpha
    return _ret(Sub.apply(input, other), out, input, other)


subtract = sub


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    return sub(other, input, alpha=alpha)


def mul(input, other, *, out=None):
    """``input * other``, elementwise with broadcasting."""
    return _ret(Mul.apply(input, other), out, input, other)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """``input / other`` (true division; ``rounding_mode`` 'trunc' or 'floor' rounds)."""
    if rounding_mode is None:
        res = Div.apply(input, other)
    elif rounding_mode == "floor":
        res = DivFloor.apply(input, other)
    elif rounding_mode == "trunc":
        ad, bd = pair(input, other)
        if _kind(ad) in "iub" and _kind(bd) in "iub":
            _int_zero_div(ad, bd, None)
            xp = _xp(input, other)
            with _be_errstate(xp, divide="ignore", invalid="ignore"):
                q = xp.trunc(xp.true_divide(ad, bd))
            res = make(xp.asarray(q).astype(xp.result_type(ad, bd)))
        else:
            res = trunc(Div.apply(input, other))
    else:
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    return _ret(res, out, input, other)


divide = true_divide = div


def neg(input, *, out=None):
    """``-input``."""
    return _ret(Neg.apply(input), out, input)


negative = neg


def pow(input, exponent, *, out=None):
    """``input ** exponent``; either may be a Python number."""
    return _ret(Pow.apply(input, exponent), out, input, exponent)


def float_power(input, exponent, *, out=None):
    """``input ** exponent`` computed in float64 (complex128 for complex operands)."""
    cplx = any(isinstance(v, complex) or (isinstance(v, Tensor) and v.is_complex())
               for v in (input, exponent))
    from ... import dtypes as _dt

    dt = _dt.complex128 if cplx else _dt.float64

    def up(v):
        if isinstance(v, Tensor):
            return v.to(dt)
        return complex(v) if cplx else float(v)

    if out is not None and out.dtype is not dt:
        raise RuntimeError(f"the output given to float_power has dtype {out.dtype} but the "
                           f"operation's result requires dtype {dt}")
    return _ret(Pow.apply(up(input), up(exponent)), out, input, exponent)


def lerp(input, end, weight, *, out=None):
    """``input + weight * (end - input)`` (``weight`` a number or a tensor)."""
    if isinstance(weight, Tensor):
        res = LerpTensor.apply(input, end, weight)
    else:
        res = Lerp.apply(input, end, weight)
    return _ret(res, out, input, end, weight)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``."""
    return _ret(Addcmul.apply(input, tensor1, tensor2, value), out, input, tensor1, tensor2)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2``."""
    return _ret(Addcdiv.apply(input, tensor1, tensor2, value), out, input, tensor1, tensor2)


def positive(input):
    """``input`` itself (``+input``); not defined for bool tensors, as in PyTorch."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input
