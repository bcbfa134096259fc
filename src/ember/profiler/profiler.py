"""``ember.profiler.profile``: where a program spends its time and memory, with PyTorch's API.

The profile records while its schedule says so (always, without a schedule). Recording pushes
a dispatch mode (``mode.py``) on this thread: every public op call, every backward node the
engine runs, and every ``record_function`` range becomes a ``FunctionEvent``. When no profile
is recording nothing is pushed, so ember runs exactly as without a profiler.

Differences from PyTorch: CPU only (``ProfilerActivity.CUDA`` is accepted and ignored with a
warning, since ember has no device kernels to time); only the thread that entered the profile
is recorded (the backward runs on it, as ember's engine does not use a separate thread);
``with_flops`` counts matrix products, convolutions and elementwise add/mul from
shapes, as PyTorch's formulas do; ``profile_memory`` counts the bytes of the arrays an op
returns (allocations), not frees. Beyond PyTorch: with ``with_stack=True`` every backward
range carries the stack of the forward call that made its node, so
``key_averages(group_by_stack_n=1)`` charges backward time to the user's forward line.
"""

from __future__ import annotations

import enum
import gzip
import os
import socket
import threading
import time
import warnings

from . import recorder as _rec
from .events import EventList, write_chrome_trace

__all__ = ["ProfilerAction", "ProfilerActivity", "profile", "record_function", "schedule",
           "supported_activities", "tensorboard_trace_handler"]


class ProfilerActivity(enum.Enum):
    """What to profile: ``CPU`` (ember's ops). The device kinds exist for compatibility."""

    CPU = 0
    XPU = 1
    MTIA = 2
    CUDA = 3
    HPU = 4
    PrivateUse1 = 5


def supported_activities():
    """The activities ember can record: ``{ProfilerActivity.CPU}``."""
    return {ProfilerActivity.CPU}


