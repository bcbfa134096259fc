"""Tensor factories: tensor, as_tensor, from_numpy, zeros/ones/empty/full (and *_like), arange,
linspace, logspace, eye, meshgrid, empty_strided, the window functions, range, from_dlpack."""

from __future__ import annotations

import builtins as _builtins
import math
import numbers
import warnings

import numpy as _np

from .. import dtypes as _dt
from ..backend import as_strided as _be_as_strided
from ..backend import numpy as __np
from ..backend import guard_of
from ..backend import to_device as _to_device
from ..backend import xp_for_device
from ..device import default_device as _default_device
from ..tensor import Tensor
from ._util import make


def _size(size, name="zeros"):
    """The shape from ``*size`` (ints, or one sequence of ints), with PyTorch's argument errors
    for the creation function ``name``."""
    packed = len(size) == 1 and (isinstance(size[0], (list, tuple)) or (
        hasattr(size[0], "__iter__") and not isinstance(size[0], Tensor)))
    if packed:
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, numbers.Integral):
            what = type(s).__name__
            if len(size) == 1 and not packed:
                raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                                f"not {what}")
            if packed and not out:
                raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                                f"but found element of type {what} at pos 0")
            raise TypeError(
                f"{name}(): argument 'size' failed to unpack the object at pos {len(out) + 1} "
                f'with error "type must be tuple of ints,but got {what}"'
            )
        if s < 0:
            if name == "zeros":  # PyTorch's zeros checks sizes itself, with its own words
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(size)}"
            )
        out.append(int(s))
    return tuple(out)


def place_device(device):
    """The cuda device a factory's result goes to (``device=``, else the default device), or
    None for the cpu -- the fast path."""
    if device is None:
        device = _default_device()
        if device is None:
            return None
    if device.__class__ is str and device == "cpu":
        return None
    from .conversion import target_device

    dev = target_device(device)
    return None if dev.type == "cpu" else dev


def _finish(arr, requires_grad, device=None):
    """``arr`` (built on the host, or already on the device) as a new tensor on ``device``."""
    dev = place_device(device)
    if dev is not None:
        arr = _to_device(arr, dev)
    t = make(arr)
    if requires_grad:
        if arr.dtype.kind not in "fc" and arr.dtype.name != "bfloat16":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t._requires_grad = True
    return t


def _infer_dtype(data):
    """PyTorch's dtype for nested Python data: bool < int64 < default float < complex; a tensor
    inside the data brings its own dtype."""
    cat, found = -1, None
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, Tensor):
            c, d = x.dtype._cat, x.dtype
        elif isinstance(x, (_np.ndarray, _np.generic)):  # NumPy data keeps its dtype
            d = _dt.from_numpy_dtype(x.dtype)
            c = d._cat
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
            continue
        elif isinstance(x, (bool, _np.bool_)):
            c, d = 0, None
        elif isinstance(x, numbers.Integral):
            c, d = 1, None
        elif isinstance(x, numbers.Real):
            c, d = 2, None
        elif isinstance(x, numbers.Complex):
            c, d = 3, None
        elif isinstance(x, str):
            raise TypeError("new(): invalid data type 'str'")
        else:
            raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")
        if c > cat:
            cat, found = c, d
    if cat == -1:
        return _dt.get_default_dtype()
    if found is not None:
        return found
    default = _dt.get_default_dtype()
    return [_dt.bool, _dt.int64, default,
            _dt.complex128 if default is _dt.float64 else _dt.complex64][cat]


def _check_ragged(data, dim=0):
    """PyTorch's errors for ragged nested data ("expected sequence of length 2 at dim 1")."""
    if not isinstance(data, (list, tuple)) or not data:
        return
    first = data[0]
    first_seq = isinstance(first, (list, tuple))
    for x in data:
        if isinstance(x, (list, tuple)) != first_seq:
            raise TypeError("not a sequence") if first_seq else \
                ValueError(f"expected sequence of length {len(first)} at dim {dim + 1} "
                           f"(got {len(x)})")
        if first_seq and len(x) != len(first):
            raise ValueError(f"expected sequence of length {len(first)} at dim {dim + 1} "
                             f"(got {len(x)})")
    for x in data:
        _check_ragged(x, dim + 1)


