"""Forward-mode AD: dual tensors carry a tangent that every op pushes forward.

Inside ``with dual_level():``, ``make_dual(x, t)`` gives a tensor with tangent ``t``; each op on
it computes its output's tangent too, and ``unpack_dual(y)`` returns ``(primal, tangent)``.

Built-in ops need no forward formulas: an op's backward ``g(u) = J^T u`` is written in Tensor
ops and is linear in ``u``, so its Jacobian-vector product is ``J t = d<g(u), t>/du`` (the
"double vjp"). Custom Functions provide ``jvp(ctx, *tangents)`` (``ctx.save_for_forward``
keeps tensors for it), as in PyTorch.

Example::

    import ember.autograd.forward_ad as fwAD
    with fwAD.dual_level():
        x = fwAD.make_dual(ember.tensor([0., 1.]), ember.tensor([1., 1.]))
        fwAD.unpack_dual(x.sin()).tangent    # cos(x) * 1
"""

from __future__ import annotations

import weakref
from collections import namedtuple

from . import function as _fn
from .dispatch import without
from .grad_mode import _state as _grad_state

__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level",
           "make_dual", "unpack_dual"]

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])



def _state():
    from ..func._dispatch import refresh, state

    return state, refresh


def enter_dual_level():
    """Enter a new forward-AD level (only one at a time, as in PyTorch); returns its index."""
    st, refresh = _state()
    if st.fwd_level >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    st.fwd_level += 1
    st.fwd += 1
    refresh()
    return st.fwd_level


def exit_dual_level(*, level=None):
    """Leave the level: every tensor made dual in it loses its tangent."""
    st, refresh = _state()
    if level is None:
        level = st.fwd_level
    if level != st.fwd_level:
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was created. This "
            "is not supported."
        )
    for ref in st.duals:
        t = ref()
        if t is not None:
            t.__dict__.pop("_fw_tangent", None)
    st.duals.clear()
    st.fwd_level -= 1
    st.fwd -= 1
    refresh()