class ProfilerAction(enum.Enum):
    """What the profiler does at a step (the value a ``schedule`` returns)."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0, skip_first: int = 0,
             skip_first_wait: int = 0):
    """A schedule for ``profile(schedule=...)``: skip ``skip_first`` steps, then repeat
    ``wait`` idle steps, ``warmup`` steps, ``active`` recorded steps (``repeat`` times; 0:
    forever). The last active step of each cycle is ``RECORD_AND_SAVE``: ``on_trace_ready``
    runs when it ends.

    Example::

        sched = ember.profiler.schedule(wait=1, warmup=1, active=2)
        [sched(i).name for i in range(5)]
        # ['NONE', 'WARMUP', 'RECORD', 'RECORD_AND_SAVE', 'NONE']
    """
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), warmup={warmup} "
            f"(need >= 0), active={active} (need > 0), repeat={repeat} (need >= 0), "
            f"skip_first={skip_first} (need >= 0).")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results",
                      stacklevel=2)

    def schedule_fn(step: int) -> ProfilerAction:
        if step < 0:
            raise AssertionError(f"Step must be non-negative. Got {step}.")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait != 0:
            step += wait
        num_steps = wait + warmup + active
        if repeat > 0 and step / num_steps >= repeat:
            return ProfilerAction.NONE
        mod_step = step % num_steps
        if mod_step < wait:
            return ProfilerAction.NONE
        if mod_step < wait + warmup:
            return ProfilerAction.WARMUP
        return (ProfilerAction.RECORD if mod_step < num_steps - 1
                else ProfilerAction.RECORD_AND_SAVE)

    return schedule_fn


def _default_schedule(_step):
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name: str, worker_name=None, use_gzip: bool = False):
    """An ``on_trace_ready`` callback that writes each finished cycle to
    ``dir_name/<worker_name>.<time_ns>.pt.trace.json`` (TensorBoard's profiler plugin reads
    that directory); ``worker_name`` defaults to ``<hostname>_<pid>``."""

    def handler_fn(prof) -> None:
        nonlocal worker_name
        if not os.path.isdir(dir_name):
            try:
                os.makedirs(dir_name, exist_ok=True)
            except Exception as e:
                raise RuntimeError("Can't create directory: " + dir_name) from e
        if not worker_name:
            worker_name = f"{socket.gethostname()}_{os.getpid()}"
        file_name = f"{worker_name}.{time.time_ns()}.pt.trace.json"
        path = os.path.join(dir_name, file_name)
        prof.export_chrome_trace(path)
        if use_gzip:
            with open(path, "rb") as f:
                data = f.read()
            with gzip.open(path + ".gz", "wb") as f:
                f.write(data)
            os.remove(path)

    return handler_fn


class record_function:
    """Label a region: a ``with`` block (or a decorated function) becomes one range named
    ``name`` in the active profile; outside a profile it does nothing.

    Example::

        with ember.profiler.profile() as prof:
            with ember.profiler.record_function("my_block"):
                y = ember.randn(4, 4) @ ember.randn(4, 4)
        "my_block" in [e.name for e in prof.events()]   # True
    """

    def __init__(self, name: str, args=None):
        self.name = name
        self.args = args
        self._evt = None
        self._col = None

    def __enter__(self):
        col = _rec.current
        if col is not None and _recording_here(col):
            self._col = col
            self._evt = col.begin(self.name, category="user_annotation")
        return self

    def __exit__(self, *exc):
        if self._evt is not None:
            self._col.end(self._evt)
            self._evt = self._col = None
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with record_function(self.name, self.args):
                return fn(*args, **kwargs)

        return wrapped


def _recording_here(col) -> bool:
    return getattr(col, "thread", None) == threading.get_ident()


class profile:
    """Profile the ``with`` block (or ``start()``..``stop()``), PyTorch's ``torch.profiler``.

    Args:
        activities: ``[ProfilerActivity.CPU]`` (the default; other kinds are ignored).
        schedule: a callable ``step -> ProfilerAction`` (see ``schedule``); default: record
            every step.
        on_trace_ready: called with the profiler when a cycle's last active step ends
            (e.g. ``tensorboard_trace_handler(dir)``).
        record_shapes: keep each op's input shapes (``key_averages(group_by_input_shape=True)``).
        profile_memory: count the bytes of the arrays each op allocates.
        with_stack: keep the Python stack of each op (the ``Source Location`` column), and of
            the forward call behind each backward node.
        with_modules: record a range per ``nn.Module`` call (also on with ``with_stack``).
        with_flops: count FLOPs of matrix products, convolutions, add and mul (the
            ``Total FLOPs`` column).

    Example::

        model = ember.nn.Linear(8, 2)
        with ember.profiler.profile(record_shapes=True) as prof:
            model(ember.randn(4, 8)).sum().backward()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=5))
    """

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None,
                 record_shapes=False, profile_memory=False, with_stack=False, with_flops=False,
                 with_modules=False, experimental_config=None, execution_trace_observer=None,
                 acc_events=False, use_cuda=None, custom_trace_id_callback=None):
        acts = set(activities) if activities else supported_activities()
        if ProfilerActivity.CPU not in acts:
            warnings.warn("ember records CPU activity only; no activity to profile was given",
                          stacklevel=2)
        elif acts - {ProfilerActivity.CPU} or use_cuda:
            warnings.warn("ember profiles CPU activity only; device activities are ignored",
                          stacklevel=2)
        self.activities = acts
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_flops = with_flops
        self.with_modules = with_modules
        self.on_trace_ready = on_trace_ready
        self.record_steps = schedule is not None
        self.schedule = schedule if schedule is not None else _default_schedule
        self.step_num = 0
        self.current_action = self.schedule(self.step_num)
        self._collector = None   # recording now (or prepared for the next active step)
        self._finished = None    # the last finished recording
        self._mode = None
        self._step_rec = None
        self._custom_trace_id = custom_trace_id_callback

    # ------------------------------------------------------------------------- lifecycle
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.stop()
        return False

    def start(self):
        self._transit(ProfilerAction.NONE, self.current_action)
        self._enter_step()

    def stop(self):
        self._exit_step()
        self._transit(self.current_action, None)

    def step(self):
        """Mark the end of one training step: the schedule decides what the next does."""
        self._exit_step()
        prev = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        self._transit(prev, self.current_action)
        self._enter_step()

    def _enter_step(self):
        if self.record_steps and self._collector is not None and self._mode is not None:
            self._step_rec = record_function("ProfilerStep#" + str(self.step_num))
            self._step_rec.__enter__()

    def _exit_step(self):
        if self._step_rec is not None:
            self._step_rec.__exit__(None, None, None)
            self._step_rec = None

    def _transit(self, prev, cur):
        """PyTorch's state machine; ``cur`` None is ``stop()``."""
        A = ProfilerAction
        recording = (A.RECORD, A.RECORD_AND_SAVE)
        if prev in recording:
            if prev == A.RECORD and cur in (A.NONE, A.WARMUP):
                warnings.warn(f"Incorrect schedule: RECORD followed by {cur.name}")
            if prev == A.RECORD_AND_SAVE or cur not in recording:
                self._stop_trace()
                if prev == A.RECORD_AND_SAVE or cur is None:
                    self._trace_ready()
        elif prev == A.WARMUP and cur == A.NONE:
            warnings.warn("Incorrect schedule: WARMUP followed by NONE")
        if cur in recording and self._mode is None:
            self._start_trace()

    def _start_trace(self):
        from .mode import ProfilerMode

        if _rec.current is not None:
            raise RuntimeError("Profiler is already enabled on this thread")
        col = _rec.Collector(self.record_shapes, self.profile_memory, self.with_stack,
                             self.with_modules, self.with_flops)
        col.thread = threading.get_ident()
        self._collector = col
        _rec.current = col
        self._mode = ProfilerMode(col)
        self._mode.__enter__()

    def _stop_trace(self):
        if self._mode is None:
            return
        self._mode.__exit__(None, None, None)
        self._mode = None
        self._collector.close_all()
        _rec.current = None
        self._finished, self._collector = self._collector, None

    def _trace_ready(self):
        if self.on_trace_ready:
            self.on_trace_ready(self)

    # ------------------------------------------------------------------------- results
    def _result(self):
        col = self._finished
        if col is None:
            raise AssertionError("Expected profiling results: the profiler has not recorded "
                                 "a completed active period yet")
        return col

    def events(self) -> EventList:
        """Every recorded range of the last finished recording, in start order."""
        return self._result().event_list()

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:
        """Ranges summed by name (and input shapes, and top stack entries, when asked)."""
        return self.events().key_averages(group_by_input_shape, group_by_stack_n,
                                          group_by_overload_name)

    def export_chrome_trace(self, path):
        """Write Trace Event Format JSON that ``chrome://tracing`` and Perfetto open."""
        col = self._result()
        meta = {"record_shapes": int(self.record_shapes),
                "profile_memory": int(self.profile_memory),
                "with_stack": int(self.with_stack), "host_name": socket.gethostname(),
                "trace_id": self._custom_trace_id() if self._custom_trace_id else
                os.urandom(8).hex()}
        return write_chrome_trace(col.event_list(), path, base_ns=col.start_ns, meta=meta)

    def export_stacks(self, path: str, metric: str = "self_cpu_time_total"):
        """Write ``stack;frames value`` lines (flame-graph input) for ops with a stack."""
        with open(path, "w") as f:
            for e in self.events():
                if e.stack and e.category == "cpu_op":
                    frames = ";".join(reversed(e.stack + [e.name]))
                    f.write(f"{frames} {int(getattr(e, metric))}\n")

    @property
    def self_cpu_time_total(self) -> float:
        return self.events().self_cpu_time_total
