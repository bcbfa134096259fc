"""A captured step as a straight-line Python function of arrays.

The recorder's calls become source lines (``s7 = f3(s2, s5)``, ``f4(s2, c1, out=(s6,))``),
compiled once with ``exec``: replaying a step is one call of that function, with no Tensor, no
graph node and no dispatch per op. Calls whose results nothing needs are dropped first; a call
that writes in place is kept when the memory it writes is read later, belongs to an input, or
is a result (memory identity is what capture saw: the same shapes and strides give the same
views and copies, which the guards ensure). In-place writes to inputs move after the last
guard where nothing in between depends on them (a failed guard then leaves every input as it
was), each temporary is deleted after its last use (its memory goes back to the allocator as
in eager), and the caller's ``release()`` runs once no guard can stop the replay (it drops the
``.grad`` tensors being replaced, so the new gradients can reuse their memory).
"""

from __future__ import annotations

import math

import numpy as np

from .tracer import Slot


class Program:
    """``run(leaves, release) -> results``: ``leaves`` are the input arrays of ``leaf_slots``
    at the positions ``leaves_used`` (the others are not read); ``release()`` is called when
    no guard can stop the replay any more; the results are the arrays of ``result_slots``."""

    def __init__(self, recorder, leaf_slots, result_slots):
        self.leaf_slots = list(leaf_slots)
        self.result_slots = list(result_slots)
        self.instrs = _live(recorder, self.leaf_slots, self.result_slots)
        self.n_recorded = len(recorder.instrs)
        self.instrs = _sink_input_writes(recorder, self.instrs, self.leaf_slots)
        self.unsafe = _guard_after_write(recorder, self.instrs, self.leaf_slots)
        self.instrs, alias = _elide_copies(recorder, self.instrs, self.leaf_slots,
                                           self.result_slots)
        results = [alias.get(s, s) for s in self.result_slots]
        used = set(results)
        for ins in self.instrs:
            used.update(_slots_in(ins.args, []))
            used.update(_slots_in(list(ins.kwargs.values()), []))
            used.update(ins.writes)
        # the inputs the calls read or write (run takes only these, in this order)
        self.leaves_used = [i for i, s in enumerate(self.leaf_slots) if s in used]
        self.source, self.run = _compile(self.instrs,
                                         [self.leaf_slots[i] for i in self.leaves_used],
                                         results, alias)

    def __repr__(self):
        return (f"<ember.compile Program: {len(self.instrs)} array calls "
                f"({self.n_recorded} recorded), {len(self.leaf_slots)} inputs, "
                f"{len(self.result_slots)} results>")


def _slots_in(template, acc):
    c = template.__class__
    if c is Slot:
        acc.append(template.i)
    elif c is tuple or c is list:
        for t in template:
            _slots_in(t, acc)
    return acc


def _live(rec, leaf_slots, result_slots):
    """The recorded calls that matter, in order (a backward sweep)."""
    roots = [id(r) for r in rec.roots]
    live = set(result_slots)
    live_roots = {roots[s] for s in leaf_slots} | {roots[s] for s in result_slots}
    keep = []
    for ins in reversed(rec.instrs):
        needed = getattr(ins.fn, "is_guard", False) or any(o >= 0 and o in live for o in ins.outs) or any(
            w < 0 or roots[w] in live_roots for w in ins.writes)
        if not needed:
            continue
        keep.append(ins)
        used = _slots_in(ins.args, [])
        for v in ins.kwargs.values():
            _slots_in(v, used)
        for s in used:
            live.add(s)
            live_roots.add(roots[s])
        for o in ins.outs + ins.writes:
            if o >= 0:
                live_roots.add(roots[o])
    keep.reverse()
    return keep


def _sink_input_writes(rec, instrs, leaf_slots):
    """Move the calls that modify an input in place to just after the last guard, when no
    call in between touches the memory they write, writes the memory they read, or uses what
    they return (a gradient accumulated into an existing ``.grad`` before a later guard of the
    backward, typically): replay can then still stop at a guard with every input intact."""
    last_guard = max((n for n, ins in enumerate(instrs) if getattr(ins.fn, "is_guard", False)),
                     default=-1)
    roots = rec.roots
    leaf_roots = {id(roots[s]) for s in leaf_slots}
    used = [set(_slots_in(ins.args, _slots_in(list(ins.kwargs.values()), [])))
            for ins in instrs[:last_guard + 1]]
    reads = [{id(roots[x]) for x in u} for u in used]
    writes = [{id(roots[w]) for w in ins.writes if w >= 0} for ins in instrs[:last_guard + 1]]
    moved = [False] * len(instrs)
    for n in range(last_guard - 1, -1, -1):
        ins, w = instrs[n], writes[n]
        if not w & leaf_roots or any(x < 0 for x in ins.writes):
            continue
        r, outs = reads[n], {o for o in ins.outs if o >= 0}
        if all(moved[j] or not (w & (reads[j] | writes[j]) or r & writes[j] or outs & used[j]
                                or any(x < 0 for x in instrs[j].writes))  # memory not known
               for j in range(n + 1, last_guard + 1)):
            moved[n] = True
    if not any(moved):
        return instrs
    kept = [ins for n, ins in enumerate(instrs) if not moved[n]]
    at = kept.index(instrs[last_guard]) + 1
    return kept[:at] + [ins for n, ins in enumerate(instrs) if moved[n]] + kept[at:]


