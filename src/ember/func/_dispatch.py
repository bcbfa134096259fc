"""The transform mode: vmap, the grad transforms, forward AD, anomaly mode, saved-tensor hooks.

While any of them is on in a thread, that thread's mode stack holds one ``TransformMode``
(``refresh`` enters and leaves it), and every graph-level op of the thread comes to
:meth:`TransformMode.__ember_apply__`, which peels off one layer at a time:

1. vmap: an argument batched at an active vmap level goes to that level's batching rule, which
   calls the op again on the unbatched values (so nested levels peel one by one);
2. forward AD: an argument carrying a tangent gets its output tangent computed;
3. the op itself runs (this mode popped), then anomaly mode and saved-tensor hooks annotate the
   node.

All of this state is per thread (``state`` is a ``threading.local``).
"""

from __future__ import annotations

import threading

from ..autograd import dispatch as _door
from ..autograd import function as _fn
from ..autograd.trace import _linked_node


class _State(threading.local):
    def __init__(self):
        self.vmap = []  # active vmap levels, innermost last
        self.transforms = 0  # active grad/vjp/jacrev/jvp transforms
        self.fwd = 0  # entered forward-AD dual levels
        self.fwd_level = -1  # the current forward-AD level
        self.duals = []  # weak references to the tensors given a tangent at that level
        self.in_tangent = False  # computing a tangent: forward AD is off meanwhile
        self.anomaly = False
        self.check_nan = True
        self.saved_hooks = []  # (pack_hook, unpack_hook), innermost last
        self.disabled_saved_hooks = None  # message while saved-tensor hooks are disabled
        self.mode = TransformMode()  # this thread's mode object


state = None  # set below, once TransformMode exists

SETUP_CONTEXT_MSG = (
    "In order to use an autograd.Function with functorch transforms (vmap, grad, jvp, jacrev, "
    "...), it must override the setup_context staticmethod. For more details, please see "
    "https://pytorch.org/docs/main/notes/extending.func.html"
)


def refresh():
    """Enter this thread's transform mode when any feature is on, leave it when none is."""
    s = state
    on = bool(s.vmap or s.transforms or s.fwd or s.anomaly or s.saved_hooks)
    mode = s.mode
    entered = any(m is mode for m in _door.tls.modes)
    if on and not entered:
        _door.push(mode)
    elif entered and not on:
        _door.pop(mode)


class TransformMode(_door.DispatchMode):
    """The mode behind vmap, grad transforms, forward AD, anomaly mode and saved-tensor hooks."""

    def __ember_apply__(self, op, args, kwargs):
        s = state
        kind = getattr(op, "__ember_kind__", None)
        if s.vmap:
            top = None
            for a in args:
                if a.__class__ is BatchedTensor:
                    lvl = a._bt_level
                    if lvl.active and (top is None or lvl.id > top.id):
                        top = lvl
            if kwargs:
                for a in kwargs.values():
                    if a.__class__ is BatchedTensor:
                        lvl = a._bt_level
                        if lvl.active and (top is None or lvl.id > top.id):
                            top = lvl
            if kind is not None:
                from ._primitives import batched_primitive

                return batched_primitive(op, kind, args, kwargs, top)
            if top is not None:
                from ._batched import apply_batched

                return apply_batched(op, args, kwargs, top)
        if kind is not None:
            return _door.below(self, op, args, kwargs)
        if s.transforms and not op._builtin and not op._new_style:
            raise RuntimeError(SETUP_CONTEXT_MSG)
        if s.fwd and not s.in_tangent:
            for a in args:
                if isinstance(a, _Tensor()) and a.__dict__.get("_fw_tangent") is not None:
                    from ..autograd.forward_ad import apply_with_tangents

                    return apply_with_tangents(op, args, kwargs)
            if kwargs:
                for a in kwargs.values():
                    if isinstance(a, _Tensor()) and a.__dict__.get("_fw_tangent") is not None:
                        from ..autograd.forward_ad import apply_with_tangents

                        return apply_with_tangents(op, args, kwargs)
        return plain(op, args, kwargs)


state = _State()


def _Tensor():
    return _fn.Tensor


class BatchedTensor(_fn.Tensor):
    """A tensor inside ``vmap``: one example's view of a batch.

    ``_bt_value`` is the batched value one level down (batch dim first) and ``_bt_level`` the
    vmap level. ``_data`` is the first example (``value._data[0]``), so shapes, dims and
    dtypes read by the ops' argument checks are the per-example (logical) ones; the ops
    themselves never run on it: ``dispatch`` routes them to the level's batching rules.
    """

    __slots__ = ()

    def __repr__(self, *, tensor_contents=None):
        v = self._bt_value
        return f"BatchedTensor(lvl={self._bt_level.id}, bdim=0, value=\n{v!r}\n)"


def plain(cls, args, kwargs):
    """Run ``cls.apply`` below the transform mode, then annotate its node."""
    with _door.without(state.mode):
        out = cls.apply(*args, **kwargs) if kwargs else cls.apply(*args)
    s = state
    if s.anomaly or s.saved_hooks:
        node = _linked_node(cls, out)
        if node is not None:
            if s.anomaly:
                from ..autograd.anomaly_mode import _annotate

                _annotate(node)
            if s.saved_hooks:
                from ..autograd.saved_hooks import _pack_node

                _pack_node(node)
    return out
