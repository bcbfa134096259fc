"""vmap batching rules for nn ops that ``_batched.py`` has none for (without one, an op runs once
per example and the results are stacked: correct, but a Python loop over the batch).

* ``NllLoss`` (and ``NllLoss2d``; ``F.cross_entropy`` is ``log_softmax`` + ``nll_loss``): the
  unreduced loss is computed once on the whole batch, merged into the op's own batch dim, then
  each example is reduced ('mean' divides by that example's summed target weights, as PyTorch).
* ``Normalize`` (layer norm, and group norm through its subclass): the vmap dim joins the
  shape the statistics are taken over as one more leading dim.
* ``ConstantPad`` (pads trailing dims), ``Glu`` (a dim argument to shift), ``Embedding``
  with batched indices (one gather for the whole batch).
* ``Convolution``, ``MaxPool``, ``AvgPool``, ``AdaptiveMaxPool``, ``BatchNormEval``: ops with their own batch dim N:
  the vmap dim is merged into N (``(B, N, C, ...) -> (B*N, C, ...)``) and split out again;
  an unbatched per-example input ``(C, ...)`` simply gets the vmap dim as its N.

* ``SeparableLinear`` (adaptive average pooling, interpolate, index padding): matrices applied
  along the trailing spatial dims, so any leading vmap dim passes through.
* ``Im2Col``/``Col2Im`` (``unfold``/``fold``): the vmap dim is merged into N.
* ``ScaledDotProductAttention`` and the fused LSTM/GRU steps: under vmap they run as the
  same maths in batched ops (the fused array kernels assume their own layouts).

Ops with per-example weights (a batched conv kernel, batched class weights) still loop.
"""

from __future__ import annotations

from ..ops.pointwise.activation import Glu
from ..ops.nn.attention import ScaledDotProductAttention, _composite
from ..ops.nn.conv import Col2Im, Convolution, Im2Col
from ..ops.nn.loss import NllLoss
from ..ops.nn.embedding import Embedding
from ..ops.nn.normalization import BatchNormEval, Normalize
from ..ops.nn.pool import AdaptiveMaxPool, AvgPool, MaxPool
from ..ops.nn.resample import ConstantPad, SeparableLinear
from ..ops.nn.rnn_cell import GruCellStep, LstmCellStep, gru_step_ops, lstm_step_ops
from ._batched import _expand_batch, _loop, _wrap_out, register_rule, unwrap, wrap


def _nll_loss(cls, args, kwargs, level):
    logp, target, weight, reduction, ignore_index = args
    lv, lb = unwrap(logp, level)
    tv, tb = unwrap(target, level)
    if kwargs or (weight is not None and unwrap(weight, level)[1]):
        return _loop(cls, args, kwargs, level)  # per-example class weights: rare
    if not lb:
        lv = _expand_batch(lv, level)
    if not tb:
        tv = _expand_batch(tv, level)
    b = lv.shape[0]
    if lv.dim() == 2:  # per example: logits (C,), target ()
        flat_l, flat_t = lv, tv.reshape(b)
    else:  # per example: (N, C, d1...) and (N, d1...): merge the batch into N
        flat_l = lv.reshape(b * lv.shape[1], *lv.shape[2:])
        flat_t = tv.reshape(b * tv.shape[1], *tv.shape[2:])
    none = 0 if not isinstance(reduction, str) else "none"
    out = cls.apply(flat_l, flat_t, weight, none, ignore_index)
    out = out.reshape(b, *tv.shape[1:])
    if reduction in (0, "none"):
        return wrap(out, level)
    dims = tuple(range(1, out.dim()))
    total = out.sum(dims) if dims else out
    if reduction in (2, "sum"):
        return wrap(total, level)
    valid = tv != ignore_index
    if weight is None:
        den = valid.sum(dims) if dims else valid
        den = den.to(out.dtype)
    else:
        w = weight[tv.clamp(min=0)] * valid
        den = w.sum(dims) if dims else w
    return wrap(total / den, level)


