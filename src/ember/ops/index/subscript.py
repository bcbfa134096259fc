"""Indexing with ``x[key]`` and ``x[key] = v``: basic (views) and advanced (copies) keys,
their Functions and PyTorch's error messages."""

from __future__ import annotations

from ...autograd import dispatch as _door
from ...autograd.function import Function
from ...autograd.grad_mode import _state
from ...backend import backend_of, xp_of
from ...tensor import Tensor
from .._util import make
from ..shape.aliasing import as_view


def _norm_key(key):
    """The key as a tuple NumPy understands, and whether it is basic (a view)."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    basic = True
    for k in key:
        if isinstance(k, Tensor):
            d = k._data
            if d.dtype.kind not in "iub":
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors"
                )
            if d.dtype.kind == "u":  # a byte tensor is a mask (deprecated, as in PyTorch)
                import warnings

                warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a "
                              "dtype torch.bool instead.", UserWarning, stacklevel=4)
                d = d.astype(bool)
            if d.ndim == 0 and d.dtype.kind in "iu":
                out.append(int(d))
                continue
            basic = False
            out.append(d)
        elif isinstance(k, (list, tuple, range)):  # x[range(n), target], as in nn_tutorial
            basic = False
            arr = xp_of(None).asarray([int(v) if isinstance(v, Tensor) else v for v in k])
            if arr.size == 0:
                arr = arr.astype("int64")  # x[[]]: an empty index (NumPy reads [] as float)
            if arr.dtype.kind == "f":
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors"
                )
            out.append(arr)
        elif k is None or k is Ellipsis or isinstance(k, (int, slice)):
            if isinstance(k, bool):
                basic = False
            out.append(k)
        elif hasattr(k, "dtype") and hasattr(k, "shape") and k.ndim:  # an ndarray key
            basic = False
            out.append(k)
        elif hasattr(k, "__index__"):
            out.append(k.__index__())
        elif isinstance(k, str):  # PyTorch tries to make a tensor of it
            raise TypeError(f"new(): invalid data type '{type(k).__name__}'")
        else:
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                "are valid indices (got " + type(k).__name__ + ")"
            )
    return tuple(out), basic


def _check_steps(key):
    for k in key:
        if isinstance(k, slice) and k.step is not None and k.step <= 0:
            raise ValueError("step must be greater than zero")


def _mask_mismatch(key, shape):
    """PyTorch's error for a boolean mask whose shape does not match the dims it indexes.
    PyTorch applies the integer and slice parts of a key first, then the masks to what is
    left, so both the dim and the 'indexed tensor' are counted in that result."""
    key = key if isinstance(key, tuple) else (key,)
    if any(k is Ellipsis for k in key):
        return None
    reduced, masks, d = [], [], 0
    for k in key:
        if k is None:
            reduced.append(1)
        elif isinstance(k, int):
            d += 1
        elif isinstance(k, slice):
            reduced.append(len(range(*k.indices(shape[d]))))
            d += 1
        elif getattr(k, "dtype", None) is not None and k.dtype.kind == "b":
            masks.append((len(reduced), k))
            reduced.extend(shape[d:d + k.ndim])
            d += k.ndim
        else:
            reduced.append(shape[d])
            d += 1
    reduced.extend(shape[d:])
    for r, m in masks:
        for j, n in enumerate(m.shape):
            if r + j >= len(reduced) or n != reduced[r + j]:
                return IndexError(f"The shape of the mask {list(m.shape)} at index {j} does not "
                                  f"match the shape of the indexed tensor {reduced} at index "
                                  f"{r + j}")
    return None


def _index_error(err, shape, key=None):
    """NumPy's IndexError worded as PyTorch words it."""
    msg = str(err).replace("axis", "dimension")
    if msg.startswith("boolean index did not match") and key is not None:
        mismatch = _mask_mismatch(key, shape)
        if mismatch is not None:
            return mismatch
    if msg.startswith("too many indices"):
        return IndexError(f"too many indices for tensor of dimension {len(shape)}")
    if msg.startswith("shape mismatch: indexing arrays"):
        import re

        shapes = re.findall(r"\(([^)]*)\)", msg)
        shapes = ", ".join("[" + ", ".join(v for v in s.split(",") if v.strip()) + "]"
                           for s in shapes)
        return IndexError("shape mismatch: indexing tensors could not be broadcast together "
                          f"with shapes {shapes}")
    return IndexError(msg)


