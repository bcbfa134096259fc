"""Start MPI jobs from the tests: find mpiexec, give Open MPI its permissions, never hang.

Every job runs in its own session with a timeout; on expiry the whole session is killed and
the test fails with what the ranks printed, so a deadlock shows up as a failure, not a stuck
suite. Without mpi4py or mpiexec the tests skip, saying why.
"""

import os
import signal
import subprocess
import sys

import pytest
from needs import unavailable

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SRC = os.path.join(ROOT, "src")
WORKERS = os.path.join(HERE, "workers")
PROGRAMS = os.path.join(HERE, "programs")
ALIAS = os.path.join(ROOT, "tests", "programs", "example_programs", "_launch.py")  # import torch -> ember


def _unavailable(reason):
    unavailable("MPI", reason)


def require_mpi():
    """Skip (with the reason) when MPI cannot be used here; CI installs it (ember[distributed])."""
    try:
        import mpi4py  # noqa: F401  (the package only: MPI starts in the worker processes)
    except ImportError:
        _unavailable(
            "mpi4py is not installed: pip install 'ember[distributed]' to run the MPI tests"
        )
    from ember.distributed.run import find_mpiexec

    try:
        return find_mpiexec()
    except RuntimeError as e:
        _unavailable(str(e))


def job_env(**extra):
    from ember.distributed.run import mpiexec_env

    env = mpiexec_env()
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("OMP_NUM_THREADS", "1")
    env.update(extra)
    return env


def run(cmd, timeout=90, env=None, cwd=None):
    """Run ``cmd`` to completion; returns (returncode, stdout, stderr); kills it on timeout."""
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or job_env(),
        cwd=cwd or ROOT,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"job hung (killed after {timeout}s): {cmd}\nstdout:\n{out}\nstderr:\n{err}")
    return proc.returncode, out, err


def mpirun(n, script, *args, timeout=90, entry=True, env=None):
    """``mpiexec -n N python [-m ember.distributed.launch_worker] script args``."""
    require_mpi()
    from ember.distributed.run import mpiexec_command

    py = [sys.executable, "-m", "ember.distributed.launch_worker"] if entry else [sys.executable]
    return run(mpiexec_command(n, py + [script, *args]), timeout, env)


def launch(nproc, script, *args, timeout=90, flags=(), env=None):
    """``python -m ember.distributed.run --nproc-per-node N [flags] script args``."""
    require_mpi()
    cmd = [
        sys.executable,
        "-m",
        "ember.distributed.run",
        "--nproc-per-node",
        str(nproc),
        *flags,
        script,
        *args,
    ]
    return run(cmd, timeout, env)
