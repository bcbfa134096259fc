"""One LSTM or GRU cell step as one graph node (instead of ~15 nodes of matmuls, slices,
sigmoids and products). The input projection ``xg = x W_ih^T + b_ih`` comes in precomputed
(``nn.LSTM``/``nn.GRU`` compute it for every time step in one matmul; the cells with one
``linear``); the node adds the recurrent part and the gates.

LSTM (PyTorch's gate order i, f, g, o):
    gates = xg + h W_hh^T + b_hh;  i, f, o = sigmoid, g = tanh
    c' = f c + i g;  h' = o tanh(c')
GRU (order r, z, n), with gh = h W_hh^T + b_hh:
    r, z = sigmoid(xg_rz + gh_rz);  n = tanh(xg_n + r gh_n);  h' = (1 - z) n + z h

The gate activations are computed on the whole (B, 4H) / (B, 3H) block in place; backward
builds the pre-activation gradient of all gates in one array, so each weight gradient is one
matmul and no per-gate slice gradient is expanded to a zero-filled full array. With
``create_graph`` the backward is the gradient of the same step written as differentiable ops
(double backward works).
"""

from __future__ import annotations

from ...autograd.function import _NULL_CTX, Function
from ...autograd.grad_mode import _state, enable_grad
from ...backend import xp_of
from .._util import make
from ..pointwise.activation_kernels import sigmoid as _sigmoid


def _recurrent(xp, xg, h, w_hh, b_hh):
    g = xp.matmul(h, w_hh.T)
    if b_hh is not None:
        g += b_hh
    return g


def lstm_step_arrays(xg, h, c, w_hh, b_hh=None):
    """(h', c', saved) on arrays."""
    xp = xp_of(xg)
    g = _recurrent(xp, xg, h, w_hh, b_hh)
    g += xg
    H = c.shape[-1]  # h may be projected (proj_size)
    act = _sigmoid(g)  # i, f, o use it; the g-gate block is replaced by tanh below
    xp.tanh(g[..., 2 * H:3 * H], out=act[..., 2 * H:3 * H])
    i, f, gg, o = (act[..., k * H:(k + 1) * H] for k in range(4))
    c2 = f * c
    c2 += i * gg
    tc = xp.tanh(c2)
    return o * tc, c2, (act, tc)


def lstm_step_backward_arrays(grad_h, grad_c, h, c, w_hh, act, tc):
    """(dxg, dh, dc, dw_hh, db_hh) on arrays."""
    xp = xp_of(act)
    one = act.dtype.type(1)
    H = c.shape[-1]
    i, f, gg, o = (act[..., k * H:(k + 1) * H] for k in range(4))
    dact = xp.empty_like(act)
    di, df, dg, do = (dact[..., k * H:(k + 1) * H] for k in range(4))
    xp.multiply(grad_h, tc, out=do)
    dc = grad_h * o
    dc *= one - tc * tc
    dc += grad_c
    xp.multiply(dc, gg, out=di)
    xp.multiply(dc, c, out=df)
    xp.multiply(dc, i, out=dg)
    dc *= f  # the gradient flowing to the previous cell state
    # through the activations: sigmoid' = s (1 - s), tanh' = 1 - t^2
    sig_d = one - act
    sig_d *= act
    sig_d[..., 2 * H:3 * H] = one - gg * gg
    dact *= sig_d
    return dact, xp.matmul(dact, w_hh), dc, xp.matmul(dact.T, h), dact.sum(axis=0)


def gru_step_arrays(xg, h, w_hh, b_hh=None):
    """(h', saved) on arrays."""
    xp = xp_of(xg)
    gh = _recurrent(xp, xg, h, w_hh, b_hh)
    H = h.shape[-1]
    rz = xg[..., :2 * H] + gh[..., :2 * H]
    rz = _sigmoid(rz)
    r, z = rz[..., :H], rz[..., H:]
    hn = gh[..., 2 * H:]
    n = r * hn
    n += xg[..., 2 * H:]
    xp.tanh(n, out=n)
    h2 = h - n
    h2 *= z
    h2 += n
    return h2, (rz, n, hn)


def gru_step_backward_arrays(grad_h, h, w_hh, rz, n, hn):
    """(dxg, dh, dw_hh, db_hh) on arrays."""
    xp = xp_of(rz)
    one = rz.dtype.type(1)
    H = h.shape[-1]
    r, z = rz[..., :H], rz[..., H:]
    dgi = xp.empty(grad_h.shape[:-1] + (3 * H,), rz.dtype)
    dgh = xp.empty_like(dgi)
    dn = dgi[..., 2 * H:]
    xp.multiply(grad_h, one - z, out=dn)
    dn *= one - n * n  # through tanh
    dz = dgi[..., H:2 * H]
    xp.multiply(grad_h, h - n, out=dz)
    dz *= z * (one - z)
    dr = dgi[..., :H]
    xp.multiply(dn, hn, out=dr)
    dr *= r * (one - r)
    dgh[..., :2 * H] = dgi[..., :2 * H]
    xp.multiply(dn, r, out=dgh[..., 2 * H:])
    dh = xp.matmul(dgh, w_hh)
    dh += grad_h * z
    return dgi, dh, xp.matmul(dgh.T, h), dgh.sum(axis=0)


