"""What a compiled function reads and writes, and the guard key that says when a program
still applies.

A training step touches more than its arguments: the model's parameters and buffers, their
``.grad``, the optimizer's state. They are found the way a reader of the function would find
them: its arguments, the objects its code names (globals and closure cells, of the function
and of functions defined inside it), the instance of a bound method; modules contribute their
parameters and buffers, optimizers their parameters and state tensors.
"""

from __future__ import annotations

import types

from ..autograd.grad_mode import is_grad_enabled
from ..nn.modules.module import Module
from ..optim.optimizer import Optimizer
from ..tensor import Tensor

_SCALARS = (int, float, bool, str, type(None))


def _code_names(code, acc):
    acc.update(code.co_names)
    acc.update(code.co_freevars)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            _code_names(c, acc)
    return acc


class Scope:
    """The modules, optimizers and loose tensors a function can reach (found once)."""

    def __init__(self, fn):
        self.modules, self.optimizers, self.tensors = [], [], []
        seen = set()

        def visit(v, depth=0):
            if id(v) in seen:
                return
            seen.add(id(v))
            if isinstance(v, Module):
                self.modules.append(v)
            elif isinstance(v, Optimizer):
                self.optimizers.append(v)
            elif isinstance(v, Tensor):
                self.tensors.append(v)
            elif depth < 2 and isinstance(v, (list, tuple)):
                for x in v:
                    visit(x, depth + 1)
            elif depth < 2 and isinstance(v, dict):
                for x in v.values():
                    visit(x, depth + 1)

        visit(fn)
        target = getattr(fn, "__self__", None)
        if target is not None:
            visit(target)
            fn = fn.__func__
        code = getattr(fn, "__code__", None)
        if code is not None:
            names = _code_names(code, set())
            g = getattr(fn, "__globals__", {})
            for n in sorted(names):
                if n in g and not isinstance(g[n], types.ModuleType):
                    visit(g[n])
            for cell in fn.__closure__ or ():
                try:
                    visit(cell.cell_contents)
                except ValueError:  # an empty cell
                    pass
            for d in fn.__defaults__ or ():
                visit(d)
        self.all_modules = []  # every module reachable, as of the last ``tracked()``

    def tracked(self, arg_tensors):
        """Every tensor the step may read or write, each once, in a fixed order (the modules
        are walked anew at each call: a submodule or parameter replaced since is seen)."""
        out, seen = [], set()
        add_seen, append = seen.add, out.append
        for t in arg_tensors:
            if id(t) not in seen:
                add_seen(id(t))
                append(t)
        self.n_args = len(out)  # arguments: new objects at every call, guarded by position
        modules, seen_modules = [], set()

        def walk(m):
            if id(m) in seen_modules:
                return
            seen_modules.add(id(m))
            modules.append(m)
            for t in m._parameters.values():
                if t is not None and id(t) not in seen:
                    add_seen(id(t))
                    append(t)
            for t in m._buffers.values():
                if t is not None and id(t) not in seen:
                    add_seen(id(t))
                    append(t)
            for sub in m._modules.values():
                if sub is not None:
                    walk(sub)

        for m in self.modules:
            walk(m)
        self.all_modules = modules
        for opt in self.optimizers:
            for group in opt.param_groups:
                for t in group["params"]:
                    if id(t) not in seen:
                        add_seen(id(t))
                        append(t)
            for st in opt.state.values():
                for t in st.values():
                    if isinstance(t, Tensor) and id(t) not in seen:
                        add_seen(id(t))
                        append(t)
        for t in self.tensors:
            if id(t) not in seen:
                add_seen(id(t))
                append(t)
        self.n_primary = len(out)  # the rest are .grad tensors, new objects at every step
        for i in range(self.n_primary):
            g = out[i]._grad
            if g is not None and id(g) not in seen:
                add_seen(id(g))
                append(g)
        return out

    def scratch(self):
        """The optimizers' scratch buffers (``Optimizer._tmp``) as ``(dict, key)`` pairs: not
        state, but written and read inside a step, so the recorder must see them."""
        out = []
        for opt in self.optimizers:
            d = opt.__dict__.get("_scratch")
            if d:
                out.extend((d, k) for k in d)
        return out

    def key(self, tracked, args_key):
        """The guard key: everything a captured program assumed (``tracked`` first: it
        also lists the modules whose training flags are part of the key)."""
        parts = [is_grad_enabled(), args_key]
        n_args, n = self.n_args, self.n_primary
        for i, t in enumerate(tracked):
            d = t._data
            parts.append((id(t) if n_args <= i < n else None, d.shape, d.dtype, d.strides,
                          t._requires_grad, t._grad is None))
        parts.append(tuple([m.training for m in self.all_modules]))
        for opt in self.optimizers:
            for group in opt.param_groups:
                parts.append(tuple([(k, v) for k, v in group.items()
                                    if k != "params" and isinstance(v, _SCALARS)]))
            parts.append(tuple([(id(p), tuple(st)) for p, st in opt.state.items()]))
            parts.append(tuple(opt.__dict__.get("_scratch") or ()))
        return tuple(parts)


def flatten(obj, acc):
    """Leaves of a (list/tuple/dict) tree, depth first; returns the rebuilding spec."""
    c = obj.__class__
    if c in (list, tuple):
        return (c, [flatten(x, acc) for x in obj])
    if c is dict:
        return (dict, [(k, flatten(v, acc)) for k, v in obj.items()])
    acc.append(obj)
    return None


def unflatten(spec, leaves, pos=None):
    if pos is None:
        pos = [0]
    if spec is None:
        v = leaves[pos[0]]
        pos[0] += 1
        return v
    c, items = spec
    if c is dict:
        return {k: unflatten(s, leaves, pos) for k, s in items}
    return c(unflatten(s, leaves, pos) for s in items)


def args_key(leaves):
    """The non-tensor arguments by value (scalars) or identity; tensors by position."""
    out = []
    for v in leaves:
        if isinstance(v, Tensor):
            out.append(Tensor)
        elif isinstance(v, _SCALARS):
            out.append((type(v), v))
        else:
            out.append(id(v))
    return tuple(out)
