"""What a profile recorded: ``FunctionEvent`` (one timed range), ``FunctionEventAvg`` (ranges
grouped by key), and ``EventList`` (``key_averages``, ``table``, ``export_chrome_trace``).

The attribute names and the units follow ``torch.autograd.profiler_util``: times are floats in
microseconds (``cpu_time_total``, ``self_cpu_time_total``), memory in bytes
(``cpu_memory_usage``, ``self_cpu_memory_usage``), ``input_shapes`` a list of lists, ``stack``
a list of ``"file(line): function"`` strings, innermost first.

Example::

    with ember.profiler.profile() as prof:
        (ember.randn(3, requires_grad=True) * 2).sum().backward()
    for evt in prof.events():
        print(evt.name, evt.cpu_time_total)
"""

from __future__ import annotations

import json
import os
from collections import defaultdict

from .table import build_table, format_memory, format_time

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg", "Interval"]


class Interval:
    """A time range in nanoseconds of ``time.perf_counter_ns`` (``elapsed_us()``)."""

    __slots__ = ("start", "end")

    def __init__(self, start, end):
        self.start = start
        self.end = end

    def elapsed_us(self) -> float:
        return (self.end - self.start) / 1000.0

    def __repr__(self):
        return f"Interval(start={self.start}, end={self.end})"


class _CpuEventFields:
    """The fields a CPU-only profile holds at PyTorch's defaults, shared by ``FunctionEvent``
    and ``FunctionEventAvg`` (no device time or memory, no remote or async events)."""

    device_type = "CPU"
    is_async = False
    is_remote = False
    is_legacy = False
    node_id = -1
    use_device = None
    overload_name = ""
    flops = 0
    device_time_total = self_device_time_total = 0.0
    device_memory_usage = self_device_memory_usage = 0


class FunctionEvent(_CpuEventFields):
    """One recorded range: a forward op (``aten::mul``), a backward node (``MulBackward0``),
    the engine's ``autograd::engine::evaluate_function: MulBackward0`` around it, a module
    call (``nn.Module: Linear``) or a ``record_function`` range.

    Attributes (PyTorch's): ``id``, ``name``, ``key`` (= name), ``thread``, ``time_range``,
    ``input_shapes``, ``stack``, ``cpu_children``, ``cpu_parent``, ``cpu_memory_usage``,
    ``self_cpu_memory_usage``, ``sequence_nr`` (the graph node's sequence number, -1 if none),
    ``is_user_annotation`` (a ``record_function`` range), ``count`` (1).
    ember adds ``category`` (the chrome-trace ``cat``: ``cpu_op``, ``user_annotation``,
    ``python_function``) and ``fwd_stack``: for a backward range, the stack of the forward
    call that created its node.
    """

    count = 1

    def __init__(self, id, name, thread, start_ns, end_ns=None, input_shapes=None,
                 stack=None, category="cpu_op", sequence_nr=-1):
        self.id = id
        self.name = name
        self.thread = thread
        self.time_range = Interval(start_ns, end_ns if end_ns is not None else start_ns)
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.stack = stack if stack is not None else []
        self.category = category
        self.sequence_nr = sequence_nr
        self.cpu_children = []
        self.cpu_parent = None
        self.self_cpu_memory_usage = 0
        self.fwd_stack = None
        self.flow = None  # "s": a forward op that made node sequence_nr; "f": its backward

    @property
    def key(self) -> str:
        return self.name

    @property
    def is_user_annotation(self) -> bool:
        return self.category == "user_annotation"

    @property
    def cpu_time_total(self) -> float:
        return self.time_range.elapsed_us()

    @property
    def self_cpu_time_total(self) -> float:
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    @property
    def cpu_time(self) -> float:
        return self.cpu_time_total

    @property
    def cpu_memory_usage(self) -> int:
        return self.self_cpu_memory_usage + sum(c.cpu_memory_usage for c in self.cpu_children)

    cpu_time_str = property(lambda self: format_time(self.cpu_time))
    cpu_time_total_str = property(lambda self: format_time(self.cpu_time_total))
    self_cpu_time_total_str = property(lambda self: format_time(self.self_cpu_time_total))

    def append_cpu_child(self, child):
        self.cpu_children.append(child)

    def set_cpu_parent(self, parent):
        self.cpu_parent = parent

    def __repr__(self):
        return (f"<FunctionEvent id={self.id} name={self.name} thread={self.thread} "
                f"cpu_time_total={self.cpu_time_total_str} "
                f"self_cpu_time_total={self.self_cpu_time_total_str} "
                f"input_shapes={self.input_shapes} "
                f"cpu_memory_usage={self.cpu_memory_usage}>")


