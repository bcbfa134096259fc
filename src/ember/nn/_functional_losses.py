"""The loss functions of ``nn.functional`` (re-exported there), and the helpers they share
with it: PyTorch's reduction argument (with the deprecated ``size_average``/``reduce``),
broadcasting with its warning, and PyTorch's target checks.
"""

from __future__ import annotations

import math
import warnings

from ..backend import errstate as _be_errstate
from ..ops._util import _scalar_type_name as _type_name
from ..ops.nn.distance import _broadcast, _clamp_delta  # noqa: E402,F401
from ..ops.nn.loss import (
    REDUCTIONS,
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    HuberLoss,
    MseLoss,
    NllLoss,
    NllLoss2d,
    SmoothL1Loss,
    _check_reduction,
)
from ..ops.nn.softmax import log_softmax
from ..ops.pointwise.activation import LogSigmoid, Softplus
from ..ops.pointwise.clamp import clamp, minimum, where
from ..ops.pointwise.rounding import abs
from ..tensor import Tensor

_make = Tensor._make

__all__ = [
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "cosine_embedding_loss",
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "triplet_margin_loss",
    "soft_margin_loss",
    "multilabel_soft_margin_loss",
    "multi_margin_loss",
    "triplet_margin_with_distance_loss",
    "multilabel_margin_loss",
]


# ------------------------------------------------------------------------------------ helpers
def _reduction(size_average, reduce, reduction):
    """The reduction string, translating PyTorch's deprecated ``size_average``/``reduce``."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if (size_average and reduce) else "sum" if reduce else "none"
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use reduction='{reduction}'"
            " instead.", stacklevel=3)
    return _check_reduction(reduction)


def _apply_reduction(loss: Tensor, reduction: int) -> Tensor:
    if reduction == 1:
        return loss.mean()
    if reduction == 2:
        return loss.sum()
    return loss


def _quiet(t):
    """Silence NumPy's warnings for log(0) in formulas that mask those entries afterwards."""
    return _be_errstate(_xp(t), divide="ignore", invalid="ignore")


def _xp(t):
    from ..backend import xp_of

    return xp_of(t._data)


# ------------------------------------------------------------------------------------ losses
def _float_kernel(input, target, kernel):
    """PyTorch's error when a floating-point-only loss kernel gets integer tensors."""
    if input._data.dtype.kind not in "fc" and target._data.dtype.kind not in "fc":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(input)}\'')


def _expand_as(t, like):
    """``t`` broadcast to ``like``'s shape, with PyTorch's message when it cannot be."""
    from ..ops._util import broadcast_error
    from ..ops.shape.views import broadcast_shapes

    try:
        ok = tuple(broadcast_shapes(t.shape, like.shape)) == tuple(like.shape)
    except RuntimeError:
        ok = False
    if not ok:
        raise broadcast_error(like.shape, t.shape)
    return t.expand(like.shape)


def _check_same_size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.", stacklevel=3)
        return _broadcast(input, target)
    return input, target


def _float_pair(input, target):
    if target._data.dtype != input._data.dtype and target._data.dtype.kind in "fc":
        from ..dtypes import promote_types

        dt = promote_types(input.dtype, target.dtype)
        return input.to(dt), target.to(dt)
    if target._data.dtype.kind not in "fc":
        return input, target.to(input.dtype)
    return input, target


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight=None) -> Tensor:
    """reduce((input - target)^2)."""
    r = _reduction(size_average, reduce, reduction)
    input, target = _check_same_size_warning(input, target)
    _float_kernel(input, target, "mse_cpu")
    input, target = _float_pair(input, target)
    if weight is not None:
        return _apply_reduction((input - target) ** 2 * weight, r)
    return MseLoss.apply(input, target, r)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight=None) -> Tensor:
    """reduce(|input - target|)."""
    r = _reduction(size_average, reduce, reduction)
    input, target = _check_same_size_warning(input, target)
    loss = abs(input - target)
    if weight is not None:
        loss = loss * weight
    return _apply_reduction(loss, r)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta; reduced."""
    r = _reduction(size_average, reduce, reduction)
    input, target = _check_same_size_warning(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return _apply_reduction(abs(input - target), r)
    _float_kernel(input, target, "smooth_l1_cpu")
    input, target = _float_pair(input, target)
    return SmoothL1Loss.apply(input, target, r, float(beta))


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight=None) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta); reduced."""
    r = _check_reduction(reduction)
    input, target = _check_same_size_warning(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _float_kernel(input, target, "huber_cpu")
    input, target = _float_pair(input, target)
    if weight is not None:
        return _apply_reduction(HuberLoss.apply(input, target, 0, float(delta)) * weight, r)
    return HuberLoss.apply(input, target, r, float(delta))


def _check_target_dtype(target):
    name = target._data.dtype.name
    if name not in ("int64", "uint8"):
        raise RuntimeError(
            "expected target dtype to be Long or Byte, but got "
            f"{_type_name(target)}"
        )


def _check_weight(weight, n_classes, input=None):
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_classes):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}"
        )
    if weight is not None and input is not None and weight._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"expected scalar type {_type_name(input)} but found {_type_name(weight)}"
        )