def _shape_mismatch(v, target, key):
    """PyTorch's error for a value that does not broadcast to ``x[key]``: basic keys go
    through ``copy_`` (an expand error), advanced ones through ``index_put_``."""
    vshape = list(getattr(v, "shape", ()))
    target = list(target)
    basic = all(k is None or k is Ellipsis or isinstance(k, (int, slice)) for k in key)
    if basic and len(vshape) <= len(target):
        for i in range(1, len(vshape) + 1):
            if vshape[-i] != 1 and vshape[-i] != target[-i]:
                return RuntimeError(
                    f"The expanded size of the tensor ({target[-i]}) must match the existing "
                    f"size ({vshape[-i]}) at non-singleton dimension {len(target) - i}.  Target "
                    f"sizes: {target}.  Tensor sizes: {vshape}"
                )
    return RuntimeError(
        f"shape mismatch: value tensor of shape {vshape} cannot be broadcast to indexing "
        f"result of shape {target}"
    )


def _read(ctx, x, key):
    """``x``'s array at ``key`` (PyTorch's error for a bad key), noting the key and the shape
    for the backward, which places the gradient into zeros there."""
    d = x._data
    try:
        out = d[key]
    except IndexError as e:
        raise _index_error(e, d.shape, key) from None
    ctx.key = key
    ctx.shape = d.shape
    return out


class _BasicIndex(Function):
    """y = x[key] (a view);  dy/dx = the gradient placed into zeros at key"""

    _builtin = True
    _node_name = "SliceBackward0"

    @staticmethod
    def forward(ctx, x, key):
        return as_view(make(_read(ctx, x, key)), x, lambda t: t[key])

    @staticmethod
    def backward(ctx, grad_output):
        return IndexPutIntoZeros.apply(grad_output, ctx.key, ctx.shape, False), None


class Select(_BasicIndex):
    _node_name = "SelectBackward0"


class Slice(_BasicIndex):
    _node_name = "SliceBackward0"


class Unsqueeze_(_BasicIndex):
    _node_name = "UnsqueezeBackward0"


class Index(Function):
    """y = x[key] for an advanced key (a copy);  dy/dx = gradients summed into zeros at key"""

    _builtin = True
    _node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, key):
        return make(_read(ctx, x, key))

    @staticmethod
    def backward(ctx, grad_output):
        return IndexPutIntoZeros.apply(grad_output, ctx.key, ctx.shape, True), None


class IndexPutIntoZeros(Function):
    """y = zeros(shape) with g put (or summed, for duplicates) at key;  dy/dg = y_grad[key]"""

    _builtin = True
    _node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, g, key, shape, accumulate):
        gd = g._data
        xp = xp_of(gd)
        out = xp.zeros(shape, gd.dtype)
        if accumulate:
            backend_of(out).scatter_add(out, key, gd)
        else:
            out[key] = gd
        ctx.key = key
        ctx.accumulate = accumulate
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        if ctx.accumulate:
            return Index.apply(grad_output, ctx.key), None, None, None
        return _BasicIndex.apply(grad_output, ctx.key), None, None, None


