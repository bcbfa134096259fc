"""Max and average pooling (fixed and adaptive windows) as Functions."""

from __future__ import annotations

import itertools

from ...autograd.function import _NULL_CTX, Function
from ...backend import xp_of
from .._util import make


_NAMED = {}


def named(cls, node_name):
    """``cls`` under another node name (``AvgPool3DBackward0``...): one op class serves every
    dimensionality and mode, while ``grad_fn`` still prints PyTorch's name."""
    sub = _NAMED.get((cls, node_name))
    if sub is None:
        sub = _NAMED[(cls, node_name)] = type(cls.__name__, (cls,), {"_node_name": node_name})
    return sub


def _prod(xs):
    n = 1
    for v in xs:
        n *= v
    return n


def pool_out_size(S, K, s, p, d, ceil_mode):
    """PyTorch's pooling output size (a window must start inside the input or left padding)."""
    out = []
    for i in range(len(S)):
        num = S[i] + 2 * p[i] - d[i] * (K[i] - 1) - 1
        o = (-(-num // s[i]) if ceil_mode else num // s[i]) + 1
        if ceil_mode and (o - 1) * s[i] >= S[i] + p[i]:
            o -= 1
        out.append(o)
    return tuple(out)


def _padded(x, p, O, K, s, d, value):
    """``x`` padded with ``value`` so that every window of the output fits."""
    nd = len(K)
    S = x.shape[2:]
    hi = [max(p[i], (O[i] - 1) * s[i] + d[i] * (K[i] - 1) + 1 - S[i] - p[i]) for i in range(nd)]
    if not any(p) and not any(hi):
        return x
    xp = xp_of(x)
    out = xp.full(x.shape[:2] + tuple(S[i] + p[i] + hi[i] for i in range(nd)), value, x.dtype)
    out[_interior(p, S)] = x
    return out


def _interior(p, S):
    """The index of the ``S``-sized region of an array padded with ``p`` in front."""
    return (slice(None), slice(None)) + tuple(slice(p[i], p[i] + S[i]) for i in range(len(S)))


def _window_slices(k, O, s, d):
    return (slice(None), slice(None)) + tuple(
        slice(k[i] * d[i], k[i] * d[i] + s[i] * (O[i] - 1) + 1, s[i]) for i in range(len(k))
    )


# ------------------------------------------------------------------------------ max pooling
def _offsets(K):
    return list(itertools.product(*[range(v) for v in K]))


def _max_pool(x, K, s, p, d, ceil_mode):
    """Window maxima of ``x`` ``(N, C, *S)``, and the padded input (for the argmax masks)."""
    xp = xp_of(x)
    S = x.shape[2:]
    nd = len(K)
    O = pool_out_size(S, K, s, p, d, ceil_mode)
    if min(O) <= 0:
        if nd == 1:
            raise RuntimeError(f"max_pool1d() Invalid computed output size: {O[0]}")
        raise RuntimeError(
            f"Given input size: ({'x'.join(map(str, x.shape[1:]))}). "
            f"Calculated output size: ({'x'.join(map(str, (x.shape[1],) + O))}). "
            "Output size is too small"
        )
    neg = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
    xpad = _padded(x, p, O, K, s, d, neg)
    views = [xpad[_window_slices(k, O, s, d)] for k in _offsets(K)]
    if len(views) == 1:
        return views[0].copy(), xpad
    val = xp.maximum(views[0], views[1])  # propagates NaN, as PyTorch does
    for v in views[2:]:
        xp.maximum(val, v, out=val)
    return val, xpad


def _first_max_masks(xpad, val, K, s, d):
    """For each kernel offset ``j`` (row-major), where its element is the window's first
    maximum (PyTorch keeps the first on ties; a NaN maximum is at the first NaN)."""
    xp = xp_of(val)
    O = val.shape[2:]
    nan = val.dtype.kind == "f" and bool(xp.isnan(val).any())
    taken = None
    for j, k in enumerate(_offsets(K)):
        v = xpad[_window_slices(k, O, s, d)]
        e = v == val
        if nan:
            e |= xp.isnan(v) & xp.isnan(val)
        if taken is None:
            taken = e.copy()
        else:
            e &= ~taken
            taken |= e
        yield j, k, e


def _tiles(in_shape, K, s, p, d):
    """Whether the windows tile the input exactly (no overlap, gap or padding)."""
    S = in_shape[2:]
    return all(s[i] == K[i] and d[i] == 1 and p[i] == 0 and S[i] % K[i] == 0 for i in range(len(K)))


class MaxPool(Function):
    """y = max over each window of x;  dy/dx = 1 at the (first) argmax of each window"""

    _builtin = True
    _node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, K, s, p, d, ceil_mode, return_indices):
        val, xpad = _max_pool(x._data, K, s, p, d, ceil_mode)
        if ctx is not _NULL_CTX:  # (the shared no-graph ctx must not keep arrays alive)
            ctx.geom = (xpad, val, x.shape, K, s, p, d)
        out = make(val)
        if not return_indices:
            return out
        xp = xp_of(val)
        arg = xp.zeros(val.shape, xp.int64)
        for j, k, e in _first_max_masks(xpad, val, K, s, d):
            if j:
                arg[e] = j
        ind = make(_flat_indices(arg, x.shape, K, s, p, d))
        ctx.mark_non_differentiable(ind)
        return out, ind

    @staticmethod
    def backward(ctx, grad_output, grad_indices=None):
        return (MaxPoolScatter.apply(grad_output, ctx.geom),) + (None,) * 6


def _flat_indices(arg, in_shape, K, s, p, d):
    """PyTorch's indices: the flat position of each maximum in its input plane."""
    xp = xp_of(arg)
    nd = len(K)
    S = in_shape[2:]
    O = arg.shape[2:]
    idx = xp.zeros(arg.shape, xp.int64)
    rem = arg
    plane = 1
    for i in range(nd - 1, -1, -1):
        ki = rem % K[i]
        rem = rem // K[i]
        o = xp.arange(O[i]).reshape((O[i],) + (1,) * (nd - 1 - i))
        idx += (o * s[i] - p[i] + ki * d[i]) * plane
        plane *= S[i]
    return idx


class MaxPoolScatter(Function):
    """x = each output's gradient placed at its window's argmax (summed where windows
    overlap);  the adjoint of MaxPoolGather"""

    _builtin = True
    _node_name = "MaxPool2DWithIndicesBackwardBackward0"

    @staticmethod
    def forward(ctx, g, geom):
        xpad, val, in_shape, K, s, p, d = geom
        gd = g._data
        xp = xp_of(gd)
        S = in_shape[2:]
        O = gd.shape[2:]
        if ctx is not _NULL_CTX:
            ctx.geom = geom
        if _tiles(in_shape, K, s, p, d):
            buf = xp.empty(in_shape, gd.dtype)
            for j, k, e in _first_max_masks(xpad, val, K, s, d):
                xp.multiply(gd, e, out=buf[_window_slices(k, O, s, d)])
            return make(buf)
        buf = xp.zeros(xpad.shape, gd.dtype)
        for j, k, e in _first_max_masks(xpad, val, K, s, d):
            buf[_window_slices(k, O, s, d)] += gd * e
        return make(xp.ascontiguousarray(buf[_interior(p, S)]))

    @staticmethod
    def backward(ctx, grad_output):
        return MaxPoolGather.apply(grad_output, ctx.geom), None


class MaxPoolGather(Function):
    """y = x at each window's argmax;  the adjoint of MaxPoolScatter"""

    _builtin = True
    _node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, geom):
        xpad, val, in_shape, K, s, p, d = geom
        xd = x._data
        xp = xp_of(xd)
        O = val.shape[2:]
        xz = _padded(xd, p, O, K, s, d, 0)
        out = xp.zeros(val.shape, xd.dtype)
        for j, k, e in _first_max_masks(xpad, val, K, s, d):
            out += xz[_window_slices(k, O, s, d)] * e
        if ctx is not _NULL_CTX:
            ctx.geom = geom
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        return MaxPoolScatter.apply(grad_output, ctx.geom), None


