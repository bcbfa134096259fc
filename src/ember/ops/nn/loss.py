"""Loss Functions with fused backward: mse, smooth L1, huber, binary cross entropy (with and
without logits), nll."""

from __future__ import annotations

from ...autograd.function import _NULL_CTX, Function
from ...backend import errstate as _be_errstate
from ...backend import xp_of
from .._util import make
from ..pointwise.activation import LogSigmoid, sigmoid
from ..pointwise.clamp import clamp, where
from ..pointwise.rounding import sign

REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def _reduce_array(xp, loss, reduction, denom=None):
    if reduction == 0:
        return loss
    s = loss.sum()
    if reduction == 2:
        return xp.asarray(s, dtype=loss.dtype)
    n = loss.size if denom is None else denom
    with _be_errstate(xp, invalid="ignore", divide="ignore"):
        return xp.asarray(s / n, dtype=loss.dtype)


def _scale_grad(grad_elem, grad_output, reduction, n):
    """The gradient of a reduced pointwise loss: ``grad_elem`` times the incoming gradient
    (broadcast from a scalar for 'mean'/'sum'), divided by ``n`` for 'mean'."""
    g = grad_elem * grad_output
    if reduction == 1:
        g = g / n
    return g


# --------------------------------------------------------------------------------- losses
def _check_reduction(reduction):
    r = REDUCTIONS.get(reduction)
    if r is None:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return r


class MseLoss(Function):
    """l = reduce((x - y)^2);  dl/dx = 2 (x - y) g (/ n for 'mean')"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "MseLossBackward0"

    @staticmethod
    def forward(ctx, x, y, reduction):
        xd, yd = x._data, y._data
        xp = xp_of(xd)
        with _be_errstate(xp, invalid="ignore", over="ignore"):
            diff = xd - yd
            loss = diff * diff
        ctx.save_for_backward(x, y)
        ctx.reduction, ctx.n = reduction, loss.size
        return make(_reduce_array(xp, loss, reduction))

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        g = _scale_grad((x - y) * 2.0, grad_output, ctx.reduction, ctx.n)
        need_x, need_y = ctx.needs_input_grad[:2]
        return (g if need_x else None), (-g if need_y else None), None


class _QuadraticNearZero(Function):
    """Base of the smooth L1 and huber losses, quadratic in d = x - y for |d| < t and linear
    beyond (t: beta or delta): l = reduce(``pointwise(xp, d, |d|, t)``); dl/dx = ``d_grad(inside,
    d, t)`` (``inside``: |d| <= t, NaN counted inside, as PyTorch), dl/dy = -dl/dx."""

    _builtin = True
    _edges = (0, 1)

    @classmethod
    def forward(cls, ctx, x, y, reduction, t):
        xd, yd = x._data, y._data
        xp = xp_of(xd)
        with _be_errstate(xp, invalid="ignore", over="ignore"):
            d = xd - yd
            loss = cls.pointwise(xp, d, xp.abs(d), t)
        ctx.save_for_backward(x, y)
        ctx.reduction, ctx.n, ctx.t = reduction, loss.size, t
        return make(_reduce_array(xp, loss.astype(d.dtype, copy=False), reduction))

    @classmethod
    def backward(cls, ctx, grad_output):
        x, y = ctx.saved_tensors
        d = x - y
        inside = make(~(xp_of(d._data).abs(d._data) > ctx.t))
        g = _scale_grad(cls.d_grad(inside, d, ctx.t), grad_output, ctx.reduction, ctx.n)
        need_x, need_y = ctx.needs_input_grad[:2]
        return (g if need_x else None), (-g if need_y else None), None, None


class SmoothL1Loss(_QuadraticNearZero):
    """l = 0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta (d = x - y);
    dl/dx = d / beta or sign(d)"""

    _node_name = "SmoothL1LossBackward0"

    @staticmethod
    def pointwise(xp, d, z, beta):
        return xp.where(z < beta, 0.5 * d * d / (beta if beta else 1.0), z - 0.5 * beta)

    @staticmethod
    def d_grad(inside, d, beta):
        return where(inside, d / (beta if beta else 1.0), sign(d))


class HuberLoss(_QuadraticNearZero):
    """l = 0.5 d^2 if |d| < delta else delta (|d| - 0.5 delta);  dl/dx = d or delta sign(d)"""

    _node_name = "HuberLossBackward0"

    @staticmethod
    def pointwise(xp, d, z, delta):
        return xp.where(z < delta, 0.5 * d * d, delta * (z - 0.5 * delta))

    @staticmethod
    def d_grad(inside, d, delta):
        return where(inside, d, sign(d) * delta)


class BinaryCrossEntropy(Function):
    """l = -w (y log x + (1 - y) log(1 - x)), logs clamped at -100;
    dl/dx = w (x - y) / max(x (1 - x), 1e-12), dl/dy = w (log(1 - x) - log x)"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, x, y, weight, reduction):
        xd, yd = x._data, y._data
        xp = xp_of(xd)
        if ((xd < 0) | (xd > 1)).any():
            raise RuntimeError("all elements of input should be between 0 and 1")
        with _be_errstate(xp, divide="ignore"):
            logx = xp.maximum(xp.log(xd), -100.0)
            log1mx = xp.maximum(xp.log(1.0 - xd), -100.0)
        loss = -(yd * logx + (1.0 - yd) * log1mx)
        if weight is not None:
            loss = loss * weight._data
        ctx.save_for_backward(x, y, weight)
        ctx.reduction, ctx.n = reduction, loss.size
        return make(_reduce_array(xp, loss.astype(xd.dtype, copy=False), reduction))

    @staticmethod
    def backward(ctx, grad_output):
        x, y, weight = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad[:2]
        gx = gy = None
        if need_x:
            ge = (x - y) / clamp(x * (1.0 - x), 1e-12, None)
            if weight is not None:
                ge = ge * weight
            gx = _scale_grad(ge, grad_output, ctx.reduction, ctx.n)
        if need_y:
            from ..pointwise.special import logit

            ge = -logit(x)  # PyTorch's target gradient, unclamped: +-inf at x = 0 or 1
            if weight is not None:
                ge = ge * weight
            gy = _scale_grad(ge, grad_output, ctx.reduction, ctx.n)
        return gx, gy, None, None