def _batched_only_first(args, level):
    """True when the first argument is the only one batched at ``level``."""
    return unwrap(args[0], level)[1] and not any(
        unwrap(a, level)[1] for a in args[1:] if a is not None)


def _normalize(cls, args, kwargs, level):
    x, w, b, geom = args
    if kwargs or not _batched_only_first(args, level):
        return _loop(cls, args, kwargs, level)
    v = unwrap(x, level)[0]
    gshape, axes, wshape, eps = geom
    geom = ((v.shape[0], *gshape), tuple(a + 1 for a in axes), (1, *wshape), eps)
    return wrap(cls.apply(v, w, b, geom), level)


def _constant_pad(cls, args, kwargs, level):
    x, pads, value = args
    if kwargs or not _batched_only_first(args, level):
        return _loop(cls, args, kwargs, level)
    return wrap(cls.apply(unwrap(x, level)[0], pads, value), level)


def _glu(cls, args, kwargs, level):
    x, dim = args
    v, _ = unwrap(x, level)
    return wrap(cls.apply(v, dim + 1 if dim >= 0 else dim), level)


def _embedding(cls, args, kwargs, level):
    weight, indices = args[0], args[1]
    if kwargs or unwrap(weight, level)[1] or not unwrap(indices, level)[1]:
        return _loop(cls, args, kwargs, level)
    return wrap(cls.apply(weight, unwrap(indices, level)[0], *args[2:]), level)


def _merged_batch(full_rank):
    """A rule for an op whose first argument has its own batch dim N: ``full_rank(args)`` is
    the rank of that argument with N."""

    def rule(cls, args, kwargs, level):
        if kwargs or not _batched_only_first(args, level):
            return _loop(cls, args, kwargs, level)
        v = unwrap(args[0], level)[0]
        rank = full_rank(args)
        if v.dim() - 1 == rank - 1:  # unbatched per example: the vmap dim is N
            return _wrap_out(cls.apply(v, *args[1:]), level)
        bsz, n = v.shape[0], v.shape[1]
        out = cls.apply(v.reshape(bsz * n, *v.shape[2:]), *args[1:])
        if out.__class__ is tuple:
            return tuple(wrap(o.reshape(bsz, n, *o.shape[1:]), level) for o in out)
        return wrap(out.reshape(bsz, n, *out.shape[1:]), level)

    return rule


register_rule(NllLoss, _nll_loss)
register_rule(Normalize, _normalize)
register_rule(ConstantPad, _constant_pad)
register_rule(Glu, _glu)
register_rule(Embedding, _embedding)
register_rule(Convolution, _merged_batch(lambda a: a[1].dim()))  # the kernel: (O, I, *k)
register_rule(MaxPool, _merged_batch(lambda a: len(a[1]) + 2))  # K: the spatial dims
register_rule(AvgPool, _merged_batch(lambda a: len(a[1]) + 2))
register_rule(AdaptiveMaxPool, _merged_batch(lambda a: len(a[1]) + 2))  # O: the spatial dims
register_rule(BatchNormEval, _merged_batch(lambda a: len(a[6])))  # wshape: (1, C, 1...)


def _separable(cls, args, kwargs, level):
    x, mats = args
    if kwargs:
        return _loop(cls, args, kwargs, level)
    return wrap(cls.apply(unwrap(x, level)[0], mats), level)


def _as_ops(ops):
    """A rule that runs the op as ``ops(*args)``: differentiable ops that have rules."""

    def rule(cls, args, kwargs, level):
        return ops(*args, **(kwargs or {}))

    return rule


register_rule(SeparableLinear, _separable)
register_rule(Im2Col, _merged_batch(lambda a: len(a[1]) + 2))  # K: the spatial dims
register_rule(Col2Im, _merged_batch(lambda a: 3))  # cols: (N, C * prod(K), L)
register_rule(ScaledDotProductAttention, _as_ops(_composite))
register_rule(LstmCellStep, _as_ops(lstm_step_ops))
register_rule(GruCellStep, _as_ops(gru_step_ops))
