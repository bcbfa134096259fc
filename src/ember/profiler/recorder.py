"""The recording state of one profile: open ranges per thread, finished events, and the
bookkeeping for memory and stacks. The dispatch mode (``mode.py``) and ``record_function``
call ``begin``/``end`` here; nothing here runs unless a profile is recording.
"""

from __future__ import annotations

import functools
import itertools
import os
import sys
import threading
import time
import weakref

from .events import EventList, FunctionEvent

_EMBER_DIR = (os.path.dirname(os.path.dirname(__file__)) + os.sep,
              os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep)
_STACK_DEPTH = 8  # frames kept per event with with_stack=True (innermost first)

# the collector currently recording (one profile records at a time, as in PyTorch)
current = None


@functools.lru_cache(maxsize=8192)  # relpath is slow and a loop hits the same lines
def _site(path, line, func) -> str:
    """``file(line): func``, the path relative to the working directory when under it (PyTorch
    prints ``tp.py(6): <module>``)."""
    try:
        rel = os.path.relpath(path)
        if not rel.startswith(".."):
            path = rel
    except ValueError:  # another drive (Windows)
        pass
    return f"{path}({line}): {func}"


def user_stack(depth=2):
    """The caller's Python stack outside the ember package, innermost first."""
    f = sys._getframe(depth)
    while f is not None and f.f_code.co_filename.startswith(_EMBER_DIR):
        f = f.f_back
    out = []
    while f is not None and len(out) < _STACK_DEPTH:
        code = f.f_code
        if not code.co_filename.startswith(_EMBER_DIR):
            out.append(_site(code.co_filename, f.f_lineno, code.co_name))
        f = f.f_back
    return out


def shapes_of(args):
    """PyTorch's ``input_shapes``: one list per positional argument ([] for a non-tensor)."""
    from ..autograd import function as _fn

    out = []
    for a in args:
        if isinstance(a, _fn.Tensor):
            out.append(list(a._data.shape))
        else:
            out.append([])
    return out


class _Open(threading.local):
    def __init__(self):
        self.stack = []            # open events, innermost last
        self.stack_override = None  # inside a backward node: its forward call's stack
        self.tid = threading.get_native_id()


class Collector:
    """Events of one active period (from ``start_trace`` to ``stop_trace``)."""

    def __init__(self, record_shapes=False, profile_memory=False, with_stack=False,
                 with_modules=False, with_flops=False):
        self.record_shapes = record_shapes
        self.with_flops = with_flops
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_modules = with_modules
        self.events = []
        self.open = _Open()
        self._ids = itertools.count(1)  # next() on a count is atomic in CPython
        self._claimed = {}  # id(buffer) -> weakref: arrays already counted by an op
        self.start_ns = time.perf_counter_ns()
        self.end_ns = None

    # --------------------------------------------------------------------------- ranges
    def begin(self, name, args=(), category="cpu_op", stack=None):
        if stack is None and self.with_stack:
            ov = self.open.stack_override
            stack = ov if ov is not None else user_stack(3)
        op = self.open
        evt = FunctionEvent(next(self._ids), name, op.tid, 0,
                            input_shapes=shapes_of(args) if self.record_shapes else None,
                            stack=stack, category=category)
        st = op.stack
        if st:
            parent = st[-1]
            evt.cpu_parent = parent
            parent.cpu_children.append(evt)
        st.append(evt)
        evt.time_range.start = time.perf_counter_ns()
        return evt

    def end(self, evt, outputs=None):
        evt.time_range.end = time.perf_counter_ns()
        st = self.open.stack
        # a range left open by an exception inside it closes with its parent
        while st and st[-1] is not evt:
            inner = st.pop()
            inner.time_range.end = evt.time_range.end
            self._finish(inner)
        if st:
            st.pop()
        if outputs is not None and self.profile_memory:
            evt.self_cpu_memory_usage = self._claim(outputs)
        self._finish(evt)

    def _finish(self, evt):
        self.events.append(evt)  # list.append is atomic: threads may finish ranges at once

    def close_all(self):
        """End every range still open on this thread (the profile is stopping)."""
        st = self.open.stack
        now = time.perf_counter_ns()
        while st:
            evt = st.pop()
            evt.time_range.end = now
            self._finish(evt)
        self.end_ns = now

    # --------------------------------------------------------------------------- memory
    def _claim(self, outputs) -> int:
        """Bytes of the output arrays no inner op has counted yet (a view counts nothing:
        its buffer was counted where it was allocated)."""
        from ..autograd import function as _fn

        outs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
        total = 0
        for o in outs:
            if not isinstance(o, _fn.Tensor):
                continue
            arr = o._data
            if getattr(arr, "base", None) is not None:
                continue
            key = id(arr)
            ref = self._claimed.get(key)
            if ref is not None and ref() is arr:
                continue
            try:
                self._claimed[key] = weakref.ref(arr)
            except TypeError:  # an array type without weak references: count it
                pass
            total += int(arr.nbytes)
        return total

    # --------------------------------------------------------------------------- results
    def event_list(self) -> EventList:
        evs = sorted(self.events, key=lambda e: (e.time_range.start, -e.time_range.end))
        return EventList(evs, profile_memory=self.profile_memory, with_stack=self.with_stack,
                         with_flops=self.with_flops)
