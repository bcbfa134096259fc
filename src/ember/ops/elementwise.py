"""Elementwise ops: arithmetic, activations and the math functions, each a Function.

Forward computes on arrays; backward is written in Tensor ops, so it can be differentiated
again (``create_graph=True``). Comparisons and logical ops are not differentiable, so they skip
the graph entirely.
"""

from __future__ import annotations

from ..autograd.function import _NULL_CTX, Function
from ._util import Tensor, _state, broadcast_error, make, pair, shape_of, xp_of


def _c(t):
    """The complex conjugate of a complex tensor or number (PyTorch's backward formulas
    multiply by the conjugate derivative); anything real is returned as is."""
    if t.__class__ is Tensor:
        return t if t._data.dtype.kind != "c" else _conj(t)
    return t.conjugate() if t.__class__ is complex else t


def _conj(t):
    from .math_ext import conj

    return conj(t)


def _binary(op, a, b):
    ad, bd = pair(a, b)
    try:
        return op(ad, bd)
    except ValueError:
        raise broadcast_error(shape_of(a), shape_of(b)) from None
    except OverflowError:  # a Python int out of the tensor dtype's range: PyTorch wraps it
        return op(*_wrapped(ad, bd))


def _wrapped(ad, bd):
    if not hasattr(ad, "dtype"):
        ad = xp_of(bd).asarray(ad).astype(bd.dtype)
    if not hasattr(bd, "dtype"):
        bd = xp_of(ad).asarray(bd).astype(ad.dtype)
    return ad, bd


def _xp(*xs):
    for x in xs:
        if isinstance(x, Tensor):
            return xp_of(x._data)
    return xp_of(None)


# ---------------------------------------------------------------------------------- arithmetic
class Add(Function):
    """out = a + b;  d/da = 1, d/db = 1"""

    _builtin = True
    _edges = (0, 1)
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
    _edges = (0, 1)
    _node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = pair(a, b)
        try:
            out = ad * bd
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None
        except OverflowError:
            ad, bd = _wrapped(ad, bd)
            out = ad * bd
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
        need_a, need_b = ctx.needs_input_grad
        return (grad_output * _c(b) if need_a else None), (grad_output * _c(a) if need_b else None)


