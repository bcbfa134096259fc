"""The one hook that transforms and debug modes share.

While vmap, a grad-like transform, a forward-AD dual level, anomaly detection or saved-tensor
hooks are active, ``Function.apply`` hands every call to :func:`dispatch` (one ``is not None``
check in ``apply`` when all are off). ``dispatch`` peels off one layer at a time:

1. vmap: an argument batched at an active vmap level goes to that level's batching rule, which
   calls ``apply`` again on the unbatched values (so nested levels peel one by one);
2. forward AD: an argument carrying a tangent gets its output tangent computed;
3. the op itself runs (the hook off), then anomaly mode and saved-tensor hooks annotate the node.
"""

from __future__ import annotations

from ..autograd import function as _fn


class _State:
    vmap = []  # active vmap levels, innermost last
    transforms = 0  # active grad/vjp/jacrev/jvp transforms
    fwd = 0  # entered forward-AD dual levels
    in_tangent = False  # computing a tangent: forward AD is off meanwhile
    anomaly = False
    check_nan = True
    saved_hooks = []  # (pack_hook, unpack_hook), innermost last
    disabled_saved_hooks = None  # message while saved-tensor hooks are disabled


state = _State()

SETUP_CONTEXT_MSG = (
    "In order to use an autograd.Function with functorch transforms (vmap, grad, jvp, jacrev, "
    "...), it must override the setup_context staticmethod. For more details, please see "
    "https://pytorch.org/docs/main/notes/extending.func.html"
)


def refresh():
    """Install the hook when any feature is on, remove it when none is."""
    s = state
    on = s.vmap or s.transforms or s.fwd or s.anomaly or s.saved_hooks
    _fn._hook = dispatch if on else None


def dispatch(cls, args, kwargs):
    s = state
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
        if top is not None:
            from ._batched import apply_batched

            return apply_batched(cls, args, kwargs, top)
    if s.transforms and not cls._builtin and not cls._new_style:
        raise RuntimeError(SETUP_CONTEXT_MSG)
    if s.fwd and not s.in_tangent:
        for a in args:
            if isinstance(a, _Tensor()) and a.__dict__.get("_fw_tangent") is not None:
                from ..autograd.forward_ad import apply_with_tangents

                return apply_with_tangents(cls, args, kwargs)
        if kwargs:
            for a in kwargs.values():
                if isinstance(a, _Tensor()) and a.__dict__.get("_fw_tangent") is not None:
                    from ..autograd.forward_ad import apply_with_tangents

                    return apply_with_tangents(cls, args, kwargs)
    return plain(cls, args, kwargs)


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
    """Run ``cls.apply`` itself (the hook off for this call), then annotate its node."""
    _fn._hook = None
    try:
        out = cls.apply(*args, **kwargs) if kwargs else cls.apply(*args)
    finally:
        refresh()
    s = state
    if s.anomaly or s.saved_hooks:
        node = _node_of(cls, out)
        if node is not None:
            if s.anomaly:
                from ..autograd.anomaly_mode import _annotate

                _annotate(node)
            if s.saved_hooks:
                from ..autograd.saved_hooks import _pack_node

                _pack_node(node)
    return out


def _node_of(cls, out):
    """The node this call of ``cls`` linked (None when nothing was recorded)."""
    outs = out if out.__class__ is tuple else (out,)
    for o in outs:
        fn = getattr(o, "_grad_fn", None)
        if fn is not None and fn._forward_cls is cls:
            return fn
    return None
