"""``nn.functional``: the stateless forms of the layers, activations and losses.

Each function takes tensors and returns a tensor; the modules in ``nn.modules`` hold the
parameters and call these. Stable primitives (log_softmax, softplus, BCE with logits, ...) are
Functions in ``ember.ops`` (pointwise/activation.py, nn/); the rest compose existing ops.

Example::

    import ember.nn.functional as F
    F.cross_entropy(ember.randn(4, 3), ember.tensor([0, 2, 1, 0]))
"""

from __future__ import annotations

import math
import warnings

from ..autograd.grad_mode import no_grad
from ..ops.pointwise.activation import relu as _relu, sigmoid as _sigmoid
from ..ops.pointwise.clamp import clamp
from ..ops.pointwise.rounding import abs
from ..ops.pointwise.trig import tanh as _tanh
from ..ops.nn.embedding import Embedding, EmbeddingBag
from ..ops.nn.softmax import log_softmax as _log_softmax, softmax as _softmax
from ..ops.pointwise.activation import (
    Elu, Gelu, Glu, Hardsigmoid, Hardswish, Hardtanh, LeakyRelu, LogSigmoid, Mish, RreluWithNoise,
    Silu, Softplus, Softshrink
)
from ..ops.random import _rng_like
from ..ops.nn.distance import _norm, cosine_similarity, pairwise_distance
from ..ops.nn.dropout import _check_p, _keep_mask, dropout
from ..ops.pointwise.activation import _act, _float_kernel, celu, hardshrink, prelu, selu, threshold
from ..ops.nn.linear import linear  # noqa: F401
from ..ops.nn.loss import REDUCTIONS  # noqa: F401
from ..tensor import Tensor, _wrap_dim as wrap_dim
from ._functional_losses import *  # noqa: F401,F403
from ._functional_losses import (  # noqa: F401
    _apply_reduction, _broadcast, _clamp_delta, _quiet, _reduction, _xp,
)

_make = Tensor._make

__all__ = [
    "linear", "bilinear", "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "elu",
    "elu_", "selu", "celu", "gelu", "silu", "mish", "softplus", "softsign", "hardtanh",
    "hardtanh_", "hardsigmoid", "hardswish", "tanh", "sigmoid", "logsigmoid", "softmax",
    "log_softmax", "softmin", "threshold", "threshold_", "glu", "tanhshrink", "softshrink",
    "hardshrink", "dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d",
    "dropout3d", "embedding", "embedding_bag", "one_hot", "normalize", "cosine_similarity",
    "pairwise_distance",
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss",
    "gaussian_nll_loss", "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss",
    "triplet_margin_loss", "soft_margin_loss", "rrelu", "rrelu_", "multilabel_soft_margin_loss",
    "multi_margin_loss", "triplet_margin_with_distance_loss", "multilabel_margin_loss",
    "selu_", "celu_", "gumbel_softmax", "pdist",
]


# ------------------------------------------------------------------------------------ helpers
def _inplace(input: Tensor, result: Tensor) -> Tensor:
    """Write a composed result into ``input`` (``inplace=True`` of the alpha dropouts)."""
    return input.copy_(result)


def _mask(cond_array) -> Tensor:
    return _make(cond_array)


# ------------------------------------------------------------------------------- linear layers
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias=None) -> Tensor:
    """y_k = x1^T A_k x2 + b_k with ``weight`` of shape (out, in1, in2)."""
    out_f, in1, in2 = weight.shape
    if input1.shape[-1] != in1:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
            f"expected {in1}")
    if input2.shape[-1] != in2:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
            f"expected {in2}")
    lead = input1.shape[:-1]
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    w = weight.permute(1, 0, 2).reshape(in1, out_f * in2)
    t = x1.matmul(w).reshape(-1, out_f, in2)
    out = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(*lead, out_f)


