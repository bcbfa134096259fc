"""Trace a backward pass: which nodes ran, in what order, with what gradients.

``with ember.autograd.trace() as tr:`` records, for every backward run inside the block, each
node executed, in order: its name, the file:line where its forward ran (for ops applied inside
the block), the shape, dtype and norm of each gradient it received (``grad_output``) and
returned (``grad_input``), the saved tensors it read, the hooks that fired, whether its saved
tensors were freed, and, for a leaf, how its ``.grad`` changed. ``print(tr)`` shows a table;
``tr.records`` is the same as data (a list of ``TraceRecord``).

Cost when no trace is active: none beyond the dispatch door's one global read. A trace (or
debug mode) is a mode on this thread's stack (``WatchMode``): graph-level ops report the node
they linked (forward site), in-place ops their version bumps, and the engine each node it runs,
each leaf it reaches and each saved-tensor read. Traces and debug mode are per thread.

Notes: ``grad_input`` is what the node's ``backward`` returned, before the engine sums a
broadcast gradient down to the input's shape and before post-hooks replace it. The hooks listed
are those the engine runs at that node (registered, and with a gradient to run on). Records
keep their node, so a trace keeps the graphs it saw alive until it is dropped. Backward calls
made from inside hooks are not traced.

Example::

    x = ember.randn(3, requires_grad=True)
    with ember.autograd.trace() as tr:
        y = (x * 2).tanh().sum()
        y.backward()
    print(tr)
    tr.records[0].name        # 'SumBackward0'
"""

from __future__ import annotations

import linecache
import os
import sys
import threading

import numpy as np

from . import dispatch as _door
from . import function as _fn

__all__ = ["Trace", "TraceRecord", "trace"]

# co_filename keeps the sys.path entry as written (e.g. "tests/../src"), so match both spellings
_EMBER_DIR = (os.path.dirname(os.path.dirname(__file__)) + os.sep,
              os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep)


# ----------------------------------------------------------------------------- watch state
class _WatchState(threading.local):
    """This thread's traces and debug mode."""

    def __init__(self):
        self.traces = []   # the active Trace objects (innermost last)
        self.debug = False  # set by debug.set_debug
        self.quiet = 0     # >0 while debug mode runs its own checks (not traced)
        self.last_backward = (None, None)  # debug mode: (site, WeakSet of the leaves reached)
        self.runs = []     # the instrumented backward calls in progress (None: not traced)
        self.mode = WatchMode()


def _refresh():
    """Enter this thread's watch mode while a trace or debug mode needs it, leave it after."""
    w = watch
    on = bool(w.traces) or w.debug
    entered = any(m is w.mode for m in _door.tls.modes)
    if on and not entered:
        _door.push(w.mode)
    elif entered and not on:
        _door.pop(w.mode)


class WatchMode(_door.DispatchMode):
    """The mode behind ``trace()`` and debug mode."""

    def __ember_apply__(self, op, args, kwargs):
        out = _door.below(self, op, args, kwargs)
        if isinstance(op, type):
            ctx = _linked_node(op, out)
            if ctx is not None:
                return _on_apply(op, ctx, args, out)
        return out

    def __ember_version_bump__(self, tensor):
        _on_bump(tensor)

    def __ember_execute__(self, roots, run):
        return _watched_execute(roots, run)

    def __ember_backward__(self, node, run, grads):
        cur = watch.runs[-1] if watch.runs else None
        if cur is None:
            return run(grads)
        return cur.node_backward(node, run, grads)

    def __ember_accumulate__(self, node, grad, run, store):
        cur = watch.runs[-1] if watch.runs else None
        if cur is None:
            return run()
        return cur.leaf(node, grad, run, store)

    def __ember_saved_read__(self, node, saved):
        cur = watch.runs[-1] if watch.runs else None
        if cur is not None:
            cur.saved_read(node, saved)


def _linked_node(cls, out):
    """The node this call of ``cls`` linked (None when nothing was recorded)."""
    outs = out if out.__class__ is tuple else (out,)
    for o in outs:
        fn = getattr(o, "_grad_fn", None)
        if fn is not None and fn._forward_cls is cls:
            return fn
    return None


