"""What runs inside a DataLoader worker process, and ``get_worker_info``.

A worker reads ``(task index, batch of dataset indices)`` from its own index queue, fetches and
collates the batch, and puts ``(task index, batch)`` on the shared result queue. An exception
is sent back wrapped (``ExceptionWrapper``) and re-raised in the main process with its type.

A worker watches the process that started it, as PyTorch's do: a daemon thread checks every
``_PARENT_POLL`` seconds that its parent is still its parent and the main process still exists,
and ends the worker (``os._exit``) when not — even while the worker is busy inside the
dataset's ``__getitem__`` — so killing the main process (``kill -9``) leaves no workers behind.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass

_worker_info = None
_PARENT_POLL = 0.2  # seconds between checks that the main process is alive
_INDEX_POLL = 1.0  # seconds a worker waits for work before re-checking the done event


class ManagerWatchdog:
    """Is the main process that started this worker still alive? (PyTorch's name.)"""

    def __init__(self, manager_pid=None):
        self.parent_pid = os.getppid()
        self.manager_pid = manager_pid
        self.manager_dead = False

    def is_alive(self) -> bool:
        if not self.manager_dead:
            self.manager_dead = os.getppid() != self.parent_pid or not _pid_exists(
                self.manager_pid
            )
        return not self.manager_dead


def _pid_exists(pid) -> bool:
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _watch_manager(watchdog: ManagerWatchdog):
    while watchdog.is_alive():
        time.sleep(_PARENT_POLL)
    # the main process is gone: nobody will read this worker's results or stop it
    os._exit(1)


@dataclass
class WorkerInfo:
    """Inside a worker: its ``id``, ``num_workers``, its ``seed`` and its ``dataset`` copy."""

    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info():
    """The ``WorkerInfo`` of the current DataLoader worker process; ``None`` in the main one."""
    return _worker_info


class ExceptionWrapper:
    """An exception and its traceback text, to re-raise in the main process."""

    def __init__(self, exc_info=None, where: str = "in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


class KeyErrorMessage(str):
    def __repr__(self):
        return self


class _IterableDatasetStopIteration:
    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ResumeIteration:
    pass


def _fetcher(kind_iterable, dataset, auto_collation, collate_fn, drop_last):
    from .dataloader import _IterableDatasetFetcher, _MapDatasetFetcher

    cls = _IterableDatasetFetcher if kind_iterable else _MapDatasetFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


def worker_loop(
    kind_iterable,
    dataset,
    index_queue,
    data_queue,
    done_event,
    auto_collation,
    collate_fn,
    drop_last,
    base_seed,
    init_fn,
    worker_id,
    num_workers,
    manager_pid=None,
):
    global _worker_info
    watchdog = ManagerWatchdog(manager_pid)
    threading.Thread(target=_watch_manager, args=(watchdog,), daemon=True).start()
    try:
        import ember

        seed = base_seed + worker_id
        random.seed(seed)
        ember.manual_seed(seed)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _fetcher(kind_iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        iteration_end = False
        while watchdog.is_alive():
            try:
                r = index_queue.get(timeout=_INDEX_POLL)
            except queue.Empty:
                if done_event.is_set():
                    break
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                fetcher = _fetcher(kind_iterable, dataset, auto_collation, collate_fn, drop_last)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data = init_exception
                init_exception = None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and kind_iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()


def worker_failure(w) -> RuntimeError:
    """PyTorch's description of how a worker died (the cause of the 'exited unexpectedly'
    error): the signal that killed it, or its exit code."""
    code = w.exitcode
    if code is not None and code < 0:
        try:
            name = signal.strsignal(-code) or f"signal {-code}"
        except ValueError:
            name = f"signal {-code}"
        return RuntimeError(f"DataLoader worker (pid {w.pid}) is killed by signal: {name}. ")
    return RuntimeError(
        f"DataLoader worker (pid {w.pid}) exited unexpectedly with exit code {code}. Details "
        "are lost due to multiprocessing. Rerunning with num_workers=0 may give better error "
        "trace."
    )
