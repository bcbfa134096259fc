"""``scaled_dot_product_attention`` as one graph node (PyTorch's math path on arrays):

    s = q k^T * scale (+ mask);  p = softmax(s);  out = p v

* ``is_causal``: query i sees keys j <= i (top-left aligned, as PyTorch); the -inf bias is one
  small (L, S) array cached per shape and dtype, added in place to the scores (no
  (B, H, L, S) mask is built).
* ``attn_mask``: boolean (True takes part) or additive float, broadcast to the scores.
* ``enable_gqa``: k and v with fewer heads than q are shared by groups of query heads (each
  k/v head by ``Hq / Hkv`` consecutive query heads, as ``repeat_interleave``); their gradients
  are summed over each group.
* ``dropout_p > 0`` runs the same maths as separate ops (the dropout mask is random).

Backward uses the saved probabilities: dv = p^T g, dp = g v^T,
ds = p (dp - rowsum(dp p)) * scale, dq = ds k, dk = ds^T q. With ``create_graph`` the
backward is the gradient of the same maths written as differentiable ops, so double backward
works.
"""

from __future__ import annotations

import math

from ...autograd.function import _NULL_CTX, Function
from ...autograd.grad_mode import _state, enable_grad
from ...backend import errstate as _be_errstate
from ...backend import xp_of
from .._util import broadcast_error, make, sum_axes

_CAUSAL = {}  # (L, S, dtype, xp) -> the additive causal bias


def _causal_bias(xp, L, S, dtype):
    key = (L, S, dtype, xp.__name__)
    bias = _CAUSAL.get(key)
    if bias is None:
        bias = xp.triu(xp.full((L, S), -xp.inf, dtype=dtype), k=1)
        if len(_CAUSAL) > 64:
            _CAUSAL.clear()
        _CAUSAL[key] = bias
    return bias


def _groups(q, k, enable_gqa):
    if not enable_gqa or k.ndim < 3 or q.shape[-3] == k.shape[-3]:
        return 1
    return q.shape[-3] // k.shape[-3]


def _sum_to(g, shape):
    """A gradient of a broadcast operand summed back to the operand's shape."""
    if g.shape == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and g.shape[i + lead] != 1)
    return g.sum(axis=axes, keepdims=True).reshape(shape) if axes else g


def sdpa_forward(q, k, v, attn_mask=None, is_causal=False, scale=None, groups=1):
    """(out, probs) on arrays; probs is kept for backward."""
    xp = xp_of(q)
    if groups > 1:
        k, v = k.repeat(groups, axis=-3), v.repeat(groups, axis=-3)
    t = q.dtype.type
    s = xp.matmul(q, xp.swapaxes(k, -1, -2))
    s *= t(scale)
    if is_causal:
        s += _causal_bias(xp, q.shape[-2], k.shape[-2], q.dtype)
    if attn_mask is not None:
        if attn_mask.dtype == bool:
            s = xp.where(attn_mask, s, t(-xp.inf))
        else:
            s = s + attn_mask
    with _be_errstate(xp, invalid="ignore"):  # a row with every key masked gives NaN
        s -= s.max(axis=-1, keepdims=True)
        xp.exp(s, out=s)
        s /= sum_axes(s, (s.ndim - 1,), True)
    return xp.matmul(s, v), s


