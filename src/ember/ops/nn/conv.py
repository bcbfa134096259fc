"""Convolution and transposed convolution (im2col and BLAS), unfold/fold."""

from __future__ import annotations

import itertools
import threading

from ...autograd.function import _NULL_CTX, Function
from ...backend import as_strided as _be_as_strided
from ...backend import xp_of
from .._util import _quiet as quiet
from .._util import make

_local = threading.local()


_SCRATCH_BYTES = 256 << 20  # the most scratch memory kept per thread


def _scratch(tag, shape, dtype, xp):
    """A reusable array for a temporary that never leaves the op.

    Fresh multi-megabyte allocations cost a page fault per 4 KiB on first touch, which showed
    up as a large share of a small CNN's step (benchmarks/bench_cnn.py). Contents persist between calls with the same
    key, so a border of zeros written once stays zero (callers rely on that). Per thread."""
    cache = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    key = (tag, shape, dtype, xp)
    a = cache.get(key)
    if a is None:
        a = xp.zeros(shape, dtype)
        held = sum(v.nbytes for v in cache.values())
        if a.nbytes <= _SCRATCH_BYTES:
            if held + a.nbytes > _SCRATCH_BYTES or len(cache) >= 64:
                cache.clear()  # shapes changed (a new model or batch size): start over
            cache[key] = a
    return a


def _prod(xs):
    n = 1
    for v in xs:
        n *= v
    return n