def nll_loss(input: Tensor, target: Tensor, weight=None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """-input[n, target[n]] (times the class weight), reduced; ``input`` holds
    log-probabilities of shape (C), (N, C) or (N, C, d1, ...)."""
    r = _reduction(size_average, reduce, reduction)
    return _nll_nd(input, target, weight, r, ignore_index)


def _nll_nd(input, target, weight, r, ignore_index):
    nd = input.dim()
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd != 1 and input.shape[0] != target.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
            f"({target.shape[0]})."
        )
    if nd <= 2 and target.dim() > 1:  # PyTorch checks the target's rank before its dtype
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    _check_target_dtype(target)
    n_classes = input.shape[0] if nd == 1 else input.shape[1]
    _check_weight(weight, n_classes, input)
    if nd <= 2:
        return NllLoss.apply(input, target, weight, r, ignore_index)
    if nd == 4:
        if target.dim() != 3:
            raise RuntimeError(
                "only batches of spatial targets supported (3D tensors) but got targets of "
                f"dimension: {target.dim()}"
            )
        if tuple(target.shape[1:]) != tuple(input.shape[2:]):
            raise RuntimeError(
                f"size mismatch (got input: {list(input.shape)} , target: "
                f"{list(target.shape)}"
            )
    elif tuple(target.shape[1:]) != tuple(input.shape[2:]):
        out_size = [input.shape[0]] + list(input.shape[2:])
        raise RuntimeError(f"Expected target size {out_size}, got {list(target.shape)}")
    return NllLoss2d.apply(input, target, weight, r, ignore_index)


def cross_entropy(input: Tensor, target: Tensor, weight=None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """nll_loss(log_softmax(input, class dim), target) for class indices, or
    -sum(target * log_softmax(input)) for class probabilities (``target`` shaped like
    ``input``), with optional label smoothing."""
    r = _reduction(size_average, reduce, reduction)
    nd = input.dim()
    class_dim = 0 if nd == 1 else 1
    if tuple(input.shape) == tuple(target.shape) and target._data.dtype.kind != "f":
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{_type_name(target)}"
        )
    if nd == 0:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    n_classes = input.shape[class_dim]
    logp = log_softmax(input, class_dim)
    if tuple(input.shape) == tuple(target.shape):
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        _check_weight(weight, n_classes, input)
        if label_smoothing > 0.0:
            if label_smoothing > 1.0:
                raise RuntimeError(
                    f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}"
                )
            target = target * (1 - label_smoothing) + (label_smoothing / n_classes)
        prod = logp * target
        if weight is not None:
            prod = prod * _class_view(weight, nd, class_dim)
        if r == 1:
            if input.numel() == 0:
                return -prod.sum() * float("nan")
            return -prod.sum() / (input.numel() / n_classes)
        if r == 2:
            return -prod.sum()
        return -prod.sum(class_dim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(
                f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}"
            )
        nll = _nll_nd(logp, target, weight, r, ignore_index)
        ignore_mask = target._data == ignore_index
        if weight is not None:
            smooth = -(logp * _class_view(weight, nd, class_dim)).sum(class_dim)
        else:
            smooth = -logp.sum(class_dim)
        smooth = smooth.masked_fill(_make(ignore_mask), 0.0)
        if r == 1:
            if weight is not None:
                tsel = target._data[~ignore_mask].reshape(-1)
                ret = smooth.sum() / weight[_make(tsel)].sum()
            else:
                ret = smooth.sum() / float((~ignore_mask).sum())
        elif r == 2:
            ret = smooth.sum()
        else:
            ret = smooth
        return nll * (1 - label_smoothing) + ret * (label_smoothing / n_classes)
    return _nll_nd(logp, target, weight, r, ignore_index)


