"""vmap's batching rules: how each built-in op runs on a whole batch at once.

Inside ``vmap`` a batched tensor is a :class:`BatchedTensor` whose value carries the batch dim
first. An op with a batched argument reaches :func:`apply_batched`, which unbatches the
arguments of the innermost level, shifts dim arguments by one (they were checked against the
per-example shape), runs the op once on the whole batch, and wraps the result again.
Elementwise ops only line up ranks (batch dims are leading, so broadcasting does the rest).
An op without a rule runs once per example and the results are stacked (correct, slower).
"""

from __future__ import annotations

from ..autograd import function as _fn
from ..autograd.grad_mode import _state as _grad_state
from ..ops.index import subscript as _I
from ..ops.linalg import products as _L
from ..ops.conversion import ToCopy
from ..ops.index.masked import _MaskedFill
from ..ops.reduce.minmax import MaxAll, MaxDim, MinAll, MinDim
from ..ops.reduce.sum_prod import Mean, MeanDim, Sum, SumDim, SumToSize
from ..ops.shape.join import Cat, Stack
from ..ops.shape.views import (
    Alias, Clone, Expand, Permute, Reshape, Squeeze, SqueezeDim, T, Transpose, Unsqueeze, View
)
from ._dispatch import SETUP_CONTEXT_MSG, BatchedTensor, state

Tensor = _fn.Tensor
_new = object.__new__


class Level:
    """One ``vmap`` call: its id (larger is inner), batch size and randomness mode."""

    __slots__ = ("active", "batch_size", "id", "randomness")
    _ids = [0]

    def __init__(self, batch_size, randomness):
        Level._ids[0] += 1
        self.id = Level._ids[0]
        self.batch_size = batch_size
        self.randomness = randomness
        self.active = True


def wrap(value, level):
    """``value`` (batch dim first) as a BatchedTensor of ``level``."""
    t = _new(BatchedTensor)
    t._data = value._data[0] if value._data.shape[0] else value._data.reshape(value._data.shape[1:])
    t._requires_grad = value._requires_grad
    t._grad_fn = None
    t._vc = value._vc
    d = t.__dict__
    d["_bt_value"] = value
    d["_bt_level"] = level
    return t


def _wrap_out(out, level):
    if out.__class__ is tuple:
        return tuple(wrap(o, level) if isinstance(o, Tensor) else o for o in out)
    if isinstance(out, Tensor):
        return wrap(out, level)
    return out


def unwrap(a, level):
    """(value, True) for a tensor batched at ``level``, else (a, False)."""
    if a.__class__ is BatchedTensor and a._bt_level is level:
        return a._bt_value, True
    return a, False


def _pad(v, extra):
    """Insert ``extra`` size-1 dims right after the batch dim (to line up ranks)."""
    if extra <= 0:
        return v
    s = tuple(v.shape)
    return v.reshape(s[:1] + (1,) * extra + s[1:])


def _expand_batch(t, level):
    """An unbatched tensor broadcast along a new leading batch dim (a view)."""
    return t.unsqueeze(0).expand(level.batch_size, *t.shape)


# ------------------------------------------------------------------------------------- rules
def _elementwise(cls, args, kwargs, level):
    vals = []
    flags = []
    rank = 0
    for a in args:
        if isinstance(a, Tensor):
            v, b = unwrap(a, level)
            r = v.dim() - 1 if b else v.dim()
            rank = max(rank, r)
            vals.append(v)
            flags.append(b)
        else:
            vals.append(a)
            flags.append(False)
    for i, b in enumerate(flags):
        if b:
            vals[i] = _pad(vals[i], rank - (vals[i].dim() - 1))
    return _wrap_out(cls.apply(*vals), level)


def _first_only(fn):
    """A rule for ops whose first argument is the only tensor: ``fn(v, *rest)``."""

    def rule(cls, args, kwargs, level):
        v, b = unwrap(args[0], level)
        return _wrap_out(fn(cls, v, *args[1:]), level)

    return rule


def _shift(dims):
    return None if dims is None else tuple(d + 1 for d in dims)


@_first_only
def _sum(cls, v, dims, keepdim, dtype):
    return SumDim.apply(v, tuple(range(1, v.dim())), False, dtype)


