"""Batch, group and layer normalisation as Functions."""

from __future__ import annotations

from ...autograd.function import _NULL_CTX, Function
from ...autograd.grad_mode import _state
from ...backend import xp_of
from .._util import make_dense as make
from .._util import sum_axes
from .._util import _quiet as quiet


def _mean(a, axes):
    """The mean over ``axes`` (kept): nan over nothing, without NumPy's empty-slice warning."""
    n = 1
    for i in axes:
        n *= a.shape[i]
    if n:
        if a.dtype.itemsize < 4:  # NumPy's mean sums float16 in float32
            return a.mean(axes, keepdims=True)
        m = sum_axes(a, tuple(axes), True)
        m /= n
        return m
    shape = tuple(1 if i in axes else v for i, v in enumerate(a.shape))
    return xp_of(a).full(shape, float("nan"), a.dtype)


def _stats(xd, gshape, axes, eps):
    """(mean, var, invstd, xhat) over ``axes``; xhat in the one fresh full-size array that
    held x - mean (plus one scratch for the squares)."""
    xp = xp_of(xd)
    with quiet(xp):
        xg = xd.reshape(gshape)
        mean = _mean(xg, axes)
        xc = xg - mean
        var = _mean(xc * xc, axes)
        invstd = 1.0 / xp.sqrt(var + eps)
        xc *= invstd
        return mean, var, invstd, xc


def _affine(xhat, w, b, wshape, kept=True):
    """xhat * w + b. ``kept``: xhat is also kept for backward, so the result must be a new
    array even without w and b (an in-place change of the output must not reach it)."""
    y = xhat
    if w is not None:
        y = y * w._data.reshape(wshape)
    if b is not None:
        if y is xhat:
            y = y + b._data.reshape(wshape)
        else:
            y += b._data.reshape(wshape)
    return y.copy() if y is xhat and kept else y


def _norm_backward(ctx, grad_output):
    x, w, b = ctx.saved_tensors
    gshape, axes, wshape, eps = ctx.geom
    need = ctx.needs_input_grad
    xshape = x.shape
    if not _state.enabled:  # no create_graph: the array path
        return _norm_backward_arrays(ctx, grad_output, x, w, b)
    # create_graph: keep the dependence of mean and invstd on x
    xg = x.reshape(gshape)
    xc = xg - xg.mean(axes, keepdim=True)
    invstd = 1.0 / ((xc * xc).mean(axes, keepdim=True) + eps).sqrt()
    xhat_g = xc * invstd
    rdims = tuple(i for i, n in enumerate(wshape) if n == 1)
    gx = gw = gb = None
    if need[0]:
        gxhat = grad_output if w is None else grad_output * w.reshape(wshape)
        gxhat = gxhat.reshape(gshape)
        gx = invstd * (
            gxhat
            - gxhat.mean(axes, keepdim=True)
            - xhat_g * (gxhat * xhat_g).mean(axes, keepdim=True)
        )
        gx = gx.reshape(xshape)
    if w is not None and need[1]:
        gw = (grad_output * xhat_g.reshape(xshape)).sum(rdims).reshape(w.shape)
    if b is not None and need[2]:
        gb = grad_output.sum(rdims).reshape(b.shape)
    return gx, gw, gb


def _norm_backward_arrays(ctx, grad_output, x, w, b):
    """``_norm_backward`` without create_graph: the same formulas on arrays, in place where
    a temporary can be reused."""
    gshape, axes, wshape, eps = ctx.geom
    need = ctx.needs_input_grad
    go = grad_output._data
    xp = xp_of(go)
    xhat = ctx.xhat
    rdims = tuple(i for i, n in enumerate(wshape) if n == 1)
    gx = gw = gb = None
    with quiet(xp):
        if need[0]:
            gxhat = go * w._data.reshape(wshape) if w is not None else go.copy()
            gxhat = gxhat.reshape(gshape)
            xhat_g = xhat.reshape(gshape)
            m1 = _mean(gxhat, axes)
            t = gxhat * xhat_g
            m2 = _mean(t, axes)
            xp.multiply(xhat_g, m2, out=t)
            gxhat -= m1
            gxhat -= t
            gxhat *= ctx.invstd
            gx = make(gxhat.reshape(x.shape))
        if w is not None and need[1]:
            # go * xhat in the scratch t, when there is one (its values are spent)
            gxw = xp.multiply(go, xhat, out=t.reshape(x.shape)) if need[0] else go * xhat
            gw = make(sum_axes(gxw, rdims, False).reshape(w.shape))
        if b is not None and need[2]:
            gb = make(sum_axes(go, rdims, False).reshape(b.shape))
    return gx, gw, gb