class IndexScatter(Function):
    """x = zeros with x.flat_plane[idx] += g;  the adjoint of IndexGather"""

    _builtin = True
    _node_name = "MaxPool2DWithIndicesBackwardBackward0"

    @staticmethod
    def forward(ctx, g, idx, in_shape, unique):
        gd = g._data
        xp = xp_of(gd)
        N, C = in_shape[:2]
        L = _prod(in_shape[2:])
        if ctx is not _NULL_CTX:
            ctx.idx = idx
        i2 = idx.reshape(N * C, -1)
        g2 = gd.reshape(N * C, -1)
        if unique:
            out = xp.zeros((N * C, L), gd.dtype)
            xp.put_along_axis(out, i2, g2, 1)
        else:
            flat = (i2 + xp.arange(N * C)[:, None] * L).ravel()
            out = xp.bincount(flat, weights=g2.ravel(), minlength=N * C * L).astype(gd.dtype)
        return make(out.reshape(in_shape))

    @staticmethod
    def backward(ctx, grad_output):
        return IndexGather.apply(grad_output, ctx.idx), None, None, None


class IndexGather(Function):
    """y = x.flat_plane[idx] per (n, c);  the adjoint of IndexScatter"""

    _builtin = True
    _node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, x, idx):
        xd = x._data
        xp = xp_of(xd)
        N, C = xd.shape[:2]
        if ctx is not _NULL_CTX:
            ctx.idx = idx
            ctx.in_shape = xd.shape
        out = xp.take_along_axis(xd.reshape(N * C, -1), idx.reshape(N * C, -1), 1)
        return make(out.reshape(idx.shape))

    @staticmethod
    def backward(ctx, grad_output):
        return IndexScatter.apply(grad_output, ctx.idx, ctx.in_shape, False), None