def _out_size(S, K, s, p, d):
    return tuple((S[i] + 2 * p[i] - d[i] * (K[i] - 1) - 1) // s[i] + 1 for i in range(len(S)))


def _pad_zeros(x, lo, hi):
    """``x`` with zeros added before (``lo``) and after (``hi``) each spatial dim."""
    if not any(lo) and not any(hi):
        return x
    xp = xp_of(x)
    nd = len(lo)
    shape = x.shape[:-nd] + tuple(x.shape[-nd + i] + lo[i] + hi[i] for i in range(nd))
    out = xp.zeros(shape, x.dtype)
    out[(Ellipsis,) + tuple(slice(lo[i], lo[i] + x.shape[-nd + i]) for i in range(nd))] = x
    return out


def _offsets(K):
    return itertools.product(*[range(k) for k in K])


def im2col(x, K, s, p, d):
    """Columns ``(N, C, *K, *O)`` of ``x`` ``(N, C, *S)`` and the output size ``O``."""
    S = x.shape[2:]
    O = _out_size(S, K, s, p, d)
    xpad = _pad_zeros(x, p, p)
    xp = xp_of(x)
    cols = xp.empty(x.shape[:2] + tuple(K) + O, x.dtype)
    for k in _offsets(K):
        src = tuple(
            slice(k[i] * d[i], k[i] * d[i] + s[i] * (O[i] - 1) + 1, s[i]) for i in range(len(K))
        )
        cols[(slice(None), slice(None)) + k] = xpad[(slice(None), slice(None)) + src]
    return cols, O


def col2im(cols, out_size, s, p, d):
    """Adjoint of ``im2col``: sum columns ``(N, C, *K, *O)`` back into ``(N, C, *out_size)``."""
    nd = len(out_size)
    K = cols.shape[2 : 2 + nd]
    O = cols.shape[2 + nd :]
    xp = xp_of(cols)
    Sp = tuple(
        max(out_size[i] + 2 * p[i], (O[i] - 1) * s[i] + d[i] * (K[i] - 1) + 1) for i in range(nd)
    )
    buf = xp.zeros(cols.shape[:2] + Sp, cols.dtype)
    for k in _offsets(K):
        dst = tuple(
            slice(k[i] * d[i], k[i] * d[i] + s[i] * (O[i] - 1) + 1, s[i]) for i in range(nd)
        )
        buf[(slice(None), slice(None)) + dst] += cols[(slice(None), slice(None)) + k]
    crop = tuple(slice(p[i], p[i] + out_size[i]) for i in range(nd))
    if all(Sp[i] == out_size[i] for i in range(nd)):
        return buf
    return xp.ascontiguousarray(buf[(slice(None), slice(None)) + crop])


# Stride-1 fast path. Pad x and flatten its spatial dims: a kernel tap k is then a constant
# flat offset, so every im2col row is one contiguous run (a plain as_strided copy), at the cost
# of computing junk outputs in the padding columns of the "grid" (sliced off afterwards).
def _grid(S, K, p, d):
    nd = len(S)
    Sp = tuple(S[i] + 2 * p[i] for i in range(nd))
    st = [1] * nd
    for i in range(nd - 2, -1, -1):
        st[i] = st[i + 1] * Sp[i + 1]
    O = tuple(Sp[i] - d[i] * (K[i] - 1) for i in range(nd))
    F = st[0] * Sp[0]
    E = sum((K[i] - 1) * d[i] * st[i] for i in range(1, nd))
    L = O[0] * st[0]
    return Sp, st, O, F, E, L


def im2col_grid(x, K, p, d):
    """Columns ``(N, C, *K, L)`` of ``x`` on the padded grid, and the grid geometry."""
    xp = xp_of(x)
    N, C = x.shape[:2]
    S = x.shape[2:]
    nd = len(S)
    g = _grid(S, K, p, d)
    Sp, st, O, F, E, L = g
    # the padded input: only its interior is written, so its zero border is reused as is
    buf = _scratch(("im2col", S, p), (N, C, F + E), x.dtype, xp)
    buf[:, :, :F].reshape((N, C) + Sp)[
        (slice(None), slice(None)) + tuple(slice(p[i], p[i] + S[i]) for i in range(nd))
    ] = x
    it = buf.itemsize
    view = _be_as_strided(
        buf,
        (N, C) + tuple(K) + (L,),
        (buf.strides[0], buf.strides[1]) + tuple(d[i] * st[i] * it for i in range(nd)) + (it,),
    )
    # the columns go to scratch too: recomputing them for the weight gradient measured faster
    # than keeping a fresh copy alive from forward to backward (benchmarks/bench_cnn.py)
    out = _scratch("cols", view.shape, x.dtype, xp)
    out[...] = view
    return out, g


def _from_grid(y, g, b=None):
    """``(N, C, L)`` on the grid -> ``(N, C, *O)``, adding the bias ``b`` on the way."""
    Sp, st, O, F, E, L = g
    N, Co = y.shape[:2]
    xp = xp_of(y)
    y = y.reshape((N, Co, O[0]) + Sp[1:])
    if Sp[1:] == O[1:]:
        if b is not None:
            y += b.reshape((Co,) + (1,) * len(O))
        return y
    y = y[(Ellipsis,) + tuple(slice(0, o) for o in O[1:])]
    if b is None:
        return xp.ascontiguousarray(y)
    return xp.add(y, b.reshape((Co,) + (1,) * len(O)))  # one pass: copy out and add the bias


def _to_grid(y, g):
    """``(N, C, *O)`` -> ``(N, C, L)`` on the grid, zero in the junk positions."""
    Sp, st, O, F, E, L = g
    N, Co = y.shape[:2]
    if Sp[1:] == O[1:]:
        return y.reshape(N, Co, L)
    out = _scratch(("to_grid", O), (N, Co, O[0]) + Sp[1:], y.dtype, xp_of(y))
    out[(Ellipsis,) + tuple(slice(0, o) for o in O[1:])] = y
    return out.reshape(N, Co, L)


def _col2im_grid(cols, g, out_size, p, d, K):
    """Adjoint of ``im2col_grid``: cols ``(N, C, *K, L)`` summed into ``(N, C, *out_size)``."""
    Sp, st, O, F, E, L = g
    xp = xp_of(cols)
    N, C = cols.shape[:2]
    nd = len(K)
    buf = _scratch("col2im", (N, C, F + E), cols.dtype, xp)
    buf.fill(0)
    for k in _offsets(K):
        off = sum(k[i] * d[i] * st[i] for i in range(nd))
        buf[:, :, off : off + L] += cols[(slice(None), slice(None)) + k]
    x = buf[:, :, :F].reshape((N, C) + Sp)
    if not any(p):
        return x.copy()
    return xp.ascontiguousarray(
        x[(slice(None), slice(None)) + tuple(slice(p[i], p[i] + out_size[i]) for i in range(nd))]
    )


def _columns(x, K, s, p, d):
    """im2col of ``x``: ``(kind, cols, geometry)``, on the padded grid when the stride is 1."""
    if all(v == 1 for v in s):
        c, geom = im2col_grid(x, K, p, d)
        return "grid", c, geom
    c, O = im2col(x, K, s, p, d)
    return "std", c, O


def _conv_forward(x, w, b, spec):
    """``conv(x, w) + b`` on arrays: im2col, then one batched BLAS matmul."""
    s, p, d, g = spec
    N = x.shape[0]
    Co = w.shape[0]
    kind, c, geom = _columns(x, w.shape[2:], s, p, d)
    P = c.shape[-1] if kind == "grid" else _prod(geom)
    xp = xp_of(x)
    out = None
    if kind == "grid" and geom[0][1:] != geom[2][1:]:  # y is sliced, so it is a temporary
        out = _scratch("conv_y", (N, g, Co // g, P), x.dtype, xp)
    R = w.size // Co if Co else 0  # rows of a column per group (explicit: N or P may be 0)
    if g == 1:
        y = xp.matmul(
            w.reshape(Co, R),
            c.reshape(N, R, P),
            out=None if out is None else out.reshape(N, Co, P),
        )
    else:
        y = xp.matmul(w.reshape(g, Co // g, R), c.reshape(N, g, R, P), out=out)
        y = y.reshape(N, Co, P)
    if kind == "grid":
        return _from_grid(y, geom, b)
    if b is not None:
        y += b[:, None]
    return y.reshape((N, Co) + geom)


def _conv_transpose_forward(y, w, b, spec, out_size):
    s, p, d, g = spec
    N, Cy = y.shape[:2]
    O = y.shape[2:]
    K = w.shape[2:]
    nd = len(K)
    Cxg = w.shape[1]
    grid = all(v == 1 for v in s) and all(
        out_size[i] + 2 * p[i] - d[i] * (K[i] - 1) == O[i] for i in range(nd)
    )
    if grid:
        geom = _grid(tuple(out_size), K, p, d)
        ym = _to_grid(y, geom)
    else:
        ym = y.reshape(N, Cy, _prod(O))
    P = ym.shape[-1]
    xp = xp_of(y)
    out = _scratch("convT_cols", (N, g, Cxg * _prod(K), P), y.dtype, xp)
    if g == 1:
        cols = xp.matmul(w.reshape(Cy, Cxg * _prod(K)).T, ym,
                         out=out.reshape(N, Cxg * _prod(K), P))
    else:
        wm = w.reshape(g, Cy // g, Cxg * _prod(K)).transpose(0, 2, 1)
        cols = xp.matmul(wm, ym.reshape(N, g, Cy // g, P), out=out)
    if grid:
        x = _col2im_grid(cols.reshape((N, g * Cxg) + tuple(K) + (P,)), geom, out_size, p, d, K)
    else:
        x = col2im(cols.reshape((N, g * Cxg) + tuple(K) + tuple(O)), tuple(out_size), s, p, d)
    if b is not None:
        x += b.reshape((-1,) + (1,) * nd)
    return x


def _conv_weight(x, gy, spec, K):
    """The weight gradient of conv: correlate ``x``'s columns with ``gy`` (batched matmul,
    summed over the batch)."""
    s, p, d, g = spec
    N, C = x.shape[:2]
    Co = gy.shape[1]
    kind, c, geom = _columns(x, K, s, p, d)
    O = geom[2] if kind == "grid" else geom
    if tuple(gy.shape[2:]) != tuple(O):
        # x longer than gy's conv input (a transposed conv's output_padding): the extra output
        # positions get no gradient
        pad = xp_of(gy).zeros(gy.shape[:2] + tuple(O), gy.dtype)
        pad[(Ellipsis,) + tuple(slice(0, n) for n in gy.shape[2:])] = gy
        gy = pad
    gym = _to_grid(gy, geom) if kind == "grid" else gy.reshape(N, Co, _prod(O))
    P = gym.shape[-1]
    # cols @ gy^T (then transposed) measured faster than gy @ cols^T for these thin shapes
    if g == 1:
        gw = (c.reshape(N, C * _prod(K), P) @ gym.transpose(0, 2, 1)).sum(0).T
    else:
        c2 = c.reshape(N, g, C // g * _prod(K), P)
        gw = (c2 @ gym.reshape(N, g, Co // g, P).transpose(0, 1, 3, 2)).sum(0)
        gw = gw.transpose(0, 2, 1)
    return xp_of(gw).ascontiguousarray(gw).reshape((Co, C // g) + tuple(K))


def _sum_bias(grad_output):
    return grad_output.sum([0] + list(range(2, grad_output.dim())))


class Convolution(Function):
    """y = conv(x, w) + b;  dy/dx = conv_transpose(., w), dy/dw = correlate(x, .), dy/db = sum"""

    _builtin = True
    _edges = (0, 1, 2)
    _node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, spec):
        with quiet(xp_of(x._data)):  # inf * 0 is nan, silently
            y = _conv_forward(x._data, w._data, None if b is None else b._data, spec)
        ctx.save_for_backward(x, w)
        ctx.spec = spec
        return make(y)

    @staticmethod
    def backward(ctx, grad_output):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gw = gb = None
        if need[0]:
            gx = ConvTranspose.apply(grad_output, w, None, ctx.spec, x.shape[2:])
        if need[1]:
            gw = ConvWeight.apply(x, grad_output, ctx.spec, w.shape[2:])
        if need[2]:
            gb = _sum_bias(grad_output)
        return gx, gw, gb, None


class ConvTranspose(Function):
    """x = conv_transpose(y, w) + b (the adjoint of conv in y);  dx/dy = conv(., w)"""

    _builtin = True
    _edges = (0, 1, 2)
    _node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, y, w, b, spec, out_size):
        ctx.save_for_backward(y, w)
        ctx.spec = spec
        with quiet(xp_of(y._data)):
            return make(
                _conv_transpose_forward(
                    y._data, w._data, None if b is None else b._data, spec, out_size
                )
            )

    @staticmethod
    def backward(ctx, grad_output):
        y, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gy = gw = gb = None
        if need[0]:
            gy = Convolution.apply(grad_output, w, None, ctx.spec)
            if gy.shape[2:] != y.shape[2:]:  # output_padding >= stride (allowed via dilation)
                gy = gy[(slice(None), slice(None)) + tuple(slice(0, n) for n in y.shape[2:])]
        if need[1]:
            gw = ConvWeight.apply(grad_output, y, ctx.spec, w.shape[2:])
        if need[2]:
            gb = _sum_bias(grad_output)
        return gy, gw, gb, None, None


class ConvWeight(Function):
    """gw = correlate(x, gy), the weight gradient of conv;  bilinear in x and gy"""

    _builtin = True
    _node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, x, gy, spec, K):
        ctx.save_for_backward(x, gy)
        ctx.spec = spec
        with quiet(xp_of(x._data)):
            return make(_conv_weight(x._data, gy._data, spec, K))

    @staticmethod
    def backward(ctx, grad_output):
        x, gy = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = ggy = None
        if need[0]:
            gx = ConvTranspose.apply(gy, grad_output, None, ctx.spec, x.shape[2:])
        if need[1]:
            ggy = Convolution.apply(x, grad_output, None, ctx.spec)
            if ggy.shape[2:] != gy.shape[2:]:
                ggy = ggy[(slice(None), slice(None)) + tuple(slice(0, n) for n in gy.shape[2:])]
        return gx, ggy, None, None


class Im2Col(Function):
    """cols = unfold(x) (sliding blocks as columns);  the adjoint is fold"""

    _builtin = True
    _node_name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, x, K, d, p, s):
        cols, O = im2col(x._data, K, s, p, d)
        N, C = x.shape[:2]
        if ctx is not _NULL_CTX:
            ctx.args = (x.shape[2:], K, d, p, s)
        return make(cols.reshape(N, C * _prod(K), _prod(O)))

    @staticmethod
    def backward(ctx, grad_output):
        return (Col2Im.apply(grad_output, *ctx.args), None, None, None, None)


class Col2Im(Function):
    """x = fold(cols) (sum overlapping blocks);  the adjoint is unfold"""

    _builtin = True
    _node_name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, cols, out_size, K, d, p, s):
        c = cols._data
        N = c.shape[0]
        O = _out_size(out_size, K, s, p, d)
        C = c.shape[1] // _prod(K)
        if ctx is not _NULL_CTX:
            ctx.args = (K, d, p, s)
        return make(col2im(c.reshape((N, C) + tuple(K) + O), tuple(out_size), s, p, d))

    @staticmethod
    def backward(ctx, grad_output):
        return (Im2Col.apply(grad_output, *ctx.args), None, None, None, None, None)