class FunctionEventAvg(_CpuEventFields):
    """Events with one key, summed (``key_averages``): ``count`` calls, totals, and
    ``cpu_time`` the mean per call."""

    def __init__(self):
        self.key = None
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = 0
        self.self_cpu_memory_usage = 0
        self.flops = 0
        self.input_shapes = None
        self.stack = None
        self.is_user_annotation = False
        self.cpu_parent = None
        self.cpu_children = None

    def add(self, other):
        if self.key is None:
            self.key = other.key
            self.is_user_annotation = other.is_user_annotation
            self.cpu_parent = other.cpu_parent
            self.cpu_children = other.cpu_children
            self.input_shapes = other.input_shapes
            self.stack = other.stack
        if other.key != self.key:
            raise AssertionError(f"Expected keys to match, but got {other.key} vs {self.key}")
        self.count += other.count
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        self.cpu_memory_usage += other.cpu_memory_usage
        self.self_cpu_memory_usage += other.self_cpu_memory_usage
        self.flops += other.flops
        return self

    __iadd__ = add

    @property
    def cpu_time(self) -> float:
        return 0.0 if self.count == 0 else self.cpu_time_total / self.count

    cpu_time_str = property(lambda self: format_time(self.cpu_time))
    cpu_time_total_str = property(lambda self: format_time(self.cpu_time_total))
    self_cpu_time_total_str = property(lambda self: format_time(self.self_cpu_time_total))

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total_str} "
                f"cpu_time={self.cpu_time_str} input_shapes={self.input_shapes} "
                f"cpu_memory_usage={format_memory(self.cpu_memory_usage)}>")


class EventList(list):
    """A list of events with PyTorch's summaries: ``key_averages``, ``table``, ``total_average``,
    ``self_cpu_time_total``, ``export_chrome_trace``."""

    def __init__(self, *args, profile_memory=False, with_stack=False, with_flops=False,
                 **kwargs):
        super().__init__(*args)
        self._profile_memory = profile_memory
        self._with_stack = with_stack
        self._with_flops = with_flops

    @property
    def self_cpu_time_total(self) -> float:
        return sum(e.self_cpu_time_total for e in self)

    def key_averages(self, group_by_input_shapes=False, group_by_stack_n=0,
                     group_by_overload_name=False):
        """Sum events with the same name (and input shapes, and top ``group_by_stack_n``
        stack entries, when asked) into ``FunctionEventAvg`` rows, in first-seen order."""
        stats = defaultdict(FunctionEventAvg)
        for evt in self:
            key = [evt.key, str(evt.is_user_annotation)]
            if group_by_input_shapes:
                key.append(str(evt.input_shapes))
            if group_by_stack_n > 0:
                key += evt.stack[:group_by_stack_n]
            stats[tuple(key)].add(evt)
        out = EventList(stats.values(), profile_memory=self._profile_memory,
                        with_stack=self._with_stack, with_flops=self._with_flops)
        for avg in out:
            avg.stack = avg.stack[:group_by_stack_n] if group_by_stack_n else []
            if not group_by_input_shapes:
                avg.input_shapes = ""
        return out

    def total_average(self) -> FunctionEventAvg:
        total = FunctionEventAvg()
        for evt in self:
            total.count += evt.count
            total.cpu_time_total += evt.cpu_time_total
            total.self_cpu_time_total += evt.self_cpu_time_total
            total.cpu_memory_usage += evt.cpu_memory_usage
            total.self_cpu_memory_usage += evt.self_cpu_memory_usage
        total.key = "Total"
        return total

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75,
              max_name_column_width=55, max_shapes_column_width=80, header=None,
              top_level_events_only=False, time_unit=None) -> str:
        """PyTorch's summary table: Name, Self CPU %, Self CPU, CPU total %, CPU total, CPU
        time avg, [CPU Mem, Self CPU Mem], # of Calls, [Input Shapes], [Source Location].

        ``sort_by`` is an attribute name (``"self_cpu_time_total"``, ``"cpu_time_total"``,
        ``"cpu_memory_usage"``, ``"count"``...), largest first."""
        return build_table(self, sort_by=sort_by, row_limit=row_limit,
                           max_src_column_width=max_src_column_width,
                           max_name_column_width=max_name_column_width,
                           max_shapes_column_width=max_shapes_column_width, header=header,
                           profile_memory=self._profile_memory, with_flops=self._with_flops,
                           top_level_events_only=top_level_events_only, time_unit=time_unit)

    def __str__(self):
        return self.table()

    def export_chrome_trace(self, path):
        """Write the events as Trace Event Format JSON (``chrome://tracing``, Perfetto)."""
        write_chrome_trace(self, path)


