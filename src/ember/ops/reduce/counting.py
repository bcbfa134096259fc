"""Counting: unique, unique_consecutive, bincount, histc, histogram."""

from __future__ import annotations

from collections import namedtuple

from ...backend import xp_of
from ...tensor import Tensor
from .._util import make, wrap_dim
from .sum_prod import _title, _write


# -------------------------------------------------------------------------------- counting
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (sorted), with the inverse indices and counts when asked.

    ``dim`` finds the distinct slices along that dim. ember always sorts (PyTorch's CPU kernel
    sorts too)."""
    d = input._data
    xp = xp_of(d)
    if dim is None:
        u, inv, cnt = xp.unique(d.reshape(-1), return_inverse=True, return_counts=True)
        inv = inv.reshape(d.shape)
    else:
        dim = wrap_dim(dim, d.ndim)
        if d.shape[dim] == 0:
            u = d
            inv = xp.zeros(0, "int64")
            cnt = xp.zeros(0, "int64")
        else:
            u, inv, cnt = xp.unique(d, return_inverse=True, return_counts=True, axis=dim)
            inv = inv.reshape(-1)
    return _unique_result(u, inv, cnt, return_inverse, return_counts)


def _unique_result(u, inv, cnt, return_inverse, return_counts):
    out = [make(u)]
    if return_inverse:
        out.append(make(inv.astype("int64")))
    if return_counts:
        out.append(make(cnt.astype("int64")))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive values (or slices along ``dim``)."""
    d = input._data
    xp = xp_of(d)
    if dim is None:
        a = d.reshape(-1)
        if a.size == 0:
            return _unique_result(a, xp.zeros(d.shape, "int64"), xp.zeros(0, "int64"),
                                  return_inverse, return_counts)
        change = xp.concatenate([[True], a[1:] != a[:-1]])
        u = a[change]
        inv = (xp.cumsum(change) - 1).reshape(d.shape)
    else:
        dim = wrap_dim(dim, d.ndim)
        a = xp.moveaxis(d, dim, 0).reshape(d.shape[dim], -1)
        if a.shape[0] == 0:
            return _unique_result(d, xp.zeros(0, "int64"), xp.zeros(0, "int64"),
                                  return_inverse, return_counts)
        change = xp.concatenate([[True], (a[1:] != a[:-1]).any(axis=1)])
        u = xp.compress(change, d, axis=dim)
        inv = xp.cumsum(change) - 1
    starts = xp.nonzero(change)[0]
    cnt = xp.diff(xp.concatenate([starts, [change.size]]))
    return _unique_result(u, inv, cnt, return_inverse, return_counts)


def bincount(input, weights=None, minlength=0):
    """Counts of each value of a 1-D non-negative integer tensor (weighted sums with
    ``weights``, as float64 like PyTorch)."""
    d = input._data
    xp = xp_of(d)
    if d.dtype.kind not in "iub":
        from ..inplace import _dtype_name

        raise NotImplementedError(f'"bincount_cpu" not implemented for '
                                  f"'{_dtype_name(d.dtype)}'")
    if d.ndim != 1 or d.dtype.kind not in "iu":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if d.size and d.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return make(xp.bincount(d, minlength=minlength).astype("int64"))
    w = weights._data
    if w.shape != d.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    out_dtype = w.dtype if w.dtype.kind == "f" else "float64"  # PyTorch keeps float weights
    return make(xp.bincount(d, weights=w.astype("float64"), minlength=minlength)
                .astype(out_dtype))


def histc(input, bins=100, min=0, max=0, *, out=None):
    """A histogram of ``bins`` equal-width bins over ``[min, max]`` (the data's range when both
    are 0); values outside are ignored. Same dtype as the input."""
    d = input._data
    xp = xp_of(d)
    if d.dtype.kind != "f":
        raise NotImplementedError(f'"histogram_cpu" not implemented for \'{_title(input)}\'')
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0, but got " + str(bins) +
                           " for dim 0")
    lo, hi = float(min), float(max)
    if lo == hi and d.size:
        lo, hi = float(d.min()), float(d.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc(): max must be larger than min")
    v = d.reshape(-1).astype("float64")
    v = v[(v >= lo) & (v <= hi)]
    pos = ((v - lo) * bins / (hi - lo)).astype("int64")
    pos = xp.minimum(pos, bins - 1)  # the top edge belongs to the last bin
    res = make(xp.bincount(pos, minlength=bins).astype(d.dtype))
    return res if out is None else _write(res, out)


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """The histogram of ``input`` (float) over ``bins`` equal bins (or the given edges) in
    ``range`` (default: the data's min and max): a ``(hist, bin_edges)`` pair."""
    from ..factories import tensor

    d = input._data
    if d.dtype.kind != "f":
        raise RuntimeError(f"torch.histogram: input tensor and bins tensors should have the same "
                           f"dtype, but got input {input.dtype}")
    xp = xp_of(d)
    b = bins._data if isinstance(bins, Tensor) else bins
    w = None if weight is None else weight._data.reshape(-1)
    if range is not None and not isinstance(bins, Tensor):
        lo, hi = float(range[0]), float(range[1])
    elif not isinstance(bins, Tensor) and d.size:
        lo, hi = float(d.min()), float(d.max())
    else:
        lo = hi = 0.0
    if not isinstance(bins, Tensor):
        if lo == hi:  # PyTorch widens an empty range by one on each side, as NumPy does
            lo, hi = lo - 0.5 if d.size else 0.0, hi + 0.5 if d.size else 1.0
        edges = xp.linspace(lo, hi, int(b) + 1).astype(d.dtype)
    else:
        edges = b
    hist, _ = xp.histogram(d.reshape(-1), bins=edges.astype(xp.float64), weights=w,
                           density=density)
    return _HistResult(tensor(hist.astype(d.dtype)), tensor(edges.astype(d.dtype)))


_HistResult = namedtuple("histogram", ["hist", "bin_edges"])