def _to_nested(data):
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_to_nested(x) for x in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or tensors).

    Python floats give the default dtype (float32), ints int64, bools bool; a NumPy array keeps
    its dtype. Example: ``ember.tensor([[1., 2.], [3., 4.]], requires_grad=True)``.
    """
    _dtype_arg(dtype, "tensor")
    if pin_memory:
        return _pinned(tensor(data, dtype=dtype, device=device, requires_grad=requires_grad),
                       True)
    xp = __np
    if isinstance(data, Tensor):
        with guard_of(data._data):
            arr = data._data.copy()
            if dtype is not None:
                arr = arr.astype(dtype.np)
        return _finish(arr, requires_grad, data.device if device is None else device)
    if isinstance(data, _np.ndarray) or isinstance(data, _np.generic):
        src = _np.asarray(data)
        _dt.from_numpy_dtype(src.dtype)
        arr = xp.array(src, dtype=dtype.np if dtype is not None else None, copy=True)
        return _finish(arr, requires_grad, device)
    if hasattr(data, "__dlpack_device__") and not isinstance(data, (list, tuple)):
        from ..backend import NUMPY, backend_of, device_of

        if backend_of(data) is not NUMPY:  # a device array (CuPy): copied on its device
            with guard_of(data):
                arr = data.astype(dtype.np) if dtype is not None else data.copy()
            return _finish(arr, requires_grad, device_of(data) if device is None else device)
    if dtype is None:
        dtype = _infer_dtype(data)
    try:
        arr = xp.array(_to_nested(data), dtype=dtype.np)
    except ValueError as e:
        if "inhomogeneous" in str(e) or "sequence" in str(e):
            _check_ragged(data)
        raise
    except TypeError as e:
        if isinstance(data, (list, tuple)):
            _check_ragged(data)
        raise TypeError(str(e)) from None
    except OverflowError:
        raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow") \
            from None
    return _finish(arr, requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array or tensor when it can."""
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype is dtype else data.to(dtype)
    if isinstance(data, _np.ndarray):
        return make(data if dtype is None else data.astype(dtype.np, copy=False))
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray``."""
    if not isinstance(ndarray, _np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dt.from_numpy_dtype(ndarray.dtype)
    return make(ndarray)


def allocation_error(shape, itemsize):
    """PyTorch's RuntimeError for a tensor too large to allocate (NumPy raises ValueError or
    MemoryError): the storage size overflows int64, or the allocator has not the memory."""
    n = 1
    for s in shape:
        n *= s
    if n * itemsize >= 2 ** 63:
        return RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)}")
    return RuntimeError("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: "
                        f"can't allocate memory: you tried to allocate {n * itemsize} bytes. "
                        "Error code 12 (Cannot allocate memory)")


def _allocate(fn, shape, np_dtype):
    try:
        return fn(shape, np_dtype)
    except (ValueError, MemoryError):
        raise allocation_error(shape, _np.dtype(np_dtype).itemsize) from None


def _dtype_arg(dtype, name):
    """``dtype`` when it is an ember dtype (or None); else PyTorch's TypeError (a NumPy dtype
    or a string is no torch.dtype)."""
    if dtype is None or dtype.__class__ is _dt.dtype:
        return dtype
    raise TypeError(f"{name}(): argument 'dtype' must be torch.dtype, not {type(dtype).__name__}")


def _dtype_or_default(dtype, name="zeros"):
    return (_dtype_arg(dtype, name) or _dt.get_default_dtype()).np


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """A tensor of zeros of the given size (default dtype float32)."""
    shape, dt = _size(size), _dtype_or_default(dtype)
    return _finish(_allocate(__np.zeros, shape, dt), requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """A tensor of ones of the given size."""
    shape, dt = _size(size, "ones"), _dtype_or_default(dtype, "ones")
    return _finish(_allocate(__np.ones, shape, dt), requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          memory_format=None, pin_memory=False):
    """An uninitialised tensor (ember fills it with zeros)."""
    shape, dt = _size(size, "empty"), _dtype_or_default(dtype, "empty")
    t = _finish(_allocate(__np.zeros, shape, dt), requires_grad, device)
    return _pinned(t, pin_memory) if pin_memory else t


def _pinned(t, pin_memory):
    from .storage import mark_pinned

    return mark_pinned(t, pin_memory)


def _on_device(buf, device):
    """A host buffer moved to ``device`` (the default device when None)."""
    dev = place_device(device)
    return buf if dev is None else _to_device(buf, dev)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None):
    """A tensor filled with ``fill_value`` (its dtype inferred from the value when not given)."""
    if isinstance(fill_value, _np.generic):  # a NumPy scalar fills like a Python number
        fill_value = fill_value.item()
    if _dtype_arg(dtype, "full") is None:
        dtype = _infer_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    shape = _size((size,), "full")
    return _finish(_allocate(lambda sh, dt: __np.full(sh, fill_value, dt), shape, dtype.np),
                   requires_grad, device)


def _like(input, dtype, name="zeros_like"):
    return (_dtype_arg(dtype, name) or input.dtype).np, input._data.shape


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
               layout=None):
    dt, shape = _like(input, dtype)
    return _finish(__np.zeros(shape, dt), requires_grad, _like_device(input, device))


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
              layout=None):
    dt, shape = _like(input, dtype, "ones_like")
    return _finish(__np.ones(shape, dt), requires_grad, _like_device(input, device))


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
               layout=None):
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None, layout=None):
    dt, shape = _like(input, dtype, "full_like")
    return _finish(__np.full(shape, fill_value, dt), requires_grad,
                   _like_device(input, device))


def _like_device(input, device):
    """``*_like`` results go to ``input``'s device unless ``device=`` says otherwise."""
    if device is not None:
        return device
    return "cpu" if input._data.__class__ is __np.ndarray else input.device