def sdpa_backward(grad_out, q, k, v, probs, scale, groups=1):
    """(dq, dk, dv) on arrays, from the saved probabilities."""
    xp = xp_of(q)
    kr, vr = (k.repeat(groups, axis=-3), v.repeat(groups, axis=-3)) if groups > 1 else (k, v)
    t = q.dtype.type
    dv = xp.matmul(xp.swapaxes(probs, -1, -2), grad_out)
    dp = xp.matmul(grad_out, xp.swapaxes(vr, -1, -2))
    row = sum_axes(dp * probs, (dp.ndim - 1,), True)
    dp -= row
    dp *= probs
    dp *= t(scale)
    dq = xp.matmul(dp, kr)
    dk = xp.matmul(xp.swapaxes(dp, -1, -2), q)
    if groups > 1:  # the query heads that shared one k/v head add up
        shape = dk.shape[:-3] + (dk.shape[-3] // groups, groups) + dk.shape[-2:]
        dk = dk.reshape(shape).sum(axis=-3)
        dv = dv.reshape(shape[:-1] + dv.shape[-1:]).sum(axis=-3)
    return _sum_to(dq, q.shape), _sum_to(dk, k.shape), _sum_to(dv, v.shape)


def _composite(q, k, v, attn_mask, is_causal, scale, groups, dropout_p=0.0):
    """The same maths as differentiable ops (double backward, dropout)."""
    from ..pointwise.clamp import where
    from ..random import rand
    from .softmax import softmax

    if groups > 1:  # each k/v head for ``groups`` consecutive query heads
        k, v = (a.unsqueeze(-3).expand(*a.shape[:-2], groups, *a.shape[-2:])
                .reshape(*a.shape[:-3], a.shape[-3] * groups, *a.shape[-2:]) for a in (k, v))
    scores = (q @ k.transpose(-2, -1)) * scale
    if is_causal:
        xp = xp_of(q._data)
        scores = scores + make(_causal_bias(xp, q.shape[-2], k.shape[-2], q._data.dtype))
    if attn_mask is not None:
        if attn_mask.dtype.is_floating_point:
            scores = scores + attn_mask
        else:
            scores = where(attn_mask, scores, float("-inf"))
    attn = softmax(scores, -1)
    if dropout_p > 0.0:
        keep = (rand(*attn.shape, dtype=attn.dtype) >= dropout_p).to(attn.dtype)
        attn = attn * keep / (1.0 - dropout_p)
    return attn @ v


class ScaledDotProductAttention(Function):
    """out = softmax(q k^T scale + mask) v, one node;  gradients from the saved probabilities"""

    _builtin = True
    _node_name = "ScaledDotProductAttentionBackward0"

    @staticmethod
    def forward(ctx, q, k, v, attn_mask, is_causal, scale, groups):
        md = None if attn_mask is None else attn_mask._data
        out, probs = sdpa_forward(q._data, k._data, v._data, md, is_causal, scale, groups)
        if ctx is not _NULL_CTX:
            ctx.save_for_backward(q, k, v, attn_mask)
            ctx.probs = probs
            ctx.args = (is_causal, scale, groups)
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        q, k, v, mask = ctx.saved_tensors
        is_causal, scale, groups = ctx.args
        need = ctx.needs_input_grad
        if not _state.enabled:
            dq, dk, dv = sdpa_backward(grad_output._data, q._data, k._data, v._data, ctx.probs,
                                       scale, groups)
            return (make(dq) if need[0] else None, make(dk) if need[1] else None,
                    make(dv) if need[2] else None, None, None, None, None)
        # create_graph: the gradient of the composite maths, itself differentiable
        from ...autograd import grad as _grad

        with enable_grad():
            # through aliases: an inner grad that reaches a leaf's accumulator directly would
            # disturb the running backward's buffer for that leaf
            q, k, v = q.view_as(q), k.view_as(k), v.view_as(v)
            ins = [t for t, n in zip((q, k, v), need) if n]
            out = _composite(q, k, v, mask, is_causal, scale, groups)
            gs = iter(_grad(out, ins, grad_output, create_graph=True, allow_unused=True))
        return tuple(next(gs) if n else None for n in need[:3]) + (None,) * 4


def scaled_dot_product_attention(
    query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False
):
    """``softmax(q @ k^T * scale + mask) @ v``; a bool mask keeps True positions, a float mask
    is added; ``is_causal`` masks the upper triangle; ``enable_gqa`` shares each k/v head with
    a group of query heads."""
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True"
        )
    groups = 1
    if enable_gqa and key.dim() >= 3 and query.dim() >= 3 and query.shape[-3] != key.shape[-3]:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hk != hv or hq % hk:
            raise RuntimeError(
                "Number of heads in key and value must divide the number of heads in ")
        groups = hq // hk
    elif query.shape[:-2] != key.shape[:-2]:
        err = broadcast_error(query.shape[:-2], key.shape[:-2])
        if isinstance(err, RuntimeError) and "must match" in str(err):
            raise err  # batch or head dims that do not broadcast (PyTorch's matmul error)
    sc = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    if dropout_p > 0.0 or (attn_mask is not None and attn_mask.requires_grad):
        return _composite(query, key, value, attn_mask, is_causal, sc, groups, dropout_p)
    return ScaledDotProductAttention.apply(query, key, value, attn_mask, is_causal, sc, groups)