class BinaryCrossEntropyWithLogits(Function):
    """l = w ((1 - y) x + (1 + (pw - 1) y) softplus(-x));
    dl/dx = w ((1 - y) - (1 + (pw - 1) y) sigmoid(-x)), dl/dy = w ((pw - 1) softplus(-x) - x)"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        xd, yd = x._data, y._data
        xp = xp_of(xd)
        with _be_errstate(xp, invalid="ignore", over="ignore"):
            sp_neg = xp.log1p(xp.exp(-xp.abs(xd))) + xp.maximum(-xd, 0)  # softplus(-x), stable
            if pos_weight is not None:
                lw = 1.0 + (pos_weight._data - 1.0) * yd
                loss = (1.0 - yd) * xd + lw * sp_neg
            else:
                loss = (1.0 - yd) * xd + sp_neg
            if weight is not None:
                loss = loss * weight._data
        ctx.save_for_backward(x, y, weight, pos_weight)
        ctx.reduction, ctx.n = reduction, loss.size
        return make(_reduce_array(xp, loss.astype(xd.dtype, copy=False), reduction))

    @staticmethod
    def backward(ctx, grad_output):
        x, y, weight, pos_weight = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad[:2]
        gx = gy = None
        if need_x:
            if pos_weight is not None:
                lw = (pos_weight - 1.0) * y + 1.0
                ge = (1.0 - y) - lw * sigmoid(-x)
            else:
                ge = sigmoid(x) - y
            if weight is not None:
                ge = ge * weight
            gx = _scale_grad(ge, grad_output, ctx.reduction, ctx.n)
        if need_y:
            sp_neg = -LogSigmoid.apply(x)
            ge = -x if pos_weight is None else (pos_weight - 1.0) * sp_neg - x
            if weight is not None:
                ge = ge * weight
            gy = _scale_grad(ge, grad_output, ctx.reduction, ctx.n)
        return gx, gy, None, None, None


class NllLoss(Function):
    """l = -w[t] logp[t] per sample (0 where t == ignore_index), then reduced ('mean' divides by
    the summed weights);  dl/dlogp = -w[t] at t, 0 elsewhere"""

    _builtin = True
    _node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, logp, target, weight, reduction, ignore_index):
        x = logp._data
        t = target._data
        xp = xp_of(x)
        if x.ndim == 2 and weight is None and t.dtype == "int64" and x.shape[0] and not (
                0 <= ignore_index < x.shape[1]):
            out = _nll_rows(ctx, xp, x, t, reduction)
            if out is not None:
                return out
        if x.ndim == 1:
            x3 = x.reshape(1, -1, 1)
            t2 = t.reshape(1, 1)
        else:
            rest = 1
            for n in x.shape[2:]:
                rest *= n
            x3 = x.reshape(x.shape[0], x.shape[1], rest)
            t2 = t.reshape(x.shape[0], rest)
        n_classes = x3.shape[1]
        valid = t2 != ignore_index
        tc = xp.where(valid, t2, 0)
        bad = valid & ((tc < 0) | (tc >= n_classes))
        if bad.any():
            raise IndexError(f"Target {int(t2[bad][0])} is out of bounds.")
        picked = xp.take_along_axis(x3, tc[:, None, :], axis=1)[:, 0, :]
        w = weight._data[tc] if weight is not None else xp.ones(tc.shape, x.dtype)
        w = w * valid
        loss = -picked * w
        if reduction == 0:
            out = loss.reshape(t.shape)
            denom = None
        elif reduction == 2:
            out = xp.asarray(loss.sum(), dtype=x.dtype)
            denom = None
        else:
            denom = w.sum()
            with _be_errstate(xp, invalid="ignore", divide="ignore"):
                out = xp.asarray(loss.sum() / denom, dtype=x.dtype)
        if ctx is _NULL_CTX:  # nothing recorded: no gradient to prepare
            return make(out)
        # dl/dlogp does not depend on logp: keep it as one constant array
        m = xp.zeros(x3.shape, x.dtype)
        xp.put_along_axis(m, tc[:, None, :], -w[:, None, :].astype(x.dtype), axis=1)
        if reduction == 1:
            with _be_errstate(xp, invalid="ignore", divide="ignore"):
                m = m / denom
        ctx.m = make(m.reshape(x.shape))
        ctx.reduction = reduction
        ctx.ndim = x.ndim
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        g = grad_output
        if ctx.reduction == 0 and ctx.ndim > 1:
            g = g.unsqueeze(1)
        return ctx.m * g, None, None, None, None


def _nll_rows(ctx, xp, x, t, reduction):
    """NllLoss.forward for (N, C) log-probabilities, no class weights, every target a class
    (none can equal ``ignore_index``): the general path's values in fewer passes. ``None``
    when some target is out of range (the general path raises or ignores it)."""
    n, c = x.shape
    if (t.view("uint64") >= c).any():  # negative targets wrap to huge
        return None
    tc = t[:, None]
    picked = xp.take_along_axis(x, tc, axis=1)
    if reduction == 0:
        out = -picked[:, 0]
    else:
        s = -picked.sum()
        out = xp.asarray(s if reduction == 2 else s / x.dtype.type(n), dtype=x.dtype)
    if ctx is not _NULL_CTX:
        one = x.dtype.type(-1)
        m = xp.zeros(x.shape, x.dtype)  # dl/dlogp: a constant array
        xp.put_along_axis(m, tc, one / x.dtype.type(n) if reduction == 1 else one, axis=1)
        ctx.m = make(m)
        ctx.reduction = reduction
        ctx.ndim = 2
    return make(out)


class NllLoss2d(NllLoss):
    _node_name = "NllLoss2DBackward0"
