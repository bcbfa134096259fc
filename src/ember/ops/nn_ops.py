"""Neural-network primitives that need their own Function: for numerical stability
(log_softmax, softmax), for speed (linear as one fused matmul + bias), or because PyTorch's
graph has the node (embedding). Activations are in ``activation_ops``, losses in ``loss_ops``;
this module re-exports both, so ``nn_ops.X`` names every nn primitive.

Forward computes on arrays (max-subtracted exponentials, ``log1p(exp(-|x|))``); backward is
written in Tensor ops, so each can be differentiated again.
"""

from __future__ import annotations

from ..autograd.function import Function, Node
from .linalg import MatMul
from ._util import Tensor, make, wrap_dim, xp_of
from .activation_ops import *  # noqa: F401,F403
from .activation_ops import erf_array, normal_cdf_array  # noqa: F401
from .loss_ops import *  # noqa: F401,F403
from .loss_ops import REDUCTIONS, _check_reduction  # noqa: F401


def _type_name(t):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(t._data.dtype.name, t._data.dtype.name)


# ---------------------------------------------------------------------------------- linear
class Addmm(Function):
    """y = x @ w^T + b (2-D x);  dy/dx = g @ w, dy/dw = g^T @ x, dy/db = sum_rows(g)"""

    _builtin = True
    _edges = (2, 0, 1)
    _node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, w, b):
        xd = x._data
        out = xp_of(xd).matmul(xd, w._data.T)
        out += b._data
        ctx.save_for_backward(x, w)
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = MatMul.apply(grad_output, w) if need_x else None
        gw = MatMul.apply(grad_output.t(), x) if need_w else None
        gb = grad_output.sum(0) if need_b else None
        return gx, gw, gb


def _addmm_next_functions(node):
    """PyTorch's linear is ``addmm(bias, input, weight.t())``, so its node's last edge is the
    weight's ``TBackward0``. ember fuses the transpose; for the printed graph a ``TBackward0``
    node over the weight's edge stands in for it (made once, when asked; backward never
    visits it)."""
    b, x, w = Node.next_functions.fget(node)
    if w[0] is not None:
        t = node.__dict__.get("_t_node")
        if t is None:
            from .shape import T

            t = node._t_node = object.__new__(T._backward_cls)
            Node.__init__(t)
            t._next = (node._next[1],)
            t.d = (0, 1)
        w = (t, 0)
    return b, x, w


Addmm._backward_cls.next_functions = property(_addmm_next_functions)


def linear(input: Tensor, weight: Tensor, bias=None) -> Tensor:
    """y = input @ weight^T + bias, over the last dimension of ``input``."""
    xd, wd = input._data, weight._data
    if wd.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {wd.ndim}D")
    if wd.ndim != 2 or xd.ndim == 0:
        if xd.ndim == 0:
            raise RuntimeError(
                "both arguments to linear need to be at least 1D, but they are 0D and "
                f"{wd.ndim}D"
            )
        return _linear_general(input, weight, bias)
    k = xd.shape[-1]
    if k != wd.shape[1]:
        rows = 1
        for s in xd.shape[:-1]:
            rows *= s
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and {wd.shape[1]}x"
            f"{wd.shape[0]})"
        )
    if xd.dtype != wd.dtype or (bias is not None and bias._data.dtype != xd.dtype):
        other = wd if xd.dtype != wd.dtype else bias._data
        raise RuntimeError(
            "mat1 and mat2 must have the same dtype, but got "
            f"{_type_name(input)} and {_type_name(make(other))}"
        )
    if xd.ndim == 2:
        if bias is None:
            return MatMul.apply(input, weight.t())
        return Addmm.apply(input, weight, bias)
    lead = xd.shape[:-1]
    x2 = input.reshape(-1, k)
    if bias is None:
        out = MatMul.apply(x2, weight.t())
    else:
        out = Addmm.apply(x2, weight, bias)
    return out.view(*lead, wd.shape[0])


def _linear_general(input, weight, bias):
    from .linalg import matmul

    out = matmul(input, weight.t() if weight.dim() == 2 else weight)
    return out if bias is None else out + bias


# ---------------------------------------------------------------------------- softmax family
def _softmax_dim(ndim, dim):
    return wrap_dim(dim, ndim) if ndim > 0 else None


class LogSoftmax(Function):
    """y = x - max - log(sum(exp(x - max)));  dy/dx = g - exp(y) * sum(g)"""

    _builtin = True
    _node_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        d = x._data
        xp = xp_of(d)
        if d.ndim == 0:
            out = d - d
        else:
            m = d.max(axis=dim, keepdims=True)
            with xp.errstate(invalid="ignore", over="ignore", divide="ignore"):
                s = d - m
                out = s - xp.log(xp.exp(s).sum(axis=dim, keepdims=True))
        y = make(out)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        if ctx.dim is None:
            return grad_output - grad_output, None
        return grad_output - y.exp() * grad_output.sum(ctx.dim, keepdim=True), None


class Softmax(Function):
    """y = exp(x - max) / sum(exp(x - max));  dy/dx = y * (g - sum(g * y))"""

    _builtin = True
    _node_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        d = x._data
        xp = xp_of(d)
        if d.ndim == 0:
            out = d / d
        else:
            with xp.errstate(invalid="ignore", over="ignore"):
                e = xp.exp(d - d.max(axis=dim, keepdims=True))
                e /= e.sum(axis=dim, keepdims=True)
            out = e
        y = make(out)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        if ctx.dim is None:
            return grad_output - grad_output, None
        gy = grad_output * y
        return gy - y * gy.sum(ctx.dim, keepdim=True), None


def _check_float(input, dim, name):
    d = input._data
    if d.dtype.kind not in "fc":
        last = d.ndim == 0 or wrap_dim(dim, d.ndim) == d.ndim - 1
        kernel = f"{name}_lastdim_kernel_impl" if last else f"{name}_kernel_impl"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(input)}\'')


def log_softmax(input, dim, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    _check_float(input, dim, "log_softmax")
    return LogSoftmax.apply(input, _softmax_dim(input._data.ndim, dim))


def softmax(input, dim, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    _check_float(input, dim, "softmax")
    return Softmax.apply(input, _softmax_dim(input._data.ndim, dim))


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
        xp.add.at(out, indices._data.reshape(-1), (gd * f[..., None]).reshape(-1, dim))
        ctx.save_for_backward(indices)
        ctx.f = f
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        (indices,) = ctx.saved_tensors
        g = Embedding.apply(grad_output, indices, None, False)
        return g * make(ctx.f[..., None]), None, None, None, None


# ------------------------------------------------- top-level ``ember.*`` forms and methods
def softmax_method(self, dim, dtype=None):
    """``x.softmax(dim)``."""
    return softmax(self, dim, dtype)


def log_softmax_method(self, dim, dtype=None):
    """``x.log_softmax(dim)``."""
    return log_softmax(self, dim, dtype)


def _F():
    from ..nn import functional

    return functional


def dropout(input, p, train):
    """``ember.dropout(input, p, train)``: F.dropout with PyTorch's positional signature."""
    return _F().dropout(input, p, train)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    return _F().cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    return _F().pairwise_distance(x1, x2, p, eps, keepdim)


def selu(input):
    return _F().selu(input)


def celu(input, alpha=1.0):
    return _F().celu(input, alpha)


def prelu(input, weight):
    return _F().prelu(input, weight)


def threshold(input, threshold, value):
    return _F().threshold(input, threshold, value)


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
