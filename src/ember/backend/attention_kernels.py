"""Scaled dot-product attention as one forward and one backward on arrays (the kernel of a
single ``scaled_dot_product_attention`` graph node), PyTorch's math path:

    s = q k^T * scale (+ mask);  p = softmax(s);  out = p v

* ``is_causal``: query i sees keys j <= i (top-left aligned, as PyTorch); the -inf bias is one
  small (L, S) array cached per shape and dtype, added in place to the scores (no (B, H, L, S)
  mask is built).
* ``attn_mask``: boolean (True takes part) or additive float, broadcast to the scores.
* ``enable_gqa``: k and v with fewer heads than q are shared by groups of query heads; their
  gradients are summed over each group.

Backward uses the saved probabilities: dv = p^T g, dp = g v^T,
ds = p (dp - rowsum(dp p)) * scale, dq = ds k, dk = ds^T q.
"""

from __future__ import annotations

import math

from . import xp_of

_CAUSAL = {}  # (L, S, dtype) -> the additive causal bias


def _causal_bias(xp, L, S, dtype):
    key = (L, S, dtype, xp.__name__)
    bias = _CAUSAL.get(key)
    if bias is None:
        bias = xp.triu(xp.full((L, S), -xp.inf, dtype=dtype), k=1)
        if len(_CAUSAL) > 64:
            _CAUSAL.clear()
        _CAUSAL[key] = bias
    return bias


def _repeat_heads(a, groups):
    """k/v heads repeated for groups of query heads, each head ``groups`` times in a row (as
    PyTorch's ``repeat_interleave``)."""
    return a if groups == 1 else a.repeat(groups, axis=-3)


def _scale_and_groups(q, k, scale, enable_gqa):
    """The score scale (``1 / sqrt(E)`` unless given) and, with grouped-query attention, how
    many query heads share each key/value head (1 otherwise)."""
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    if enable_gqa and k.ndim >= 3 and q.shape[-3] != k.shape[-3]:
        return scale, q.shape[-3] // k.shape[-3]
    return scale, 1


def sdpa_forward(q, k, v, attn_mask=None, is_causal=False, scale=None, enable_gqa=False):
    """(out, probs): out = softmax(q k^T * scale + mask) v; probs is kept for backward."""
    xp = xp_of(q)
    scale, groups = _scale_and_groups(q, k, scale, enable_gqa)
    k, v = _repeat_heads(k, groups), _repeat_heads(v, groups)
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
    with xp.errstate(invalid="ignore"):  # a row with every key masked gives NaN, as PyTorch
        s -= s.max(axis=-1, keepdims=True)
        xp.exp(s, out=s)
        s /= s.sum(axis=-1, keepdims=True)
    return xp.matmul(s, v), s


def sdpa_backward(grad_out, q, k, v, probs, scale=None, enable_gqa=False):
    """(dq, dk, dv) from the saved probabilities."""
    xp = xp_of(q)
    scale, groups = _scale_and_groups(q, k, scale, enable_gqa)
    kr, vr = _repeat_heads(k, groups), _repeat_heads(v, groups)
    t = q.dtype.type
    dv = xp.matmul(xp.swapaxes(probs, -1, -2), grad_out)
    dp = xp.matmul(grad_out, xp.swapaxes(vr, -1, -2))
    row = (dp * probs).sum(axis=-1, keepdims=True)
    dp -= row
    dp *= probs
    dp *= t(scale)
    dq = xp.matmul(dp, kr)
    dk = xp.matmul(xp.swapaxes(dp, -1, -2), q)
    if groups > 1:  # the query heads that shared one k/v head (interleaved) add up
        shape = dk.shape[:-3] + (k.shape[-3], groups) + dk.shape[-2:]
        dk = dk.reshape(shape).sum(axis=-3)
        dv = dv.reshape(shape[:-1] + dv.shape[-1:]).sum(axis=-3)
    # broadcast batch dims of k/v (a k shared by every batch) sum back to their shape
    dk = _sum_to(xp, dk, k.shape)
    dv = _sum_to(xp, dv, v.shape)
    dq = _sum_to(xp, dq, q.shape)
    return dq, dk, dv


def _sum_to(xp, g, shape):
    if g.shape == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and g.shape[i + lead] != 1)
    return g.sum(axis=axes, keepdims=True).reshape(shape) if axes else g