class IndexPut(Function):
    """y = x with value written at key;  dy/dx = grad zeroed at key, dy/dvalue = grad[key]"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, value, key):
        out = x._data.copy()
        v = value._data if isinstance(value, Tensor) else value
        try:
            out[key] = v
        except IndexError as e:
            raise _index_error(e, out.shape, key) from None
        except ValueError:
            raise _shape_mismatch(v, out[key].shape, key) from None
        ctx.key = key
        ctx.value_shape = getattr(v, "shape", ())
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = IndexPut.apply(grad_output, 0.0, ctx.key)
        if ctx.needs_input_grad[1]:
            gv = getitem(grad_output, ctx.key)
        return gx, gv, None


class CopySlicesPut(IndexPut):
    """``x[basic_key] = value`` on the graph: PyTorch writes through the view ``x[key]``, so
    the node is named after its CopySlices (the maths is IndexPut's)."""

    _node_name = "CopySlices"


def getitem(x, key):
    """``x[key]``: a view for basic keys, a copy for advanced ones."""
    if type(key) is int:
        d = x._data
        if d.ndim == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        return Select.apply(x, key)
    nkey, basic = _norm_key(key)
    _check_steps(nkey)
    if basic:
        cls = Slice
        for k in reversed(nkey):  # PyTorch names the node after the last non-trivial index
            if isinstance(k, int):
                cls = Select
                break
            if k is None:
                cls = Unsqueeze_
                break
            if isinstance(k, slice) and k != slice(None):
                break
        return cls.apply(x, nkey)
    split = _split_ints(nkey)
    if split is not None:
        return getitem(getitem(x, split[0]), split[1])
    return Index.apply(x, nkey)


def _split_ints(nkey):
    """PyTorch applies int indices first (as selects), so they do not count as advanced
    indices when placing the advanced dims (NumPy counts them); split such a key in two."""
    if not any(type(k) is int for k in nkey):
        return None
    first, second = [], []
    for k in nkey:
        if type(k) is int:
            first.append(k)
        elif k is Ellipsis:
            first.append(k)
            second.append(k)
        elif k is None or isinstance(k, bool):
            second.append(k)
        else:
            n = k.ndim if getattr(k, "dtype", None) == bool else 1  # a mask spans its ndim
            first.extend([slice(None)] * n)
            second.append(k)
    return tuple(first), tuple(second)


def setitem(x, key, value):
    """``x[key] = value``, in place; on the graph it replaces x's history (CopySlices)."""
    if key.__class__ is Tensor and not (_state.enabled and (x._requires_grad or (
            isinstance(value, Tensor) and value._requires_grad))) and not isinstance(value, Tensor):
        # the common ``x[mask] = 0`` with no graph to record: one NumPy assignment
        kd = key._data
        if kd.dtype.kind in "bi" and kd.ndim:  # (a uint8 key is a mask: the general path)
            try:
                x._data[kd] = value
            except (IndexError, ValueError):
                pass  # fall through to the general path for PyTorch's error message
            else:
                x._vc[0] += 1
                if _door.busy and _door.tls.bump:
                    _door.version_bumped(x)
                return
    if key.__class__ is Tensor and key._data.dtype.name == "uint8" and (
            not isinstance(value, Tensor) or value._data.ndim == 0):
        # PyTorch sends x[mask] = scalar to masked_fill_, which takes bool masks only
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           "unsigned char")
    nkey, basic = _norm_key(key)
    if not basic:
        split = _split_ints(nkey)
        if split is not None:
            return setitem(getitem(x, split[0]), split[1], value)
    if isinstance(value, Tensor) and value._data.dtype != x._data.dtype:
        value = value.to(x.dtype)
    recording = _state.enabled and (
        x._requires_grad or (isinstance(value, Tensor) and value._requires_grad)
    )
    if not recording:
        v = value._data if isinstance(value, Tensor) else value
        try:
            x._data[nkey] = v
        except IndexError as e:
            raise _index_error(e, x._data.shape, nkey) from None
        except ValueError as e:
            if "read-only" in str(e):
                raise RuntimeError(
                    "unsupported operation: more than one element of the written-to tensor "
                    "refers to a single memory location. Please clone() the tensor before "
                    "performing the operation."
                ) from None
            raise _shape_mismatch(v, x._data[nkey].shape, nkey) from None
        x._vc[0] += 1
        if _door.busy and _door.tls.bump:
            _door.version_bumped(x)
        return
    from ..inplace import _NO_GRAD_VIEW_MSG, inplace

    if "_no_grad_view" in x.__dict__:
        raise RuntimeError(_NO_GRAD_VIEW_MSG)
    if basic and x._grad_fn is None and x._requires_grad:
        # PyTorch writes through the view x[key]: the error names a view of the leaf
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    inplace(x, CopySlicesPut if basic else IndexPut, value, nkey)


def nonzero(input, *, as_tuple=False):
    d = input._data
    idx = xp_of(d).nonzero(d)
    if as_tuple:
        return tuple(make(i.astype("int64")) for i in idx)
    return make(xp_of(d).stack(idx, axis=1).astype("int64") if idx else
                xp_of(d).zeros((0, 0), "int64"))
