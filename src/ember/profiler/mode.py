"""How the profiler sees ember: a ``DispatchMode`` entered while a profile records.

* ``__ember_apply__``: every graph-level op (``Function.apply`` of built-in and custom
  Functions, and the primitives such as comparisons and random draws) becomes a range named as
  PyTorch's profiler names it: a built-in op by its ATen name (``MulBackward0``'s op is
  ``aten::mul``, ``AddmmBackward0``'s ``aten::addmm``), a custom Function by its class name, as
  PyTorch's ``Function.apply`` records it.
* ``__ember_op__``: public calls that reach the dispatch door as such (``x * y`` is
  ``aten::mul``, a public ``F.linear`` ``aten::linear``). A call made through
  ``dispatch.public`` runs its undispatched body with the mode back on, so the ops it calls
  are its children (``aten::linear`` > ``aten::addmm``), and the Function behind a public call
  of the same name is not a second range; an operator runs beneath the mode, as one range.
* A graph node an op created remembers the op's Python stack (``with_stack=True``) in its
  ``metadata``, so its backward can be charged to the user's line.
* ``__ember_backward__``: each node the engine runs becomes
  ``autograd::engine::evaluate_function: MulBackward0`` with ``MulBackward0`` inside it, and the
  ops of its backward formula inside that; ``__ember_accumulate__`` does the same for a leaf's
  ``torch::autograd::AccumulateGrad``.
* ``__ember_module_call__`` (``with_modules=True`` or ``with_stack=True``): a
  ``nn.Module: Linear_0`` range per module call, as PyTorch's Python tracer shows.

An op runs with this mode off the stack (as every mode runs the op beneath it), so the ops a
custom Function's ``forward`` calls are inside its range but not ranges of their own. When no
profile is recording the mode is not on the stack, so it costs nothing.
"""

from __future__ import annotations

import itertools

from ..autograd import function as _fn
from ..autograd.dispatch import DispatchMode, below
from .flops import flops_of
from .names import apply_name, op_name

_META_STACK = "ember.profiler.stack"  # a node's forward call site(s), set while profiling


def _nodes_made(outputs, seq0):
    """Graph nodes on ``outputs`` created after sequence number ``seq0``."""
    outs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
    found = []
    for o in outs:
        if isinstance(o, _fn.Tensor):
            node = o._grad_fn
            if node is not None and node._seq > seq0 and not any(node is n for n in found):
                found.append(node)
    return found


class ProfilerMode(DispatchMode):
    """Records ops, backward nodes and module calls into ``collector``."""

    def __init__(self, collector):
        self.collector = collector
        self._module_ids = {}
        self._module_count = itertools.count()

    # ------------------------------------------------------------------------- forward ops
    def _forward(self, name, args, run):
        c = self.collector
        evt = c.begin(name, args)
        seq0 = next(_fn._seq)  # nodes made by this call have larger sequence numbers
        out = None
        try:
            out = run()
        finally:
            c.end(evt, out)
        if c.with_flops and not any(ch.flops for ch in evt.cpu_children):
            evt.flops = flops_of(name, args, out)  # counted once: by the innermost op
        for node in _nodes_made(out, seq0):
            md = node.metadata
            if _META_STACK not in md:
                md[_META_STACK] = evt.stack
                evt.sequence_nr = node._seq
                evt.flow = "s"
        return out

    def __ember_op__(self, func, args, kwargs):
        impl = getattr(func, "__ember_impl__", None)
        if impl is None:  # a Tensor operator: it runs beneath the mode, as one range
            return self._forward(op_name(func), args, lambda: func(*args, **kwargs))

        def run():
            with self:  # the undispatched body, with the mode back on: the ops it calls nest
                return impl(*args, **kwargs)

        name = op_name(func)
        st = self.collector.open.stack
        if st and st[-1].name == name and not st[-1].cpu_children:
            return run()  # a public entry calling the public op of its name: one range
        return self._forward(name, args, run)

    def __ember_apply__(self, op, args, kwargs):
        name = apply_name(op)
        st = self.collector.open.stack
        if st and st[-1].name == name and not st[-1].cpu_children:
            # the Function behind a public call of the same name (``ember.mul`` -> Mul): one
            # range, as PyTorch shows one ``aten::mul``
            return below(self, op, args, kwargs)
        return self._forward(name, args, lambda: below(self, op, args, kwargs))

    # ------------------------------------------------------------------------- backward
    def _node_range(self, node, name, shapes, body):
        c = self.collector
        fwd = node.metadata.get(_META_STACK) if node.__dict__.get("metadata_") else None
        stack = fwd if (c.with_stack and fwd) else None
        outer = c.begin("autograd::engine::evaluate_function: " + name, stack=stack)
        inner = c.begin(name, stack=stack)
        if c.record_shapes:
            inner.input_shapes = shapes
        inner.sequence_nr = outer.sequence_nr = node._seq
        inner.fwd_stack = outer.fwd_stack = fwd
        inner.flow = "f"
        op = c.open
        prev, op.stack_override = op.stack_override, stack
        try:
            return body()  # the ops of the backward formula are recorded inside
        finally:
            op.stack_override = prev
            c.end(inner)
            c.end(outer)

    def __ember_backward__(self, node, run, grads):
        shapes = [list(g._data.shape) if isinstance(g, _fn.Tensor) else [] for g in grads]
        return self._node_range(node, node.name(), shapes, lambda: run(grads))

    def __ember_accumulate__(self, node, grad, run, store):
        shapes = [list(grad._data.shape)] if isinstance(grad, _fn.Tensor) else [[]]
        return self._node_range(node, node.name(), shapes, run)

    # ------------------------------------------------------------------------- modules
    def __ember_module_call__(self, module, forward, args, kwargs):
        c = self.collector
        if not (c.with_modules or c.with_stack):
            return forward(*args, **kwargs)
        k = self._module_ids.get(id(module))
        if k is None:
            k = self._module_ids[id(module)] = next(self._module_count)
        evt = c.begin(f"nn.Module: {type(module).__name__}_{k}", category="python_function")
        try:
            return forward(*args, **kwargs)
        finally:
            c.end(evt)