def _xp(t):
    from ..backend import xp_of

    return xp_of(t._data)


def _no_bool(dtype, name):
    """PyTorch's range factories have no bool kernel."""
    if dtype is not None and dtype == _dt.bool:
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'Bool\'')


def _arange_check(start, end, step):
    """PyTorch's checks of a real range, in double precision (RuntimeError)."""
    if not (step > 0 or step < 0):
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start:g} -> {end:g}")
    if not ((step > 0 and end >= start) or (step < 0 and end <= start)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if (end - start) / step > 9.223372036854775807e18:
        raise RuntimeError("invalid size, possible overflow?")


def _arange_integral(start, end, step, dtype):
    """arange of an integer dtype from bounds of which one at least is a float, as PyTorch:
    the bounds and step are truncated toward zero (int64 arithmetic, wrapping into ``dtype``);
    the length comes from the truncated values for int64 (a step truncated to 0 is a
    ValueError) and from the float ones, ``ceil((end - start) / step)``, for the others."""
    s, e, st = int(start), int(end), int(step)
    if dtype is _dt.int64:
        if st == 0:
            raise ValueError("step must be nonzero")
        num = e - s + st - (1 if st > 0 else -1)
        n = abs(num) // abs(st)  # C's division, truncating toward zero
        n = n if (num >= 0) == (st > 0) else -n
    else:
        n = math.ceil((float(end) - float(start)) / float(step))
    return (s + _np.arange(max(0, n), dtype=_np.int64) * st).astype(dtype.np)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None):
    """Values from ``start`` up to (not including) ``end`` in steps of ``step``."""
    if dtype is not None and dtype.__class__ is not _dt.dtype:
        got = ", ".join(type(v).__name__ for v in (start, end, step)[:1 if end is None else 3])
        raise TypeError(f"arange() received an invalid combination of arguments - got ({got}, "
                        f"dtype={type(dtype).__name__}), but expected one of:")
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if any(isinstance(v, complex) for v in vals):
        if step == 0:
            raise RuntimeError("step must be nonzero")
    else:
        _arange_check(*(float(v) for v in vals))
    _no_bool(dtype, "arange")
    if dtype is None:
        dtype = _dt.int64 if all(isinstance(v, numbers.Integral) for v in vals) else \
            _dt.get_default_dtype()
    if all(isinstance(v, int) for v in vals):
        n = max(0, -(-(end - start) // step))
    elif not (dtype.is_floating_point or dtype.is_complex):
        return _finish(_arange_integral(start, end, step, dtype), requires_grad, device)
    else:
        n = max(0, int(_np.ceil((end - start) / step)))
    arr = (start + _np.arange(n, dtype=_np.float64 if dtype.is_floating_point else _np.int64)
           * step).astype(dtype.np)
    return _finish(arr, requires_grad, device)


def _linspace_array(start, end, steps, np_dtype):
    """PyTorch's kernel: ``start + i * step`` for the first half and ``end - (steps - 1 - i) *
    step`` for the second, computed in the output's float dtype (so float32 results match)."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    work = np_dtype if _np.dtype(np_dtype).kind in "fc" else _np.float64
    work = _np.dtype(work)
    if steps == 0:
        return _np.zeros(0, np_dtype)
    if steps == 1:
        return _np.full(1, start, work).astype(np_dtype)
    a, b = work.type(start), work.type(end)
    step = (b - a) / work.type(steps - 1)
    i = _np.arange(steps)
    half = steps // 2
    # PyTorch's compiled kernel fuses ``start + step * i`` (one rounding): for float32/float16
    # evaluating it in float64 and rounding once gives the same bits
    acc = _np.float64 if work.itemsize < 8 and work.kind == "f" else work.type
    with _np.errstate(invalid="ignore", over="ignore"):
        out = _np.where(i < half, acc(a) + acc(step) * i.astype(acc),
                        acc(b) - acc(step) * (steps - 1 - i).astype(acc)).astype(work)
    return out.astype(np_dtype)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None,
             layout=None):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    Example: ``ember.linspace(0, 1, 5)`` -> ``tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])``."""
    _no_bool(dtype, "linspace")
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    cplx = isinstance(start, complex) or isinstance(end, complex)
    dtype = dtype or (_dt.complex64 if cplx else _dt.get_default_dtype())
    arr = _linspace_array(start, end, int(steps), dtype.np)
    return _out_or(_finish(arr, requires_grad, device), out)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False,
             out=None, layout=None):
    """``base ** linspace(start, end, steps)``."""
    _no_bool(dtype, "logspace")
    dtype = dtype or _dt.get_default_dtype()
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    # PyTorch's kernel: start and end in the output dtype, step and exponents in float64,
    # base ** exponent in float64, rounded to the output dtype
    work = dtype.np if dtype.is_floating_point else _np.dtype(_np.float64)
    a, b = work.type(start), work.type(end)
    f = _np.float64
    i = _np.arange(steps)
    if steps == 1:
        exps = _np.full(1, f(a))
    else:
        step = f(work.type(b - a)) / max(steps - 1, 1)
        exps = _np.where(i < steps // 2, f(a) + step * i, f(b) - step * (steps - 1 - i))
    with _np.errstate(over="ignore", invalid="ignore"):
        arr = _np.power(f(base), exps).astype(dtype.np)
    return _out_or(_finish(arr, requires_grad, device), out)


def _out_or(res, out):
    if out is None:
        return res
    from ._util import write_out

    return write_out(res, out)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """The identity matrix (``n`` x ``m``)."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _out_or(_finish(_np.eye(n, m if m is not None else n,
                                   dtype=_dtype_or_default(dtype)), requires_grad, device), out)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return tensor(s, dtype=dtype or _dt.get_default_dtype(), device=device,
                  requires_grad=requires_grad)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors: ``indexing='ij'`` (matrix, the default with a
    warning, as in PyTorch) or ``'xy'`` (Cartesian: the first two dims swapped)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        import warnings

        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t!r}")
    dtypes = {t._data.dtype for t in tensors}
    if len(dtypes) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    sizes = [t._data.size for t in tensors]
    pos = list(_builtins.range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        pos[0], pos[1] = 1, 0
    shape = [0] * len(tensors)
    for i, p in enumerate(pos):
        shape[p] = sizes[i]
    out = []
    for i, t in enumerate(tensors):
        view = [1] * len(tensors)
        view[pos[i]] = sizes[i]
        out.append(t.reshape(view).expand(shape))
    return tuple(out)


_builtin_range = range


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """``obj`` as a tensor, sharing memory when possible: a tensor is returned as is (or cast),
    a NumPy array (or anything with ``__array__``/the buffer protocol) is wrapped without a copy
    unless a dtype change or ``copy=True`` needs one; Python data is copied as by ``tensor``."""

    xp_for_device(device)
    if isinstance(obj, Tensor):
        if copy is False and dtype is not None and dtype != obj.dtype:
            raise ValueError("can't alias tensor with a different dtype without a copy")
        res = obj if dtype is None or dtype == obj.dtype else obj.to(dtype)
        if device is not None:  # else the tensor's own device, as PyTorch's asarray
            res = res.to(device)
        if copy and res is obj:
            res = obj.clone()
        return res.requires_grad_(requires_grad) if requires_grad else res
    if isinstance(obj, __np.ndarray) or hasattr(obj, "__array_interface__"):
        arr = __np.asarray(obj)
        _dt.from_numpy_dtype(arr.dtype)  # PyTorch's error for unsupported dtypes
        if dtype is not None and arr.dtype != dtype.np:
            if copy is False:
                raise ValueError("can't alias NumPy array with a different dtype without a "
                                 "copy")
            arr = arr.astype(dtype.np)
        elif copy:
            arr = arr.copy()
        if device is not None and str(device) != "cpu":  # onto the device: a copy
            return _finish(arr, requires_grad, device)
        return make(arr, requires_grad)
    if copy is False:
        raise ValueError("can't alias arbitrary sequence into a tensor")
    return tensor(obj, dtype=dtype, device=device, requires_grad=requires_grad)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-d tensor viewing the memory of an object with the buffer protocol (no copy; a
    read-only buffer such as ``bytes`` gives a read-only tensor)."""
    try:
        nbytes = memoryview(buffer).nbytes
    except TypeError:
        raise TypeError(f"object of type '{type(buffer).__name__}' does not implement the "
                        "buffer protocol") from None
    item = dtype.itemsize
    if offset < 0 or offset >= nbytes > 0:
        raise ValueError(f"both buffer length ({nbytes}) and offset ({offset}) must be "
                         "non-negative and buffer length must be greater than offset")
    if count < 0 and (nbytes - offset) % item:
        raise ValueError(f"buffer length ({nbytes - offset} after offset) must be a multiple "
                         f"of element size ({item})")
    if count > 0 and count * item > nbytes - offset:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({nbytes} bytes)")
    if count == 0:
        raise ValueError("both count and buffer length must be positive, got 0")
    arr = __np.frombuffer(buffer, dtype=dtype.np, count=count, offset=offset)
    return make(arr, requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor of ``size`` with the given element ``stride``s (zero-filled in
    ember)."""
    dtype = dtype or _dt.get_default_dtype()
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    n = 1 + sum((s - 1) * st for s, st in zip(size, stride)) if all(s > 0 for s in size) else 0
    buf = _on_device(__np.zeros(n, dtype.np), device)
    with guard_of(buf):
        arr = _be_as_strided(buf, size, tuple(st * buf.itemsize for st in stride))
    return _pinned(make(arr, requires_grad), pin_memory)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    """An uninitialised tensor of ``size`` whose memory holds its dims in the order
    ``physical_layout`` (zero-filled in ember)."""
    dtype = dtype or _dt.get_default_dtype()
    size, perm = tuple(size), tuple(physical_layout)
    if sorted(perm) != list(_builtin_range(len(size))):
        raise RuntimeError("Number of dimensions in size does not match the length of the "
                           "physical_layout" if len(perm) != len(size) else
                           "physical_layout must be a permutation")
    buf = _on_device(__np.zeros(tuple(size[p] for p in perm), dtype.np), device)
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    with guard_of(buf):
        arr = buf.transpose(inv)
    return _pinned(make(arr, requires_grad), pin_memory)


# ------------------------------------------------------------------------------- misc makers
def range(start=0, end=None, step=1, *, dtype=None, layout=None, device=None,
          requires_grad=False, out=None):
    """Deprecated in PyTorch (use ``arange``): values from ``start`` to ``end`` *inclusive*;
    the default float dtype unless ``dtype`` is given."""

    warnings.warn("torch.range is deprecated and will be removed in a future release because its "
                  "behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    xp_for_device(device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(math.floor((end - start) / step)) + 1
    dtype = dtype or _dt.get_default_dtype()
    vals = start + step * __np.arange(n, dtype=__np.float64)
    return tensor(vals.astype(dtype.np), dtype=dtype, device=device, requires_grad=requires_grad)


def _placed(t, device):
    dev = place_device(device)
    return t if dev is None else t.to(dev)


def from_dlpack(ext_tensor):
    """A tensor sharing memory with any object that speaks DLPack: a NumPy array or PyTorch CPU
    tensor (host memory), a CuPy array or PyTorch CUDA tensor (cuda, through CuPy), without a
    copy: ``ember.from_dlpack(torch_tensor)``."""
    if isinstance(ext_tensor, Tensor):
        return make(ext_tensor._data)
    dev_type = ext_tensor.__dlpack_device__()[0] if hasattr(ext_tensor, "__dlpack_device__") \
        else 1
    if dev_type in (2, 3, 13):  # kDLCUDA, kDLCUDAHost, kDLCUDAManaged
        from ..backend import cuda_backend

        arr = cuda_backend().from_dlpack(ext_tensor)
    else:
        arr = __np.from_dlpack(ext_tensor)
    _dt.from_numpy_dtype(arr.dtype)
    return make(arr)
