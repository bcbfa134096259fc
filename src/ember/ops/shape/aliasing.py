"""How a view shares memory with its base: making views, the multi-output view rule, the
as_strided node of a view re-derived after an in-place write, refreshing views' history."""

from __future__ import annotations

from weakref import ref as _weakref

from ...autograd.grad_mode import _state


def as_view(out, base, fn):
    """Mark ``out`` as a view of ``base`` made by ``fn(base)``.

    A view of a tensor on the graph is also registered (weakly) with its root, so that an
    in-place write into the root or into a sibling view re-derives its history
    (``refresh_views``), as PyTorch regenerates a stale view's ``grad_fn``."""
    out._vc = base._vc
    root = base._base
    if root is None:
        root = out._base = base
        out._view_fn = fn
    else:
        out._base = root
        prev = base._view_fn
        out._view_fn = lambda t: fn(prev(t))
    if base._requires_grad and not _state.enabled:
        # PyTorch: a view made under no_grad of a tensor that requires grad requires grad too,
        # as a leaf; modifying it in place later with grad mode on is an error (check_leaf)
        out._requires_grad = True
        out._no_grad_view = True
        return out
    if base._requires_grad and root._grad_fn is not None and _state.enabled:
        # (a leaf's views need no refresh: a leaf that requires grad is never written in
        # place while recording)
        views = root.__dict__.get("_views")
        if views is None:
            views = root._views = []
        elif len(views) & 63 == 63:
            views[:] = [r for r in views if r() is not None]
        views.append(_weakref(out))
        if "_multi_view" in base.__dict__:  # a view of a split/unbind output inherits its ban
            out._multi_view = None
    return out


_MULTI_VIEW_NODES = {}


def mark_multi_view(outs, name):
    """Outputs of a function returning several views (split, unbind) may not be modified in
    place while recording, as in PyTorch. Their nodes (ember's per-piece slice or select) take
    PyTorch's name for the function, e.g. ``SplitBackward0``."""
    if outs and outs[0]._grad_fn is not None:
        for o in outs:
            fn = o._grad_fn
            if fn.__class__.__name__ == name + "Backward0":  # one node for all (Split)
                continue
            key = (fn.__class__, name)
            cls = _MULTI_VIEW_NODES.get(key)
            if cls is None:  # the same maths under the name PyTorch prints
                cls = _MULTI_VIEW_NODES[key] = type(name + "Backward0", key[:1], {"__slots__": ()})
            fn.__class__ = cls
    if outs and outs[0]._requires_grad and outs[0]._base is not None and \
            outs[0]._base._grad_fn is not None:
        for i, o in enumerate(outs):
            o._multi_view = (i, name)
    return outs


def multi_view_error(t):
    mv = t._multi_view
    if mv is None:
        name = t._grad_fn.name() if t._grad_fn is not None else "View"
        for suffix in ("Backward0", "Backward1"):
            name = name.removesuffix(suffix)
        mv = (t._output_nr, name)
    return RuntimeError(
        f"Output {mv[0]} of {mv[1]} is a view and is being modified inplace. This view is the "
        "output of a function that returns multiple views. Such functions do not allow the "
        "output views to be modified inplace. You should replace the inplace operation by an "
        "out-of-place one."
    )


_AS_STRIDED = {}


def as_strided_node(t):
    """Rename the node of a view re-derived after an in-place write ``AsStridedBackward0``, as
    PyTorch names a regenerated view's history (the maths stays the view's own)."""
    node = t._grad_fn
    if node is None:
        return
    cls = node.__class__
    sub = _AS_STRIDED.get(cls)
    if sub is None:
        sub = _AS_STRIDED[cls] = type("AsStridedBackward0", (cls,), {"__slots__": ()})
    node.__class__ = sub


def refresh_views(root, skip=None):
    """Give every live registered view of ``root`` (but ``skip``) the history it would have if
    made from ``root`` now (after an in-place write changed root's history)."""
    views = root.__dict__.get("_views")
    if not views:
        return
    live = [r for r in views if r() is not None]
    root._views = []  # the replays below register throw-away views; drop them afterwards
    prev = _state.enabled
    _state.enabled = True
    try:
        for r in live:
            v = r()
            if v is None or v is skip:
                continue
            new = v._view_fn(root)
            v._grad_fn = new._grad_fn
            v._output_nr = new._output_nr
            v._requires_grad = new._requires_grad
            as_strided_node(v)
    finally:
        _state.enabled = prev
    root._views = [r for r in live if r() is not None]