@_first_only
def _sum_dim(cls, v, dims, keepdim, dtype):
    return cls.apply(v, _shift(dims), keepdim, dtype)


@_first_only
def _view(cls, v, shape):
    return cls.apply(v, (v.shape[0],) + tuple(shape))


@_first_only
def _expand(cls, v, shape):
    v = _pad(v, len(shape) - (v.dim() - 1))
    return cls.apply(v, (v.shape[0],) + tuple(shape))


@_first_only
def _sum_to_size(cls, v, shape):
    v = v.sum(tuple(range(1, 1 + (v.dim() - 1) - len(shape)))) if v.dim() - 1 > len(shape) else v
    shape = (v.shape[0],) + tuple(shape)
    if tuple(v.shape) == shape:
        return v.clone()
    return cls.apply(v, shape)


@_first_only
def _permute(cls, v, dims):
    return cls.apply(v, (0,) + _shift(dims))


@_first_only
def _transpose(cls, v, d0, d1):
    return cls.apply(v, d0 + 1, d1 + 1)


@_first_only
def _squeeze(cls, v, dims):
    return cls.apply(v, _shift(dims))


@_first_only
def _unsqueeze(cls, v, dim):
    return cls.apply(v, dim + 1)


@_first_only
def _max_all(cls, v, which):
    flat = v.reshape(v.shape[0], -1)
    return MaxDim.apply(flat, 1, False, which)[0]


@_first_only
def _max_dim(cls, v, dim, keepdim, which):
    return cls.apply(v, dim + 1, keepdim, which)


def _basic_index(cls, args, kwargs, level):
    v, _ = unwrap(args[0], level)
    key = args[1]
    key = (slice(None),) + (key if isinstance(key, tuple) else (key,))
    return _wrap_out(cls.apply(v, key), level)


def _index(cls, args, kwargs, level):
    v, _ = unwrap(args[0], level)
    key = args[1]
    # NumPy moves separated advanced indices to the front: only adjacent ones keep their place
    adv = [i for i, k in enumerate(key) if not (k is None or k is Ellipsis or isinstance(
        k, (int, slice)))]
    if adv and adv[-1] - adv[0] + 1 != len(adv):
        return _loop(cls, args, kwargs, level)
    return _wrap_out(cls.apply(v, (slice(None),) + tuple(key)), level)


def _cat_like(cls, args, kwargs, level):
    dim = args[0]
    vals = []
    for a in args[1:]:
        v, b = unwrap(a, level)
        vals.append(v if b else _expand_batch(a, level))
    return _wrap_out(cls.apply(dim + 1, *vals), level)


def _matmul(cls, args, kwargs, level):
    (a, ba), (b, bb) = unwrap(args[0], level), unwrap(args[1], level)
    ra, rb = a.dim() - ba, b.dim() - bb
    r = max(ra, rb)
    if ba:
        a = _pad(a, r - ra)
    if bb:
        b = _pad(b, r - rb)
    op = BatchMatMul if a.__class__ is not BatchedTensor and b.__class__ is not BatchedTensor \
        else _L.UnsafeMatMul
    return wrap(op.apply(a, b), level)


def _fast_matmul(xp, ad, bd):
    """``ad @ bd`` for stacks of matrices, avoiding NumPy's one-small-GEMM-per-item loop in the
    two shapes vmap makes: a right operand that is the same matrix for every item (a broadcast
    weight: one big GEMM) and an inner dimension of 1 (per-example outer products: a product)."""
    if ad.ndim >= 3 and ad.shape[-1] == 1 and bd.shape[-2] == 1:
        return ad * bd
    if ad.ndim >= 3 and bd.ndim >= 2:
        lead = bd.ndim - 2
        if lead == 0 or all(st == 0 or n == 1 for st, n in zip(bd.strides[:lead], bd.shape[:lead])):
            b2 = bd[(0,) * lead] if lead else bd
            if lead <= ad.ndim - 2 and all(n == 1 or n == m for n, m in zip(
                    bd.shape[:lead][::-1], ad.shape[:-2][::-1])):
                k = ad.shape[-1]
                return (ad.reshape(-1, k) @ b2).reshape(ad.shape[:-1] + (b2.shape[-1],))
    return xp.matmul(ad, bd)