class Normalize(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b, statistics over ``axes`` of x viewed as
    ``gshape``;  see the module docstring for the gradient"""

    _builtin = True
    _edges = (0, 1, 2)
    _node_name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, geom):
        gshape, axes, wshape, eps = geom
        xd = x._data
        mean, var, invstd, xhat = _stats(xd, gshape, axes, eps)
        xhat = xhat.reshape(xd.shape)
        ctx.save_for_backward(x, w, b)
        if ctx is not _NULL_CTX:  # (the shared no-graph ctx must not keep arrays alive)
            ctx.geom = geom
            ctx.xhat = xhat
            ctx.invstd = invstd
        return make(_affine(xhat, w, b, wshape))

    @staticmethod
    def backward(ctx, grad_output):
        return _norm_backward(ctx, grad_output) + (None,)


class GroupNormOp(Normalize):
    _node_name = "NativeGroupNormBackward0"


class BatchNormTrain(Function):
    """Normalize with batch statistics over all dims but channels; updates the running
    mean and (unbiased) variance in place:  r = (1 - momentum) * r + momentum * batch_stat"""

    _builtin = True
    _edges = (0, 1, 2)
    _node_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, running_mean, running_var, momentum, geom):
        gshape, axes, wshape, eps = geom
        xd = x._data
        mean, var, invstd, xhat = _stats(xd, gshape, axes, eps)
        if running_mean is not None or running_var is not None:
            # instance norm (gshape (N, C, ...), axes spatial) averages over the batch, too
            red = tuple(i for i in range(mean.ndim) if i != 1)
            if running_mean is not None:
                rm = running_mean._data
                rm *= 1 - momentum
                rm += momentum * mean.mean(red).astype(rm.dtype)
                running_mean._vc[0] += 1
            if running_var is not None:
                m = _count(xd.shape, axes)
                rv = running_var._data
                rv *= 1 - momentum
                rv += (momentum * m / max(m - 1, 1)) * var.mean(red).astype(rv.dtype)
                running_var._vc[0] += 1
        ctx.save_for_backward(x, w, b)
        if ctx is not _NULL_CTX:  # (the shared no-graph ctx must not keep arrays alive)
            ctx.geom = geom
            ctx.xhat = xhat
            ctx.invstd = invstd
        return make(_affine(xhat, w, b, wshape))

    @staticmethod
    def backward(ctx, grad_output):
        return _norm_backward(ctx, grad_output) + (None, None, None, None)


def _count(shape, axes):
    n = 1
    for a in axes:
        n *= shape[a]
    return n


class BatchNormEval(Function):
    """y = (x - running_mean) / sqrt(running_var + eps) * w + b;  linear in x"""

    _builtin = True
    _edges = (0, 1, 2)
    _node_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, running_mean, running_var, eps, wshape):
        xd = x._data
        xp = xp_of(xd)
        rm = running_mean._data.reshape(wshape).astype(xd.dtype, copy=False)
        inv = 1.0 / xp.sqrt(running_var._data.astype(xd.dtype, copy=False) + eps)
        inv = inv.reshape(wshape)
        ctx.save_for_backward(x, w)
        if ctx is not _NULL_CTX:
            ctx.consts = (rm, inv, wshape)
        return make(_affine((xd - rm) * inv, w, b, wshape, kept=False))

    @staticmethod
    def backward(ctx, grad_output):
        x, w = ctx.saved_tensors
        rm, inv, wshape = ctx.consts
        need = ctx.needs_input_grad
        rdims = tuple(i for i, n in enumerate(wshape) if n == 1)
        gx = gw = gb = None
        if need[0]:
            scale = make(inv) if w is None else make(inv) * w.reshape(wshape)
            gx = grad_output * scale
        if need[1]:
            gw = (grad_output * ((x - make(rm)) * make(inv))).sum(rdims).reshape(w.shape)
        if need[2]:
            gb = grad_output.sum(rdims).reshape(-1)
        return gx, gw, gb, None, None, None, None
