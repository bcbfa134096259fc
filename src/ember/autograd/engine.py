"""The backward engine: runs the graph of ctx nodes in reverse, iteratively.

1. Discover every node reachable from the roots and count the edges that point at each.
2. Run nodes in dependency order: a node runs once every node that feeds it a gradient has run;
   among ready nodes the most recently created runs first, as in PyTorch.
3. For each node: the hooks on its outputs' tensors (and ``retain_grad``), its pre-hooks, its
   ``backward``, a check of what backward returned (count, type, shape; a broadcast gradient is
   summed down to the input's shape), its post-hooks; then its saved tensors are freed unless
   ``retain_graph``. A leaf's ``AccumulateGrad`` node adds the gradient into ``.grad``.

There is no recursion, so a graph a million nodes deep is fine.
"""

from __future__ import annotations

import heapq
import threading

from ..backend import xp_of_type
from . import dispatch as _door
from . import function as _fn
from .function import AccumulateGrad
from .grad_mode import _state


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def execute(roots, grad_roots, retain_graph, create_graph, inputs=None, store=False):
    """Run backward from ``roots`` (``(node, output_nr)`` edges) seeded with ``grad_roots``.

    inputs: None to accumulate into every leaf reached (``backward()``); else a list of
      ``(edge, tensor)`` whose incoming gradients are wanted. With ``store`` they go to each
      tensor's ``.grad`` (``backward(inputs=...)``); without, they are returned and no
      ``.grad`` is touched (``autograd.grad``). Only nodes on a path to them run.
    """
    final = _final.stack
    final.append([])
    try:
        out = _execute_watched(roots, grad_roots, retain_graph, create_graph, inputs, store)
        callbacks = final[-1]
        while callbacks:  # a callback may queue another
            callbacks.pop(0)()
        return out
    finally:
        final.pop()


class _Final(threading.local):
    def __init__(self):
        self.stack = []  # one list of queued callbacks per backward call running here


_final = _Final()


def queue_callback(callback):
    """Run ``callback()`` when the backward call now running in this thread has finished its
    graph, before ``backward()`` returns (``Variable._execution_engine.queue_callback``)."""
    if not _final.stack:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    _final.stack[-1].append(callback)


def _execute_watched(roots, grad_roots, retain_graph, create_graph, inputs, store):
    if _door.busy and _door.tls.engine:  # a mode watches backward (trace, debug, profiler)
        observers = _door.tls.engine

        def run():
            return _execute(roots, grad_roots, retain_graph, create_graph, inputs, store,
                            observers)

        for mode in reversed(observers):  # the innermost mode is called first
            run = _wrap_execute(mode, roots, run)
        return run()
    return _execute(roots, grad_roots, retain_graph, create_graph, inputs, store, None)


def _wrap_execute(mode, roots, run):
    return lambda: mode.__ember_execute__(roots, run)