class BatchMatMul(_fn.Function):
    """y = a @ b on the stacks vmap makes;  dy/da = g @ b^T, dy/db = a^T @ g"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, a, b):
        from ..backend import xp_of

        ctx.save_for_backward(a, b)
        return Tensor._make(_fast_matmul(xp_of(a._data), a._data, b._data))

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = BatchMatMul.apply(grad_output, b.mT) if need_a else None
        gb = BatchMatMul.apply(a.mT, grad_output) if need_b else None
        return ga, gb


def _mv(cls, args, kwargs, level):
    m, v = unwrap(args[0], level)[0], unwrap(args[1], level)[0]
    return wrap(_L.UnsafeMatMul.apply(m, v.unsqueeze(-1)).squeeze(-1), level)


def _dot(cls, args, kwargs, level):
    (a, _), (b, _) = unwrap(args[0], level), unwrap(args[1], level)
    p = a * b
    return wrap(p.sum(-1), level)


def _loop(cls, args, kwargs, level):
    """The fallback: run the op once per example and stack the results."""
    from ..ops.shape.join import stack

    kwargs = kwargs or {}
    results = []
    for i in range(level.batch_size):
        a_i = [unwrap(a, level)[0][i] if unwrap(a, level)[1] else a for a in args]
        k_i = {k: (unwrap(a, level)[0][i] if unwrap(a, level)[1] else a)
               for k, a in kwargs.items()}
        results.append(cls.apply(*a_i, **k_i))
    if results[0].__class__ is tuple:
        out = tuple(stack([r[j] for r in results], 0) if isinstance(results[0][j], Tensor)
                    else results[0][j] for j in range(len(results[0])))
    else:
        out = stack(results, 0)
    return _wrap_out(out, level)


class VmapInfo:
    """What a custom Function's ``vmap`` staticmethod learns about the batch."""

    __slots__ = ("batch_size", "randomness")

    def __init__(self, batch_size, randomness):
        self.batch_size = batch_size
        self.randomness = randomness

    def __repr__(self):
        return f"VmapInfo(batch_size={self.batch_size}, randomness='{self.randomness}')"


def _has_own(cls, name):
    for c in cls.__mro__:
        if c is _fn.Function:
            return False
        if name in c.__dict__:
            return True
    return False


def _custom(cls, args, kwargs, level):
    if not cls._new_style:
        raise RuntimeError(SETUP_CONTEXT_MSG)
    if kwargs:
        args = _fn._bind(cls, args, kwargs)
    if _has_own(cls, "vmap"):
        vals, in_dims = [], []
        for a in args:
            v, b = unwrap(a, level)
            vals.append(v)
            in_dims.append(0 if b else None)
        out, out_dims = cls.vmap(VmapInfo(level.batch_size, level.randomness), tuple(in_dims),
                                 *vals)
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        if not isinstance(out_dims, tuple):
            out_dims = (out_dims,) * len(outs)
        res = []
        for o, d in zip(outs, out_dims):
            if d is None or not isinstance(o, Tensor):
                res.append(o)
            else:
                res.append(wrap(o.movedim(d, 0) if d else o, level))
        return res[0] if single else tuple(res)
    if cls.generate_vmap_rule:
        vals, flags = [], []
        for a in args:
            v, b = unwrap(a, level) if isinstance(a, Tensor) else (a, False)
            vals.append(v)
            flags.append(b)
        needs = _grad_state.enabled and any(isinstance(v, Tensor) and v._requires_grad
                                            for v in vals)
        if needs and not any(isinstance(v, BatchedTensor) for v in vals):
            return _wrap_out(_GeneratedVmap.apply(cls, level, tuple(flags), *vals), level)
        # no graph to record (or nested levels): the forward runs on the batch through the
        # ops' own rules, and any gradient flows through those ops
        with _grad_state_off() if not needs else _nullctx():
            return cls.forward(*args)
    raise RuntimeError(
        "To use autograd.Function with vmap, you must either override the vmap staticmethod "
        "or set generate_vmap_rule=True."
    )


