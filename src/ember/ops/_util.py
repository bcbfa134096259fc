"""Helpers every op family shares: wrapping arrays as tensors (``make``), dims, scalar/tensor
pairs for binary ops, broadcasting errors with PyTorch's messages, and ``out=`` writing."""

from __future__ import annotations

from math import copysign as _copysign

import numpy as _np

from .. import dtypes as _dt
from ..autograd.grad_mode import _state
from ..autograd.function import grads_flow
from ..backend import quiet as _be_quiet
from ..backend import as_strided as _as_strided
from ..backend import NUMPY as _NUMPY
from ..backend import xp_of
from ..tensor import Tensor, _ndarray, _wrap_dim

make = Tensor._make


def make_dense(arr, requires_grad=False):
    """``make`` for the results PyTorch allocates contiguous whatever the input's layout
    (reductions, scans, softmax, normalisation, masked_fill, tril/triu): NumPy's results
    follow a transposed input's layout, so a later ``.view()`` would fail where PyTorch's works.
    Elementwise ops keep ``make``: NumPy's K order already follows the input's layout, as
    PyTorch's TensorIterator does. One flag test on the common contiguous path."""
    flags = getattr(arr, "flags", None)  # (a Python number has none)
    if flags is not None:
        if not flags.c_contiguous:
            arr = xp_of(arr).ascontiguousarray(arr)
        elif 1 in arr.shape and arr.ndim > 1:  # NumPy's strides of size-1 dims are arbitrary
            want = _contiguous_strides(arr.shape, arr.itemsize)
            if arr.strides != want:
                arr = _as_strided(arr, arr.shape, want)
    return make(arr, requires_grad)


def _contiguous_strides(shape, itemsize):
    """PyTorch's contiguous strides in bytes (a size-1 dim's is the next dim's times its size)."""
    out = [itemsize] * len(shape)
    for i in range(len(shape) - 2, -1, -1):
        out[i] = out[i + 1] * max(shape[i + 1], 1)
    return tuple(out)


def channels_last(arr):
    """Whether a 4-d array is laid out channels-last (PyTorch's suggest_memory_format)."""
    return arr.ndim == 4 and not arr.flags.c_contiguous and \
        arr.transpose(0, 2, 3, 1).flags.c_contiguous


__all__ = ["Tensor", "make", "pair", "xp_of", "wrap_dim", "dims_of", "_state", "as_tensor_arg"]


wrap_dim = _wrap_dim


def _weak_ok(kind, s):
    """Whether NumPy's rule for an array with a Python scalar gives PyTorch's dtype too."""
    t = type(s)
    if t is float:
        return kind in "fc"
    if t is int or t is bool:
        return True
    if t is complex:
        return kind == "c"
    return False


_F16, _F32, _F64 = _np.dtype("float16"), _np.dtype("float32"), _np.dtype("float64")
_SCALAR_ARRAYS = {_F16: {}, _F32: {}, _F64: {}}


def scalar_operand(arr, s):
    """The Python float or int ``s`` as the operand of a binary kernel on the array ``arr``:
    for a float16/32/64 NumPy array, a cached read-only 0-d array of its dtype. NumPy gives
    the same result for it as for ``s`` (NEP 50 casts a Python scalar to the array's dtype),
    but its Python-scalar path costs ~0.3 us more per call. NaN, -0. (the table's zero is +0.)
    and integers past 2**53 stay Python numbers, as does ``s`` beside any other array."""
    dt = arr.dtype
    if (dt is not _F32 and dt is not _F64 and dt is not _F16) or arr.__class__ is not _ndarray:
        return s
    table = _SCALAR_ARRAYS[dt]
    c = table.get(s)
    if c is not None and (s or _copysign(1.0, s) > 0):
        return c
    if s != s or (s.__class__ is int and not -2**53 <= s <= 2**53) or \
            (not s and _copysign(1.0, s) < 0):
        return s
    if len(table) >= 4096:  # e.g. a new learning rate every step: bounded, not a leak
        table.clear()
    with _be_quiet():  # 1e300 in float32 is inf, as NumPy's cast of the scalar gives
        c = _np.array(s, dt)
    c.flags.writeable = False
    table[s] = c
    return c