def _class_view(weight, nd, class_dim):
    shape = [1] * nd
    shape[class_dim] = weight.shape[0]
    return weight.reshape(shape)


def binary_cross_entropy(input: Tensor, target: Tensor, weight=None, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """-w (t log x + (1 - t) log(1 - x)), logs clamped at -100; reduced."""
    r = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}) is deprecated. Please ensure they have the same size."
        )
    if target._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"Found dtype {_type_name(target)} but expected {_type_name(input)}"
        )
    if weight is not None:
        weight = weight.expand(input.shape) if weight.shape != input.shape else weight
    return BinaryCrossEntropy.apply(input, target, weight, r)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight=None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight=None) -> Tensor:
    """binary_cross_entropy(sigmoid(input), target) computed stably from the logits;
    ``pos_weight`` scales the positive term per class."""
    r = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.size()}) must be the same as input size ({input.size()})"
        )
    _float_kernel(input, target, "log_sigmoid_cpu")
    input, target = _float_pair(input, target)
    if weight is not None and weight.shape != input.shape:
        weight = _expand_as(weight, input)
    if pos_weight is not None and pos_weight.shape != input.shape:
        pos_weight = _expand_as(pos_weight, input)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, r)


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """target * (log target - input) (``input`` holds log-probabilities); ``'batchmean'``
    divides the sum by the batch size."""
    if reduction == "batchmean":
        r = 3
    else:
        r = _reduction(size_average, reduce, reduction)
        if r == 1:
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the "
                "support size.'batchmean' divides only by the batch size, and aligns with the "
                "KL div math definition.'mean' will be changed to behave the same as "
                "'batchmean' in the next major release.", stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        # PyTorch's formula: where(target > 0, target * (log(target) - input), 0)
        with _quiet(target):
            loss = where(_make(target._data > 0), target * (target.log() - input), 0.0)
    if r == 3:
        if input.dim() != 0:
            return loss.sum() / input.shape[0]
        return loss.sum()
    return _apply_reduction(loss, r)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """exp(input) - target * input (``log_input``) or input - target * log(input + eps), plus
    Stirling's term with ``full``."""
    r = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        # PyTorch's formula, masked after the fact (so a target of 0 gives a nan target grad)
        with _quiet(target):
            stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(_make(target._data <= 1), 0)
    return _apply_reduction(loss, r)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """0.5 (log(max(var, eps)) + (input - target)^2 / max(var, eps)) (+ 0.5 log 2 pi)."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        from ..ops.factories import full_like

        var = full_like(input, float(var))
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    if (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    # PyTorch clamps a clone under no_grad: the gradient flows as if unclamped
    var = var.clone()
    var = var + _make(_clamp_delta(var._data, eps))
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _apply_reduction(loss, REDUCTIONS[reduction])


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where target == 1, max(0, cos(x1, x2) - margin) where target == -1."""
    r = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim():
        raise RuntimeError(
            f"cosine_embedding_loss : All input tensors should have same dimension but got "
            f"sizes: input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} "
        )
    targ_dim = target.dim()
    if targ_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if targ_dim == 1 and input1.dim() != 2:
        raise RuntimeError(
            f"1D target tensor expects 2D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    if targ_dim == 0 and input1.dim() != 1:
        raise RuntimeError(
            f"0D target tensor expects 1D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    eps = 1e-12
    dim = 1 if targ_dim == 1 else 0
    prod_sum = (input1 * input2).sum(dim)
    mag1 = (input1 * input1).sum(dim) + eps
    mag2 = (input2 * input2).sum(dim) + eps
    cos = prod_sum / (mag1 * mag2).sqrt()
    t = target._data
    out = where(_make(t == 1), 1 - cos, 0.0) + \
        where(_make(t == -1), clamp(cos - margin, 0.0, None), 0.0)
    return _apply_reduction(out, r)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """max(0, -target * (input1 - input2) + margin)."""
    r = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got "
            f"sizes: input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} "
        )
    out = clamp(-target * (input1 - input2) + margin, 0.0, None)
    return _apply_reduction(out, r)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """x where target == 1, max(0, margin - x) where target == -1."""
    r = _reduction(size_average, reduce, reduction)
    t = target._data
    out = where(_make(t != 1), clamp(margin - input, 0.0, None), 0.0) + \
        where(_make(t != -1), input, 0.0)
    return _apply_reduction(out, r)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """log(1 + exp(-target * input)), reduced."""
    r = _reduction(size_average, reduce, reduction)
    return _apply_reduction(Softplus.apply(-target * input, 1.0, 20.0 * 1e9), r)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight=None, size_average=None,
                                reduce=None, reduction: str = "mean") -> Tensor:
    """-(t log sigmoid(x) + (1 - t) log sigmoid(-x)) averaged over classes, then reduced."""
    if size_average is not None or reduce is not None:
        reduction = ("mean" if (size_average is not False and reduce is not False) else
                     "sum" if reduce is not False else "none")
    loss = -(target * LogSigmoid.apply(input) + (1 - target) * LogSigmoid.apply(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _apply_reduction(loss, REDUCTIONS[reduction])


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight=None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """sum over i != y of max(0, margin - x[y] + x[i])^p / C (times weight[y]), reduced."""
    r = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    x = input if input.dim() > 1 else input.unsqueeze(0)
    t = target.reshape(-1)
    _check_target_dtype(t)
    n_classes = x.shape[1]
    xy = x.gather(1, t.unsqueeze(1))
    z = clamp(x - xy + margin, 0.0, None)
    if p == 2:
        z = z * z
    other = _make((_xp(t).arange(n_classes)[None, :] != t._data[:, None]).astype(x._data.dtype))
    z = z * other
    if weight is not None:
        z = z * weight[t].unsqueeze(1)
    loss = z.sum(1) / n_classes
    if input.dim() == 1:
        loss = loss.reshape(())
    return _apply_reduction(loss, r)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)) with the pairwise p-norm distance."""
    r = _reduction(size_average, reduce, reduction)
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative "
            f"{n_dim}D inputs"
        )
    from .functional import pairwise_distance

    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_swap = pairwise_distance(positive, negative, p, eps)
        d_neg = minimum(d_neg, d_swap)
    out = clamp(d_pos - d_neg + margin, 0.0, None)
    return _apply_reduction(out, r)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function=None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)) with any distance ``d`` (default: pairwise_distance)."""
    r = _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative "
            f"{n_dim}D inputs"
        )
    if distance_function is None:
        from .functional import pairwise_distance as distance_function
    d_pos = distance_function(anchor, positive)
    d_neg = distance_function(anchor, negative)
    if swap:
        d_neg = minimum(d_neg, distance_function(positive, negative))
    return _apply_reduction(clamp(d_pos - d_neg + margin, 0.0, None), r)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """sum over target classes j and non-target classes i of max(0, 1 - (x[j] - x[i])) / C;
    each row of ``target`` lists class indices and ends at the first -1."""
    r = _reduction(size_average, reduce, reduction)
    _check_target_dtype(target)
    x = input if input.dim() > 1 else input.unsqueeze(0)
    t = target._data if target.dim() > 1 else target._data[None]
    if tuple(t.shape) != tuple(x.shape):
        raise RuntimeError(
            f"inconsistent target size: {list(target.shape)} for input of size: "
            f"{list(input.shape)}"
        )
    xp = _xp(target)
    n, c = t.shape
    is_target = xp.zeros((n, c), bool)
    for row in range(n):
        for k in range(c):
            j = int(t[row, k])
            if j < 0:
                break
            if j >= c:
                raise RuntimeError(f"target index {j} is out of range")
            is_target[row, j] = True
    pair = (is_target[:, :, None] & ~is_target[:, None, :]).astype(x._data.dtype)
    margins = clamp(1.0 - x.unsqueeze(2) + x.unsqueeze(1), 0.0, None) * _make(pair)
    loss = margins.sum((1, 2)) / c
    if input.dim() == 1:
        loss = loss.reshape(())
    return _apply_reduction(loss, r)
