"""One LSTM or GRU cell step as one forward and one backward on arrays (the kernel of a single
graph node per step, instead of ~15 nodes of matmuls, slices, sigmoids and products).

LSTM (PyTorch's gate order i, f, g, o):
    gates = x W_ih^T + b_ih + h W_hh^T + b_hh;  i, f, o = sigmoid, g = tanh
    c' = f c + i g;  h' = o tanh(c')
GRU (order r, z, n):
    r, z = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr, ...);
    n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn));  h' = (1 - z) n + z h

The gate activations are computed on the whole (B, 4H) / (B, 3H) block in place; backward
builds the pre-activation gradient of all gates in one (B, 4H) array, so each weight gradient
is one matmul and no per-gate slice gradient is expanded to a zero-filled full array.
"""

from __future__ import annotations

from . import xp_of
from .kernels import sigmoid


def _gates(xp, x, h, w_ih, w_hh, b_ih, b_hh):
    g = xp.matmul(x, w_ih.T)
    if b_ih is not None:
        g += b_ih
    hh = xp.matmul(h, w_hh.T)
    if b_hh is not None:
        hh += b_hh
    return g, hh


def lstm_cell_forward(x, h, c, w_ih, w_hh, b_ih=None, b_hh=None):
    """(h', c', saved) for one step; ``saved`` feeds :func:`lstm_cell_backward`."""
    xp = xp_of(x)
    g, hh = _gates(xp, x, h, w_ih, w_hh, b_ih, b_hh)
    g += hh
    H = h.shape[-1]
    act = sigmoid(g)  # i, f, o use it; the g-gate block is replaced by tanh below
    xp.tanh(g[..., 2 * H:3 * H], out=act[..., 2 * H:3 * H])
    i, f, gg, o = (act[..., k * H:(k + 1) * H] for k in range(4))
    c2 = f * c
    c2 += i * gg
    tc = xp.tanh(c2)
    h2 = o * tc
    return h2, c2, (x, h, c, act, tc)


def lstm_cell_backward(grad_h, grad_c, saved, w_ih, w_hh, has_bias=True):
    """(dx, dh, dc, dw_ih, dw_hh, db_ih, db_hh); ``grad_h``/``grad_c`` may be None (no
    gradient flows into that output)."""
    x, h, c, act, tc = saved
    xp = xp_of(act)
    t = act.dtype.type
    H = h.shape[-1]
    i, f, gg, o = (act[..., k * H:(k + 1) * H] for k in range(4))
    one = t(1)
    dact = xp.empty_like(act)
    di, df, dg, do = (dact[..., k * H:(k + 1) * H] for k in range(4))
    if grad_h is None:
        dc = xp.zeros_like(c) if grad_c is None else grad_c.copy()
        do[...] = 0
    else:
        xp.multiply(grad_h, tc, out=do)
        dc = grad_h * o
        dc *= one - tc * tc
        if grad_c is not None:
            dc += grad_c
    xp.multiply(dc, gg, out=di)
    xp.multiply(dc, c, out=df)
    xp.multiply(dc, i, out=dg)
    dc_prev = dc * f
    # through the activations: sigmoid' = s (1 - s), tanh' = 1 - t^2
    sig_d = act * (one - act)
    dact *= sig_d
    dg_pre = dc * i
    dg_pre *= one - gg * gg
    dact[..., 2 * H:3 * H] = dg_pre
    dx = xp.matmul(dact, w_ih)
    dh = xp.matmul(dact, w_hh)
    dw_ih = xp.matmul(dact.T, x)
    dw_hh = xp.matmul(dact.T, h)
    db = dact.sum(axis=0) if has_bias else None
    return dx, dh, dc_prev, dw_ih, dw_hh, db, (None if db is None else db.copy())


def gru_cell_forward(x, h, w_ih, w_hh, b_ih=None, b_hh=None):
    """(h', saved) for one step."""
    xp = xp_of(x)
    gi, gh = _gates(xp, x, h, w_ih, w_hh, b_ih, b_hh)
    H = h.shape[-1]
    rz = sigmoid(gi[..., :2 * H] + gh[..., :2 * H])
    r, z = rz[..., :H], rz[..., H:]
    hn = gh[..., 2 * H:]
    n = r * hn
    n += gi[..., 2 * H:]
    xp.tanh(n, out=n)
    h2 = h - n
    h2 *= z
    h2 += n
    return h2, (x, h, rz, n, hn)


def gru_cell_backward(grad_h, saved, w_ih, w_hh, has_bias=True):
    """(dx, dh, dw_ih, dw_hh, db_ih, db_hh)."""
    x, h, rz, n, hn = saved
    xp = xp_of(rz)
    t = rz.dtype.type
    H = h.shape[-1]
    r, z = rz[..., :H], rz[..., H:]
    one = t(1)
    B = grad_h.shape[:-1]
    dgi = xp.empty(B + (3 * H,), rz.dtype)
    dgh = xp.empty(B + (3 * H,), rz.dtype)
    dn = grad_h * (one - z)
    dn *= one - n * n  # through tanh
    dz = grad_h * (h - n)
    dz *= z * (one - z)
    dr = dn * hn
    dr *= r * (one - r)
    dgi[..., :H] = dr
    dgi[..., H:2 * H] = dz
    dgi[..., 2 * H:] = dn
    dgh[..., :2 * H] = dgi[..., :2 * H]
    xp.multiply(dn, r, out=dgh[..., 2 * H:])
    dx = xp.matmul(dgi, w_ih)
    dh = xp.matmul(dgh, w_hh)
    dh += grad_h * z
    dw_ih = xp.matmul(dgi.T, x)
    dw_hh = xp.matmul(dgh.T, h)
    if not has_bias:
        return dx, dh, dw_ih, dw_hh, None, None
    return dx, dh, dw_ih, dw_hh, dgi.sum(axis=0), dgh.sum(axis=0)