def pair(a, b):
    """The arrays (or Python scalars) of a binary op, promoted as PyTorch promotes them."""
    if a.__class__ is Tensor:  # the common cases first: two tensors of one dtype, a tensor
        ad = a._data           # and a Python float or int that keeps its dtype
        if b.__class__ is Tensor:
            bd = b._data
            if ad.dtype == bd.dtype:
                return ad, bd
        elif b.__class__ is float:
            if ad.dtype.kind in "fc":
                return ad, scalar_operand(ad, b)
        elif b.__class__ is int:
            return ad, scalar_operand(ad, b)
    ta = isinstance(a, Tensor)
    tb = isinstance(b, Tensor)
    if ta and tb:
        ad, bd = a._data, b._data
        if ad.dtype == bd.dtype:
            return ad, bd
    elif ta:
        ad = a._data
        if _weak_ok(ad.dtype.kind, b):
            return ad, b
        bd = b
    elif tb:
        bd = b._data
        if _weak_ok(bd.dtype.kind, a):
            return a, bd
        ad = a
    else:
        raise TypeError(f"expected a Tensor, got {type(a).__name__} and {type(b).__name__}")
    if not (ta or _is_scalar(a)) or not (tb or _is_scalar(b)):
        other = b if ta else a
        if isinstance(other, xp_of(other).ndarray):  # PyTorch takes an array as a tensor
            return pair(a, Tensor._make(other)) if ta else pair(Tensor._make(other), b)
        raise TypeError(f"unsupported operand type(s): 'Tensor' and '{type(other).__name__}'")
    dt = _dt.result_type_of(a, b).np
    if ta and ad.dtype != dt:
        ad = ad.astype(dt)
    if tb and bd.dtype != dt:
        bd = bd.astype(dt)
    if not ta:
        ad = _cast_scalar(ad, dt)
    if not tb:
        bd = _cast_scalar(bd, dt)
    return ad, bd


def _cast_scalar(s, dt):
    if hasattr(s, "dtype"):  # a NumPy scalar is a weak scalar in PyTorch, like a Python one
        return s.astype(dt)
    if dt.kind in "iu" and isinstance(s, bool):
        return int(s)
    if dt.kind == "f" and isinstance(s, (bool, int)):
        return float(s)
    return s


def _is_scalar(x):
    import numbers

    return isinstance(x, numbers.Number)


def as_tensor_arg(x, like=None):
    """Accept a Tensor, a Python number, or an array for an op argument."""
    if isinstance(x, Tensor):
        return x
    from .factories import tensor

    return tensor(x, dtype=None if like is None else None)


def dims_of(dim, ndim):
    """``dim`` (None, int, or sequence) as a sorted tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int):
        return (wrap_dim(dim, ndim),)
    ds = tuple(sorted(wrap_dim(d, ndim) for d in dim))
    if len(set(ds)) != len(ds):
        raise RuntimeError("dim appears multiple times in the list of dims")
    return ds if ds else tuple(range(ndim))


def broadcast_error(ashape, bshape):
    """PyTorch's message for shapes that do not broadcast."""
    a, b = list(ashape), list(bshape)
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + a
    b = [1] * (n - len(b)) + b
    for i in range(n - 1, -1, -1):
        if a[i] != b[i] and a[i] != 1 and b[i] != 1:
            return RuntimeError(
                f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                f"non-singleton dimension {i}"
            )
    import sys

    handling = sys.exc_info()[1]
    if isinstance(handling, ValueError):
        return handling  # the shapes broadcast: not a shape error (CuPy's device check)
    return RuntimeError(f"shapes {list(ashape)} and {list(bshape)} cannot be broadcast")


def shape_of(x):
    return x._data.shape if isinstance(x, Tensor) else ()


def _c(t):
    """The complex conjugate of a complex tensor or number (PyTorch's backward formulas
    multiply by the conjugate derivative); anything real is returned as is."""
    if t.__class__ is Tensor:
        return t if t._data.dtype.kind != "c" else _conj(t)
    return t.conjugate() if t.__class__ is complex else t


def _conj(t):
    from .pointwise.complex import conj

    return conj(t)


def _binary(op, a, b):
    ad, bd = pair(a, b)
    try:
        out = op(ad, bd)
        if ad.__class__ is _ndarray and ad.ndim > 1 and not ad.flags.c_contiguous:
            return follow_first(out, ad)
        return out
    except ValueError:
        sa, sb = shape_of(a), shape_of(b)
        if _broadcastable(sa, sb):
            raise  # not a shape error (CuPy's device error): the dispatch point sorts it out
        raise broadcast_error(sa, sb) from None
    except OverflowError:  # a Python int out of the tensor dtype's range: PyTorch wraps it
        return op(*_wrapped(ad, bd))
    except RuntimeWarning:  # warnings are errors: redo it quietly (costs nothing otherwise)
        return quiet_retry(op, ad, bd)