def _execute(roots, grad_roots, retain_graph, create_graph, inputs, store, observers):
    """``execute``'s body; ``observers``: the modes that see each node run (None: none)."""
    Tensor = _fn.Tensor
    # --- 1. discovery: dependency counts (and parents, to prune towards ``inputs``) ------
    deps = {}
    parents = {} if inputs is not None else None
    stack = []
    for edge in roots:
        node = edge[0]
        if node not in deps:
            deps[node] = 0
            stack.append(node)
    while stack:
        node = stack.pop()
        for e in node._next:
            if e is None:
                continue
            nxt = e[0]
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                stack.append(nxt)
            if parents is not None:
                parents.setdefault(nxt, []).append(node)

    captures = needed = results = None
    if inputs is not None:
        captures = {}
        for slot, (e, t) in enumerate(inputs):
            captures.setdefault(e[0], []).append((e[1], slot, t))
        # needed: the targets and every node with a path to one; only those run
        frontier = list(filter(deps.__contains__, captures))  # (no closure: see _on_device)
        needed = set(frontier)
        while frontier:
            for p in parents.get(frontier.pop(), ()):
                if p not in needed:
                    needed.add(p)
                    frontier.append(p)
        results = [None] * len(inputs)

    # --- 2. seed the roots ---------------------------------------------------------------
    buffers = {}
    for edge, g in zip(roots, grad_roots):
        node, nr = edge[0], edge[1]
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * _num_outputs(node)
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    ready = []
    for node in buffers:
        if deps[node] == 0 and (needed is None or node in needed):
            heapq.heappush(ready, (-node._seq, node))

    # --- 3. run ------------------------------------------------------------------------------
    prev_mode = _state.enabled
    _state.enabled = create_graph
    heappop, heappush = heapq.heappop, heapq.heappush
    freed = None if retain_graph else _fn.FREED  # what a run node's saved tensors become
    try:
        while ready:
            node = heappop(ready)[1]
            grads = buffers.pop(node)
            if node.__class__ is AccumulateGrad:
                if captures is None:
                    if observers is None:
                        try:
                            _accumulate(node, grads[0], create_graph)
                        except (TypeError, ValueError) as e:  # zero-cost unless raised
                            _on_device(_accumulating(node, create_graph),
                                       (grads[0], node.variable), e)
                    else:
                        _observed_leaf(observers, node, grads[0], create_graph, True)
                elif node in captures:
                    for _, slot, _t in captures[node]:
                        if observers is not None:
                            results[slot] = _observed_leaf(observers, node, grads[0],
                                                           create_graph, store)
                        elif store:
                            _accumulate(node, grads[0], create_graph)
                        else:
                            results[slot] = _leaf_hooks(node, grads[0])
                continue
            if node._tensor_prehooks is not None:
                _run_tensor_prehooks(node, grads)
            if captures is not None and node in captures:
                for nr, slot, t in captures[node]:
                    g = grads[nr]
                    results[slot] = g
                    if store and g is not None:
                        _add_to_grad(t, g, create_graph)
                if not _leads_to(node, needed):
                    continue  # a target that leads to no other target: it need not run
            if node._prehooks is not None:
                for hook in tuple(node._prehooks.values()):
                    new = hook(tuple(grads))
                    if new is not None:
                        grads = list(_hook_values(hook, new, grads))
            edges = node._next
            missing = grads[0] is None if len(grads) == 1 else _has_none(grads)
            if missing and node._out_meta is None:
                out = (None,) * len(edges)  # a built-in op with no incoming gradient: skip it
            else:
                if missing and node.materialize_grads:
                    _materialize(node, grads)
                if observers is None:
                    try:  # one gradient spelled out: a ``*grads`` call goes through C (slower)
                        out = node._forward_cls.backward(node, grads[0]) if len(grads) == 1 \
                            else node._forward_cls.backward(node, *grads)
                    except (TypeError, ValueError) as e:  # zero-cost unless raised
                        out = _on_device(_backward_of(node), tuple(grads), e)
                else:
                    out = _observed_backward(observers, node, grads)
            if out.__class__ is Tensor and len(edges) == 1:
                out = (out,)  # a custom backward's lone gradient; checked below, per edge
            if out.__class__ is not tuple or len(out) != len(edges) or node._hooks is not None:
                out = _validate(node, out, Tensor)
                if node._hooks is not None:
                    for hook in tuple(node._hooks.values()):
                        new = hook(out, tuple(grads))
                        if new is not None:
                            out = _hook_values(hook, new, out)
            if freed is not None and node._saved is not None:
                node._saved = freed
            i = -1
            for e, g in zip(edges, out):
                i += 1
                if e is None:
                    if g is not None and node._in_meta is not None and not node._in_meta[i]:
                        _validate(node, out, Tensor)  # raises PyTorch's error
                    continue
                child = e[0]
                if needed is not None and child not in needed:
                    continue
                buf = buffers.get(child)
                if buf is None:
                    meta = child._out_meta
                    buf = buffers[child] = [None] if meta is None else [None] * len(meta)
                if g is not None:
                    if g.__class__ is not Tensor and not isinstance(g, Tensor):
                        _validate(node, out, Tensor)  # raises PyTorch's error
                    gd = g._data
                    if gd.shape != e[2] or (gd.dtype is not e[3] and gd.dtype != e[3]):
                        g = _fit(node, i, g, e[2], e[3])
                    nr = e[1]
                    prev = buf[nr]
                    buf[nr] = g if prev is None else prev + g
                d = deps[child] - 1
                deps[child] = d
                if d == 0:
                    heappush(ready, (-child._seq, child))
    except Exception:
        if _door.busy and _door.tls.apply:  # anomaly mode names the node whose backward failed
            from ..func._dispatch import state as _tstate

            if _tstate.anomaly:
                from .anomaly_mode import report

                report(locals().get("node"))
        raise
    finally:
        _state.enabled = prev_mode
    return results


