"""DataLoader worker processes (issue 10, class 8): workers exit when the main process dies,
and a worker that dies is noticed at once with PyTorch's error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import ember
from ember.utils.data import DataLoader, Dataset

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
SRC = os.path.join(os.path.dirname(__file__), "..", "..", "..", "src")


def _gone(pid) -> bool:
    """No such process, or a zombie waiting for its (new) parent to reap it."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False


def _wait_gone(pids, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if all(_gone(p) for p in pids):
            return True
        time.sleep(0.05)
    return all(_gone(p) for p in pids)


class Slow(Dataset):
    def __init__(self, delay):
        self.delay = delay

    def __len__(self):
        return 100

    def __getitem__(self, i):
        if i >= 4:
            time.sleep(self.delay)
        return ember.tensor([float(i)])


@pytest.mark.parametrize("context", ["fork", "spawn"])
def test_workers_exit_when_the_main_process_is_killed(tmp_path, context):
    script = tmp_path / "main.py"
    script.write_text(textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {os.path.abspath(SRC)!r})
        import ember
        from ember.utils.data import DataLoader, Dataset

        class Busy(Dataset):
            def __len__(self):
                return 1000

            def __getitem__(self, i):
                if i >= 8:
                    time.sleep(60)  # a worker busy in user code when the main process dies
                return ember.tensor([float(i)])

        if __name__ == "__main__":
            it = iter(DataLoader(Busy(), batch_size=2, num_workers=3,
                                 multiprocessing_context={context!r}))
            next(it)
            print(" ".join(str(w.pid) for w in it._workers), flush=True)
            time.sleep(120)
    """))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, OMP_NUM_THREADS="1"))
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) == 3 and not any(_gone(p) for p in pids)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert _wait_gone(pids, 10), [p for p in pids if not _gone(p)]
    finally:
        if proc.poll() is None:
            proc.kill()
        for p in pids if "pids" in locals() else []:
            if not _gone(p):
                os.kill(p, signal.SIGKILL)


def test_a_killed_worker_raises_pytorch_error_without_waiting_for_the_batch(monkeypatch):
    # every item after the first batches takes 60 s and the periodic status check is pushed
    # to 1000 s: the error can only come from noticing the worker's exit itself
    from ember.utils.data import dataloader

    monkeypatch.setattr(dataloader, "_STATUS_CHECK_INTERVAL", 1000.0)
    it = iter(DataLoader(Slow(60), batch_size=2, num_workers=2))
    next(it), next(it)
    victim = it._workers[0].pid
    result = {}

    def consume():
        try:
            next(it)
        except RuntimeError as e:
            result["error"] = str(e)
            result["cause"] = str(e.__cause__)

    import threading

    t = threading.Thread(target=consume, daemon=True)
    t.start()
    os.kill(victim, signal.SIGKILL)
    t.join(50)  # a hang guard only: without exit detection this waits 60 s for the batch
    assert result.get("error") == f"DataLoader worker (pid(s) {victim}) exited unexpectedly"
    assert result["cause"] == f"DataLoader worker (pid {victim}) is killed by signal: Killed. "
    monkeypatch.undo()  # shutting down joins the busy worker for one status interval
    it._shutdown_workers()
    assert _wait_gone([w.pid for w in it._workers], 10)


def test_a_worker_that_exits_itself_is_reported():
    class Exits(Dataset):
        def __len__(self):
            return 8

        def __getitem__(self, i):
            os._exit(7)  # a crash that bypasses Python's exception handling

    it = iter(DataLoader(Exits(), batch_size=2, num_workers=1, timeout=30))
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly") as info:
        next(it)
    assert it._workers[0].exitcode == 7
    assert "exited unexpectedly with exit code 7" in str(info.value.__cause__)


def test_normal_iteration_and_exceptions_unchanged():
    class Fails(Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            if i == 5:
                raise KeyError("bad index 5")
            return ember.tensor([float(i)])

    out = [b.flatten().tolist() for b in DataLoader(Slow(0), batch_size=25, num_workers=2)]
    assert out == [[float(i) for i in range(k, k + 25)] for k in range(0, 100, 25)]
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process"):
        list(DataLoader(Fails(), batch_size=2, num_workers=2))
    with pytest.raises(RuntimeError, match="DataLoader timed out after 1 seconds"):
        next(iter(DataLoader(Slow(30), batch_size=4, num_workers=1, timeout=1,
                             sampler=[4, 5, 6, 7])))
