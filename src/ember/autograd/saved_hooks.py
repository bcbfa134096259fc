"""Saved-tensor hooks: ``saved_tensors_hooks(pack_hook, unpack_hook)``, ``save_on_cpu`` and
``disable_saved_tensors_hooks`` (re-exported as ``ember.autograd.graph.*``).

While a ``saved_tensors_hooks`` context is active, each tensor an op saves for backward is
replaced by ``pack_hook(tensor)``; backward gets ``unpack_hook(packed)`` back. Only the
innermost context applies, as in PyTorch. Off, nothing is done per op.

Example::

    count = []
    with saved_tensors_hooks(lambda t: count.append(1) or t, lambda t: t):
        y = (x * x).sum()     # MulBackward0 saves x twice: len(count) == 2
"""

from __future__ import annotations

from . import function as _fn
from .grad_mode import _state as _grad_state

__all__ = ["disable_saved_tensors_hooks", "save_on_cpu", "saved_tensors_hooks"]


def _state():
    from ..func._dispatch import refresh, state

    return state, refresh


class saved_tensors_hooks:
    """Pack each tensor saved for backward with ``pack_hook``; unpack with ``unpack_hook``."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        st, refresh = _state()
        if st.disabled_saved_hooks is not None:
            raise RuntimeError(st.disabled_saved_hooks)
        st.saved_hooks.append((self.pack_hook, self.unpack_hook))
        refresh()
        return self

    def __exit__(self, *args):
        st, refresh = _state()
        st.saved_hooks.pop()
        refresh()


class save_on_cpu(saved_tensors_hooks):
    """Keep saved tensors on the CPU during forward, move them back for backward.

    On the NumPy backend everything is on the CPU already, so the saved tensor is a detached
    copy (``pin_memory`` is accepted)."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack_to_cpu(tensor):
            return (tensor.device, tensor.detach().cpu().clone())

        def unpack_from_cpu(packed):
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack_to_cpu, unpack_from_cpu)


class disable_saved_tensors_hooks:
    """Inside, entering ``saved_tensors_hooks`` raises ``RuntimeError(error_message)``."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        st, _ = _state()
        self.prev = st.disabled_saved_hooks
        st.disabled_saved_hooks = self.error_message

    def __exit__(self, *args):
        st, _ = _state()
        st.disabled_saved_hooks = self.prev


class _Packed:
    __slots__ = ("is_output", "unpack", "value", "vc", "version")

    def __init__(self, value, unpack, vc, version):
        self.value, self.unpack, self.vc, self.version = value, unpack, vc, version


def _pack_node(node):
    """Replace the tensors ``node`` saved by what the innermost pack hook returns."""
    saved = node._saved
    if saved is None or saved is _fn.FREED or node.__dict__.get("_unpack") is not None:
        return
    st, _ = _state()
    pack, unpack = st.saved_hooks[-1]
    vers = node._saved_ver
    out = []
    # as in PyTorch, the pack hook runs without recording (its own ops are not packed again)
    prev = _grad_state.enabled
    _grad_state.enabled = False
    try:
        for i, t in enumerate(saved):
            if isinstance(t, _fn.Tensor):
                out.append(_Packed(pack(t), unpack, t._vc, vers[i]))
            else:
                out.append(t)
    finally:
        _grad_state.enabled = prev
    node._saved = tuple(out)
    node._unpack = _unpack_saved


def _unpack_saved(node):
    res = []
    for p in node._saved:
        if p.__class__ is _Packed:
            t = p.unpack(p.value)
            if not isinstance(t, _fn.Tensor):
                raise TypeError(
                    "Output of saved tensor unpack_hook expected to be a Tensor but got result "
                    f"of type {type(t).__name__}"
                )
            if p.version is not None and p.vc[0] != p.version:
                raise RuntimeError(node._modified_message(t, p.version))
            res.append(t)
        else:
            res.append(p)
    return tuple(res)