# -------------------------------------------------------------------------------- activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """y = max(x, 0)."""
    if inplace:
        return input.relu_()
    return _relu(input)


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """y = clamp(x, min_val, max_val)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _act(Hardtanh, input, inplace, min_val, max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """y = min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """y = x if x > 0 else negative_slope * x."""
    _float_kernel(input, "leaky_relu_cpu")
    return _act(LeakyRelu, input, inplace, negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, True)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: negative inputs scaled by a slope drawn from U(lower, upper) per
    element in training, by (lower + upper) / 2 otherwise."""
    _float_kernel(input, "leaky_relu_cpu")
    shape = input._data.shape
    if training:
        slopes = _rng_like(None, input).uniform(lower, upper, size=shape)
    else:
        slopes = _xp(input).full(shape, (lower + upper) / 2)
    return _act(RreluWithNoise, input, inplace, slopes)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    return rrelu(input, lower, upper, training, True)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """y = x if x > 0 else alpha (exp(x) - 1)."""
    _float_kernel(input, "elu_cpu")
    return _act(Elu, input, inplace, float(alpha), 1.0, 1.0)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, True)


def selu_(input: Tensor) -> Tensor:
    return selu(input, True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, True)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """y = x * Phi(x); ``approximate='tanh'`` uses PyTorch's tanh formula."""
    _float_kernel(input, "GeluKernelImpl")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(input, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """y = x * sigmoid(x)."""
    _float_kernel(input, "silu_cpu")
    return _act(Silu, input, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """y = x * tanh(softplus(x))."""
    _float_kernel(input, "mish_cpu")
    return _act(Mish, input, inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """y = log(1 + exp(beta x)) / beta, linear past ``threshold``."""
    _float_kernel(input, "softplus_cpu")
    return Softplus.apply(input, beta, threshold)


def softsign(input: Tensor) -> Tensor:
    """y = x / (1 + |x|)."""
    return input / (abs(input) + 1)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """y = relu6(x + 3) / 6."""
    _float_kernel(input, "hardsigmoid_cpu")
    return _act(Hardsigmoid, input, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """y = x * relu6(x + 3) / 6."""
    _float_kernel(input, "hardswish_cpu")
    return _act(Hardswish, input, inplace)


def tanh(input: Tensor) -> Tensor:
    return _tanh(input)


def sigmoid(input: Tensor) -> Tensor:
    return _sigmoid(input)


def logsigmoid(input: Tensor) -> Tensor:
    """y = log(sigmoid(x)), computed without overflow."""
    _float_kernel(input, "log_sigmoid_cpu")
    return LogSigmoid.apply(input)


def _softmax_default_dim(name, ndim):
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """y = exp(x) / sum(exp(x)) along ``dim`` (max-subtracted)."""
    if dim is None:
        dim = _softmax_default_dim("softmax", input.dim())
    return _softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """y = x - logsumexp(x) along ``dim``."""
    if dim is None:
        dim = _softmax_default_dim("log_softmax", input.dim())
    return _log_softmax(input, dim, dtype)


def softmin(input: Tensor, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """y = softmax(-x)."""
    if dim is None:
        dim = _softmax_default_dim("softmin", input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return _softmax(-input, dim)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """Samples from the Gumbel-softmax distribution: softmax((logits + g) / tau) with Gumbel
    noise g; ``hard=True`` returns one-hot samples with the soft sample's gradient
    (straight-through)."""
    u = _rng_like(None, logits).exponential(1.0, size=logits._data.shape)
    u = u.astype(logits._data.dtype)
    gumbels = (logits + _make(-_xp(logits).log(u))) / tau
    y_soft = _softmax(gumbels, dim)
    if not hard:
        return y_soft
    index = y_soft._data.argmax(axis=dim)
    d = wrap_dim(dim, logits.dim())
    y_hard = _xp(logits).zeros_like(y_soft._data)
    _xp(logits).put_along_axis(y_hard, _xp(logits).expand_dims(index, d), 1.0, axis=d)
    return _make(y_hard) - y_soft.detach() + y_soft


def threshold_(input: Tensor, threshold_: float, value: float) -> Tensor:
    return threshold(input, threshold_, value, True)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """y = a * sigmoid(b) where a, b are the halves of ``input`` along ``dim``."""
    _float_kernel(input, "glu_cpu")
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, input.dim())
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    return Glu.apply(input, d)


def tanhshrink(input: Tensor) -> Tensor:
    """y = x - tanh(x)."""
    return input - _tanh(input)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """y = x - lambd if x > lambd, x + lambd if x < -lambd, else 0."""
    _float_kernel(input, "softshrink_check")
    return Softshrink.apply(input, lambd)


# ----------------------------------------------------------------------------------- dropout
def _feature_dropout(input, p, training, inplace):
    """PyTorch's feature_dropout: one draw per (dim 0, dim 1) entry, broadcast over the rest."""
    if not training or p == 0.0:
        return input
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    mask = _make(_keep_mask(input, p, shape))
    return input.mul_(mask) if inplace else input * mask


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability ``p``."""
    _check_p(p)
    nd = input.dim()
    if nd not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that dropout1d "
            "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
            "dimension, and an optional batch dimension (i.e. 2D or 3D inputs)."
        )
    if nd == 3:
        return _feature_dropout(input, p, training, inplace)
    return _feature_dropout(input.unsqueeze(0), p, training, False).squeeze(0) if not inplace \
        else input.copy_(_feature_dropout(input.unsqueeze(0), p, training, False).squeeze(0))


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) input with probability ``p``. As in PyTorch, a 3-D
    input is read as (N, C, L) (with a warning), other ranks warn and still work."""
    _check_p(p)
    nd = input.dim()
    if nd not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _feature_dropout(input, p, training, inplace)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability ``p``."""
    _check_p(p)
    nd = input.dim()
    if nd not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    if nd == 5:
        return _feature_dropout(input, p, training, inplace)
    out = _feature_dropout(input.unsqueeze(0), p, training, False).squeeze(0)
    return input.copy_(out) if inplace and out is not input else out


_ALPHA = 1.7580993408473766  # selu's -scale * alpha: the value dropped units take


def _alpha_dropout(input, p, training, shape):
    _check_p(p)
    if not training or p == 0.0:
        return input
    d = input._data
    if p == 1.0:
        return input * _make(d.dtype.type(0) * d[(0,) * d.ndim] if d.size else d[:0])
    keep = (_rng_like(None, input).random(shape) >= p).astype(d.dtype)
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    b = (keep - 1.0) * (_ALPHA * a) + _ALPHA * a * p
    return input * _make((keep * a).astype(d.dtype)) + _make(b.astype(d.dtype))


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout that keeps SELU's zero mean and unit variance: dropped units take selu's
    negative saturation value and the output is affinely rescaled."""
    out = _alpha_dropout(input, p, training, input._data.shape)
    return _inplace(input, out) if inplace and out is not input else out


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels (dims 0 and 1 kept)."""
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    out = _alpha_dropout(input, p, training, shape)
    return _inplace(input, out) if inplace and out is not input else out


# ------------------------------------------------------------------------------------ sparse
def embedding(input: Tensor, weight: Tensor, padding_idx=None, max_norm=None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    """Rows of ``weight`` picked by the integer ``input``: y[..., :] = weight[input[...]]."""
    if input._data.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.type()} instead (while checking arguments for "
            "embedding)"
        )
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    num = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= num:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -num:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = num + padding_idx
    idx = input._data
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _embedding_renorm_(weight, input, max_norm, norm_type)
    return Embedding.apply(weight, input, padding_idx, bool(scale_grad_by_freq))


def embedding_bag(input: Tensor, weight: Tensor, offsets=None, max_norm=None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean",
                  sparse: bool = False, per_sample_weights=None,
                  include_last_offset: bool = False, padding_idx=None) -> Tensor:
    """Sums, means or maxes of bags of embeddings, without building the (bags, len, dim)
    tensor: ``input`` (B, N) is B bags of N indices, or a 1-D ``input`` is cut into bags at
    ``offsets``. An empty bag gives zeros; ``padding_idx`` entries are left out."""
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}"
        )
    if input.dim() == 2:
        if offsets is not None:
            kind = "<class 'torch.Tensor'>" if isinstance(offsets, Tensor) else str(type(offsets))
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                f"mini-batch of fixed length sequences. However, found offsets of type {kind}"
            )
        n_bags, n = input.shape
        starts = list(range(0, n_bags * n, n))
        flat = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts = [int(v) for v in offsets.tolist()]
        if starts and starts[0] != 0:
            raise RuntimeError(
                "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to "
                f"start from position 0. However, got {starts[0]}"
            )
        if include_last_offset:
            starts = starts[:-1]
        n_bags = len(starts)
        flat = input
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}"
        )
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub."
        )
    if flat._data.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {flat.type()} instead (while checking arguments for "
            "embedding_bag)"
        )
    num = weight.shape[0]
    if padding_idx is not None and padding_idx < 0:
        padding_idx = num + padding_idx
    idx = flat._data
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _embedding_renorm_(weight, flat, max_norm, norm_type)
    xp = _xp(flat)
    bags = xp.zeros(idx.size, "int64")
    for b, s0 in enumerate(starts[1:], 1):
        bags[s0:] = b
    return EmbeddingBag.apply(weight, flat, _make(bags), n_bags, mode, per_sample_weights,
                                padding_idx)


def _embedding_renorm_(weight, input, max_norm, norm_type):
    """Rescale (in place, no grad) the referenced rows whose norm exceeds ``max_norm``."""
    xp = _xp(weight)
    with no_grad():
        w = weight._data
        rows = xp.unique(input._data.reshape(-1))
        sel = w[rows]
        if norm_type == float("inf"):
            norms = xp.abs(sel).max(axis=1)
        else:
            norms = (xp.abs(sel) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
        scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        w[rows] = sel * scale[:, None].astype(w.dtype)
        weight._vc[0] += 1


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding: a new last dimension of size ``num_classes``."""
    d = tensor._data
    if d.dtype.name != "int64":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = _xp(tensor)
    if num_classes == -1:
        if d.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(d.max()) + 1
    if d.size:
        if d.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if d.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = (d[..., None] == xp.arange(num_classes)).astype("int64")
    return _make(out)


# --------------------------------------------------------------------------------- distances
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out=None) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``."""
    denom = clamp(_norm(input, p, dim, keepdim=True), eps, None)
    return input / denom


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The p-norm distances between every pair of rows (i < j) of a 2-D input, in row-major
    order of the upper triangle."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    n = input.shape[0]
    xp = _xp(input)
    i, j = xp.triu_indices(n, 1)
    diff = input.index_select(0, _make(i.astype("int64"))) - \
        input.index_select(0, _make(j.astype("int64")))
    return _norm(diff, p, 1)


from ..ops.nn.grid_sample import affine_grid, grid_sample  # noqa: E402,F401
from ._functional_conv import *  # noqa: E402,F401,F403
from ._functional_norm import *  # noqa: E402,F401,F403
from ._functional_pooling import *  # noqa: E402,F401,F403
from ._functional_resample import *  # noqa: E402,F401,F403

__all__ += ["affine_grid", "grid_sample"]

from ..ops._public import publish as _publish  # noqa: E402

_publish(globals(), __name__)  # every function above: a public entry of the dispatch door
