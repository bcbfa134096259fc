"""Work handles for asynchronous collectives, and the communication thread DDP uses.

``Work`` wraps MPI requests from nonblocking calls (``Iallreduce``, ``Ibcast``, ``Isend`` ...)
plus a ``finish`` step that runs once, when they complete: copying a result back into a
non-contiguous tensor, casting a half-precision buffer back, dividing for ``AVG``.

``CommThread`` runs blocking collectives one after another on a background thread, as
PyTorch's MPI backend runs all its work: Open MPI's blocking ``Allreduce`` uses its tuned
algorithms, which on large buffers measured ~1.5-2x faster here than the ``Iallreduce`` of
libnbc, and a thread lets them progress while backward computes (mpi4py releases the GIL in
MPI calls and NumPy in its kernels).
"""

from __future__ import annotations

import datetime
import queue
import threading
import time

__all__ = ["Work"]


def _seconds(timeout):
    if timeout is None:
        return None
    if isinstance(timeout, datetime.timedelta):
        return timeout.total_seconds()
    return float(timeout)


class Work:
    """The handle of an asynchronous operation: ``wait()``, ``is_completed()``, ``result()``.

    Example::

        work = dist.all_reduce(t, async_op=True)
        ...                      # compute while the reduction runs
        work.wait()              # t now holds the sum over ranks
    """

    def __init__(self, requests=(), finish=None, result=None, pg=None):
        self._requests = list(requests)
        self._finish = finish
        self._result = result if result is not None else []
        self._done = False
        self._exc = None
        self._pg = pg
        self._source = -1
        if pg is not None:
            pg._pending.append(self)

    def _ready(self) -> bool:
        if not self._requests:
            return True
        from .process_group import _mpi

        return _mpi().Request.Testall(self._requests)

    def _block(self, deadline):
        if not self._requests:
            return
        from .process_group import _mpi

        MPI = _mpi()
        if deadline is None:
            statuses = [MPI.Status() for _ in self._requests]
            MPI.Request.Waitall(self._requests, statuses)
            self._source = statuses[0].Get_source()
            return
        pause = 1e-5
        while not MPI.Request.Testall(self._requests):
            if time.monotonic() > deadline:
                raise RuntimeError("Work.wait timed out: the operation did not complete in time")
            time.sleep(pause)
            pause = min(pause * 2, 1e-3)

    def _complete(self):
        if self._done:
            return
        self._done = True
        if self._pg is not None and self in self._pg._pending:
            self._pg._pending.remove(self)
        if self._finish is not None:
            try:
                self._finish()
            except Exception as e:  # noqa: BLE001  reported by wait(), as PyTorch reports a failed work
                self._exc = e

    def is_completed(self) -> bool:
        """Non-blocking: whether the operation has finished (its results are then in place)."""
        if not self._done:
            if not self._ready():
                return False
            self._complete()
        return True

    def is_success(self) -> bool:
        return self.is_completed() and self._exc is None

    def exception(self):
        return self._exc

    def wait(self, timeout: datetime.timedelta | None = None) -> bool:
        """Block until the operation completes; raises RuntimeError after ``timeout``."""
        if not self._done:
            seconds = _seconds(timeout)
            self._block(None if not seconds else time.monotonic() + seconds)
            self._complete()
        if self._exc is not None:
            raise self._exc
        return True

    def synchronize(self) -> None:
        self.wait()

    def result(self) -> list:
        """The output tensors, as PyTorch's ``Work.result()``."""
        self.wait()
        return list(self._result)

    def source_rank(self) -> int:
        """For a receive from any source: the rank the message came from."""
        self.wait()
        return self._source

    def get_future(self):
        """A future completed with ``result()``; ``then(callback)`` chains on it."""
        return Future(self)


class Future:
    """The small part of ``torch.futures.Future`` that work handles give: wait/value/then."""

    def __init__(self, work=None, fn=None, parent=None):
        self._work, self._fn, self._parent = work, fn, parent
        self._value = None
        self._has_value = False

    def wait(self):
        if not self._has_value:
            if self._work is not None:
                self._value = self._work.result()
            else:
                self._parent.wait()
                self._value = self._fn(self._parent)
            self._has_value = True
        return self._value

    def value(self):
        return self.wait()

    def done(self) -> bool:
        if self._has_value:
            return True
        if self._work is not None:
            return self._work.is_completed()
        return self._parent.done()

    def then(self, callback):
        return Future(fn=callback, parent=self)


class ThreadWork(Work):
    """A Work whose operation runs on the ``CommThread``; completes when the thread is done."""

    def __init__(self, finish=None, result=None, pg=None):
        super().__init__((), finish, result, pg)
        self._event = threading.Event()
        self._thread_exc = None

    def _ready(self) -> bool:
        return self._event.is_set()

    def _block(self, deadline):
        if not self._event.wait(
            None if deadline is None else max(0.0, deadline - time.monotonic())
        ):
            raise RuntimeError("Work.wait timed out: the operation did not complete in time")
        if self._thread_exc is not None:
            raise self._thread_exc


class CommThread:
    """One background thread running submitted blocking MPI calls in submission order."""

    def __init__(self):
        self._queue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="ember-comm", daemon=True)
        self._thread.start()

    def _loop(self):
        while True:
            item = self._queue.get()
            if item is None:
                return
            fn, work = item
            try:
                fn()
            except BaseException as e:  # noqa: BLE001  handed to the waiting thread, which raises it
                work._thread_exc = e
            work._event.set()

    def submit(self, fn, finish=None, pg=None) -> ThreadWork:
        work = ThreadWork(finish, None, pg)
        self._queue.put((fn, work))
        return work

    def close(self):
        self._queue.put(None)
        self._thread.join()


def _drain(pg):
    """Wait for every async op still pending on ``pg`` (before its communicator is freed)."""
    for work in list(pg._pending):
        try:
            work.wait()
        except Exception:  # noqa: BLE001, S110  (its owner already holds the error; freeing goes on)
            pass