def lstm_step_ops(xg, h, c, w_hh, b_hh):
    """The LSTM step as differentiable ops."""
    from ..pointwise.activation import sigmoid
    from ..pointwise.trig import tanh
    from .linear import linear

    gates = xg + linear(h, w_hh, b_hh)
    H = c.shape[-1]
    i = sigmoid(gates[..., :H])
    f = sigmoid(gates[..., H:2 * H])
    g = tanh(gates[..., 2 * H:3 * H])
    o = sigmoid(gates[..., 3 * H:])
    c = f * c + i * g
    return o * tanh(c), c


def gru_step_ops(xg, h, w_hh, b_hh):
    """The GRU step as differentiable ops."""
    from ..pointwise.activation import sigmoid
    from ..pointwise.trig import tanh
    from .linear import linear

    gh = linear(h, w_hh, b_hh)
    H = h.shape[-1]
    r = sigmoid(xg[..., :H] + gh[..., :H])
    z = sigmoid(xg[..., H:2 * H] + gh[..., H:2 * H])
    n = tanh(xg[..., 2 * H:] + r * gh[..., 2 * H:])
    return (1 - z) * n + z * h


def _graph_backward(step, inputs, need, outputs_grads):
    """The gradients of ``step(*inputs)`` as differentiable tensors (create_graph)."""
    from ...autograd import grad as _grad

    from ..factories import zeros_like

    with enable_grad():
        # through aliases: an inner grad that reaches a leaf's accumulator directly would
        # disturb the running backward's buffer for that leaf
        inputs = [t if t is None else t.view_as(t) for t in inputs]
        ins = [t for t, n in zip(inputs, need) if n]
        outs = step(*inputs)
        outs = outs if isinstance(outs, tuple) else (outs,)
        outputs_grads = [zeros_like(o) if g is None else g for o, g in zip(outs, outputs_grads)]
        gs = iter(_grad(outs, ins, outputs_grads, create_graph=True, allow_unused=True))
    return tuple(next(gs) if n else None for n in need)


class LstmCellStep(Function):
    """(h', c') of one LSTM step, one node;  backward: one (B, 4H) gate-gradient array"""

    _builtin = True
    _node_name = "LstmCellStepBackward0"

    @staticmethod
    def forward(ctx, xg, h, c, w_hh, b_hh):
        bd = None if b_hh is None else b_hh._data
        h2, c2, saved = lstm_step_arrays(xg._data, h._data, c._data, w_hh._data, bd)
        if ctx is not _NULL_CTX:
            ctx.save_for_backward(xg, h, c, w_hh, b_hh)
            ctx.arrays = saved
        return make(h2), make(c2)

    @staticmethod
    def backward(ctx, grad_h, grad_c):
        xg, h, c, w_hh, b_hh = ctx.saved_tensors
        need = ctx.needs_input_grad
        if _state.enabled:
            return _graph_backward(lstm_step_ops, (xg, h, c, w_hh, b_hh), need,
                                   (grad_h, grad_c))
        act, tc = ctx.arrays
        xp = xp_of(act)
        gh = xp.zeros_like(tc) if grad_h is None else grad_h._data
        gc = xp.zeros_like(tc) if grad_c is None else grad_c._data
        dxg, dh, dc, dw, db = lstm_step_backward_arrays(
            gh, gc, h._data, c._data, w_hh._data, act, tc)
        return tuple(make(g) if n else None for g, n in zip((dxg, dh, dc, dw, db), need))


class GruCellStep(Function):
    """h' of one GRU step, one node"""

    _builtin = True
    _node_name = "GruCellStepBackward0"

    @staticmethod
    def forward(ctx, xg, h, w_hh, b_hh):
        bd = None if b_hh is None else b_hh._data
        h2, saved = gru_step_arrays(xg._data, h._data, w_hh._data, bd)
        if ctx is not _NULL_CTX:
            ctx.save_for_backward(xg, h, w_hh, b_hh)
            ctx.arrays = saved
        return make(h2)

    @staticmethod
    def backward(ctx, grad_h):
        xg, h, w_hh, b_hh = ctx.saved_tensors
        need = ctx.needs_input_grad
        if _state.enabled:
            return _graph_backward(gru_step_ops, (xg, h, w_hh, b_hh), need, (grad_h,))
        dxg, dh, dw, db = gru_step_backward_arrays(grad_h._data, h._data, w_hh._data,
                                                   *ctx.arrays)
        return tuple(make(g) if n else None for g, n in zip((dxg, dh, dw, db), need))


def _fusable(*tensors):
    """The fused step takes 2-D real float tensors of one dtype."""
    d0 = tensors[0]._data.dtype
    return all(t is None or (t._data.dtype == d0 and t._data.dtype.kind == "f")
               for t in tensors) and tensors[0]._data.ndim == 2


def lstm_step(xg, h, c, w_hh, b_hh):
    """(h', c') of one LSTM step from the input projection ``xg``."""
    if _fusable(xg, h, c, w_hh, b_hh):
        return LstmCellStep.apply(xg, h, c, w_hh, b_hh)
    return lstm_step_ops(xg, h, c, w_hh, b_hh)


def gru_step(xg, h, w_hh, b_hh):
    """h' of one GRU step from the input projection ``xg``."""
    if _fusable(xg, h, w_hh, b_hh):
        return GruCellStep.apply(xg, h, w_hh, b_hh)
    return gru_step_ops(xg, h, w_hh, b_hh)