class _reactivate:
    """Make ``level`` active again (a custom Function's backward runs under its vmap)."""

    def __init__(self, level):
        self.level = level

    def __enter__(self):
        lv = self.level
        self.was = lv.active
        if not lv.active:
            lv.active = True
            state.vmap.append(lv)
            state.vmap.sort(key=lambda x: x.id)
        _dispatch_refresh()

    def __exit__(self, *exc):
        if not self.was:
            self.level.active = False
            state.vmap.remove(self.level)
        _dispatch_refresh()


def _dispatch_refresh():
    from ._dispatch import refresh

    refresh()


class _nullctx:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return None


class _grad_state_off:
    def __enter__(self):
        self.prev = _grad_state.enabled
        _grad_state.enabled = False

    def __exit__(self, *exc):
        _grad_state.enabled = self.prev


def _to_batch(o, level):
    v, b = unwrap(o, level)
    return v if b else _expand_batch(o, level)


class _GeneratedVmap(_fn.Function):
    """A custom Function with ``generate_vmap_rule = True`` on a batch: its forward and its
    backward both run under the vmap level, on the per-example view of the batch."""

    _builtin = True
    _node_name = "GeneratedVmapBackward"

    @staticmethod
    def forward(ctx, fcls, level, flags, *vals):
        wrapped = tuple(wrap(v, level) if f else v for v, f in zip(vals, flags))
        user = object.__new__(fcls._backward_cls)
        user._saved = None
        user._seq = next(_fn._seq)
        user.needs_input_grad = tuple(isinstance(v, Tensor) and v._requires_grad for v in vals)
        with _reactivate(level), _grad_state_off():
            out = fcls.forward(*wrapped)
            fcls.setup_context(user, wrapped, out)
            single = not isinstance(out, tuple)
            outs = (out,) if single else out
            phys = tuple(_to_batch(o, level) for o in outs)
        if user._saved is not None:
            user._saved_ver = [t._vc[0] if isinstance(t, Tensor) else None for t in user._saved]
        ctx.user, ctx.fcls, ctx.level, ctx.n_in = user, fcls, level, len(vals)
        # fresh tensors for the node's outputs (a returned input must not be re-parented)
        res = tuple(Tensor._make(p._data) for p in phys)
        return res[0] if single else res

    @staticmethod
    def backward(ctx, *grads):
        level = ctx.level
        with _reactivate(level):
            wg = [wrap(g, level) if g is not None else None for g in grads]
            res = ctx.fcls.backward(ctx.user, *wg)
            res = res if isinstance(res, tuple) else (res,)
            out = [None if r is None else _to_batch(r, level) for r in res[:ctx.n_in]]
        out += [None] * (ctx.n_in - len(out))
        return (None, None, None, *out)


_RULES = {
    Sum: _sum, SumDim: _sum_dim, Mean: _sum_dim, MeanDim: _sum_dim,
    SumToSize: _sum_to_size, MaxAll: _max_all, MinAll: _max_all,
    MaxDim: _max_dim, MinDim: _max_dim,
    View: _view, Reshape: _view, Expand: _expand, Permute: _permute,
    Transpose: _transpose, T: _transpose, Squeeze: _squeeze, SqueezeDim: _squeeze,
    Unsqueeze: _unsqueeze, Clone: _elementwise, Alias: _elementwise,
    Cat: _cat_like, Stack: _cat_like,
    _I._BasicIndex: _basic_index, _I.Select: _basic_index, _I.Slice: _basic_index,
    _I.Unsqueeze_: _basic_index, _I.Index: _index,
    _L.MatMul: _matmul, _L.BMM: _matmul, _L.UnsafeMatMul: _matmul, _L.MV: _mv, _L.Dot: _dot,
    ToCopy: _elementwise, _MaskedFill: _elementwise,
}


def _dims_or_all(dims, v):
    return tuple(range(1, v.dim())) if dims is None else _shift(dims)


@_first_only
def _softmax(cls, v, dim):
    return cls.apply(v, dim + 1)


@_first_only
def _var(cls, v, dims, keepdim, correction):
    return cls.apply(v, _dims_or_all(dims, v), keepdim, correction)