def _trace_events(events, base_ns):
    """Chrome ``X`` (complete) events, microsecond timestamps relative to ``base_ns``, plus
    ``fwdbwd`` flow arrows from each forward op to the backward node it created."""
    pid = os.getpid()
    out = []
    tids = sorted({e.thread for e in events})
    out.append({"ph": "M", "name": "process_name", "ts": 0, "pid": pid, "tid": 0,
                "args": {"name": "python3 (ember)"}})
    for tid in tids:
        out.append({"ph": "M", "name": "thread_name", "ts": 0, "pid": pid, "tid": tid,
                    "args": {"name": f"thread {tid}"}})
    starts = {}
    for k, e in enumerate(events):
        # integer nanoseconds -> microseconds with 3 decimals is exact, so ranges that nest
        # in nanoseconds still nest in the file
        ts = (e.time_range.start - base_ns) / 1000.0
        dur = (e.time_range.end - e.time_range.start) / 1000.0
        args = {"External id": e.id, "Ev Idx": k}
        if e.sequence_nr >= 0:
            args["Sequence number"] = e.sequence_nr
        if e.input_shapes:
            args["Input Dims"] = e.input_shapes
        if e.self_cpu_memory_usage:
            args["Self CPU Mem"] = e.self_cpu_memory_usage
        if e.flops:
            args["flops"] = e.flops
        if e.stack:
            args["Call stack"] = ";".join(e.stack)
        if e.fwd_stack:
            args["Forward call"] = e.fwd_stack[0]
        out.append({"ph": "X", "cat": e.category, "name": e.name, "pid": pid, "tid": e.thread,
                    "ts": ts, "dur": dur, "args": args})
        # an arrow from the forward op that made a node to the node's backward range
        if e.flow == "s":
            starts.setdefault(e.sequence_nr, (e.thread, ts))
        elif e.flow == "f" and e.sequence_nr in starts:
            tid, sts = starts.pop(e.sequence_nr)
            out.append({"ph": "s", "id": e.sequence_nr, "pid": pid, "tid": tid, "ts": sts,
                        "cat": "fwdbwd", "name": "fwdbwd"})
            out.append({"ph": "f", "id": e.sequence_nr, "pid": pid, "tid": e.thread, "ts": ts,
                        "cat": "fwdbwd", "name": "fwdbwd", "bp": "e"})
    return out



def write_chrome_trace(events, path, base_ns=None, meta=None):
    """Write ``events`` to ``path`` as ``{"traceEvents": [...], ...}`` JSON."""
    if base_ns is None:
        base_ns = min((e.time_range.start for e in events), default=0)
    doc = {"schemaVersion": 1, "displayTimeUnit": "ms", "baseTimeNanoseconds": base_ns,
           "traceName": os.fspath(path)}
    doc.update(meta or {})
    doc["traceEvents"] = _trace_events(events, base_ns)
    with open(path, "w") as f:
        json.dump(doc, f)
    return path