def user_site(depth=2):
    """``(filename, lineno, function)`` of the innermost caller outside the ember package."""
    f = sys._getframe(depth)
    while f is not None and f.f_code.co_filename.startswith(_EMBER_DIR):
        f = f.f_back
    if f is None:
        return None
    return (f.f_code.co_filename, f.f_lineno, f.f_code.co_name)


def site_str(site, full=False) -> str:
    if not site:
        return "?"
    fn, line = site[0], site[1]
    return f"{fn if full else os.path.basename(fn)}:{line}"


def site_source(site) -> str:
    if not site:
        return ""
    return linecache.getline(site[0], site[1]).strip()


def _on_apply(cls, ctx, args, out):
    """After a graph-level op linked a node, while a trace or debug mode is on."""
    w = watch
    if w.traces and not w.quiet:
        ctx._ember_site = user_site(3)
        mod = _module_on_stack(sys._getframe(2))
        if mod is not None:
            ctx._ember_module = mod
    if w.debug and not cls._builtin:
        from .debug import _on_custom_apply

        return _on_custom_apply(cls, ctx, args, out)
    return out


def _module_on_stack(f, depth=40):
    """The innermost ``nn.Module`` whose ``forward`` is running (trace mode only)."""
    while f is not None and depth:
        if f.f_code.co_name == "forward":
            obj = f.f_locals.get("self")
            if obj is not None and hasattr(obj, "named_modules"):
                return obj
        f = f.f_back
        depth -= 1
    return None


def _on_bump(t):
    """Called where an in-place op bumps a version counter, while a trace or debug mode is
    on: remembers where (``_vc[1]``: a short list of ``(new_version, site)``)."""
    vc = t._vc
    site = user_site(3)
    if len(vc) == 1:
        vc.append([])
    hist = vc[1]
    hist.append((vc[0], site))
    if len(hist) > 8:
        del hist[0]


# ----------------------------------------------------------------------------- records
def _gdesc(g):
    """(shape, dtype, L2 norm) of a gradient, or None."""
    if g is None or not isinstance(g, _fn.Tensor):
        return None
    d = g._data
    try:
        norm = float(np.linalg.norm(np.asarray(d, dtype=np.complex128 if d.dtype.kind == "c"
                                               else np.float64).ravel()))
    except Exception:  # pragma: no cover - exotic array types
        norm = float("nan")
    return (tuple(d.shape), str(d.dtype), norm)


def _hook_name(h) -> str:
    return getattr(h, "__qualname__", None) or getattr(h, "__name__", None) or repr(h)


class TraceRecord:
    """One node run by backward.

    Attributes:
        step: position in the trace (0 = first node run).
        backward: which backward call of the trace (0, 1, ...) ran it.
        name: the node's name (``MulBackward0``, ``CustomReLUBackward``, ``AccumulateGrad``).
        node: the node itself.
        forward_site: ``(file, line, function)`` where its forward ran (None if the op ran
            outside the trace block), and ``forward_source``: that line of source.
        grad_outputs: per output of the node, ``(shape, dtype, norm)`` or None.
        grad_inputs: ``[(input_index, (shape, dtype, norm) or None)]`` as backward returned
            them, for the inputs that take a gradient.
        saved_read: ``[(index, desc)]`` of the saved tensors backward read.
        hooks: names of the hooks that fired at this node.
        freed: whether its saved tensors were released after it ran.
        leaf: for ``AccumulateGrad``: ``{'tensor', 'name', 'action', 'grad_norm'}``, where
            action is ``'set'`` (``.grad`` was None), ``'accumulated'`` or ``'returned'``
            (``autograd.grad`` took the gradient without touching ``.grad``).
    """

    __slots__ = ("step", "backward", "name", "node", "forward_site", "forward_source",
                 "grad_outputs", "grad_inputs", "saved_read", "hooks", "freed", "leaf")

    def __init__(self, step, backward, node):
        self.step = step
        self.backward = backward
        self.node = node
        self.name = type(node).__name__
        self.forward_site = node.__dict__.get("_ember_site")
        self.forward_source = site_source(self.forward_site)
        self.grad_outputs = []
        self.grad_inputs = []
        self.saved_read = []
        self.hooks = []
        self.freed = False
        self.leaf = None

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__ if k != "node"}

    def __repr__(self):
        return f"<TraceRecord {self.step} {self.name}>"