@_first_only
def _vector_norm(cls, v, ord, dims, keepdim):
    return cls.apply(v, ord, _dims_or_all(dims, v), keepdim)


def _addmm(cls, args, kwargs, level):
    # x @ w.T + b, through the rules of its parts
    x, w, b = args
    return x @ w.t() + b


def _pointwise_loss(where):
    """A rule for a loss ``cls(x, y, ..., reduction, ...)`` (``reduction`` at ``where``: 0 or
    'none', 1 or 'mean', 2 or 'sum') that is elementwise before its reduction: compute it
    unreduced on the batch, then reduce each example."""

    def rule(cls, args, kwargs, level):
        args = list(args)
        reduction = args[where]
        args[where] = "none" if isinstance(reduction, str) else 0
        out = _elementwise(cls, tuple(args), kwargs, level)
        if reduction in (1, "mean"):
            return out.mean()
        if reduction in (2, "sum"):
            return out.sum()
        return out

    return rule


_ELEMENTWISE_NAMES = (
    # arithmetic, exp/log, trig, rounding, clamp and where (the Functions of the former
    # ops/elementwise.py, which took the elementwise rule by module)
    "Add", "Sub", "Rsub", "Mul", "Div", "Neg", "Pow", "PowTensor", "PowScalar", "Exp", "Log",
    "Abs", "Sqrt", "Sin", "Cos", "Clamp", "ClampTensor", "ClampMin", "ClampMax", "Where",
    "Maximum", "Minimum", "Fmax", "Fmin", "Fmod", "Remainder", "FmodTensor", "RemainderTensor",
    "FloorDivide", "DivFloor", "Atan2", "Hypot", "Lerp", "LerpTensor", "Addcmul", "Addcdiv",
    "NanToNum",
    # activations (extra arguments are Python scalars)
    "LogSigmoid", "Softplus", "NormalCdf", "Gelu", "Elu", "Celu", "Hardtanh", "LeakyRelu",
    "Threshold", "Hardsigmoid", "Softshrink", "Hardshrink", "Hardswish", "Silu", "Mish",
    "Relu", "Relu6", "Sigmoid", "Tanh", "Selu", "Softsign",
    # unary math
    "Exp2", "Expm1", "Log2", "Log10", "Log1p", "Reciprocal", "Rsqrt", "Tan", "Asin", "Acos",
    "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Floor", "Ceil", "Trunc", "Round",
    "RoundDecimals", "Frac", "Sign", "Sgn", "Erf", "Erfc", "Erfinv", "Lgamma", "Digamma",
    "Polygamma", "Logit",
)
# rules for ops found by class name, wherever in ember.ops they live
_NAMED = dict.fromkeys(_ELEMENTWISE_NAMES, _elementwise)
_NAMED.update({
    "Addmm": _addmm, "Softmax": _softmax, "LogSoftmax": _softmax, "Var": _var,
    "VectorNorm": _vector_norm, "MseLoss": _pointwise_loss(2),
    "SmoothL1Loss": _pointwise_loss(2), "HuberLoss": _pointwise_loss(2),
    "BinaryCrossEntropy": _pointwise_loss(3), "BinaryCrossEntropyWithLogits": _pointwise_loss(4),
})


def register_rule(cls, rule):
    """Give op ``cls`` a batching rule ``rule(cls, args, kwargs, level)``; ``"elementwise"``
    for ops that broadcast their tensor arguments and take no dims."""
    _RULES[cls] = _elementwise if rule == "elementwise" else rule


def _rule_for(cls):
    rule = _RULES.get(cls)
    if rule is not None:
        return rule
    if not cls._builtin:
        return _custom
    if getattr(cls, "_vmap_elementwise", False):
        rule = _elementwise
    elif cls.__module__.startswith("ember.ops") and cls.__name__ in _NAMED:
        rule = _NAMED[cls.__name__]
    else:
        rule = _loop
        for base in cls.__mro__[1:]:
            if base in _RULES:
                rule = _RULES[base]
                break
    _RULES[cls] = rule
    return rule


def apply_batched(cls, args, kwargs, level):
    return _rule_for(cls)(cls, args, kwargs, level)


from . import _batched_methods  # noqa: E402,F401  (BatchedTensor's non-Function methods)