class dual_level:
    """Context manager for one forward-AD level: ``with dual_level(): ...``."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()


def _set_tangent(t, tangent):
    t.__dict__["_fw_tangent"] = tangent
    _state()[0].duals.append(weakref.ref(t))


def _alias(t):
    """A view of ``t`` (on its graph) without a tangent."""
    st, _ = _state()
    prev = st.in_tangent
    st.in_tangent = True
    try:
        return t.view_as(t)
    finally:
        st.in_tangent = prev


def make_dual(tensor, tangent, *, level=None):
    """A view of ``tensor`` whose tangent is ``tangent`` (same shape) at the current level.

    Example::

        with dual_level():
            x = make_dual(ember.ones(2), ember.tensor([1., 0.]))
    """
    if level is None:
        level = _state()[0].fwd_level
    if level < 0:
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    if not (tensor.is_floating_point() or tensor.is_complex()):
        raise ValueError(
            f"Expected primal to be floating point or complex, but got: {tensor.dtype}"
        )
    if not (tangent.is_floating_point() or tangent.is_complex()):
        raise ValueError(
            f"Expected tangent to be floating point or complex, but got: {tangent.dtype}"
        )
    if tuple(tensor.shape) != tuple(tangent.shape):
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
            f"while the given forward gradient is of size {list(tangent.shape)}."
        )
    out = _alias(tensor)
    _set_tangent(out, tangent)
    return out


def unpack_dual(tensor, *, level=None):
    """``UnpackedDualTensor(primal, tangent)``: a tangent-free view of ``tensor`` and its
    tangent (None when it has none)."""
    if level is None:
        level = _state()[0].fwd_level
    if level < 0:
        return UnpackedDualTensor(tensor, None)
    tangent = tensor.__dict__.get("_fw_tangent")
    if tangent is None:
        return UnpackedDualTensor(_alias(tensor), None)
    return UnpackedDualTensor(_alias(tensor), tangent)


# ------------------------------------------------------------------ tangents through the ops
def _tangent_of(a):
    return a.__dict__.get("_fw_tangent") if isinstance(a, _fn.Tensor) else None


def apply_with_tangents(cls, args, kwargs):
    """Run op ``cls`` and give its outputs the tangents pushed forward from its inputs."""
    from ..func._dispatch import plain

    if not cls._builtin:
        return _custom_apply(cls, args, kwargs)
    out = plain(cls, args, kwargs)
    st, _ = _state()
    st.in_tangent = True
    try:
        tangents = _double_vjp(cls, args)
    finally:
        st.in_tangent = False
    outs = out if out.__class__ is tuple else (out,)
    for o, t in zip(outs, tangents):
        if t is not None and isinstance(o, _fn.Tensor) and _fn.grads_flow(o._data.dtype):
            _set_tangent(o, t)
    return out


def _double_vjp(cls, args):
    from . import grad as _grad
    from .grad_mode import enable_grad

    keep = _grad_state.enabled and any(
        isinstance(a, _fn.Tensor) and (a._requires_grad or (
            _tangent_of(a) is not None and _tangent_of(a)._requires_grad)) for a in args)
    with enable_grad():
        xs, wrt, tans = [], [], []
        for a in args:
            t = _tangent_of(a)
            if t is not None:
                q = a.view_as(a) if a._requires_grad else a.detach().requires_grad_(True)
                xs.append(q)
                wrt.append(q)
                tans.append(t)
            elif isinstance(a, _fn.Tensor):
                xs.append(a.detach())
            else:
                xs.append(a)
        y = cls.apply(*xs)
        ys = y if y.__class__ is tuple else (y,)
        us, diff = [], []
        for o in ys:
            if isinstance(o, _fn.Tensor) and o._requires_grad:
                u = _fn.Tensor._make(o._data * 0)
                u._requires_grad = True
                us.append(u)
                diff.append(o)
            else:
                us.append(None)
        if not diff:
            return [None] * len(ys)
        live = [u for u in us if u is not None]
        g = _grad(diff, wrt, live, create_graph=True, allow_unused=True)
        pairs = [(gi, ti) for gi, ti in zip(g, tans) if gi is not None and gi._requires_grad]
        if pairs:
            jv = _grad([p[0] for p in pairs], live, [p[1] for p in pairs], create_graph=keep,
                       allow_unused=True)
        else:
            jv = [None] * len(live)
    res, k = [], 0
    for o, u in zip(ys, us):
        if u is None:
            res.append(None)
            continue
        j = jv[k]
        k += 1
        if j is None:
            j = _fn.Tensor._make(o._data * 0)
        res.append(j if keep else j.detach())
    return res


def _custom_apply(cls, args, kwargs):
    """A custom Function under forward AD: forward, then its ``jvp`` on the same ctx."""
    from ..func._dispatch import state

    if kwargs or cls._new_style:
        args = _fn._bind(cls, args, kwargs or {})
    nxt = None
    if _grad_state.enabled and any(isinstance(a, _fn.Tensor) and a._requires_grad for a in args):
        nxt = [_fn._edge(a) if isinstance(a, _fn.Tensor) and a._requires_grad else None
               for a in args]
    with without(state.mode):
        ctx, out = _fn._run_custom(cls, args, nxt)
    tangents = []
    for a in args:
        if isinstance(a, _fn.Tensor):
            t = _tangent_of(a)
            tangents.append(t if t is not None else _fn.Tensor._make(a._data * 0))
        else:
            tangents.append(None)
    saved_fwd = ctx.__dict__.get("saved_for_forward")
    old = (ctx._saved, getattr(ctx, "_saved_ver", None), ctx._saved_out_nr)  # (a slot)
    if saved_fwd is not None:
        ctx._saved = saved_fwd
        ctx._saved_out_nr = None  # (the positions of saved outputs in ``_saved``)
        ctx._saved_ver = [t._vc[0] if isinstance(t, _fn.Tensor) else None for t in saved_fwd]
    state.in_tangent = True
    try:
        tan_out = cls.jvp(ctx, *tangents)
    finally:
        state.in_tangent = False
        if saved_fwd is not None:
            ctx._saved = old[0]
            ctx._saved_out_nr = old[2]
            if old[1] is not None:
                ctx._saved_ver = old[1]
    outs = out if isinstance(out, tuple) else (out,)
    tans = tan_out if isinstance(tan_out, tuple) else (tan_out,)
    if len(tans) != len(outs):
        raise RuntimeError(
            f"jvp() returned {len(tans)} tangents but forward returned {len(outs)} outputs"
        )
    for o, t in zip(outs, tans):
        if t is not None and isinstance(o, _fn.Tensor):
            if tuple(t.shape) != tuple(o.shape):
                raise RuntimeError(
                    "Trying to set a forward gradient that has a different size than that of the "
                    f"original Tensor, this is not supported. Tensor is of size {list(o.shape)} "
                    f"while the given forward gradient is of size {list(t.shape)}."
                )
            _set_tangent(o, t)
    return out