def _adaptive_bounds(S, O):
    return [((o * S) // O, -(-((o + 1) * S) // O)) for o in range(O)]


def _adaptive_max_pool(x, O):
    """Adaptive max pooling over the last ``len(O)`` dims: one max per output cell (the cells
    are few: adaptive pooling maps to small outputs)."""
    xp = xp_of(x)
    nd = len(O)
    S = x.shape[2:]
    bounds = [_adaptive_bounds(S[i], O[i]) for i in range(nd)]
    val = xp.empty(x.shape[:2] + tuple(O), x.dtype)
    idx = xp.empty(x.shape[:2] + tuple(O), xp.int64)
    for cell in itertools.product(*[range(o) for o in O]):
        box = [bounds[i][cell[i]] for i in range(nd)]
        sl = (slice(None), slice(None)) + tuple(slice(a, b) for a, b in box)
        win = x[sl].reshape(x.shape[:2] + (_prod(b - a for a, b in box),))  # N or C may be 0
        j = win.argmax(-1)
        val[(slice(None), slice(None)) + cell] = xp.take_along_axis(win, j[..., None], -1)[..., 0]
        flat = 0
        for i in range(nd):
            a, b = box[i]
            inner = _prod(b2 - a2 for a2, b2 in box[i + 1 :])
            flat = flat * S[i] + (a + (j // inner) % (b - a))
        idx[(slice(None), slice(None)) + cell] = flat
    return val, idx


class AdaptiveMaxPool(Function):
    """y = max over each adaptive window of x;  dy/dx = 1 at the argmax"""

    _builtin = True
    _node_name = "AdaptiveMaxPool2DBackward0"

    @staticmethod
    def forward(ctx, x, O):
        val, idx = _adaptive_max_pool(x._data, O)
        if ctx is not _NULL_CTX:
            ctx.idx = idx
            ctx.in_shape = x.shape
            ctx.unique = all(x.shape[2 + i] % O[i] == 0 for i in range(len(O)))
        out, ind = make(val), make(idx)
        ctx.mark_non_differentiable(ind)
        return out, ind

    @staticmethod
    def backward(ctx, grad_output, grad_indices=None):
        return IndexScatter.apply(grad_output, ctx.idx, ctx.in_shape, ctx.unique), None


# ------------------------------------------------------------------------------ avg pooling
def _avg_divisor(xp, S, O, K, s, p, count_include_pad, divisor_override, dtype):
    if divisor_override:
        return float(divisor_override)
    div = None
    nd = len(S)
    for i in range(nd):
        start = xp.arange(O[i]) * s[i] - p[i]
        end = xp.minimum(start + K[i], S[i] + p[i])
        if count_include_pad:
            n = end - start
        else:
            n = xp.minimum(end, S[i]) - xp.maximum(start, 0)
        n = n.reshape((O[i],) + (1,) * (nd - 1 - i)).astype(dtype)
        div = n if div is None else div * n
    return div


class AvgPool(Function):
    """y = mean over each window of x (PyTorch's divisor rules);  the adjoint is AvgPoolT"""

    _builtin = True
    _node_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, K, s, p, ceil_mode, count_include_pad, divisor_override):
        xd = x._data
        xp = xp_of(xd)
        S = xd.shape[2:]
        d = (1,) * len(K)
        O = pool_out_size(S, K, s, p, d, ceil_mode)
        if min(O) <= 0:
            raise RuntimeError(
                f"Given input size: ({'x'.join(map(str, xd.shape[1:]))}). Calculated output "
                f"size: ({'x'.join(map(str, (xd.shape[1],) + O))}). Output size is too small"
            )
        xpad = _padded(xd, p, O, K, s, d, 0)
        acc = None
        for k in itertools.product(*[range(v) for v in K]):
            w = xpad[_window_slices(k, O, s, d)]
            acc = w.copy() if acc is None else acc.__iadd__(w)
        div = _avg_divisor(xp, S, O, K, s, p, count_include_pad, divisor_override, xd.dtype)
        acc /= div
        if ctx is not _NULL_CTX:
            ctx.args = (K, s, p, O, div, S)
        return make(acc)

    @staticmethod
    def backward(ctx, grad_output):
        return (AvgPoolT.apply(grad_output, ctx.args),) + (None,) * 6


class AvgPoolT(Function):
    """x = each output's value / divisor spread over its window;  the adjoint of AvgPool"""

    _builtin = True
    _node_name = "AvgPool2DBackwardBackward0"

    @staticmethod
    def forward(ctx, g, args):
        K, s, p, O, div, S = args
        gd = g._data / div
        xp = xp_of(gd)
        nd = len(K)
        d = (1,) * nd
        Sp = tuple(max(S[i] + 2 * p[i], (O[i] - 1) * s[i] + K[i]) for i in range(nd))
        buf = xp.zeros(gd.shape[:2] + Sp, gd.dtype)
        for k in itertools.product(*[range(v) for v in K]):
            buf[_window_slices(k, O, s, d)] += gd
        if ctx is not _NULL_CTX:
            ctx.args = args
        return make(xp.ascontiguousarray(buf[_interior(p, S)]))

    @staticmethod
    def backward(ctx, grad_output):
        return _AvgPoolFixed.apply(grad_output, ctx.args), None


class _AvgPoolFixed(Function):
    """y = window sums of x / a given divisor (AvgPool with its divisor already known)"""

    _builtin = True
    _node_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, args):
        K, s, p, O, div, S = args
        d = (1,) * len(K)
        xpad = _padded(x._data, p, O, K, s, d, 0)
        acc = None
        for k in itertools.product(*[range(v) for v in K]):
            w = xpad[_window_slices(k, O, s, d)]
            acc = w.copy() if acc is None else acc.__iadd__(w)
        if ctx is not _NULL_CTX:
            ctx.args = args
        return make(acc / div)

    @staticmethod
    def backward(ctx, grad_output):
        return AvgPoolT.apply(grad_output, ctx.args), None