def follow_first(out, a):
    """The result of an elementwise op laid out as PyTorch's TensorIterator lays it out when
    its first operand ``a`` (not contiguous) decides: the dims in the order of ``a``'s strides.
    NumPy's K order agrees when the operands agree; where they disagree NumPy falls back to C
    order, PyTorch follows the first operand. Only called when ``a`` is not contiguous."""
    if out.__class__ is not _ndarray or out.shape != a.shape or a.ndim < 2 or \
            not out.flags.c_contiguous:
        return out
    st = a.strides
    perm = sorted(range(a.ndim), key=lambda i: (-abs(st[i]) if a.shape[i] != 1 else 0, i))
    if perm == sorted(perm) or 0 in a.shape:
        return out
    res = xp_of(out).empty(tuple(a.shape[i] for i in perm), out.dtype).transpose(
        tuple(perm.index(i) for i in range(a.ndim)))
    res[...] = out
    return res


def _broadcastable(sa, sb):
    for x, y in zip(reversed(tuple(sa)), reversed(tuple(sb))):
        if x != y and x != 1 and y != 1:
            return False
    return True


def _wrapped(ad, bd):
    if not hasattr(ad, "dtype"):
        ad = xp_of(bd).asarray(ad).astype(bd.dtype)
    if not hasattr(bd, "dtype"):
        bd = xp_of(ad).asarray(bd).astype(ad.dtype)
    return ad, bd


def _xp(*xs):
    for x in xs:
        if isinstance(x, Tensor):
            return xp_of(x._data)
    return xp_of(None)


def _kind(x):
    """NumPy's dtype kind of an array or a Python scalar."""
    d = getattr(x, "dtype", None)
    if d is not None:
        return d.kind
    if isinstance(x, bool):
        return "b"
    return "i" if isinstance(x, int) else "c" if isinstance(x, complex) else "f"


def low_precision(d):
    """The dtype of the array ``d`` when it is float16 or bfloat16, which PyTorch's
    reductions and softmax compute in float32 and round to once; else None."""
    return d.dtype if d.dtype.name in ("float16", "bfloat16") else None


def round_to(out, low):
    """A float32 result ``out`` rounded once to ``low`` (see ``low_precision``; overflow gives
    inf quietly, as PyTorch's cast)."""
    xp = xp_of(out)
    with _be_quiet(xp):
        return xp.asarray(out).astype(low)


def _float(x):
    """The array of x, as the default float dtype when it is an integer or bool array
    (bfloat16, NumPy kind 'V', is floating: ml_dtypes gives it NumPy's math ufuncs)."""
    d = x._data
    if grads_flow(d.dtype):
        return d
    from ..dtypes import get_default_dtype

    return d.astype(get_default_dtype().np)


# ---------------------------------------------------------------------------------------- out=
def write_out(res, out, *inputs, name=None):
    """Write ``res`` into the ``out=`` tensor (cast to its dtype, resized if needed)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if _state.enabled and (res._requires_grad or any(
            isinstance(i, Tensor) and i._requires_grad for i in inputs) or out._requires_grad):
        raise RuntimeError(
            f"{name or 'op'}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    from .. import dtypes as _dt
    from .inplace import _dtype_name

    rd, od = res._data, out._data
    if rd.dtype != od.dtype and not _dt.can_cast(_dt.from_numpy_dtype(rd.dtype),
                                                 _dt.from_numpy_dtype(od.dtype)):
        raise RuntimeError(f"result type {_dtype_name(rd.dtype)} can't be cast to the desired "
                           f"output type {_dtype_name(od.dtype)}")
    if rd.shape != od.shape:
        if od.size != 0:
            import warnings

            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(od.shape)}, which does not match the required output shape "
                f"{list(rd.shape)}. This behavior is deprecated, and in a future PyTorch release "
                "outputs will not be resized unless they have zero elements. You can explicitly "
                "reuse an out tensor t by resizing it, inplace, to zero elements with "
                "t.resize_(0).", UserWarning, stacklevel=3)
        out._data = rd.astype(od.dtype)
    else:
        od[...] = rd
    out._vc[0] += 1
    return out


def _ret(res, out, *inputs):
    return res if out is None else write_out(res, out, *inputs)


def _unary_fn(cls, doc):
    apply = cls.apply

    def f(input, *, out=None):
        if out is None:
            return apply(input)
        return write_out(apply(input), out, input)

    f.__doc__ = doc
    return f


def _dtype_title(t):
    from .inplace import _dtype_name

    return _dtype_name(t._data.dtype)


def _quiet(xp):
    """The kernels' floating-point error state: PyTorch computes inf, nan and 0 silently."""
    return _be_quiet(xp)


