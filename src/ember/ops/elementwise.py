"""Elementwise ops: arithmetic, activations and the math functions, each a Function.

Forward computes on arrays; backward is written in Tensor ops, so it can be differentiated
again (``create_graph=True``). Comparisons and logical ops are not differentiable, so they skip
the graph entirely.
"""

from __future__ import annotations

from ..autograd.function import Function
from ._util import Tensor, broadcast_error, make, pair, shape_of, xp_of


def _binary(op, a, b):
    ad, bd = pair(a, b)
    try:
        return op(ad, bd)
    except ValueError:
        raise broadcast_error(shape_of(a), shape_of(b)) from None


def _xp(*xs):
    for x in xs:
        if isinstance(x, Tensor):
            return xp_of(x._data)
    return xp_of(None)


# ---------------------------------------------------------------------------------- arithmetic
class Add(Function):
    """out = a + b;  d/da = 1, d/db = 1"""

    _builtin = True
    _node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return make(_binary(_add, a, b))

    @staticmethod
    def backward(ctx, grad_output):
        need_a, need_b = ctx.needs_input_grad
        return (grad_output if need_a else None), (grad_output if need_b else None)


class Sub(Function):
    """out = a - b;  d/da = 1, d/db = -1"""

    _builtin = True
    _node_name = "SubBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = pair(a, b)
        if ad.__class__ is bool or getattr(ad, "dtype", None) == bool:
            raise RuntimeError(
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                "`^` or `logical_xor()` operator instead."
            )
        return make(_binary(_sub, a, b))

    @staticmethod
    def backward(ctx, grad_output):
        need_a, need_b = ctx.needs_input_grad
        return (grad_output if need_a else None), (-grad_output if need_b else None)


class Mul(Function):
    """out = a * b;  d/da = b, d/db = a"""

    _builtin = True
    _node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = pair(a, b)
        try:
            out = ad * bd
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None
        ctx.save_for_backward(a, b)  # a Python scalar operand is kept as is
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad_output * b if need_a else None), (grad_output * a if need_b else None)


class Div(Function):
    """out = a / b;  d/da = 1/b, d/db = -a/b**2"""

    _builtin = True
    _node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = pair(a, b)
        if _kind(ad) not in "fc" and _kind(bd) not in "fc":
            from ..dtypes import get_default_dtype  # integer / integer is true division

            if isinstance(a, Tensor):
                ad = ad.astype(get_default_dtype().np)
            else:
                bd = bd.astype(get_default_dtype().np)
        try:
            out = ad / bd
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None
        except ZeroDivisionError:
            out = _xp(a, b).true_divide(ad, bd)
        ctx.save_for_backward(a, b)
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        ga = grad_output / b if ctx.needs_input_grad[0] else None
        gb = -grad_output * a / (b * b) if ctx.needs_input_grad[1] else None
        return ga, gb


def _kind(x):
    """NumPy's dtype kind of an array or a Python scalar."""
    d = getattr(x, "dtype", None)
    if d is not None:
        return d.kind
    if isinstance(x, bool):
        return "b"
    return "i" if isinstance(x, int) else "c" if isinstance(x, complex) else "f"


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
    _node_name = "PowBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = pair(a, b)
        xp = _xp(a, b)
        if getattr(bd, "dtype", None) is not None and bd.dtype.kind in "iu" and (bd < 0).any() \
                and getattr(ad, "dtype", type(ad)).__class__ is not float:
            if getattr(ad, "dtype", None) is not None and ad.dtype.kind in "iu":
                raise RuntimeError("Integers to negative integer powers are not allowed.")
        try:
            out = make(xp.power(ad, bd))
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        a_, b_, out = ctx.saved_tensors
        scalar_b = not isinstance(b_, Tensor)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            if scalar_b and b_ == 0:
                ga = grad_output * 0
            elif scalar_b and b_ == 2:
                ga = grad_output * 2 * a_
            elif scalar_b and b_ == 1:
                ga = grad_output
            else:
                ga = grad_output * b_ * a_ ** (b_ - 1)
        if ctx.needs_input_grad[1]:
            log_a = log(a_) if isinstance(a_, Tensor) else _math_log(a_)
            gb = grad_output * out * log_a
            if isinstance(a_, Tensor):
                # 0 ** b has gradient 0 w.r.t. b where b >= 0 (PyTorch masks the log(0) there)
                gb = where((a_ == 0) & (b_ >= 0), 0.0, gb)
        return ga, gb


