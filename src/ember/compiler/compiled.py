"""``ember.compile``: capture a call once, then replay it as straight-line array calls.

For each guard key (argument shapes, dtypes, strides and requires_grad, grad mode, the tracked
tensors and their ``.grad`` being set, module training flags, optimizer hyperparameters and
state layout) a compiled function goes through four stages:

1. the very first call of the function runs eagerly (an optimizer's state, a lazily made
   buffer, settle, which usually changes the key);
2. the next call with a key runs eagerly *and is recorded* (:mod:`.tracer`) into a :class:`Program`;
3. the call after checks the program: it replays it, keeps the results, restores the state,
   runs eagerly, and compares everything bit for bit; a difference (random draws, a constant
   the recorder could not see) keeps that key eager for good, with a warning saying why;
4. later calls replay: no Tensor, graph node or dispatch per op, only the NumPy calls.

A call that fails every known key starts a new one at 2; a capture that met something it cannot replay
(a Python value read from the data, an output that still needs autograd) stays eager. Until a
program replays, new keys stop being captured after two failed captures or two programs never
called again (a key that changes at every call: state tensors replaced each step).
Differences from ``torch.compile``: outputs of a replayed call are plain tensors (no
``grad_fn``): compile the whole training step (forward, ``backward()``, ``optimizer.step()``),
or a forward under ``no_grad``; in-place version counters advance as in eager.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import backend as _backend
from ..tensor import Tensor
from . import tracer
from .program import Program, _nothing
from .recording_xp import recording_xp
from .state import Scope, args_key, flatten, unflatten


def _register_traced_arrays():
    """Traced arrays are host arrays whose array module is the recording one."""
    from ..backend.numpy_backend import NumpyBackend

    class TracedBackend(NumpyBackend):
        xp = recording_xp
        array_type = tracer.TracedArray

        def xp_of(self, array):
            return recording_xp

        def as_strided(self, a, shape, strides):
            return recording_xp.lib.stride_tricks.as_strided(a, shape=shape, strides=strides)

    _backend.register(TracedBackend())


_register_traced_arrays()

CACHE_SIZE_LIMIT = 8  # guard keys per function (torch._dynamo's cache_size_limit)
MAX_FAILED_CAPTURES = 2  # with no program replaying, new keys are not captured after these


class _Entry:
    """One guard key's state: ``calls`` so far, the program, whether it was checked."""

    __slots__ = (
        "bindings",
        "bumps",
        "calls",
        "grad_sets",
        "guard_failures",
        "outputs",
        "program",
        "reason",
        "scratch",
        "trusted",
    )

    def __init__(self):
        self.calls = 0
        self.program = None
        self.trusted = False
        self.reason = None
        self.guard_failures = 0


