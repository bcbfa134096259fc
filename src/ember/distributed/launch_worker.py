"""What each rank runs under ``ember.distributed.run``: torchrun's environment, then the script.

``mpiexec`` gives every process the same environment plus its MPI rank (``OMPI_COMM_WORLD_RANK``
and friends, or ``PMI_RANK`` under MPICH). This entry point turns those into torchrun's
variables (``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``, ``LOCAL_WORLD_SIZE``, ``GROUP_RANK`` ...),
so scripts that read them, and ``init_process_group``, agree with MPI. It then runs the script
as ``__main__``. If the script raises, the traceback is printed with the rank and the whole
job is aborted (``MPI_Abort``), so the other ranks stop instead of waiting forever for this one.

    mpiexec -n 2 python -m ember.distributed.launch_worker train.py --lr 0.1
"""

from __future__ import annotations

import os
import runpy
import sys
import traceback


def _first(*names):
    for name in names:
        value = os.environ.get(name)
        if value not in (None, ""):
            return int(value)
    return None


def mpi_ranks():
    """``(rank, world_size, local_rank, local_world_size)`` of this process, as MPI numbers them.

    Read from the launcher's environment (no MPI initialisation); asks mpi4py only when the
    MPI implementation sets none of the known variables.
    """
    rank = _first("OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK")
    size = _first("OMPI_COMM_WORLD_SIZE", "PMI_SIZE")
    local = _first("OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID")
    local_size = _first("OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS")
    if rank is None or size is None:
        from mpi4py import MPI

        world = MPI.COMM_WORLD
        rank, size = world.Get_rank(), world.Get_size()
        node = world.Split_type(MPI.COMM_TYPE_SHARED)
        local, local_size = node.Get_rank(), node.Get_size()
        node.Free()
    if local is None or local_size is None:
        local, local_size = rank, size
    per_node = _first("EMBER_NPROC_PER_NODE")
    if per_node:
        # Under ember.distributed.run ranks are packed node by node, so the local rank is
        # torchrun's rank % nproc_per_node (Open MPI's own local numbering may be permuted).
        local, local_size = rank % per_node, per_node
    return rank, size, local, local_size


def set_torchrun_env():
    rank, size, local, local_size = mpi_ranks()
    nnodes = max(1, size // max(local_size, 1))
    os.environ.update(
        RANK=str(rank),
        WORLD_SIZE=str(size),
        LOCAL_RANK=str(local),
        LOCAL_WORLD_SIZE=str(local_size),
        GROUP_RANK=str(rank // max(local_size, 1)),
        GROUP_WORLD_SIZE=str(nnodes),
        ROLE_RANK=str(rank),
        ROLE_WORLD_SIZE=str(size),
        ROLE_NAME="default",
        TORCHELASTIC_RESTART_COUNT="0",
        TORCHELASTIC_MAX_RESTARTS="0",
    )
    os.environ.setdefault("TORCHELASTIC_RUN_ID", "none")
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29500")
    return rank


def abort(code: int) -> None:
    """End the whole job: ``MPI_Abort`` when MPI is up, else exit (``mpiexec`` then stops the
    other ranks, since one exited with a failure)."""
    sys.stdout.flush()
    sys.stderr.flush()
    MPI = sys.modules.get("mpi4py.MPI")
    if MPI is not None and MPI.Is_initialized() and not MPI.Is_finalized():
        MPI.COMM_WORLD.Abort(code)
    os._exit(code)


def main(argv=None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    module = False
    if argv and argv[0] in ("-m", "--module"):
        module = True
        argv = argv[1:]
    if not argv:
        sys.exit("usage: python -m ember.distributed.launch_worker [-m] SCRIPT [ARGS...]")
    rank = set_torchrun_env()
    target = argv[0]
    sys.argv = list(argv)
    if not module:
        sys.path[0] = os.path.dirname(os.path.abspath(target))
    try:
        if module:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(target, run_name="__main__")
    except SystemExit as e:
        code = e.code
        if code in (None, 0):
            raise
        if not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
        print(f"[rank {rank}] exited with status {code}; stopping the other ranks", file=sys.stderr)
        abort(code)
    except BaseException as e:  # noqa: BLE001  (any failure must end the whole job)
        tb = e.__traceback__
        # drop this launcher's and runpy's frames: the traceback starts in the user's script
        while (
            tb is not None
            and tb.tb_next is not None
            and (
                tb.tb_frame.f_code.co_filename in (__file__, "<frozen runpy>")
                or "runpy" in tb.tb_frame.f_code.co_filename
            )
        ):
            tb = tb.tb_next
        text = "".join(traceback.format_exception(type(e), e, tb))
        lines = text.rstrip().splitlines()
        print("\n".join(f"[rank {rank}] {line}" for line in lines), file=sys.stderr)
        print(f"[rank {rank}] failed; stopping the other ranks", file=sys.stderr)
        abort(1)


if __name__ == "__main__":
    main()
