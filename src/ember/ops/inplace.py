"""In-place ops: how ``x.op_()`` writes a result into ``x`` and rebases its history (and its
views' history) onto the op's node, with PyTorch's dtype and leaf checks; ``zero_``, ``fill_``,
``copy_`` and their Functions."""

from __future__ import annotations

import numbers

from .. import dtypes as _dt
from ..autograd import dispatch as _door
from ..autograd.function import _NULL_CTX, Function
from ..autograd.function import saved_output_nr as _saved_output_nr
from ..autograd.grad_mode import _state, check_inference_inplace
from ..backend import guard_of, xp_of
from ..backend import numpy as _np
from ..tensor import Tensor
from ._util import broadcast_error, make, shape_of
from .shape.aliasing import as_strided_node, multi_view_error, refresh_views

_ndarray = _np.ndarray


class CopySlices(Function):
    """base' = base with the view region replaced by src;
    d/dbase = grad with that region zeroed, d/dsrc = grad[region]"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "CopySlices"

    @staticmethod
    def forward(ctx, base, src, view_fn):
        ctx.view_fn = view_fn
        return base._alias()

    @staticmethod
    def backward(ctx, grad_output):
        gb = gs = None
        if ctx.needs_input_grad[0]:
            gb = grad_output.clone()
            ctx.view_fn(gb).zero_()
        if ctx.needs_input_grad[1]:
            gs = ctx.view_fn(grad_output).clone()
        return gb, gs, None


def _dtype_name(np_dtype):
    names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
             "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
             "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
    return names.get(str(np_dtype), str(np_dtype))


def check_write(self, arr):
    """PyTorch's checks before writing a result into ``self`` (shape and dtype)."""
    d = self._data
    if arr.shape != d.shape:
        from .shape.views import broadcast_shapes

        try:
            ok = tuple(broadcast_shapes(arr.shape, d.shape)) == d.shape
        except RuntimeError:
            ok = False
        if not ok:
            raise RuntimeError(
                f"output with shape {list(d.shape)} doesn't match the broadcast shape "
                f"{list(broadcast_shapes(arr.shape, d.shape)) if _broadcastable(arr.shape, d.shape) else list(arr.shape)}"
            )
    if arr.dtype != d.dtype:
        if not _dt.can_cast(_dt.from_numpy_dtype(arr.dtype), _dt.from_numpy_dtype(d.dtype)):
            raise RuntimeError(
                f"result type {_dtype_name(arr.dtype)} can't be cast to the desired output type "
                f"{_dtype_name(d.dtype)}"
            )
    if not d.flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )


def _broadcastable(a, b):
    from .shape.views import broadcast_shapes

    try:
        broadcast_shapes(a, b)
        return True
    except RuntimeError:
        return False


def _snapshot(t):
    """A copy of t's current value that keeps t's place in the graph (for saved inputs)."""
    s = make(t._data.copy())
    s._grad_fn = t._grad_fn
    s._output_nr = t._output_nr
    s._requires_grad = t._requires_grad
    s._acc = t._acc
    return s


_NO_GRAD_VIEW_MSG = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block "
    "(if you don't want the inplace to be tracked) or both outside (if you want the inplace to "
    "be tracked)."
)


def check_leaf(self):
    if "_no_grad_view" in self.__dict__ and _state.enabled:
        raise RuntimeError(_NO_GRAD_VIEW_MSG)
    cv = self.__dict__.get("_custom_view")
    if cv is not None and _state.enabled:
        raise RuntimeError(
            f"Output {cv[0]} of {cv[1]} is a view and is being modified inplace. This view was "
            "created inside a custom Function (or because an input was returned as-is) and the "
            "autograd logic to handle view+inplace would override the custom backward "
            "associated with the custom Function, leading to incorrect gradients. This behavior "
            "is forbidden. You can fix this by cloning the output of the custom Function."
        )
    if self._grad_fn is None and self._requires_grad:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    base = self._base
    if base is not None and base._grad_fn is None and base._requires_grad:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )
    if base is not None and "_multi_view" in self.__dict__:  # split/unbind outputs
        raise multi_view_error(self)


def _take_tangent(self, res):
    t = res.__dict__.get("_fw_tangent")
    if t is not None:
        from ..autograd.forward_ad import _set_tangent

        _set_tangent(self, t)


def _is_result(node, k, res):
    """Whether ``node``'s k-th saved entry is the op's result ``res`` (kept unowned: see
    ``function._versions``)."""
    s = node._saved[k]
    return s is res or (s is not None and s.__class__ is Tensor and s._data is res._data
                        and _saved_output_nr(node, k) is not None)