class CompiledFunction:
    """A function (or module) with ``ember.compile``'s capture and replay. ``fn.programs``
    lists the programs made; ``fn.explain()`` says per key what happened."""

    def __init__(self, fn, warn=True, fullgraph=False):
        self.fn = fn
        self.entries = {}
        self.warn = warn
        self.fullgraph = fullgraph
        self.over_limit = False
        self.failures = 0  # captures given up
        self._scope = None
        self.__wrapped__ = fn
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__name__ = getattr(fn, "__name__", type(fn).__name__)

    def __call__(self, *args, **kwargs):
        if self._scope is None:
            self._scope = Scope(self.fn)
        scope = self._scope
        leaves = []
        spec = flatten((args, kwargs), leaves)
        arg_tensors = [v for v in leaves if isinstance(v, Tensor)]
        tracked = scope.tracked(arg_tensors)
        key = scope.key(tracked, (spec_key(spec), args_key(leaves)))
        entry = self.entries.get(key)
        if entry is None:
            if not any(e.trusted for e in self.entries.values()):
                if self.failures >= MAX_FAILED_CAPTURES:
                    return self.fn(*args, **kwargs)  # its captures keep failing: stay eager
                if self.failures + sum(e.program is not None for e in self.entries.values()) \
                        >= MAX_FAILED_CAPTURES:
                    # programs captured and not called again: the key changes at every call
                    # (tensors replaced in the state each step, shapes that drift)
                    self._warn_keys("its guard key changes at every call")
                    return self.fn(*args, **kwargs)
            if len(self.entries) >= CACHE_SIZE_LIMIT:
                # the key changes at every call (state that grows, shapes that drift):
                # capturing each would cost more than it saves
                self._warn_keys(f"it met more than {CACHE_SIZE_LIMIT} guard keys")
                return self.fn(*args, **kwargs)
            entry = self.entries[key] = _Entry()
        entry.calls += 1
        if entry.reason is not None or (entry.calls == 1 and len(self.entries) == 1):
            return self.fn(*args, **kwargs)  # the very first call settles lazy state
        if entry.program is None:
            return self._capture(entry, tracked, args, kwargs)
        if not entry.trusted:
            return self._check(entry, tracked, args, kwargs)
        try:
            return self._replay(entry, tracked)
        except tracer.GuardFailed as e:
            # stopped before any input changed (checked when the program was made)
            self._guard_failed(entry, e)
            return self.fn(*args, **kwargs)

    def _warn_keys(self, why):
        if not self.over_limit:
            self.over_limit = True
            if self.warn:
                warnings.warn(f"ember.compile: {self.__name__}: {why}; new guard keys run "
                              "eagerly", stacklevel=3)

    def _guard_failed(self, entry, e):
        entry.guard_failures += 1
        if entry.guard_failures >= 3:
            self._give_up(entry, f"a value the step reads into Python keeps changing ({e}): "
                                 "its control flow depends on the data")

    # ---------------------------------------------------------------------------- capture
    def _capture(self, entry, tracked, args, kwargs):
        rec = tracer.Recorder()
        orig = [t._data for t in tracked]
        grads_before = [t._grad for t in tracked]
        vc_before = [t._vc[0] for t in tracked]
        rng_before = _rng_states()
        leaf_slots = []
        for t in tracked:
            t._data = rec.leaf(_plain(t._data))
            leaf_slots.append(t._data._slot)
        scratch = self._scope.scratch()
        for d, k in scratch:
            d[k] = rec.leaf(_plain(d[k]))
            leaf_slots.append(d[k]._slot)
        try:
            with rec:
                out = self.fn(*args, **kwargs)
        finally:
            final = [t._data for t in tracked]
            final_grads = [t._grad for t in tracked]
            for t in tracked:
                t._data = _plain(t._data)
            for d, k in scratch:
                d[k] = _plain(d[k])
        if _rng_states() != rng_before:
            rec.fail("the step draws random numbers (dropout, randn...): a replay would reuse "
                     "the captured draws")
        outs = []
        out_spec = flatten(out, outs)
        result_slots, out_plan, bindings, grad_sets = [], [], [], []

        def slot_of(arr, what):
            if arr.__class__ is tracer.TracedArray and arr._rec is rec and arr._slot >= 0:
                result_slots.append(arr._slot)
                return len(result_slots) - 1
            rec.fail(f"{what} holds an array the recorder did not make")
            return None

        backward_ran = _backward_ran(rec, tracked, grads_before, final_grads, leaf_slots)
        for o in outs:
            if isinstance(o, Tensor):
                if not backward_ran and (o._grad_fn is not None or (
                        o._requires_grad and not any(o is t for t in tracked))):
                    rec.fail("an output requires grad and the step computed no gradients: "
                             "replayed outputs have no grad_fn (compile the whole training "
                             "step, or run the forward under no_grad)")
                out_plan.append(("tensor", slot_of(o._data, "an output"), o._requires_grad))
                o._data = _plain(o._data)
            else:
                if isinstance(o, np.ndarray):
                    rec.fail("an output is a NumPy array")
                out_plan.append(("const", o, None))
        for i, t in enumerate(tracked):
            f = final[i]
            if f is not orig[i] and not (f.__class__ is tracer.TracedArray and f._rec is rec
                                         and f._slot == leaf_slots[i]):
                bindings.append((t, slot_of(f, "a tensor's data")))
            g = final_grads[i]
            if g is not grads_before[i]:
                if g is None:
                    grad_sets.append((t, None, None))
                else:
                    gd = g._data
                    grad_sets.append((t, g, slot_of(gd, "a .grad")))
                    g._data = _plain(gd)
        if rec.failed is not None:
            self._give_up(entry, rec.failed)
            return out
        entry.scratch = scratch
        entry.program = Program(rec, leaf_slots, result_slots)
        if entry.program.unsafe:
            self._give_up(entry, entry.program.unsafe)
            return out
        entry.outputs = (out_spec, out_plan)
        entry.bindings = bindings
        entry.grad_sets = grad_sets
        entry.bumps = [(t, t._vc[0] - v) for t, v in zip(tracked, vc_before) if t._vc[0] != v]
        return out

    def _give_up(self, entry, reason):
        entry.reason = reason
        entry.program = None
        self.failures += 1
        if self.fullgraph:
            raise RuntimeError(f"ember.compile(fullgraph=True): {self.__name__} cannot be "
                               f"replayed: {reason}")
        if self.warn:
            warnings.warn(f"ember.compile: {self.__name__} runs eagerly: {reason}",
                          stacklevel=3)

    # ---------------------------------------------------------------------------- replay
    def _replay(self, entry, tracked, release=True):
        prog = entry.program
        every = [_plain(t._data) for t in tracked]
        every += [d[k] for d, k in entry.scratch]
        leaves = [every[i] for i in prog.leaves_used]
        del every
        if release:
            # Once no guard can stop the replay, the .grad tensors it replaces are dropped,
            # as eager's zero_grad() drops them before backward makes new ones: their memory
            # is free for the new gradients (kept, the new ones land in colder memory)
            del tracked[self._scope.n_primary:]
            targets = [t for t, _, _ in entry.grad_sets]

            def drop():
                for t in targets:
                    t._grad = None
        else:
            drop = _nothing
        res = prog.run(leaves, drop)
        for t, s in entry.bindings:
            t._data = res[s]
        for t, g, s in entry.grad_sets:
            # a new .grad tensor each step, as eager's backward makes after zero_grad()
            t._grad = None if g is None else Tensor._make(res[s])
        for t, d in entry.bumps:
            t._vc[0] += d
        spec, plan = entry.outputs
        vals = []
        for kind, v, rg in plan:
            if kind == "tensor":
                a = res[v]
                vals.append(Tensor._make(a if a.__class__ is np.ndarray else np.asarray(a)))
            else:
                vals.append(v)
        return unflatten(spec, vals)

    def _check(self, entry, tracked, args, kwargs):
        """Replay, keep the outcome, restore the state, run eagerly, compare bit for bit."""
        saved = [(t._data, t._data.copy(), t._grad, t._vc[0]) for t in tracked]
        try:
            replayed = self._replay(entry, tracked, release=False)
        except tracer.GuardFailed as e:  # stopped before any input changed
            self._guard_failed(entry, e)
            return self.fn(*args, **kwargs)
        got = _outcome(replayed, tracked)
        for t, (ref, copy, grad, vc) in zip(tracked, saved):
            t._data = ref
        for t, (ref, copy, grad, vc) in zip(tracked, saved):
            ref[...] = copy
            t._grad = grad
            t._vc[0] = vc
        out = self.fn(*args, **kwargs)
        want = _outcome(out, tracked)
        diff = _first_difference(got, want)
        if diff is None:
            entry.trusted = True
        else:
            self._give_up(entry, f"the replayed program differs from eager ({diff}): the step "
                                  "uses something the recorder cannot see (random draws, "
                                  "state outside the function's reach)")
        return out

    @property
    def programs(self):
        return [e.program for e in self.entries.values() if e.program is not None]

    def explain(self):
        lines = []
        for i, e in enumerate(self.entries.values()):
            state = ("eager: " + e.reason if e.reason else
                     "replaying" if e.trusted else
                     "captured, not yet checked" if e.program is not None else "warming up")
            lines.append(f"guard key {i}: {e.calls} calls, {state}"
                         + (f"; {e.program!r}" if e.program is not None else ""))
        return "\n".join(lines)