def _observed_backward(observers, node, grads):
    """Run ``node``'s backward through the observing modes, the innermost first."""

    def run(gs):
        return node._forward_cls.backward(node, *gs)

    for mode in observers:  # outermost first: the innermost ends up called first
        run = _wrap_backward(mode, node, run)
    return run(grads)


def _wrap_backward(mode, node, run):
    return lambda gs: mode.__ember_backward__(node, run, gs)


def _observed_leaf(observers, node, g, create_graph, store):
    """A leaf reached while modes observe: ``store`` accumulates into ``.grad``; otherwise
    the gradient (after the leaf's hooks) is returned, for ``autograd.grad``."""
    if store:
        def run():
            _accumulate(node, g, create_graph)
    else:
        def run():
            return _leaf_hooks(node, g)
    for mode in observers:
        run = _wrap_leaf(mode, node, g, run, store)
    return run()


def _wrap_leaf(mode, node, g, run, store):
    return lambda: mode.__ember_accumulate__(node, g, run, store)


def _has_none(grads):
    for g in grads:
        if g is None:
            return True
    return False


def _num_outputs(node):
    meta = node._out_meta
    return 1 if meta is None else len(meta)


def _materialize(node, grads):
    for i, g in enumerate(grads):
        if g is None:
            m = node._out_meta[i]
            if m is not None:
                shape, dtype, array_type = m
                grads[i] = _fn.Tensor._make(xp_of_type(array_type).zeros(shape, dtype))


def _run_tensor_prehooks(node, grads):
    """Hooks registered on this node's output tensors, then ``retain_grad`` (PyTorch's order)."""
    for nr, hooks in node._tensor_prehooks.items():
        if grads[nr] is None:
            continue
        for hook in tuple(hooks.values()):
            new = hook(grads[nr])
            if new is not None:
                grads[nr] = _hook_grad(hook, new, grads[nr])
    retains = node.__dict__.get("_retains")
    if retains:
        for nr, ref in retains.items():
            t = ref()
            g = grads[nr]
            if t is None or g is None:
                continue
            if t._grad is None:
                t._grad = g if _state.enabled else _fn.Tensor._make(g._data.copy())
            else:
                t._grad = t._grad + g


def _leaf_hooks(node, g):
    """A leaf's own hooks (``register_hook``), then its node's pre-hooks, before accumulation."""
    hooks = node.variable._hooks
    if hooks and g is not None:
        for hook in tuple(hooks.values()):
            new = hook(g)
            if new is not None:
                g = _hook_grad(hook, new, g)
    if node._prehooks is not None:
        for hook in tuple(node._prehooks.values()):
            new = hook((g,))
            if new is not None:
                g = _hook_values(hook, new, (g,))[0]
    return g