def _fmt_g(d) -> str:
    if d is None:
        return "None"
    shape, dtype, norm = d
    return f"{dtype}{list(shape)} |{norm:.4g}|"


class Trace:
    """The recording made by ``trace()``: ``records`` (list of ``TraceRecord``), ``table()``.

    Iterating gives the records; ``len()`` their number; ``str()`` the table.
    """

    def __init__(self, params=None):
        from .graph import _param_names

        self.records = []
        self.backward_sites = []
        self._names = _param_names(params)
        self._prev_watch = None

    def __enter__(self):
        watch.traces.append(self)
        _refresh()
        return self

    def __exit__(self, *exc):
        watch.traces.remove(self)
        _refresh()
        return False

    def __iter__(self):
        return iter(self.records)

    def __len__(self):
        return len(self.records)

    def __getitem__(self, i):
        return self.records[i]

    def names(self):
        """The node names in the order they ran."""
        return [r.name for r in self.records]

    def table(self, full_paths: bool = False) -> str:
        """The records as a fixed-width text table (one row per node; a leaf's row says where
        its ``.grad`` went)."""
        head = ("#", "node", "forward at", "grad_output", "grad_input", "saved read", "notes")
        rows = [head]
        for r in self.records:
            gi = ", ".join(f"[{i}] {_fmt_g(d)}" for i, d in r.grad_inputs) \
                if r.leaf is None else ""
            notes = []
            if r.leaf is not None:
                lf = r.leaf
                who = f"'{lf['name']}'" if lf["name"] else lf["tensor"]
                if lf["action"] == "returned":
                    notes.append(f"returned to autograd.grad for {who}")
                else:
                    notes.append(f".grad of {who} {lf['action']} -> |{lf['grad_norm']:.4g}|")
            if r.hooks:
                notes.append("hooks: " + ", ".join(r.hooks))
            if r.freed:
                notes.append("saved freed")
            saved = ", ".join(f"[{i}] {d}" for i, d in r.saved_read) or "-"
            where = site_str(r.forward_site, full_paths) if r.forward_site else "-"
            rows.append((str(r.step), r.name, where,
                         ", ".join(_fmt_g(d) for d in r.grad_outputs), gi or "-", saved,
                         "; ".join(notes)))
        w = [max(len(row[k]) for row in rows) for k in range(len(head))]
        lines = ["  ".join(row[k].ljust(w[k]) for k in range(len(head))).rstrip()
                 for row in rows]
        lines.insert(1, "  ".join("-" * w[k] for k in range(len(head))))
        for k, s in enumerate(self.backward_sites):
            lines.append(f"backward {k} called at {site_str(s, full_paths)}")
        return "\n".join(lines)

    __str__ = table

    def __repr__(self):
        return f"<Trace of {len(self.records)} nodes over {len(self.backward_sites)} backward>"


def trace(params=None) -> Trace:
    """Record every backward pass run inside the ``with`` block (see the module docstring).

    Args:
        params: optional ``{name: tensor}`` or ``nn.Module``, to name leaves in the table.

    Ops applied inside the block also record the file:line of their forward.
    """
    return Trace(params)