def _backward_ran(rec, tracked, grads_before, final_grads, leaf_slots):
    """Whether the captured call was a training step: it set a ``.grad``, wrote one, or
    updated a tensor that requires grad in place."""
    if any(g is not b for g, b in zip(final_grads, grads_before)):
        return True
    # a .grad that existed was written, or a parameter was updated in place (a step that
    # ends with ``zero_grad()`` leaves no gradient behind)
    roots = {id(rec.roots[leaf_slots[i]]) for i, t in enumerate(tracked)
             if t._requires_grad or any(t is g for g in grads_before if g is not None)}
    return any(w >= 0 and id(rec.roots[w]) in roots for ins in rec.instrs for w in ins.writes)


def _rng_states():
    """The states of the generators a step may draw from: ember's default generator and
    NumPy's global one."""
    from ..ops.random import default_generator

    legacy = np.random.get_state(legacy=False)
    return (repr(default_generator._rng.bit_generator.state), repr(legacy["state"]))


def spec_key(spec):
    if spec is None:
        return None
    c, items = spec
    if c is dict:
        return (dict, tuple((k, spec_key(s)) for k, s in items))
    return (c, tuple(spec_key(s) for s in items))


def _plain(a):
    return np.ndarray.view(a, np.ndarray) if a.__class__ is not np.ndarray and isinstance(a, np.ndarray) \
        else a


def _outcome(out, tracked):
    leaves = []
    flatten(out, leaves)
    vals = [("out", np.array(v._data, copy=True) if isinstance(v, Tensor) else v)
            for v in leaves]
    for i, t in enumerate(tracked):
        vals.append((f"tensor {i}", np.array(t._data, copy=True)))
        g = t._grad
        vals.append((f"grad of tensor {i}", None if g is None else np.array(g._data, copy=True)))
    return vals


def _first_difference(got, want):
    if len(got) != len(want):
        return "a different number of results"
    for (name, a), (_, b) in zip(got, want):
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or \
                    a.shape != b.shape or a.dtype != b.dtype or \
                    not np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"):
                return name
        elif a is not b and a != b:
            return name
    return None