def _hook_grad(hook, new, old):
    """PyTorch's checks on a gradient a hook returned in place of ``old``."""
    if not isinstance(new, _fn.Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    if old is not None:
        nd, od = new._data, old._data
        if nd.shape != od.shape:
            raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")
        if nd.dtype != od.dtype:
            raise RuntimeError(
                f"hook '{_hook_name(hook)}' has changed the type of value (was "
                f"{_fn._type_desc(old).split(' ')[0]} got {_fn._type_desc(new).split(' ')[0]})"
            )
    return new


def _hook_values(hook, new, old):
    """A node hook's replacement for the gradients ``old``: same count, each checked."""
    new = _as_tuple(new)
    if len(new) != len(old):
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has returned an incorrect number of values (got "
            f"{len(new)}, but expected {len(old)})"
        )
    for n, o in zip(new, old):
        if n is not None:
            _hook_grad(hook, n, o)
    return new


def _hook_name(hook):
    return getattr(hook, "__name__", None) or type(hook).__name__


# (The lambdas for ``_on_device`` and the test of ``needed`` are made in these helpers, not in
# ``_execute``: a closure there would turn its hot locals into cells, read slower on every node.)
def _accumulating(node, create_graph):
    return lambda gs: _accumulate(node, gs[0], create_graph)


def _backward_of(node):
    return lambda gs: node._forward_cls.backward(node, *gs)


def _leads_to(node, needed):
    return any(e is not None and e[0] in needed for e in node._next)


def _on_device(run, grads, exc):
    """A node that failed on a cuda device other than the current one runs again with that
    device current (PyTorch runs each node on its device); a device mix raises PyTorch's
    error; anything else re-raises ``exc``."""
    from ..backend import retry_on_device

    return retry_on_device(run, grads, exc)


def _accumulate(node, g, create_graph):
    var = node.variable
    if var._hooks or node._prehooks is not None:
        g = _leaf_hooks(node, g)
    if g is None:
        return
    _add_to_grad(var, g, create_graph)
    post = var._post_acc_hooks
    if post:
        for hook in tuple(post.values()):
            hook(var)
    if node._hooks is not None:
        for hook in tuple(node._hooks.values()):
            hook((), (g,))


def _add_to_grad(var, g, create_graph):
    cur = var._grad
    if cur is None:
        if create_graph:
            var._grad = g
        else:
            # A fresh, writable copy: the incoming gradient may be a broadcast view, or the
            # very tensor that also flows to another leaf.
            var._grad = _fn.Tensor._make(g._data.copy())
    elif create_graph:
        var._grad = cur + g
    else:  # in place, as PyTorch's AccumulateGrad (a .grad that requires grad keeps it)
        d = cur._data
        gd = g._data
        if d.shape == gd.shape:
            try:
                d += gd
            except RuntimeWarning:  # inf + -inf, warnings as errors: the sum is already written
                pass
            cur._vc[0] += 1
        else:
            var._grad = _fn.Tensor._make(d + gd)


def _validate(node, out, Tensor):
    """PyTorch's checks on what a backward returned; sums broadcast gradients down."""
    if not isinstance(out, tuple):
        out = (out,)
    edges = node._next
    n = len(edges)
    if len(out) != n:
        if len(out) > n and all(o is None for o in out[n:]):
            out = out[:n]
        else:
            raise RuntimeError(
                f"function {node.name()} returned an incorrect number of gradients (expected "
                f"{n}, got {len(out)})" + _count_hint(node, n, len(out))
            )
    fixed = None
    for i, g in enumerate(out):
        if g is None:
            continue
        e = edges[i]
        if e is None:
            is_tensor = node._in_meta
            if is_tensor is not None and not is_tensor[i]:
                raise RuntimeError(
                    f"function {node.name()} returned a gradient different than None at "
                    f"position {i + 1}, but the corresponding forward input was not a Variable"
                )
            continue  # an input that does not require grad: the gradient is dropped
        if not isinstance(g, Tensor):
            raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
        gd = g._data
        if gd.shape != e[2] or gd.dtype != e[3]:
            if fixed is None:
                fixed = list(out)
            fixed[i] = _fit(node, i, g, e[2], e[3])
    return out if fixed is None else tuple(fixed)


def _fit(node, i, g, shape, dtype):
    if g._data.shape != shape:
        if not _expandable(shape, g._data.shape):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got "
                f"{list(g._data.shape)} but expected shape compatible with {list(shape)}"
                + _shape_hint(node, i, g._data.shape, shape)
            )
        g = g.sum_to_size(shape)
    if g._data.dtype != dtype and _fn.grads_flow(dtype):
        g = g.to(_fn.Tensor._dtype_of_np(dtype))
    return g


def _expandable(shape, target):
    """Whether ``shape`` broadcasts to ``target`` (so a gradient of ``target`` can sum down)."""
    if len(shape) > len(target):
        return False
    for s, t in zip(reversed(shape), reversed(target)):
        if s != t and s != 1:
            return False
    return True


def _count_hint(node, expected, got):
    from .explain import count_hint  # explainability (E): name forward's parameters

    return count_hint(node, expected, got)


def _shape_hint(node, i, got, shape):
    from .explain import shape_hint  # explainability (E): the likely missing reduction

    return shape_hint(node, i, got, shape)
