"""Custom ``autograd.Function``s: binding ``apply``'s arguments, running ``forward`` without
recording, and linking its outputs to the node (``function._apply`` collects the edges and calls
``_run_custom``): inputs returned unchanged, ``mark_dirty`` (in-place) outputs and views made
in forward get PyTorch's treatment."""

from __future__ import annotations

import inspect

from . import function as _fn
from .grad_mode import _state


def _bind(cls, args, kwargs):
    sig = cls.__dict__.get("_forward_signature")
    if sig is None:
        params = list(inspect.signature(cls.forward).parameters.values())
        if not cls._new_style:
            params = params[1:]  # ctx
        sig = inspect.Signature(params)
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
            sig = False  # forward(*args): nothing to bind
        cls._forward_signature = sig
    if sig is False:
        return args
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    return tuple(bound.arguments.values())


def _run_custom(cls, args, nxt):
    """``(ctx, outputs)`` of a custom Function: forward without recording, then, given the
    edges ``nxt`` (None: nothing to record), the outputs join the node."""
    ctx = _fn._new(cls._backward_cls)
    ctx._saved = None
    ctx._seq = next(_fn._seq)
    if nxt is None:
        ctx.needs_input_grad = (False,) * len(args)
        return ctx, _finish_unrecorded(ctx, args, _custom_forward(cls, ctx, args))
    ctx._next = nxt
    ctx.needs_input_grad = tuple([e is not None for e in nxt])
    out = _link_custom(ctx, args, _custom_forward(cls, ctx, args))
    if ctx._saved is not None:
        ctx._saved_ver = _fn._versions(ctx, False)
    return ctx, out


def _custom_forward(cls, ctx, args):
    """A custom Function's forward, run without recording (as in PyTorch)."""
    state = _state
    prev = state.enabled
    state.enabled = False
    try:
        if cls._new_style:
            out = cls.forward(*args)
            cls.setup_context(ctx, args, out)
        else:
            out = cls.forward(ctx, *args)
    finally:
        state.enabled = prev
    return out


def _is_in(x, seq):
    return any(x is y for y in seq)


def _link_custom(ctx, args, out):
    """A custom Function's outputs join its node (``_apply`` made the edges): ``grad_fn`` on
    the outputs (an input returned unchanged becomes a new tensor; a dirty one is rebased)."""
    ctx._in_meta = [isinstance(a, _fn.Tensor) for a in args]  # a gradient for a non-tensor input
    # is an error
    single = out.__class__ is not tuple
    outs = (out,) if single else out
    dirty = ctx._dirty
    non_diff = ctx._non_diff
    meta = []
    wrapped = []
    for i, o in enumerate(outs):
        if not isinstance(o, _fn.Tensor):
            meta.append(None)
            wrapped.append(o)
            continue
        is_dirty = dirty is not None and _is_in(o, dirty)
        if is_dirty:
            if o._grad_fn is None and o._requires_grad:
                raise RuntimeError(
                    "a leaf Variable that requires grad has been used in an in-place operation."
                )
            o._vc[0] += 1  # PyTorch 2 bumps a dirty tensor's version once more
        else:
            for a in args:
                if o is a:  # an input returned unchanged becomes a new tensor on this node
                    o = o._alias()
                    break
        d = o._data
        if (non_diff is not None and _is_in(o, non_diff)) or not _fn.grads_flow(d.dtype):
            o._requires_grad = False
            if is_dirty:
                o._grad_fn = None
        else:
            o._grad_fn = ctx
            o._output_nr = i
            o._requires_grad = True
            if o._base is not None and not is_dirty:
                # a view made in forward (or an input returned as-is): in-place is forbidden
                od = o.__dict__
                od.pop("_no_grad_view", None)
                od["_custom_view"] = (i, ctx._forward_cls.__name__)
        meta.append((d.shape, d.dtype, d.__class__))
        wrapped.append(o)
    ctx._out_meta = meta
    if dirty is not None:
        _check_dirty_returned(dirty, outs)
        for o in wrapped:
            if o.__class__ is _fn.Tensor and o._base is not None and o._grad_fn is ctx \
                    and _is_in(o, dirty):
                from ..ops.inplace import rebase_view  # (a view modified in place, as for

                rebase_view(o, o)  # built-in in-place ops)
    if single:
        return wrapped[0]
    return tuple(wrapped)


def _check_dirty_returned(dirty, outs):
    for d in dirty:
        if not any(o is d for o in outs):
            raise RuntimeError(
                "Some elements marked as dirty during the forward method were not returned as "
                "output. The inputs that are modified inplace must all be outputs of the Function."
            )


def _finish_unrecorded(ctx, args, out):
    """A custom Function ran without recording: outputs do not require grad."""
    to_save = ctx._saved
    if to_save is not None:
        ctx._saved_ver = [s._vc[0] if s is not None else None for s in to_save]
    dirty = ctx._dirty
    single = not isinstance(out, tuple)
    outs = (out,) if single else out
    if dirty is not None:
        _check_dirty_returned(dirty, outs)
    res = []
    for o in outs:
        if isinstance(o, _fn.Tensor):
            is_dirty = dirty is not None and any(o is d for d in dirty)
            if not is_dirty and any(o is a for a in args):
                o = o._alias()
            elif o._grad_fn is not None and not is_dirty:
                o = o.detach()
        res.append(o)
    return res[0] if single else tuple(res)