def inplace(self, op, *args):
    """``self = op(self, *args)`` in place, keeping the graph (and any base's graph) right."""
    if self._vc.__class__ is not list:
        check_inference_inplace(self)
    recording = _state.enabled and (
        self._requires_grad or any(isinstance(a, Tensor) and a._requires_grad for a in args)
    )
    if not recording:
        res = op.apply(self, *args)
        check_write(self, res._data)
        self._data[...] = res._data
        self._vc[0] += 1
        if _door.busy and _door.tls.bump:
            _door.version_bumped(self)
        if _door.busy and _door.tls.apply:  # forward AD: self takes the result's tangent
            _take_tangent(self, res)
        return self
    check_leaf(self)
    if self._acc is not None and self._grad_fn is None:
        self._acc = None  # a leaf that did not require grad is now on the graph
    res = op.apply(self, *args)
    check_write(self, res._data)
    node = res._grad_fn
    saved = node._saved
    if saved is not None and any(s is self for s in saved):
        # ops save their inputs in order, so the first ``self`` is the input being overwritten:
        # it becomes a snapshot of the old value; a later one is another operand that is the
        # same tensor (``y.mul_(y)``) and, as in PyTorch, is then found modified in backward
        snap = _snapshot(self)
        i = next(k for k, s in enumerate(saved) if s is self)
        node._saved = saved[:i] + (snap,) + tuple(saved[i + 1:])
        vers = list(node._saved_ver)
        vers[i] = 0
        node._saved_ver = vers
    self._data[...] = res._data
    self._vc[0] += 1
    if _door.busy and _door.tls.bump:
        _door.version_bumped(self)
    if _door.busy and _door.tls.apply:  # forward AD: self takes the result's tangent
        _take_tangent(self, res)
    saved = node._saved
    if saved is not None:
        results = [k for k in range(len(saved)) if _is_result(node, k, res)]
        if results:  # the saved result is now ``self`` itself (not relinked when read)
            node._saved = tuple(self if k in results else s for k, s in enumerate(saved))
            node._saved_ver = tuple(
                self._vc[0] if s is self else v for s, v in zip(node._saved, node._saved_ver)
            )
            if node._saved_out_nr is not None:
                node._saved_out_nr = tuple(None if k in results else nr
                                           for k, nr in enumerate(node._saved_out_nr))
    base = self._base
    if base is None:
        self._grad_fn = node
        self._output_nr = res._output_nr
        self._requires_grad = True
        if "_views" in self.__dict__:  # its views now derive from the new history
            refresh_views(self)
        return self
    rebase_view(self, res)
    if "_views" in base.__dict__:  # sibling views now derive from the new history
        refresh_views(base, self)
    return self


def rebase_view(view, value):
    """``view`` was changed in place to ``value``: its base takes the new history through
    CopySlices, and the view is re-derived from the base (built-in in-place ops, and custom
    Functions' ``mark_dirty`` outputs that are views)."""
    base = view._base
    out = CopySlices.apply(base, value, view._view_fn)
    base._grad_fn = out._grad_fn
    base._output_nr = 0
    base._requires_grad = True
    again = view._view_fn(base)
    view._grad_fn = again._grad_fn
    view._output_nr = again._output_nr
    view._requires_grad = True
    as_strided_node(view)


# ------------------------------------------------------------------------------- in-place
def _other_data(self, other):
    if isinstance(other, Tensor):
        od = other._data
        if od.dtype != self._data.dtype:
            rt = _dt.result_type_of(self, other)
            if not _dt.can_cast(rt, self.dtype):
                check_write(self, make(xp_of(od).zeros(self._data.shape, rt.np))._data)
        return od
    if isinstance(other, (int, float, bool, complex)):
        rt = _dt.result_type_of(self, other)
        if rt.np != self._data.dtype and not _dt.can_cast(rt, self.dtype):
            check_write(self, xp_of(self._data).zeros(self._data.shape, rt.np))
        return other
    raise TypeError(f"unsupported operand type: {type(other).__name__}")


def _int_true_div_error(self, other):
    """``int_tensor /= x``: true division gives floats, which PyTorch will not write back."""
    rt = _dt.result_type_of(self, other)
    if rt.np.kind not in "fc":
        rt = _dt.get_default_dtype()
    check_write(self, xp_of(self._data).zeros(self._data.shape, rt.np))