def _math_log(v):
    import math

    return math.log(v) if v > 0 else float("nan") if v < 0 else float("-inf")


def _add(a, b):
    return a + b


def _sub(a, b):
    return a - b


def _mul(a, b):
    return a * b


# ------------------------------------------------------------------------ unary math functions
class Exp(Function):
    """y = exp(x);  dy/dx = y"""

    _builtin = True
    _node_name = "ExpBackward0"

    @staticmethod
    def forward(ctx, x):
        y = make(xp_of(x._data).exp(_float(x)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * y


class Log(Function):
    """y = log(x);  dy/dx = 1/x"""

    _builtin = True
    _node_name = "LogBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xp = xp_of(x._data)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return make(xp.log(_float(x)))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / x


class Tanh(Function):
    """y = tanh(x);  dy/dx = 1 - y**2"""

    _builtin = True
    _node_name = "TanhBackward0"

    @staticmethod
    def forward(ctx, x):
        y = make(xp_of(x._data).tanh(_float(x)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * (1 - y * y)


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x));  dy/dx = y * (1 - y)"""

    _builtin = True
    _node_name = "SigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        xp = xp_of(x._data)
        xd = _float(x)
        # exp of -|x| never overflows; the two branches agree where both are finite
        e = xp.exp(-xp.abs(xd))
        y = make(xp.where(xd >= 0, 1 / (1 + e), e / (1 + e)).astype(xd.dtype, copy=False))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * (y * (1 - y))


class Relu(Function):
    """y = max(x, 0);  dy/dx = 1 where y > 0"""

    _builtin = True
    _node_name = "ReluBackward0"

    @staticmethod
    def forward(ctx, x):
        xd = x._data
        y = make(xd * (xd > 0) if xd.dtype.kind != "b" else xd.copy())
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * (y > 0)


class Abs(Function):
    """y = |x|;  dy/dx = sign(x)"""

    _builtin = True
    _node_name = "AbsBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return make(xp_of(x._data).abs(x._data))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * sign(x)


class Sqrt(Function):
    """y = sqrt(x);  dy/dx = 1 / (2 y)"""

    _builtin = True
    _node_name = "SqrtBackward0"

    @staticmethod
    def forward(ctx, x):
        xp = xp_of(x._data)
        with xp.errstate(invalid="ignore"):
            y = make(xp.sqrt(_float(x)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output / (2 * y)


class Sin(Function):
    """y = sin(x);  dy/dx = cos(x)"""

    _builtin = True
    _node_name = "SinBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return make(xp_of(x._data).sin(_float(x)))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * cos(x)


class Cos(Function):
    """y = cos(x);  dy/dx = -sin(x)"""

    _builtin = True
    _node_name = "CosBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return make(xp_of(x._data).cos(_float(x)))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return -grad_output * sin(x)


class Clamp(Function):
    """y = min(max(x, lo), hi);  dy/dx = 1 where lo <= x <= hi, else 0"""

    _builtin = True
    _node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, lo, hi):
        if lo is None and hi is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        out = x._data
        xp = xp_of(out)
        if out.dtype.kind not in "fc" and (isinstance(lo, float) or isinstance(hi, float)):
            out = _float(x)
        # maximum/minimum propagate NaN, as PyTorch's clamp does
        if lo is not None:
            out = xp.maximum(out, lo._data if isinstance(lo, Tensor) else lo)
        if hi is not None:
            out = xp.minimum(out, hi._data if isinstance(hi, Tensor) else hi)
        ctx.save_for_backward(x, lo, hi)
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        x, lo, hi = ctx.saved_tensors
        lo_t = lo if isinstance(lo, Tensor) else None
        hi_t = hi if isinstance(hi, Tensor) else None
        mask = None
        if lo is not None:
            mask = x >= lo
        if hi is not None:
            m = x <= hi
            mask = m if mask is None else mask & m
        gx = grad_output * mask if ctx.needs_input_grad[0] else None
        glo = ghi = None
        if lo_t is not None and ctx.needs_input_grad[1]:
            glo = grad_output * (x < lo_t)
        if hi_t is not None and ctx.needs_input_grad[2]:
            ghi = grad_output * (x > hi_t)
        return gx, glo, ghi


class Where(Function):
    """y = cond ? a : b;  dy/da = cond, dy/db = !cond"""

    _builtin = True
    _node_name = "WhereBackward0"

    @staticmethod
    def forward(ctx, cond, a, b):
        ad, bd = pair(a, b)
        c = cond._data
        ctx.save_for_backward(cond)
        try:
            out = xp_of(c).where(c, ad, bd)
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        (cond,) = ctx.saved_tensors
        ga = where(cond, grad_output, 0.0) if ctx.needs_input_grad[1] else None
        gb = where(cond, 0.0, grad_output) if ctx.needs_input_grad[2] else None
        return None, ga, gb


def _float(x):
    """The array of x, as the default float dtype when it is an integer or bool array."""
    d = x._data
    if d.dtype.kind in "fc":
        return d
    from ..dtypes import get_default_dtype

    return d.astype(get_default_dtype().np)


# ------------------------------------------------------------------------------- public functions
def add(input, other, *, alpha=1):
    """``input + alpha * other``, broadcasting, with PyTorch's type promotion."""
    if alpha != 1:
        other = other * alpha
    return Add.apply(input, other)


def sub(input, other, *, alpha=1):
    """``input - alpha * other``."""
    if alpha != 1:
        other = other * alpha
    return Sub.apply(input, other)


subtract = sub


def rsub(input, other, *, alpha=1):
    return sub(other, input, alpha=alpha)


def mul(input, other):
    """``input * other``, elementwise with broadcasting."""
    return Mul.apply(input, other)


multiply = mul


def div(input, other, *, rounding_mode=None):
    """``input / other`` (true division; ``rounding_mode`` 'trunc' or 'floor' rounds)."""
    if rounding_mode is None:
        return Div.apply(input, other)
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        q = Div.apply(input, other)
        ad, bd = pair(input, other)
        if getattr(ad, "dtype", None) is not None and ad.dtype.kind in "iu" and (
            getattr(bd, "dtype", None) is None or bd.dtype.kind in "iu"
        ):
            return make(xp_of(q._data).trunc(q._data).astype(ad.dtype))
        return trunc(q)
    raise RuntimeError(
        f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
        f"'{rounding_mode}'"
    )


divide = true_divide = div


def neg(input):
    return Neg.apply(input)


negative = neg


def pow(input, exponent):
    """``input ** exponent``; either may be a Python number."""
    return Pow.apply(input, exponent)


def exp(input):
    return Exp.apply(input)


def log(input):
    return Log.apply(input)


def tanh(input):
    return Tanh.apply(input)


def sigmoid(input):
    return Sigmoid.apply(input)


def relu(input):
    return Relu.apply(input)


def abs(input):
    return Abs.apply(input)


absolute = abs


def sqrt(input):
    return Sqrt.apply(input)


def sin(input):
    return Sin.apply(input)


def cos(input):
    return Cos.apply(input)


def clamp(input, min=None, max=None):
    """Limit values to ``[min, max]`` (either bound may be omitted, or be a tensor)."""
    return Clamp.apply(input, min, max)


clip = clamp


def where(condition, input=None, other=None):
    """``input`` where ``condition`` holds, else ``other`` (scalars allowed)."""
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError("where(): argument 'condition' must be Tensor")
    if condition._data.dtype != bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {condition.dtype.name.capitalize()}")
    return Where.apply(condition, input, other)


def sign(input):
    """-1, 0 or 1 by the sign of each element (not differentiable: gradient zero)."""
    d = input._data
    return make(xp_of(d).sign(d))


def trunc(input):
    d = input._data
    out = make(xp_of(d).trunc(d))
    return _zero_grad_op(input, out)


def floor_divide(input, other):
    """``floor(input / other)`` (PyTorch: integer inputs stay integer)."""
    xp = _xp(input, other)
    ad, bd = pair(input, other)
    with xp.errstate(divide="ignore", invalid="ignore"):
        return make(xp.floor_divide(ad, bd))


def remainder(input, other):
    """Python-style modulus: the result has the sign of ``other``."""
    xp = _xp(input, other)
    ad, bd = pair(input, other)
    with xp.errstate(divide="ignore", invalid="ignore"):
        out = make(xp.mod(ad, bd))
    if isinstance(input, Tensor) and input._requires_grad:
        # d/dinput = 1 (the quotient is piecewise constant)
        return input + (out - input).detach()
    return out


def _zero_grad_op(input, out):
    """Attach a zero gradient to a piecewise-constant result (floor, ceil, round, trunc)."""
    if isinstance(input, Tensor) and input._requires_grad and out._data.dtype.kind in "fc":
        return input * 0 + out.detach()
    return out


# ------------------------------------------------------------------ comparisons (no gradient)
def _compare_error(a, b):
    return broadcast_error(shape_of(a), shape_of(b))


def eq(input, other):
    """``input == other`` elementwise (a bool tensor; comparisons are not differentiable)."""
    if other is None:
        return False
    if not isinstance(other, (Tensor, int, float, bool, complex)):
        return NotImplemented
    ad, bd = pair(input, other)
    try:
        return make(ad == bd)
    except ValueError:
        raise _compare_error(input, other) from None


def ne(input, other):
    if other is None:
        return True
    ad, bd = pair(input, other)
    try:
        return make(ad != bd)
    except ValueError:
        raise _compare_error(input, other) from None


def lt(input, other):
    ad, bd = pair(input, other)
    try:
        return make(ad < bd)
    except ValueError:
        raise _compare_error(input, other) from None


def le(input, other):
    ad, bd = pair(input, other)
    try:
        return make(ad <= bd)
    except ValueError:
        raise _compare_error(input, other) from None


def gt(input, other):
    ad, bd = pair(input, other)
    try:
        return make(ad > bd)
    except ValueError:
        raise _compare_error(input, other) from None


def ge(input, other):
    ad, bd = pair(input, other)
    try:
        return make(ad >= bd)
    except ValueError:
        raise _compare_error(input, other) from None


less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne


def _bool_or_int(name):
    def f(input, other):
        ad, bd = pair(input, other)
        kinds = {getattr(x, "dtype", None).kind if hasattr(x, "dtype") else
                 ("b" if isinstance(x, bool) else "i" if isinstance(x, int) else "f")
                 for x in (ad, bd)}
        if kinds & {"f", "c"}:
            raise RuntimeError(f'"{name}_cpu" not implemented for \'Float\'')
        return make(getattr(_xp(input, other), name)(ad, bd))

    f.__name__ = name
    return f


bitwise_and = _bool_or_int("bitwise_and")
bitwise_or = _bool_or_int("bitwise_or")
bitwise_xor = _bool_or_int("bitwise_xor")


def bitwise_not(input):
    d = input._data
    if d.dtype.kind in "fc":
        raise RuntimeError("\"bitwise_not_cpu\" not implemented for 'Float'")
    return make(xp_of(d).invert(d))


def logical_and(input, other):
    return make(_binary(_xp(input, other).logical_and, input, other))


def logical_or(input, other):
    return make(_binary(_xp(input, other).logical_or, input, other))


def logical_xor(input, other):
    return make(_binary(_xp(input, other).logical_xor, input, other))


def logical_not(input):
    return make(xp_of(input._data).logical_not(input._data))


def isnan(input):
    return make(xp_of(input._data).isnan(input._data))


def isinf(input):
    return make(xp_of(input._data).isinf(input._data))


def isfinite(input):
    return make(xp_of(input._data).isfinite(input._data))


def equal(input, other) -> bool:
    """True when both tensors have the same shape and the same values."""
    a, b = input._data, other._data
    return a.shape == b.shape and bool((a == b).all())


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """``|input - other| <= atol + rtol * |other|`` everywhere (PyTorch's definition)."""
    ad, bd = pair(input, other)
    return bool(xp_of(input._data).allclose(ad, bd, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    ad, bd = pair(input, other)
    return make(xp_of(input._data).isclose(ad, bd, rtol=rtol, atol=atol, equal_nan=equal_nan))


def maximum(input, other):
    """Elementwise maximum (gradient to the larger; split evenly on ties, as PyTorch)."""
    return where(input >= other, input, other) if _ties_ok(input, other) else _max_ties(
        input, other)


def minimum(input, other):
    return where(input <= other, input, other) if _ties_ok(input, other) else _max_ties(
        -input, -other).neg()


def _ties_ok(a, b):
    return not (a._requires_grad or (isinstance(b, Tensor) and b._requires_grad)) or \
        not bool((a == b).any()._data)


def _max_ties(a, b):
    m = where(a > b, a, b)
    tie = a == b
    return where(tie, (a + b) / 2, m)