def sum_axes(a, axes, keepdims):
    """``a.sum(axis=axes, keepdims=keepdims)`` (``axes`` sorted, non-negative). When they are
    a leading or a trailing block of a C-contiguous float32/float64 NumPy array (bias and
    broadcast gradients, the row sums of layer norm, softmax and attention), one BLAS
    matrix-vector product with ones: NumPy's ``add.reduce`` walks short rows one by one and
    column sums row by row (768 x 128 float32: ~55 / ~18 us against ~10 / ~5 us).
    Infinities and NaN propagate as in a sum; the order of the additions is BLAS's (within
    float rounding of NumPy's)."""
    nd = a.ndim
    if isinstance(a, _ndarray) and 0 < len(axes) < nd and a.dtype.kind == "f" and \
            a.dtype.itemsize >= 4 and a.size >= 4096 and a.flags.c_contiguous:
        k = len(axes)
        if axes == tuple(range(k)):  # leading: (m, rest) -> ones @ a
            m = 1
            for v in a.shape[:k]:
                m *= v
            out = _ones(a, m) @ a.reshape(m, -1)
            return out.reshape(((1,) * k if keepdims else ()) + a.shape[k:])
        if axes == tuple(range(nd - k, nd)):  # trailing: (rest, m) -> a @ ones
            m = 1
            for v in a.shape[nd - k:]:
                m *= v
            out = a.reshape(-1, m) @ _ones(a, m)
            return out.reshape(a.shape[:nd - k] + ((1,) * k if keepdims else ()))
    return a.sum(axis=axes, keepdims=keepdims)


_ONES = {}


def _ones(a, n):
    """A read-only vector of ``n`` ones in ``a``'s dtype (NumPy), made once per size (a
    plain NumPy constant also while ``ember.compile`` records: the replay must run the same
    kernel as eager, and nothing writes into it)."""
    v = _ONES.get((n, a.dtype))
    if v is None:
        if len(_ONES) > 64:
            _ONES.clear()
        v = _ONES[(n, a.dtype)] = _NUMPY.xp.ones(n, a.dtype)
        v.flags.writeable = False
    return v


def quiet_retry(op, *arrays):
    """``op(*arrays)`` under the quiet error state: the ``except RuntimeWarning`` branch of the
    hottest kernels (add, mul, div), which only runs where a NumPy floating-point warning was
    turned into an error (``warnings.simplefilter("error")``); out of place, so it can rerun."""
    with _be_quiet():  # only NumPy warns
        return op(*arrays)


def _cast_like(out, ref):
    """Keep float16/float32 results in their input dtype (NumPy may widen Python-math results)."""
    return out.astype(ref.dtype, copy=False) if out.dtype != ref.dtype else out


def _type_name(x):
    from .inplace import _dtype_name

    return _dtype_name(x._data.dtype)


# ----------------------------------------------------------------- helpers of the public functions
_unary = _unary_fn  # the public function of a one-input Function: f(input, *, out=None)


def _float_pair(a, b):
    """The arrays of a binary floating op: promoted as PyTorch promotes, integers and bools
    computed in the default float dtype."""
    ad, bd = pair(a, b)
    xp = _xp(a, b)
    kind = xp.result_type(ad, bd).kind
    if kind not in "fc":
        ft = _dt.get_default_dtype().np
        ad = xp.asarray(ad, dtype=ft)
        bd = xp.asarray(bd, dtype=ft)
    return ad, bd


def _shape_checked(xp, fn, ad, bd):
    try:
        return fn(ad, bd)
    except ValueError:

        raise broadcast_error(xp.shape(ad), xp.shape(bd)) from None


def _both_tensors(name, a, b):
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{name}(): expected a Tensor argument")
    if not isinstance(a, Tensor):
        a = _scalar_like(a, b)
    if not isinstance(b, Tensor):
        b = _scalar_like(b, a)
    return a, b


def _scalar_like(s, ref):
    """A Python number first argument as a 0-d tensor (PyTorch's wrapped-number promotion)."""
    xp = xp_of(ref._data)
    dt = _dt.result_type_of(ref, s)
    return make(xp.asarray(s, dtype=dt.np))


def _check_float_binary(name, a, b):
    for t in (a, b):
        if isinstance(t, Tensor) and t._data.dtype.kind in "biu":
            from .inplace import _dtype_name

            raise NotImplementedError(f'"{name}" not implemented for '
                               f"'{_dtype_name(t._data.dtype)}'")


def _scalar_type_name(t):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(t._data.dtype.name, t._data.dtype.name)