def _fast(ufunc_name, op_cls):
    """An in-place arithmetic method: a ufunc with ``out=`` when nothing is recorded."""
    true_div = ufunc_name == "true_divide"

    def method(self, other, *, alpha=1):
        if alpha != 1:
            other = other * alpha
        recording = _state.enabled and (
            self._requires_grad or (isinstance(other, Tensor) and other._requires_grad)
        )
        # (a transform is on: forward AD tangents)
        if recording or (_door.busy and _door.tls.apply):
            return inplace(self, op_cls, other)
        if self._vc.__class__ is not list:
            check_inference_inplace(self)
        d = self._data
        od = _other_data(self, other)
        if not d.flags.writeable:
            check_write(self, d)
        if true_div and d.dtype.kind in "biu":
            _int_true_div_error(self, other)
        try:
            getattr(xp_of(d), ufunc_name)(d, od, out=d, casting="unsafe")
        except ValueError:
            try:
                res = getattr(xp_of(d), ufunc_name)(d, od)
            except ValueError:
                raise broadcast_error(d.shape, shape_of(other)) from None
            check_write(self, res)
            raise
        except RuntimeWarning:  # warnings are errors: NumPy warned after writing the result
            pass
        self._vc[0] += 1
        if _door.busy and _door.tls.bump:
            _door.version_bumped(self)
        return self

    method.__name__ = ufunc_name + "_"
    return method


def _inplace_of(fn_cls):
    def method(self, *args):
        return inplace(self, fn_cls, *args)

    return method


class Fill(Function):
    """y = a tensor of x's shape filled with value;  dy/dx = 0, dy/dvalue = sum(grad)"""

    _builtin = True
    _node_name = "FillBackward2"  # PyTorch's overload numbers: fill_(Scalar) 2, fill_(Tensor) 3

    @staticmethod
    def forward(ctx, x, value):
        if value.__class__ is Tensor:
            v = value._data
            if ctx is not _NULL_CTX:
                ctx.__class__ = _FillTensorNode
        else:
            v = value
        return make(xp_of(x._data).full(x._data.shape, v, x._data.dtype))

    @staticmethod
    def backward(ctx, grad_output):
        # x's gradient is zeros, not None: its earlier history still receives (zero) gradients
        gx = make(xp_of(grad_output._data).zeros_like(grad_output._data)) \
            if ctx.needs_input_grad[0] else None
        return gx, (grad_output.sum() if ctx.needs_input_grad[1] else None)


class FillTensor(Fill):
    _node_name = "FillBackward3"


_FillTensorNode = FillTensor._backward_cls


class Zero(Fill):
    _node_name = "ZeroBackward0"


class Copy(Function):
    """y = src broadcast to x's shape and cast to its dtype;  dy/dx = 0, dy/dsrc = grad"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, src):
        d = x._data
        out = xp_of(d).empty_like(d)
        try:
            out[...] = src._data
        except ValueError:
            raise RuntimeError(
                f"The size of tensor a ({d.shape[-1] if d.ndim else 1}) must match the size of "
                f"tensor b ({src._data.shape[-1] if src._data.ndim else 1}) at non-singleton "
                f"dimension {max(d.ndim - 1, 0)}"
            ) from None
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        return None, grad_output


def zero_(self):
    """Fill with zeros, in place."""
    if self._vc.__class__ is not list:
        check_inference_inplace(self)
    if _state.enabled and self._requires_grad:
        return inplace(self, Zero, 0)
    self._data[...] = 0
    self._vc[0] += 1
    if _door.busy and _door.tls.bump:
        _door.version_bumped(self)
    return self


def fill_(self, value):
    if not isinstance(value, (Tensor, numbers.Number)):
        raise TypeError(f"fill_() received an invalid combination of arguments - got "
                        f"({type(value).__name__}), but expected one of:\n * (Tensor value)\n"
                        " * (Number value)")
    if self._vc.__class__ is not list:
        check_inference_inplace(self)
    if _state.enabled and (self._requires_grad or (isinstance(value, Tensor)
                                                   and value._requires_grad)):
        return inplace(self, Fill, value)
    self._data[...] = value._data if isinstance(value, Tensor) else value
    self._vc[0] += 1
    if _door.busy and _door.tls.bump:
        _door.version_bumped(self)
    return self


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast to this dtype) into this tensor, in place."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    if self._vc.__class__ is not list:
        check_inference_inplace(self)
    d = self._data
    if d.__class__ is not _ndarray or src._data.__class__ is not _ndarray:
        if src.device != self.device:
            src = src.to(self.device)  # a copy across devices, as PyTorch's copy_ makes
        if d.__class__ is not _ndarray:
            with guard_of(d):
                return _copy(self, src)
    return _copy(self, src)


def _copy(self, src):
    if _state.enabled and (self._requires_grad or src._requires_grad) or \
            (_door.busy and _door.tls.apply):
        return inplace(self, Copy, src)
    try:
        self._data[...] = src._data
    except ValueError as e:
        if "read-only" in str(e):
            check_write(self, self._data)
        raise RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
            f"{list(src._data.shape)}"
        ) from None
    self._vc[0] += 1
    if _door.busy and _door.tls.bump:
        _door.version_bumped(self)
    return self