# ----------------------------------------------------------------------------- instrumented run
class _Run:
    """The state of one instrumented backward call."""

    def __init__(self, traces, names):
        self.traces = traces
        self.names = names
        self.current = None

    def _new(self, node):
        recs = []
        for tr in self.traces:
            r = TraceRecord(len(tr.records), len(tr.backward_sites) - 1, node)
            tr.records.append(r)
            recs.append(r)
        return recs

    def node_backward(self, node, run, grads):
        recs = self._new(node)
        gout = [_gdesc(g) for g in grads]
        hooks = []
        tph = node._tensor_prehooks
        if tph:
            for nr, hs in tph.items():
                if nr < len(grads) and grads[nr] is not None:
                    hooks += [f"tensor[{nr}].{_hook_name(h)}" for h in hs.values()]
        if node.__dict__.get("_retains"):
            hooks.append("retain_grad")
        if node._prehooks:
            hooks += ["pre:" + _hook_name(h) for h in node._prehooks.values()]
        prev, self.current = self.current, recs
        try:
            out = run(grads)
        finally:
            self.current = prev
        if node._hooks:
            hooks += ["post:" + _hook_name(h) for h in node._hooks.values()]
        outs = out if isinstance(out, tuple) else (out,)
        edges = node._next
        gin = [(i, _gdesc(g)) for i, g in enumerate(outs) if i >= len(edges) or
               edges[i] is not None or g is not None]
        for r in recs:
            r.grad_outputs = gout
            r.grad_inputs = gin
            r.hooks = hooks
        return out

    def saved_read(self, node, saved):
        if self.current is None or self.current[0].node is not node:
            return
        from .graph import tensor_desc

        items = [(i, tensor_desc(s)) for i, s in enumerate(saved) if s is not None]
        for r in self.current:
            r.saved_read = items

    def leaf(self, node, g, run, store):
        var = node.variable
        recs = self._new(node)
        hooks = []
        if g is not None:
            if var._hooks:
                hooks += [_hook_name(h) for h in var._hooks.values()]
            if node._prehooks:
                hooks += ["pre:" + _hook_name(h) for h in node._prehooks.values()]
        had = var._grad is not None
        res = run()
        action = "accumulated" if had else "set"
        if not store:
            action = "returned"
        elif g is not None:
            if var._post_acc_hooks:
                hooks += ["post_accumulate:" + _hook_name(h)
                          for h in var._post_acc_hooks.values()]
            if node._hooks:
                hooks += ["post:" + _hook_name(h) for h in node._hooks.values()]
        from .graph import tensor_desc

        gd = var._grad._data if var._grad is not None else None
        for r in recs:
            r.grad_outputs = [_gdesc(g)]
            r.hooks = hooks
            r.leaf = {"tensor": tensor_desc(var), "name": self.names.get(id(var)),
                      "action": action if g is not None or not store else "no grad",
                      "grad_norm": _gdesc(var._grad)[2] if gd is not None else float("nan")}
        return res


def _watched_execute(roots, run):
    """One backward call while a trace or debug mode is on: the traces record each node the
    engine runs; debug mode notes where backward ran and which saved tensors it freed."""
    w = watch
    site = user_site(3)
    traces = list(w.traces) if not w.quiet and not w.runs else []
    debug = w.debug
    if not traces and not debug:
        w.runs.append(None)  # a backward inside a traced one (from a hook): not traced
        try:
            return run()
        finally:
            w.runs.pop()
    from .graph import nodes_of

    nodes = nodes_of([e[0] for e in roots])
    unfreed = [n for n in nodes if n._saved is not None and n._saved is not _fn.FREED]
    if debug and not w.quiet:
        _note_backward(nodes, site)
    names = {}
    starts = [len(tr.records) for tr in traces]
    for tr in traces:
        tr.backward_sites.append(site)
        names.update(tr._names)
    w.runs.append(_Run(traces, names) if traces else None)
    try:
        return run()
    finally:
        w.runs.pop()
        if traces:
            freed = {id(n) for n in unfreed if n._saved is _fn.FREED}
            for tr, start in zip(traces, starts):
                for r in tr.records[start:]:
                    if id(r.node) in freed and r.leaf is None:
                        r.freed = True
        if debug:
            _mark_freed(unfreed, site)


def _note_backward(nodes, site):
    import weakref

    watch.last_backward = (site, weakref.WeakSet(n for n in nodes
                                                 if n.__class__ is _fn.AccumulateGrad))


def _mark_freed(unfreed, site):
    for n in unfreed:
        if n._saved is _fn.FREED:
            n._freed_at = site


watch = _WatchState()
