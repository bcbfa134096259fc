"""Collectives on picklable Python objects: broadcast_object_list, all_gather_object ...

Objects travel pickled (mpi4py's object interface sends the size first, then the bytes), so
any picklable value, ember tensors included, can be exchanged. As in PyTorch, unpickling runs
code from the sender: use these only between processes you trust.

Example::

    out = [None] * dist.get_world_size()
    dist.all_gather_object(out, {"rank": dist.get_rank()})
"""

from __future__ import annotations

from .collectives import _group, _root

__all__ = [
    "all_gather_object",
    "broadcast_object_list",
    "gather_object",
    "recv_object_list",
    "scatter_object_list",
    "send_object_list",
]


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace ``object_list``'s items, on every rank, by those of rank ``src``'s list."""
    pg = _group(group, "broadcast_object_list")
    if pg is None:
        return
    root = _root(pg, 0 if src is None and group_src is None else src, group_src, "src")
    items = pg._comm.bcast(list(object_list) if pg._rank == root else len(object_list), root)
    if len(items) != len(object_list):
        raise RuntimeError(
            f"broadcast_object_list: rank {pg._ranks[root]} sent "
            f"{len(items)} objects but this rank's list holds {len(object_list)}"
        )
    object_list[:] = items


def all_gather_object(object_list, obj, group=None):
    """Fill ``object_list`` (one slot per rank) with every rank's ``obj``."""
    pg = _group(group, "all_gather_object")
    if pg is None:
        return
    if len(object_list) != pg._size:
        raise ValueError(
            f"all_gather_object: object_list has {len(object_list)} slots but "
            f"the group has {pg._size} ranks"
        )
    object_list[:] = pg._comm.allgather(obj)


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    """Gather every rank's ``obj`` into ``object_gather_list`` on rank ``dst``."""
    pg = _group(group, "gather_object")
    if pg is None:
        return
    root = _root(pg, 0 if dst is None and group_dst is None else dst, group_dst, "dst")
    if pg._rank == root and (object_gather_list is None or len(object_gather_list) != pg._size):
        raise ValueError(
            "Argument ``object_gather_list`` on the destination rank must hold "
            f"one slot per rank ({pg._size})"
        )
    items = pg._comm.gather(obj, root)
    if pg._rank == root:
        object_gather_list[:] = items


def scatter_object_list(
    scatter_object_output_list, scatter_object_input_list=None, src=None, group=None, group_src=None
):
    """Rank i receives ``scatter_object_input_list[i]`` (from rank ``src``) into
    ``scatter_object_output_list[0]``."""
    pg = _group(group, "scatter_object_list")
    if pg is None:
        return
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError(
            "Expected argument scatter_object_output_list to be a list of size at least 1."
        )
    root = _root(pg, 0 if src is None and group_src is None else src, group_src, "src")
    if pg._rank == root and (
        scatter_object_input_list is None or len(scatter_object_input_list) != pg._size
    ):
        raise ValueError(
            "scatter_object_input_list on the source rank must hold one object "
            f"per rank ({pg._size})"
        )
    items = list(scatter_object_input_list) if pg._rank == root else None
    scatter_object_output_list[0] = pg._comm.scatter(items, root)


def send_object_list(
    object_list, dst=None, group=None, device=None, group_dst=None, use_batch=False
):
    """Send the objects of ``object_list`` to rank ``dst``."""
    pg = _group(group, "send_object_list")
    if pg is None:
        return
    peer = _root(pg, dst, group_dst, "dst")
    pg._comm.send(list(object_list), peer, tag=0x0B1)


def recv_object_list(
    object_list, src=None, group=None, device=None, group_src=None, use_batch=False
):
    """Receive objects from rank ``src`` into ``object_list``; returns the sender's rank."""
    pg = _group(group, "recv_object_list")
    if pg is None:
        return -1
    from .process_group import _mpi

    MPI = _mpi()
    peer = MPI.ANY_SOURCE if src is None and group_src is None else _root(pg, src, group_src, "src")
    status = MPI.Status()
    items = pg._comm.recv(None, peer, 0x0B1, status)
    if len(items) != len(object_list):
        raise RuntimeError(
            f"recv_object_list: received {len(items)} objects into a list of {len(object_list)}"
        )
    object_list[:] = items
    return pg._ranks[status.Get_source()]
