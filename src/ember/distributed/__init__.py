"""``ember.distributed``: ``torch.distributed``'s API on MPI (through mpi4py).

Process groups, collectives on tensors (in place, with ``async_op=True`` work handles),
point-to-point messages and object collectives, as in PyTorch 2.13. The backend is MPI:
``"mpi"`` is its native name, and ``"gloo"`` and ``"nccl"`` are accepted and served by MPI, so
unchanged scripts run. Start the ranks with the launcher (``python -m ember.distributed.run
--nproc-per-node 2 train.py``, also ``ember-run``) or with ``mpiexec -n 2 python train.py``.

mpi4py is an optional dependency (``pip install 'ember[distributed]'``) and is imported only
when a process group is initialised or ``is_available()`` is asked.

Example::

    import ember
    import ember.distributed as dist

    dist.init_process_group("gloo")
    t = ember.ones(3) * dist.get_rank()
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    dist.destroy_process_group()
"""

# ruff: noqa: F401  (the imports below are re-exports; __all__ is assembled from the submodules)
from . import collectives, object_collectives, point_to_point, process_group, work
from .collectives import (
    all_gather,
    all_gather_into_tensor,
    all_reduce,
    all_to_all,
    all_to_all_single,
    barrier,
    broadcast,
    gather,
    monitored_barrier,
    reduce,
    reduce_scatter,
    reduce_scatter_tensor,
    scatter,
)
from .object_collectives import (
    all_gather_object,
    broadcast_object_list,
    gather_object,
    recv_object_list,
    scatter_object_list,
    send_object_list,
)
from .point_to_point import P2POp, batch_isend_irecv, irecv, isend, recv, send
from .process_group import (
    Backend,
    GroupMember,
    ProcessGroup,
    default_pg_timeout,
    destroy_process_group,
    get_backend,
    get_global_rank,
    get_group_rank,
    get_node_local_rank,
    get_process_group_ranks,
    get_rank,
    get_world_size,
    group,
    init_process_group,
    is_available,
    is_gloo_available,
    is_initialized,
    is_mpi_available,
    is_nccl_available,
    is_torchelastic_launched,
    new_group,
)
from .reduce_op import ReduceOp
from .work import Work

reduce_op = ReduceOp  # PyTorch's deprecated alias

# the public names: each submodule's own, and those defined or aliased here
__all__ = sorted(
    [*collectives.__all__, *object_collectives.__all__, *point_to_point.__all__,
     *process_group.__all__, *work.__all__, "ReduceOp", "default_pg_timeout", "reduce_op"]
)