def _guard_after_write(rec, instrs, leaf_slots):
    """A guard that could stop replay after an input was modified in place: the call could
    not then fall back to eager cleanly. Returns a description, or None when all is well."""
    leaf_roots = {id(rec.roots[s]) for s in leaf_slots}
    wrote = None
    for ins in instrs:
        if getattr(ins.fn, "is_guard", False) and wrote is not None:
            return (f"a value is read into Python ({ins.site}) after {wrote} modified an input "
                    "in place")
        if wrote is None and any(w < 0 or id(rec.roots[w]) in leaf_roots for w in ins.writes):
            wrote = getattr(ins.fn, "__name__", "a call")
    return None


_COPIES = (np.ndarray.copy, np.copy)


def _elide_copies(rec, instrs, leaf_slots, result_slots):
    """Drop ``y = x.copy()`` where ``x`` is a fresh array the program made, nothing views,
    and nothing uses after the copy (the gradient copies of AccumulateGrad, typically): ``y``
    becomes ``x``. Returns the instructions kept and the renaming."""
    roots = [id(r) for r in rec.roots]
    last_use = {}
    root_count = {}
    made = set()
    for n, ins in enumerate(instrs):
        for s in _slots_in(ins.args, []) + [x for v in ins.kwargs.values()
                                            for x in _slots_in(v, [])]:
            last_use[s] = n
        for w in ins.writes:
            last_use[w] = n
        for o in ins.outs:
            if o >= 0:
                made.add(o)
                root_count[roots[o]] = root_count.get(roots[o], 0) + 1
    for s in leaf_slots:
        root_count[roots[s]] = root_count.get(roots[s], 0) + 1
    results = set(result_slots)
    alias, keep = {}, []
    for n, ins in enumerate(instrs):
        if ins.fn in _COPIES and not ins.kwargs and len(ins.args) == 1 and \
                ins.args[0].__class__ is Slot and len(ins.outs) == 1:
            x = alias.get(ins.args[0].i, ins.args[0].i)
            if x in made and rec.fresh[x] and root_count.get(roots[x]) == 1 and \
                    last_use.get(ins.args[0].i) == n and x not in results:
                alias[ins.outs[0]] = x
                continue
        keep.append(ins)
    return keep, alias


def _nothing():
    pass


def _compile(instrs, leaf_slots, result_slots, alias=None):
    alias = alias or {}
    names = {}  # id(constant) -> name
    ns = {"_asarray": np.asarray, "_nothing": _nothing}
    keep_alive = []

    def const(v):
        key = id(v)
        name = names.get(key)
        if name is None:
            name = names[key] = f"c{len(names)}"
            ns[name] = v
            keep_alive.append(v)
        return name

    def expr(t):
        c = t.__class__
        if c is Slot:
            return f"s{alias.get(t.i, t.i)}"
        if c is tuple or c is list:
            if any(_slots_in(x, []) for x in t):
                inner = ", ".join(expr(x) for x in t)
                return f"({inner},)" if c is tuple else f"[{inner}]"
        if t is None or t is True or t is False or c is int or c is str:
            return repr(t)
        if c is float and math.isfinite(t):
            return repr(t)
        return const(t)

    # ``release()`` is called once no guard can stop the replay any more (after the last one)
    last_guard = max((n for n, ins in enumerate(instrs) if getattr(ins.fn, "is_guard", False)),
                     default=-1)
    # each slot is deleted after its last use (a straight-line function would otherwise keep
    # every temporary alive to the end: eager frees them as it goes, and the allocator hands
    # their warm memory to the next ones)
    last = {}
    for n, ins in enumerate(instrs):
        for x in _slots_in(ins.args, _slots_in(list(ins.kwargs.values()), [])):
            last[alias.get(x, x)] = n
        for x in list(ins.writes) + list(ins.outs):
            if x >= 0:
                last[alias.get(x, x)] = n
    keep = set(result_slots)
    dead = {}
    for x, n in last.items():
        if x not in keep:
            dead.setdefault(n, []).append(x)
    lines = ["def run(leaves, release=_nothing):"]
    if leaf_slots:
        lines.append("    " + ", ".join(f"s{s}" for s in leaf_slots) + ", = leaves")
    if last_guard < 0:
        lines.append("    release()")
    for n, ins in enumerate(instrs):
        args = [expr(a) for a in ins.args] + [f"{k}={expr(v)}" for k, v in ins.kwargs.items()]
        call = f"{const(ins.fn)}({', '.join(args)})"
        if ins.scalar:
            call = f"_asarray({call})"
        if not ins.outs:
            lines.append(f"    {call}")
        elif ins.multi:
            lhs = ", ".join(f"s{alias.get(o, o)}" if o >= 0 else "_" for o in ins.outs)
            lines.append(f"    {lhs}, = {call}")
        else:
            lines.append(f"    s{alias.get(ins.outs[0], ins.outs[0])} = {call}")
        if n in dead:
            lines.append("    del " + ", ".join(f"s{x}" for x in sorted(dead[n])))
        if n == last_guard:
            lines.append("    release()")
    lines.append("    return (" + "".join(f"s{s}, " for s in result_slots) + ")")
    source = "\n".join(lines)
    exec(compile(source, "<ember.compile>", "exec"), ns)  # noqa: S102 - our own generated code
    return source, ns["run"]
