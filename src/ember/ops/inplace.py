"""In-place ops on the graph: run the op out of place, write the result into the tensor's own
memory, and give the tensor the op's node as its new history.

Two details keep gradients right: a saved input that is the tensor itself is replaced by a
snapshot of its old value (the write would otherwise change what backward reads), and an
in-place write into a view rewrites its base's history too (``CopySlices``), so gradients flow
to the base's other elements as before.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.function import Function
from ..autograd.grad_mode import check_inference_inplace
from ..autograd import function as _af  # explainability (E): in-place sites
from ._util import Tensor, _state, make
from .shape import as_strided_node, multi_view_error, refresh_views  # C2


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
        from .shape import broadcast_shapes

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
    from .shape import broadcast_shapes

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
    if base is not None and "_multi_view" in self.__dict__:  # C2: split/unbind outputs
        raise multi_view_error(self)


def _take_tangent(self, res):
    t = res.__dict__.get("_fw_tangent")
    if t is not None:
        from ..autograd.forward_ad import _set_tangent

        _set_tangent(self, t)


def _is_result(s, res):
    """Whether saved entry ``s`` is the op's result ``res`` (kept unowned: see
    ``function._versions``)."""
    return s is res or (s is not None and s.__class__ is Tensor and s._data is res._data
                        and "_output_of" in s.__dict__)


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
        if _af._watch:
            _af._watch_bump(self)
        if _af._hook is not None:  # forward AD: self takes the result's tangent
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
    if _af._watch:
        _af._watch_bump(self)
    if _af._hook is not None:  # forward AD: self takes the result's tangent
        _take_tangent(self, res)
    saved = node._saved
    if saved is not None and any(_is_result(s, res) for s in saved):
        node._saved = tuple(self if _is_result(s, res) else s for s in saved)
        node._saved_ver = tuple(
            self._vc[0] if s is self else v for s, v in zip(node._saved, node._saved_ver)
        )
    base = self._base
    if base is None:
        self._grad_fn = node
        self._output_nr = res._output_nr
        self._requires_grad = True
        if "_views" in self.__dict__:  # C2: its views now derive from the new history
            refresh_views(self)
        return self
    # self is a view: the base gets the new history, and self is re-derived from it
    out = CopySlices.apply(base, res, self._view_fn)
    base._grad_fn = out._grad_fn
    base._output_nr = 0
    base._requires_grad = True
    view = self._view_fn(base)
    self._grad_fn = view._grad_fn
    self._output_nr = view._output_nr
    self._requires_grad = True
    as_strided_node(self)
    if "_views" in base.__dict__:  # C2: sibling views now derive from the new history
        refresh_views(base, self)
    return self
