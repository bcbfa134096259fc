"""Embedding lookups (dense and bag) and pack_padded_sequence's op."""

from __future__ import annotations

from ...autograd.function import Function
from ...backend import backend_of, xp_of
from .._util import make


class Embedding(Function):
    """y = weight[indices];  dy/dweight = the gradient rows summed into their indices (the
    padding row gets none; with scale_grad_by_freq each row is divided by its count)"""

    _builtin = True
    _node_name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(indices)
        ctx.num_weights = weight._data.shape[0]
        ctx.padding_idx = padding_idx
        ctx.scale = scale_grad_by_freq
        return make(weight._data[indices._data])

    @staticmethod
    def backward(ctx, grad_output):
        (indices,) = ctx.saved_tensors
        return EmbeddingDense.apply(grad_output, indices, ctx.num_weights, ctx.padding_idx,
                                    ctx.scale), None, None, None


def _row_factor(indices, num_weights, padding_idx, scale, dtype):
    """Per-index multiplier of the gradient rows: 0 at padding_idx, 1/count with scale."""
    idx = indices._data
    xp = xp_of(idx)
    f = xp.ones(idx.shape, dtype)
    if scale:
        counts = xp.bincount(idx.reshape(-1), minlength=num_weights)
        f = f / counts[idx]
    if padding_idx is not None:
        f = f * (idx != padding_idx)
    return f


class EmbeddingDense(Function):
    """w = zeros(num_weights, dim) with the rows of g added at indices;  dw/dg = grad[indices]"""

    _builtin = True
    _node_name = "EmbeddingDenseBackward0"

    @staticmethod
    def forward(ctx, g, indices, num_weights, padding_idx, scale):
        gd = g._data
        xp = xp_of(gd)
        dim = gd.shape[-1]
        out = xp.zeros((num_weights, dim), gd.dtype)
        f = _row_factor(indices, num_weights, padding_idx, scale, gd.dtype)
        backend_of(out).scatter_add(out, indices._data.reshape(-1),
                                    (gd * f[..., None]).reshape(-1, dim))
        ctx.save_for_backward(indices)
        ctx.f = f
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        (indices,) = ctx.saved_tensors
        g = Embedding.apply(grad_output, indices, None, False)
        return g * make(ctx.f[..., None]), None, None, None, None


class PackPaddedSequence(Function):
    """data = the rows input[t, :batch_sizes[t]] of a (T, B, *) input, step after step;
    d/dinput = the gradient rows put back in place (zeros in the padding)"""

    _builtin = True
    _node_name = "PackPaddedSequenceBackward0"

    @staticmethod
    def forward(ctx, input, batch_sizes):
        d = input._data
        xp = xp_of(d)
        T, B = d.shape[0], d.shape[1]
        idx = xp.concatenate([t * B + xp.arange(bs) for t, bs in enumerate(batch_sizes)])
        ctx.idx = make(idx)
        ctx.shape = d.shape
        return make(d.reshape((T * B,) + d.shape[2:])[idx])

    @staticmethod
    def backward(ctx, grad_output):
        shape = ctx.shape
        flat = grad_output.new_zeros((shape[0] * shape[1],) + tuple(shape[2:]))
        return flat.index_add(0, ctx.idx, grad_output).reshape(shape), None


class EmbeddingBag(Function):
    """y[b] = sum / mean / max over the bag b of weight[indices] (padding_idx entries skipped,
    optional per-sample weights for 'sum');  dy/dweight = the bag gradients routed back to the
    rows that contributed (for 'max', to the row that was the maximum)"""

    _builtin = True
    _node_name = "EmbeddingBagBackward0"

    @staticmethod
    def forward(ctx, weight, indices, bags, n_bags, mode, per_sample_weights, padding_idx):
        w = weight._data
        xp = xp_of(w)
        idx, bag = indices._data, bags._data
        dim = w.shape[1]
        valid = idx != padding_idx if padding_idx is not None else xp.ones(idx.shape, bool)
        emb = w[idx]
        if per_sample_weights is not None:
            emb = emb * per_sample_weights._data[:, None]
        scale = valid.astype(w.dtype)
        if mode == "max":
            out = xp.full((n_bags, dim), -xp.inf, w.dtype)
            xp.maximum.at(out, bag[valid], emb[valid])
            empty = xp.isneginf(out)
            out[empty] = 0
            # which element gave each maximum (the first one, as PyTorch's kernel)
            hit = (emb == out[bag]) & valid[:, None]
            first = xp.full((n_bags, dim), idx.size, xp.int64)
            pos = xp.broadcast_to(xp.arange(idx.size)[:, None], hit.shape)
            xp.minimum.at(first, bag[hit.any(1)], xp.where(hit, pos, idx.size)[hit.any(1)])
            route = (pos == first[bag]).astype(w.dtype)
        else:
            if mode == "mean":
                counts = xp.bincount(bag[valid], minlength=n_bags).astype(w.dtype)
                scale = scale / xp.maximum(counts, 1)[bag]
            out = xp.zeros((n_bags, dim), w.dtype)
            xp.add.at(out, bag, emb * scale[:, None])
            route = xp.broadcast_to(scale[:, None], emb.shape)
        ctx.save_for_backward(weight, indices, bags, per_sample_weights)
        ctx.route = make(xp.ascontiguousarray(route))
        ctx.num_weights = w.shape[0]
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        weight, indices, bags, psw = ctx.saved_tensors
        g = grad_output.index_select(0, bags) * ctx.route
        gw = gpsw = None
        if ctx.needs_input_grad[0]:
            gw = EmbeddingDense.apply(g if psw is None else g * psw.unsqueeze(1), indices,
                                      ctx.num_weights, None, False)
        if psw is not None and ctx.needs_input_grad[5]:
            gpsw = (g * Embedding.apply(weight, indices, None, False)).sum(1)
        return gw, None, None, None, None, gpsw, None