class Div(Function):
    """out = a / b;  d/da = 1/b, d/db = -a/b**2"""

    _builtin = True
    _saved_names = ('self', 'other')
    _edges = (0, 1)
    _node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = pair(a, b)
        if _kind(ad) not in "fc" and _kind(bd) not in "fc":
            from ..dtypes import get_default_dtype  # integer / integer is true division

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
            out = _xp(a, b).true_divide(ad, bd)
        if ctx is not _NULL_CTX:
            ctx.save_for_backward(a if ctx._next[1] is not None else None, b)  # as Mul
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        ga = grad_output / _c(b) if ctx.needs_input_grad[0] else None
        gb = -grad_output * _c(a / (b * b)) if ctx.needs_input_grad[1] else None
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
            if scalar_b and b_ == 0:
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
            if isinstance(a_, Tensor):
                # 0 ** b has gradient 0 w.r.t. b where b >= 0 (PyTorch masks the log(0) there)
                gb = where((a_ == 0) & (b_ >= 0), 0.0, gb)
        return ga, gb


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
    _saved_names = ('result',)
    _node_name = "ExpBackward0"

    @staticmethod
    def forward(ctx, x):
        y = make(xp_of(x._data).exp(_float(x)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * _c(y)


class Log(Function):
    """y = log(x);  dy/dx = 1/x"""

    _builtin = True
    _saved_names = ('self',)
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
        return grad_output / _c(x)


class Tanh(Function):
    """y = tanh(x);  dy/dx = 1 - y**2"""

    _builtin = True
    _saved_names = ('result',)
    _node_name = "TanhBackward0"

    @staticmethod
    def forward(ctx, x):
        y = make(xp_of(x._data).tanh(_float(x)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * _c(1 - y * y)


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x));  dy/dx = y * (1 - y)"""

    _builtin = True
    _saved_names = ('result',)
    _node_name = "SigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        xp = xp_of(x._data)
        xd = _float(x)
        if xd.dtype.kind == "c":
            with xp.errstate(over="ignore", invalid="ignore", divide="ignore"):
                y = make(1 / (1 + xp.exp(-xd)))
            ctx.save_for_backward(y)
            return y
        # exp of -|x| never overflows; the two branches agree where both are finite
        e = xp.exp(-xp.abs(xd))
        y = make(xp.where(xd >= 0, 1 / (1 + e), e / (1 + e)).astype(xd.dtype, copy=False))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * _c(y * (1 - y))


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
        y = make(xp_of(xd).maximum(xd, xd.dtype.type(0)) if xd.dtype.kind != "b"
                 else xd.copy())
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return where(y > 0, grad_output, 0.0)


class Abs(Function):
    """y = |x|;  dy/dx = sign(x)"""

    _builtin = True
    _saved_names = ('self',)
    _node_name = "AbsBackward0"

    @staticmethod
    def forward(ctx, x):
        if x._data.dtype.kind == "b":
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")  # as PyTorch
        ctx.save_for_backward(x)
        return make(xp_of(x._data).abs(x._data))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * sgn(x)  # sgn: also right for complex x (x / |x|)


class Sqrt(Function):
    """y = sqrt(x);  dy/dx = 1 / (2 y)"""

    _builtin = True
    _saved_names = ('result',)
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
        return grad_output / _c(2 * y)


class Sin(Function):
    """y = sin(x);  dy/dx = cos(x)"""

    _builtin = True
    _saved_names = ('self',)
    _node_name = "SinBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return make(xp_of(x._data).sin(_float(x)))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * _c(cos(x))


class Cos(Function):
    """y = cos(x);  dy/dx = -sin(x)"""

    _builtin = True
    _saved_names = ('self',)
    _node_name = "CosBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return make(xp_of(x._data).cos(_float(x)))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return -grad_output * _c(sin(x))


class Clamp(Function):
    """y = min(max(x, lo), hi) for number bounds;  dy/dx = 1 where lo <= x <= hi, else 0"""

    _builtin = True
    _node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, lo, hi):
        out = x._data
        xp = xp_of(out)
        if out.dtype.kind not in "fc" and (isinstance(lo, float) or isinstance(hi, float)):
            out = _float(x)  # an integer tensor clamped by a float bound becomes float
        dt = out.dtype
        # maximum/minimum propagate NaN, as PyTorch's clamp does
        if lo is not None:
            out = xp.maximum(out, lo)
        if hi is not None:
            out = xp.minimum(out, hi)
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return make(out.astype(dt, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.lo, ctx.hi
        if lo is None:
            mask = x <= hi
        elif hi is None:
            mask = x >= lo
        else:
            mask = (x >= lo) & (x <= hi)
        return where(mask, grad_output, 0.0), None, None  # +0. outside, as PyTorch


class ClampTensor(Function):
    """y = min(max(x, lo), hi) with tensor bounds;  dy/dx = 1 where lo <= x <= hi,
    dy/dlo = 1 where x < lo (and lo < hi), dy/dhi = 1 where x > hi (or hi < lo)"""

    _builtin = True
    _edges = (0, 1, 2)
    _node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        out = x._data
        xp = xp_of(out)
        if lo is not None:
            od, ld = pair(x, lo)
            out = xp.maximum(od, ld)
        if hi is not None:
            od, hd = pair(make(out), hi)
            out = xp.minimum(od, hd)
        ctx.save_for_backward(x, lo, hi)
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        x, lo, hi = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = glo = ghi = None
        if need[0]:
            if lo is None:
                m = x <= hi
            elif hi is None:
                m = x >= lo
            else:
                m = (x >= lo) & (x <= hi)
            gx = where(m, grad_output, 0.0)
        if lo is not None and need[1]:
            m = x < lo
            if hi is not None:
                m = m & (lo < hi)
            glo = where(m, grad_output, 0.0)
        if hi is not None and need[2]:
            m = x > hi
            if lo is not None:
                m = m | (hi < lo)
            ghi = where(m, grad_output, 0.0)
        return gx, glo, ghi


class ClampMin(Function):
    """y = max(x, lo);  dy/dx = 1 where x >= lo"""

    _builtin = True
    _node_name = "ClampMinBackward0"

    @staticmethod
    def forward(ctx, x, lo):
        ctx.save_for_backward(x)
        ctx.lo = lo
        ad, bd = pair(x, lo)
        return make(xp_of(x._data).maximum(ad, bd))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return where(x >= ctx.lo, grad_output, 0.0), None


class ClampMax(Function):
    """y = min(x, hi);  dy/dx = 1 where x <= hi"""

    _builtin = True
    _node_name = "ClampMaxBackward0"

    @staticmethod
    def forward(ctx, x, hi):
        ctx.save_for_backward(x)
        ctx.hi = hi
        ad, bd = pair(x, hi)
        return make(xp_of(x._data).minimum(ad, bd))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return where(x <= ctx.hi, grad_output, 0.0), None


class Where(Function):
    """y = cond ? a : b;  dy/da = cond, dy/db = !cond"""

    _builtin = True
    _edges = (1, 2)
    _node_name = "WhereBackward0"

    @staticmethod
    def forward(ctx, cond, a, b):
        if isinstance(a, Tensor) or isinstance(b, Tensor):
            ad, bd = pair(a, b)
        else:  # two Python scalars: PyTorch's dtype (a float gives the default float dtype)
            from ..dtypes import result_type_of

            dt = result_type_of(a, b).np
            ad, bd = xp_of(cond._data).asarray(a, dt), xp_of(cond._data).asarray(b, dt)
        c = cond._data
        ctx.save_for_backward(cond)
        if bd.__class__ is float and bd == 0.0 and getattr(ad, "shape", None) == c.shape \
                and ad.dtype.kind == "f" and c.dtype.kind == "b":
            # where(mask, g, 0.), the masked gradients of relu/clamp/...: NumPy's where is
            # ~10x slower than a multiply on random masks. g * mask + 0. equals it exactly
            # (the + 0. turns -0. into +0.) unless g has inf/nan, where the fallback runs.
            xp = xp_of(c)
            with xp.errstate(invalid="ignore"):
                out = ad * c
            out += 0.0
            if xp.isfinite(out).all():
                return make(out)
        try:
            out = xp_of(c).where(c, ad, bd)
        except ValueError:
            # PyTorch broadcasts condition, input, other in turn and names the first clash
            try:
                first = xp_of(c).broadcast_shapes(c.shape, shape_of(a))
            except ValueError:
                raise broadcast_error(c.shape, shape_of(a)) from None
            raise broadcast_error(first, shape_of(b)) from None
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        (cond,) = ctx.saved_tensors
        ga = where(cond, grad_output, 0.0) if ctx.needs_input_grad[1] else None
        gb = where(cond, 0.0, grad_output) if ctx.needs_input_grad[2] else None
        return None, ga, gb


class Maximum(Function):
    """y = max(a, b);  dy/da = 1 where a > b, 1/2 where a == b (dy/db alike)"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "MaximumBackward0"

    @staticmethod
    def forward(ctx, a, b):
        _no_complex(a, b, "maximum")
        ctx.save_for_backward(a, b)
        return make(_binary(xp_of(a._data).maximum, a, b))

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        half = grad_output * 0.5
        ga = where(a == b, half, where(a < b, 0.0, grad_output)) if ctx.needs_input_grad[0] \
            else None
        gb = where(a == b, half, where(a > b, 0.0, grad_output)) if ctx.needs_input_grad[1] \
            else None
        return ga, gb


class Minimum(Function):
    """y = min(a, b);  dy/da = 1 where a < b, 1/2 where a == b (dy/db alike)"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "MinimumBackward0"

    @staticmethod
    def forward(ctx, a, b):
        _no_complex(a, b, "minimum")
        ctx.save_for_backward(a, b)
        return make(_binary(xp_of(a._data).minimum, a, b))

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        half = grad_output * 0.5
        ga = where(a == b, half, where(a > b, 0.0, grad_output)) if ctx.needs_input_grad[0] \
            else None
        gb = where(a == b, half, where(a < b, 0.0, grad_output)) if ctx.needs_input_grad[1] \
            else None
        return ga, gb


class Fmax(Function):
    """y = max(a, b) ignoring NaN;  dy/da = 1 where a >= b or b is NaN, dy/db elsewhere"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "FmaxBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return make(_binary(xp_of(a._data).fmax, a, b))

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        take_a = (a >= b) | isnan(b)
        ga = where(take_a, grad_output, 0.0) if ctx.needs_input_grad[0] else None
        gb = where(take_a, 0.0, grad_output) if ctx.needs_input_grad[1] else None
        return ga, gb


class Fmin(Function):
    """y = min(a, b) ignoring NaN;  dy/da = 1 where a <= b or b is NaN, dy/db elsewhere"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "FminBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return make(_binary(xp_of(a._data).fmin, a, b))

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        take_a = (a <= b) | isnan(b)
        ga = where(take_a, grad_output, 0.0) if ctx.needs_input_grad[0] else None
        gb = where(take_a, 0.0, grad_output) if ctx.needs_input_grad[1] else None
        return ga, gb


def _no_complex(a, b, name):
    if _kind(a._data) == "c" or (isinstance(b, Tensor) and _kind(b._data) == "c"):
        raise RuntimeError(f"{name} not implemented for complex tensors.")


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
        with xp.errstate(divide="ignore", invalid="ignore"):
            return make(_binary(xp.fmod, a, b))

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        ga = grad_output if ctx.needs_input_grad[0] else None
        gb = None
        if isinstance(b, Tensor) and ctx.needs_input_grad[1]:
            gb = -grad_output * trunc(a / b)
        return ga, gb


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
        with xp.errstate(divide="ignore", invalid="ignore"):
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
        a, b = ctx.saved_tensors
        ga = grad_output if ctx.needs_input_grad[0] else None
        gb = None
        if isinstance(b, Tensor) and ctx.needs_input_grad[1]:
            gb = -grad_output * floor(a / b)
        return ga, gb


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
        with xp.errstate(divide="ignore", invalid="ignore"):
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


class Atan2(Function):
    """y = atan2(a, b);  dy/da = b / (a**2 + b**2), dy/db = -a / (a**2 + b**2)"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "Atan2Backward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = pair(a, b)
        if _kind(ad) not in "fc":  # integers: computed and returned in the default float dtype
            from ..dtypes import get_default_dtype

            xp = xp_of(a._data)
            ad = xp.asarray(ad).astype(get_default_dtype().np)
            bd = xp.asarray(bd).astype(get_default_dtype().np)
        ctx.save_for_backward(a, b)
        try:
            return make(xp_of(a._data).arctan2(ad, bd))
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        r = grad_output / (a * a + b * b)
        return (r * b if ctx.needs_input_grad[0] else None), \
            (-r * a if ctx.needs_input_grad[1] else None)


class Hypot(Function):
    """y = sqrt(a**2 + b**2);  dy/da = a / y, dy/db = b / y"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "HypotBackward0"

    @staticmethod
    def forward(ctx, a, b):
        y = make(_binary(xp_of(a._data).hypot, a, b))
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        a, b, y = ctx.saved_tensors
        return (grad_output * a / y if ctx.needs_input_grad[0] else None), \
            (grad_output * b / y if ctx.needs_input_grad[1] else None)


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


class NanToNum(Function):
    """y = x with NaN, +inf, -inf replaced;  dy/dx = 1 where x is finite, else 0"""

    _builtin = True
    _node_name = "NanToNumBackward0"

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        d = x._data
        xp = xp_of(d)
        ctx.save_for_backward(x)
        if d.dtype.kind not in "fc":
            return make(d.copy())
        real = d.real.dtype if d.dtype.kind == "c" else d.dtype
        big = xp.finfo(real)
        out = xp.nan_to_num(d, nan=0.0 if nan is None else nan,
                            posinf=big.max if posinf is None else posinf,
                            neginf=big.min if neginf is None else neginf)
        return make(out.astype(d.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * isfinite(x), None, None, None


def _float(x):
    """The array of x, as the default float dtype when it is an integer or bool array."""
    d = x._data
    if d.dtype.kind in "fc":
        return d
    from ..dtypes import get_default_dtype

    return d.astype(get_default_dtype().np)



# ---------------------------------------------------------------------------------------- out=
def write_out(res, out, *inputs, name=None):
    """Write ``res`` into the ``out=`` tensor (cast to its dtype, resized if needed)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if _state.enabled and (res._requires_grad or any(
            isinstance(i, Tensor) and i._requires_grad for i in inputs) or out._requires_grad):
        raise RuntimeError(
            f"{name or 'op'}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    from .. import dtypes as _dt
    from .inplace import _dtype_name

    rd, od = res._data, out._data
    if rd.dtype != od.dtype and not _dt.can_cast(_dt.from_numpy_dtype(rd.dtype),
                                                 _dt.from_numpy_dtype(od.dtype)):
        raise RuntimeError(f"result type {_dtype_name(rd.dtype)} can't be cast to the desired "
                           f"output type {_dtype_name(od.dtype)}")
    if rd.shape != od.shape:
        if od.size != 0:
            import warnings

            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(od.shape)}, which does not match the required output shape "
                f"{list(rd.shape)}. This behavior is deprecated, and in a future PyTorch release "
                "outputs will not be resized unless they have zero elements. You can explicitly "
                "reuse an out tensor t by resizing it, inplace, to zero elements with "
                "t.resize_(0).", UserWarning, stacklevel=3)
        out._data = rd.astype(od.dtype)
    else:
        od[...] = rd
    out._vc[0] += 1
    return out


def _ret(res, out, *inputs):
    return res if out is None else write_out(res, out, *inputs)


# ------------------------------------------------------------------------------- public functions
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
            with xp.errstate(divide="ignore", invalid="ignore"):
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
    from .. import dtypes as _dt

    dt = _dt.complex128 if cplx else _dt.float64

    def up(v):
        if isinstance(v, Tensor):
            return v.to(dt)
        return complex(v) if cplx else float(v)

    if out is not None and out.dtype is not dt:
        raise RuntimeError(f"the output given to float_power has dtype {out.dtype} but the "
                           f"operation's result requires dtype {dt}")
    return _ret(Pow.apply(up(input), up(exponent)), out, input, exponent)


def _unary_fn(cls, doc):
    apply = cls.apply

    def f(input, *, out=None):
        if out is None:
            return apply(input)
        return write_out(apply(input), out, input)

    f.__doc__ = doc
    return f


exp = _unary_fn(Exp, "``e ** input`` elementwise.")
log = _unary_fn(Log, "Natural logarithm (``-inf`` at 0, NaN below).")
tanh = _unary_fn(Tanh, "Hyperbolic tangent.")
sigmoid = _unary_fn(Sigmoid, "``1 / (1 + exp(-input))``, computed without overflow.")
relu = _unary_fn(Relu, "``max(input, 0)``.")
abs = absolute = _unary_fn(Abs, "``|input|`` (gradient ``sign(input)``).")
sqrt = _unary_fn(Sqrt, "Square root (NaN below 0).")
sin = _unary_fn(Sin, "Sine.")
cos = _unary_fn(Cos, "Cosine.")


def clamp(input, min=None, max=None, *, out=None):
    """Limit values to ``[min, max]`` (either bound may be omitted, or be a tensor).

    Example: ``ember.clamp(ember.tensor([-2., 0.5, 3.]), min=0, max=1)`` -> ``[0., 0.5, 1.]``."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        res = ClampTensor.apply(input, min, max)
    else:
        res = Clamp.apply(input, min, max)
    return _ret(res, out, input, min, max)


clip = clamp


def clamp_min(input, min, *, out=None):
    """``max(input, min)`` (PyTorch's ``clamp_min``)."""
    if isinstance(min, Tensor):
        return _ret(ClampTensor.apply(input, min, None), out, input, min)
    return _ret(ClampMin.apply(input, min), out, input)


def clamp_max(input, max, *, out=None):
    """``min(input, max)`` (PyTorch's ``clamp_max``)."""
    if isinstance(max, Tensor):
        return _ret(ClampTensor.apply(input, None, max), out, input, max)
    return _ret(ClampMax.apply(input, max), out, input)


def where(condition, input=None, other=None, *, out=None):
    """``input`` where ``condition`` holds, else ``other`` (scalars allowed).

    With only ``condition``, the indices of its nonzero elements (``nonzero(as_tuple=True)``)."""
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError("where(): argument 'condition' must be Tensor")
    if condition._data.dtype != bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_dtype_title(condition)}")
    return _ret(Where.apply(condition, input, other), out, input, other)


def _dtype_title(t):
    from .inplace import _dtype_name

    return _dtype_name(t._data.dtype)


def floor_divide(input, other, *, out=None):
    """``floor(input / other)`` (integer inputs stay integer; not differentiable)."""
    return _ret(FloorDivide.apply(input, other), out, input, other)


def remainder(input, other, *, out=None):
    """Python-style modulus: the result has the sign of ``other``."""
    if not isinstance(input, Tensor):  # remainder(Scalar, Tensor)
        from .creation import tensor as _tensor

        input = _tensor(input)
    return _ret(Remainder.apply(input, other), out, input, other)


def fmod(input, other, *, out=None):
    """C-style remainder: the result has the sign of ``input``."""
    return _ret(Fmod.apply(input, other), out, input, other)


def maximum(input, other, *, out=None):
    """Elementwise maximum (NaN propagates; on ties the gradient is split evenly)."""
    return _ret(Maximum.apply(input, other), out, input, other)


def minimum(input, other, *, out=None):
    """Elementwise minimum (NaN propagates; on ties the gradient is split evenly)."""
    return _ret(Minimum.apply(input, other), out, input, other)


def fmax(input, other, *, out=None):
    """Elementwise maximum that ignores NaN (NaN only where both are NaN)."""
    return _ret(Fmax.apply(input, other), out, input, other)


def fmin(input, other, *, out=None):
    """Elementwise minimum that ignores NaN."""
    return _ret(Fmin.apply(input, other), out, input, other)


def atan2(input, other, *, out=None):
    """The angle of the point ``(other, input)``, in ``(-pi, pi]``."""
    return _ret(Atan2.apply(input, other), out, input, other)


arctan2 = atan2


def hypot(input, other, *, out=None):
    """``sqrt(input**2 + other**2)`` without overflow."""
    return _ret(Hypot.apply(input, other), out, input, other)


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


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN with ``nan`` and infinities with ``posinf``/``neginf`` (default: the dtype's
    largest and lowest finite values)."""
    return _ret(NanToNum.apply(input, nan, posinf, neginf), out, input)


# ------------------------------------------------------------------ comparisons (no gradient)
def _compare_error(a, b):
    return broadcast_error(shape_of(a), shape_of(b))


def eq(input, other, *, out=None):
    """``input == other`` elementwise (a bool tensor; comparisons are not differentiable)."""
    if other is None:
        return False
    if not isinstance(other, (Tensor, int, float, bool, complex)):
        return NotImplemented
    ad, bd = pair(input, other)
    try:
        res = make(ad == bd)
    except ValueError:
        raise _compare_error(input, other) from None
    return res if out is None else write_out(res, out)


def ne(input, other, *, out=None):
    """``input != other`` elementwise."""
    if other is None:
        return True
    if not isinstance(other, (Tensor, int, float, bool, complex)):
        return NotImplemented
    ad, bd = pair(input, other)
    try:
        res = make(ad != bd)
    except ValueError:
        raise _compare_error(input, other) from None
    return res if out is None else write_out(res, out)


def _ordered(ad, bd, input, other):
    if _kind(ad) == "c" or _kind(bd) == "c":
        raise RuntimeError('"lt_cpu" not implemented for \'ComplexFloat\'')


def lt(input, other, *, out=None):
    """``input < other`` elementwise."""
    ad, bd = pair(input, other)
    try:
        res = make(ad < bd)
    except ValueError:
        raise _compare_error(input, other) from None
    return res if out is None else write_out(res, out)


def le(input, other, *, out=None):
    """``input <= other`` elementwise."""
    ad, bd = pair(input, other)
    try:
        res = make(ad <= bd)
    except ValueError:
        raise _compare_error(input, other) from None
    return res if out is None else write_out(res, out)


def gt(input, other, *, out=None):
    """``input > other`` elementwise."""
    ad, bd = pair(input, other)
    try:
        res = make(ad > bd)
    except ValueError:
        raise _compare_error(input, other) from None
    return res if out is None else write_out(res, out)


def ge(input, other, *, out=None):
    """``input >= other`` elementwise."""
    ad, bd = pair(input, other)
    try:
        res = make(ad >= bd)
    except ValueError:
        raise _compare_error(input, other) from None
    return res if out is None else write_out(res, out)


less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne

_TITLE = {"f": "Float", "c": "ComplexFloat"}


def _int_only(name, ad, bd=None):
    for x in (ad, bd):
        k = _kind(x) if x is not None else "b"
        if k in "fc":
            t = _dtype_title(make(x)) if hasattr(x, "dtype") else _TITLE[k]
            raise RuntimeError(f'"{name}_cpu" not implemented for \'{t}\'')


def _bitwise(name, ufunc_name, doc):
    def f(input, other, *, out=None):
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be Tensor")
        ad, bd = pair(input, other)
        _int_only(name, ad, bd)
        xp = _xp(input, other)
        try:
            res = make(xp.asarray(getattr(xp, ufunc_name)(ad, bd)))
        except ValueError:
            raise broadcast_error(shape_of(input), shape_of(other)) from None
        return res if out is None else write_out(res, out)

    f.__name__ = name
    f.__doc__ = doc
    return f


bitwise_and = _bitwise("bitwise_and", "bitwise_and", "Bitwise AND of integer or bool tensors.")
bitwise_or = _bitwise("bitwise_or", "bitwise_or", "Bitwise OR of integer or bool tensors.")
bitwise_xor = _bitwise("bitwise_xor", "bitwise_xor", "Bitwise XOR of integer or bool tensors.")


def _shift(name, left):
    def f(input, other, *, out=None):
        ad, bd = pair(input, other)
        _int_only(name, ad, bd)
        xp = _xp(input, other)
        a = xp.asarray(ad)
        b = xp.asarray(bd)
        bits = a.dtype.itemsize * 8
        # PyTorch: shifting by >= the bit width (or a negative amount) gives 0 (or -1 for a
        # right shift of a negative number); NumPy leaves this undefined
        big = (b >= bits) | (b < 0)
        bs = xp.where(big, 0, b).astype(a.dtype)
        if left:
            r = xp.left_shift(a, bs)
            r = xp.where(big, 0, r)
        else:
            r = xp.right_shift(a, bs)
            r = xp.where(big, xp.where(a < 0, -1, 0), r) if a.dtype.kind == "i" else \
                xp.where(big, 0, r)
        res = make(xp.asarray(r).astype(xp.result_type(a, b) if not isinstance(other, (int,))
                                        else a.dtype))
        return res if out is None else write_out(res, out)

    f.__name__ = name
    f.__doc__ = f"Bitwise {'left' if left else 'right'} shift of integer tensors."
    return f


bitwise_left_shift = _shift("bitwise_left_shift", True)
bitwise_right_shift = _shift("bitwise_right_shift", False)


def bitwise_not(input, *, out=None):
    """Bitwise NOT of an integer tensor (logical NOT for bool)."""
    d = input._data
    _int_only("bitwise_not", d)
    res = make(xp_of(d).invert(d))
    return res if out is None else write_out(res, out)


def logical_and(input, other, *, out=None):
    """Elementwise logical AND (nonzero is true), as a bool tensor."""
    return _ret(make(_binary(_xp(input, other).logical_and, input, other)), out)


def logical_or(input, other, *, out=None):
    """Elementwise logical OR, as a bool tensor."""
    return _ret(make(_binary(_xp(input, other).logical_or, input, other)), out)


def logical_xor(input, other, *, out=None):
    """Elementwise logical XOR, as a bool tensor."""
    return _ret(make(_binary(_xp(input, other).logical_xor, input, other)), out)


def logical_not(input, *, out=None):
    """Elementwise logical NOT, as a bool tensor."""
    return _ret(make(xp_of(input._data).logical_not(input._data)), out)


def isnan(input):
    """True where the element is NaN."""
    return make(xp_of(input._data).isnan(input._data))


def isinf(input):
    """True where the element is +inf or -inf."""
    return make(xp_of(input._data).isinf(input._data))


def isposinf(input, *, out=None):
    """True where the element is +inf."""
    d = input._data
    return _ret(make(xp_of(d).isposinf(d) if d.dtype.kind in "f" else
                     xp_of(d).zeros(d.shape, bool)), out)


def isneginf(input, *, out=None):
    """True where the element is -inf."""
    d = input._data
    return _ret(make(xp_of(d).isneginf(d) if d.dtype.kind in "f" else
                     xp_of(d).zeros(d.shape, bool)), out)


def isfinite(input):
    """True where the element is neither infinite nor NaN."""
    return make(xp_of(input._data).isfinite(input._data))


def isreal(input):
    """True where the element has no imaginary part."""
    d = input._data
    return make(xp_of(d).isreal(d) if d.dtype.kind == "c" else xp_of(d).ones(d.shape, bool))


def equal(input, other) -> bool:
    """True when both tensors have the same shape and the same values."""
    a, b = input._data, other._data
    return a.shape == b.shape and bool((a == b).all())


def _close_args(input, other, rtol, atol):
    if not isinstance(other, Tensor):
        raise TypeError(f"isclose(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{input.dtype} did not match {other.dtype}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """``|input - other| <= atol + rtol * |other|`` everywhere (PyTorch's definition)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (equal infinities are close)."""
    _close_args(input, other, rtol, atol)
    a, b = input._data, other._data
    xp = xp_of(a)
    try:
        if a.dtype.kind in "biu":
            with xp.errstate(over="ignore"):
                return make(xp.isclose(a.astype("float64"), b.astype("float64"), rtol=rtol,
                                       atol=atol, equal_nan=equal_nan))
        return make(xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None


from .math_ext import floor, sgn, sign, trunc  # noqa: E402,F401  (math_ext builds on this module)
