"""The collectives on tensors, in place: all_reduce, broadcast, reduce, all_gather, gather ...

Each call first checks, with one small ``Allgather`` of a signature (which collective, dtype,
element count, root, whether the local arguments are valid), that every rank of the group
is making the same call; a mismatch raises the same RuntimeError on every rank instead of
hanging or corrupting memory inside MPI. Then the data moves with one MPI call on a
contiguous buffer (a non-contiguous tensor is copied in and back). ``async_op=True`` uses
MPI's nonblocking call and returns a ``Work``; otherwise the call blocks and returns None.

Example::

    t = ember.tensor([float(dist.get_rank())])
    dist.all_reduce(t)                  # t == sum of ranks on every rank
"""

from __future__ import annotations

import warnings

import numpy as np

from ..tensor import Tensor
from .process_group import _mpi, _resolve
from .reduce_op import ReduceOp, average, dtype_code, dtype_name, plan
from .work import Work

__all__ = [
    "all_gather",
    "all_gather_into_tensor",
    "all_reduce",
    "all_to_all",
    "all_to_all_single",
    "barrier",
    "broadcast",
    "gather",
    "monitored_barrier",
    "reduce",
    "reduce_scatter",
    "reduce_scatter_tensor",
    "scatter",
]

_OPS = [
    "all_reduce",
    "broadcast",
    "reduce",
    "all_gather",
    "all_gather_into_tensor",
    "reduce_scatter",
    "reduce_scatter_tensor",
    "gather",
    "scatter",
    "all_to_all",
    "all_to_all_single",
    "barrier",
]


# ----------------------------------------------------------------------------- helpers
def _group(group, name):
    pg = _resolve(group)
    if pg is None:
        from .process_group import _default

        warnings.warn(
            f"Running {name} on global rank {_default()._rank} which does not belong to the "
            "given group.",
            stacklevel=3,
        )
    return pg


def _array(t, name, what="tensor"):
    if not isinstance(t, Tensor):
        raise TypeError(f"{name}(): argument '{what}' must be Tensor, not {type(t).__name__}")
    a = t._data
    if not isinstance(a, np.ndarray):
        raise RuntimeError(
            f"{name}(): ember.distributed moves host (CPU) tensors; got a tensor on {t.device}"
        )
    return a


def _flat(a):
    """A contiguous 1-d array on the same memory as ``a`` when possible, else a copy."""
    return a.reshape(-1) if a.flags.c_contiguous else np.ascontiguousarray(a).reshape(-1)


def _bytes(a):
    """``a`` as raw bytes (MPI.BYTE): moves any dtype, bfloat16 included, unchanged."""
    return a.reshape(-1).view(np.uint8)


def _write(t, a, result):
    """Store ``result`` into tensor ``t``'s array ``a`` unless it is already a view of it."""
    if np.may_share_memory(result, a) and a.flags.c_contiguous:
        return
    a[...] = result.reshape(a.shape)


def _agree(pg, name, dtype=None, count=0, root=-1, op=None, error=None):
    """Check, across the group, that every rank is making the same call with valid arguments.

    ``error`` is this rank's own complaint about its arguments (None when they are fine); any
    rank's complaint, or any difference in (collective, dtype, count, root, op), raises on all.
    """
    if pg._size == 1:
        if error:
            raise RuntimeError(f"{name}: {error}")
        return
    sig = np.array(
        [
            _OPS.index(name),
            0 if error else 1,
            -1 if dtype is None else dtype_code(dtype),
            int(count),
            int(root),
            -1 if op is None else op.value,
        ],
        dtype=np.int64,
    )
    table = np.empty((pg._size, sig.size), dtype=np.int64)
    pg._comm.Allgather(sig, table)
    if error:
        raise RuntimeError(f"{name}: {error}")
    bad = [r for r in range(pg._size) if table[r, 1] == 0]
    if bad:
        raise RuntimeError(
            f"{name}: rank {bad[0]} of the group passed invalid arguments (its error says why)"
        )
    if (table == table[0]).all():
        return

    def describe(row):
        text = f"{_OPS[row[0]]}"
        if row[2] >= 0:
            text += f" of {row[3]} elements of {dtype_name(row[2])}"
        if row[4] >= 0:
            text += f", root {row[4]}"
        if row[5] >= 0:
            text += f", {ReduceOp.RedOpType(row[5])}"
        return text

    parts = "; ".join(f"rank {r}: {describe(table[r])}" for r in range(pg._size))
    raise RuntimeError(
        f"{name}: the ranks of the group made different calls ({parts}); every rank must call "
        "the same collective with tensors of the same size and dtype"
    )


def _root(pg, rank, group_rank, what):
    """A root given as a global rank (``src``/``dst``) or a group rank (``group_src``...)."""
    if rank is not None and group_rank is not None:
        raise ValueError(f"Can only specify one of group_{what} or {what}")
    if group_rank is not None:
        if not 0 <= group_rank < pg._size:
            raise ValueError(f"Group rank {group_rank} is not part of group {pg!r}")
        return int(group_rank)
    if rank is None:
        raise ValueError(f"Either group_{what} or {what} must be set")
    return pg._group_rank(int(rank))


def _run(pg, async_op, blocking, nonblocking, finish=None, result=None):
    """Run the blocking call (then ``finish``) or start the nonblocking one and return a Work."""
    if async_op:
        return Work([nonblocking()], finish, result, pg)
    blocking()
    if finish is not None:
        finish()
    return None


def _reduction(pg, name, a, op):
    """The buffer to reduce ``a`` in (``a`` itself when possible), its MPI type and op."""
    MPI = _mpi()
    work, mtype, mop, avg = plan(MPI, a.dtype, op, name)
    if work == a.dtype and a.flags.c_contiguous:
        buf = a.reshape(-1)
    else:
        buf = np.ascontiguousarray(a, dtype=work).reshape(-1)
    return MPI, buf, mtype, mop, avg


# ----------------------------------------------------------------------------- collectives
def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` over the group with ``op``; every rank gets the result, in place."""
    pg = _group(group, "all_reduce")
    if pg is None:
        return None
    a = _array(tensor, "all_reduce")
    MPI, buf, mtype, mop, avg = _reduction(pg, "all_reduce", a, op)
    _agree(pg, "all_reduce", a.dtype, a.size, op=op)

    def finish():
        if avg:
            average(buf, pg._size)
        _write(tensor, a, buf)

    comm = pg._comm
    return _run(
        pg,
        async_op,
        lambda: comm.Allreduce(MPI.IN_PLACE, [buf, mtype], mop),
        lambda: comm.Iallreduce(MPI.IN_PLACE, [buf, mtype], mop),
        finish,
        [tensor],
    )


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy ``tensor`` from rank ``src`` into ``tensor`` on every rank of the group."""
    pg = _group(group, "broadcast")
    if pg is None:
        return None
    a = _array(tensor, "broadcast")
    root = _root(pg, src, group_src, "src")
    _agree(pg, "broadcast", a.dtype, a.size, root=root)
    buf = _flat(a)
    comm = pg._comm
    return _run(
        pg,
        async_op,
        lambda: comm.Bcast(_bytes(buf), root),
        lambda: comm.Ibcast(_bytes(buf), root),
        lambda: _write(tensor, a, buf),
        [tensor],
    )


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce ``tensor`` over the group into ``tensor`` on rank ``dst`` (others unchanged)."""
    pg = _group(group, "reduce")
    if pg is None:
        return None
    a = _array(tensor, "reduce")
    root = _root(pg, dst, group_dst, "dst")
    MPI, buf, mtype, mop, avg = _reduction(pg, "reduce", a, op)
    _agree(pg, "reduce", a.dtype, a.size, root=root, op=op)
    comm = pg._comm
    if pg._rank == root:

        def finish():
            if avg:
                average(buf, pg._size)
            _write(tensor, a, buf)

        send = MPI.IN_PLACE
    else:
        finish, send = None, [buf, mtype]
    recv = [buf, mtype] if pg._rank == root else None
    return _run(
        pg,
        async_op,
        lambda: comm.Reduce(send, recv, mop, root),
        lambda: comm.Ireduce(send, recv, mop, root),
        finish,
        [tensor],
    )


def _same_sizes(tensors, a, what, count):
    if not isinstance(tensors, (list, tuple)):
        return f"{what} must be a list of tensors"
    if len(tensors) != count:
        return f"{what} has {len(tensors)} tensors but the group has {count} ranks"
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            return f"{what}[{i}] is a {type(t).__name__}, not a Tensor"
        if t._data.size != a.size or t._data.dtype != a.dtype:
            return (
                f"{what}[{i}] has {t._data.size} elements of {t._data.dtype.name}, but "
                f"the tensor has {a.size} of {a.dtype.name}"
            )
    return None


def _unpack(tensors, recv, n):
    for i, t in enumerate(tensors):
        piece = recv[i * n : (i + 1) * n]
        _array(t, "output")[...] = piece.reshape(t._data.shape)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Gather ``tensor`` from every rank into ``tensor_list`` (one tensor per rank)."""
    pg = _group(group, "all_gather")
    if pg is None:
        return None
    a = _array(tensor, "all_gather")
    error = _same_sizes(tensor_list, a, "tensor_list", pg._size)
    _agree(pg, "all_gather", a.dtype, a.size, error=error)
    send = _flat(a)
    recv = np.empty(a.size * pg._size, dtype=a.dtype)
    comm = pg._comm
    return _run(
        pg,
        async_op,
        lambda: comm.Allgather(_bytes(send), _bytes(recv)),
        lambda: comm.Iallgather(_bytes(send), _bytes(recv)),
        lambda: _unpack(tensor_list, recv, a.size),
        list(tensor_list),
    )


def _group_times_error(big, one, pg, what):
    """None when ``big`` holds the group's size times ``one``'s elements, of ``one``'s dtype;
    else the message saying what the ``what`` tensor must have."""
    if big.size != one.size * pg._size or big.dtype != one.dtype:
        return (
            f"{what} tensor must have {pg._size} x {one.size} elements of {one.dtype.name}, "
            f"got {big.size} of {big.dtype.name}"
        )
    return None


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Gather every rank's ``input_tensor`` into ``output_tensor`` (concatenated or stacked)."""
    pg = _group(group, "all_gather_into_tensor")
    if pg is None:
        return None
    a = _array(input_tensor, "all_gather_into_tensor", "input_tensor")
    out = _array(output_tensor, "all_gather_into_tensor", "output_tensor")
    error = _group_times_error(out, a, pg, "output")
    _agree(pg, "all_gather_into_tensor", a.dtype, a.size, error=error)
    send = _flat(a)
    recv = _flat(out)
    comm = pg._comm
    return _run(
        pg,
        async_op,
        lambda: comm.Allgather(_bytes(send), _bytes(recv)),
        lambda: comm.Iallgather(_bytes(send), _bytes(recv)),
        lambda: _write(output_tensor, out, recv),
        [output_tensor],
    )


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list`` over the group; rank i gets the reduction of everyone's entry i."""
    pg = _group(group, "reduce_scatter")
    if pg is None:
        return None
    out = _array(output, "reduce_scatter", "output")
    error = _same_sizes(input_list, out, "input_list", pg._size)
    stacked = (
        np.concatenate([_flat(_array(t, "reduce_scatter")) for t in input_list])
        if error is None
        else out.reshape(-1)
    )
    return _reduce_scatter(pg, "reduce_scatter", output, out, stacked, op, async_op, error)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """``reduce_scatter`` with the inputs as one tensor of ``group size x output`` elements."""
    pg = _group(group, "reduce_scatter_tensor")
    if pg is None:
        return None
    out = _array(output, "reduce_scatter_tensor", "output")
    a = _array(input, "reduce_scatter_tensor", "input")
    error = _group_times_error(a, out, pg, "input")
    return _reduce_scatter(
        pg, "reduce_scatter_tensor", output, out, a.reshape(-1), op, async_op, error
    )


def _reduce_scatter(pg, name, output, out, stacked, op, async_op, error):
    _, send, mtype, mop, avg = _reduction(pg, name, stacked, op)
    if send is stacked:
        send = send.copy()  # the input must not change; MPI writes partial sums into it
    _agree(pg, name, out.dtype, out.size, op=op, error=error)
    recv = np.empty(out.size, dtype=send.dtype)
    comm = pg._comm

    def finish():
        if avg:
            average(recv, pg._size)
        out[...] = recv.reshape(out.shape)

    return _run(
        pg,
        async_op,
        lambda: comm.Reduce_scatter_block([send, mtype], [recv, mtype], mop),
        lambda: comm.Ireduce_scatter_block([send, mtype], [recv, mtype], mop),
        finish,
        [output],
    )


def _agree_rooted_list(pg, name, a, tensor_list, rank, group_rank, role):
    """gather's and scatter's checks: the root (``role`` 'dst' or 'src', rank 0 unless given)
    holds a list of ``pg``'s size of tensors like ``a``, the other ranks none; every rank agrees
    on them. Returns ``(root, whether this rank is the root)``."""
    root = _root(pg, 0 if rank is None and group_rank is None else rank, group_rank, role)
    here = pg._rank == root
    list_name = f"{name}_list"
    if here:
        error = _same_sizes(tensor_list, a, list_name, pg._size)
    elif tensor_list:
        who = "destination" if role == "dst" else "source"
        error = f"Argument ``{list_name}`` must NOT be specified on non-{who} ranks."
    else:
        error = None
    _agree(pg, name, a.dtype, a.size, root=root, error=error)
    return root, here


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Gather ``tensor`` from every rank into ``gather_list`` on rank ``dst``."""
    pg = _group(group, "gather")
    if pg is None:
        return None
    a = _array(tensor, "gather")
    root, here = _agree_rooted_list(pg, "gather", a, gather_list, dst, group_dst, "dst")
    send = _flat(a)
    recv = np.empty(a.size * pg._size, dtype=a.dtype) if here else None
    rbuf = _bytes(recv) if here else None
    comm = pg._comm
    finish = (lambda: _unpack(gather_list, recv, a.size)) if here else None
    return _run(
        pg,
        async_op,
        lambda: comm.Gather(_bytes(send), rbuf, root),
        lambda: comm.Igather(_bytes(send), rbuf, root),
        finish,
        list(gather_list) if here else [],
    )


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Send ``scatter_list[i]`` from rank ``src`` into ``tensor`` on rank i."""
    pg = _group(group, "scatter")
    if pg is None:
        return None
    a = _array(tensor, "scatter")
    root, here = _agree_rooted_list(pg, "scatter", a, scatter_list, src, group_src, "src")
    send = np.concatenate([_flat(_array(t, "scatter")) for t in scatter_list]) if here else None
    sbuf = _bytes(send) if here else None
    recv = _flat(a)
    comm = pg._comm
    return _run(
        pg,
        async_op,
        lambda: comm.Scatter(sbuf, _bytes(recv), root),
        lambda: comm.Iscatter(sbuf, _bytes(recv), root),
        lambda: _write(tensor, a, recv),
        [tensor],
    )


def _exchange_counts(pg, name, dtype, send_counts, recv_counts, error):
    """all_to_all's agreement: rank i must send rank j exactly what rank j expects from i."""
    _agree(pg, name, dtype, -1, error=error)
    MPI = _mpi()
    incoming = np.empty(pg._size, dtype=np.int64)
    pg._comm.Alltoall(np.asarray(send_counts, dtype=np.int64), incoming)
    mismatch = [j for j in range(pg._size) if incoming[j] != recv_counts[j]]
    flag = np.array([0 if mismatch else 1], dtype=np.int64)
    pg._comm.Allreduce(MPI.IN_PLACE, flag, MPI.MIN)
    if mismatch:
        j = mismatch[0]
        raise RuntimeError(
            f"{name}: rank {j} sends {incoming[j]} elements to rank {pg._rank}, "
            f"which expects {recv_counts[j]}"
        )
    if flag[0] == 0:
        raise RuntimeError(
            f"{name}: the split sizes of the ranks do not match (see the error "
            "of the rank that reports the mismatch)"
        )


def _alltoallv(pg, async_op, send, recv, send_counts, recv_counts, itemsize, finish, result):
    def displs(counts):
        return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) * itemsize

    sc = np.asarray(send_counts, dtype=np.int64) * itemsize
    rc = np.asarray(recv_counts, dtype=np.int64) * itemsize
    sspec = [_bytes(send), (sc.tolist(), displs(send_counts).tolist())]
    rspec = [_bytes(recv), (rc.tolist(), displs(recv_counts).tolist())]
    comm = pg._comm
    return _run(
        pg,
        async_op,
        lambda: comm.Alltoallv(sspec, rspec),
        lambda: comm.Ialltoallv(sspec, rspec),
        finish,
        result,
    )


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """Rank i sends ``input_tensor_list[j]`` to rank j, which stores it as its output i."""
    pg = _group(group, "all_to_all")
    if pg is None:
        return None
    ins = [_array(t, "all_to_all") for t in input_tensor_list]
    outs = [_array(t, "all_to_all") for t in output_tensor_list]
    error = None
    if len(ins) != pg._size or len(outs) != pg._size:
        error = (
            f"all_to_all needs {pg._size} input and output tensors, got {len(ins)} and {len(outs)}"
        )
    elif len({x.dtype for x in ins + outs}) != 1:
        error = "all_to_all: every tensor must have the same dtype"
    dtype = ins[0].dtype if ins else np.dtype(np.float32)
    send_counts = [x.size for x in ins] if error is None else [0] * pg._size
    recv_counts = [x.size for x in outs] if error is None else [0] * pg._size
    _exchange_counts(pg, "all_to_all", dtype, send_counts, recv_counts, error)
    send = np.concatenate([x.reshape(-1) for x in ins]) if ins else np.empty(0, dtype)
    recv = np.empty(sum(recv_counts), dtype=dtype)

    def finish():
        off = 0
        for x in outs:
            x[...] = recv[off : off + x.size].reshape(x.shape)
            off += x.size

    return _alltoallv(
        pg,
        async_op,
        send,
        recv,
        send_counts,
        recv_counts,
        dtype.itemsize,
        finish,
        list(output_tensor_list),
    )


def all_to_all_single(
    output, input, output_split_sizes=None, input_split_sizes=None, group=None, async_op=False
):
    """``all_to_all`` on single tensors split along dim 0 (equally, unless sizes are given)."""
    pg = _group(group, "all_to_all_single")
    if pg is None:
        return None
    a = _array(input, "all_to_all_single", "input")
    out = _array(output, "all_to_all_single", "output")
    n = pg._size
    error = None
    if a.dtype != out.dtype:
        error = f"input is {a.dtype.name} but output is {out.dtype.name}"

    def counts(arr, splits, what):
        rows = arr.shape[0] if arr.ndim else 1
        row = arr.size // rows if rows else 0
        if splits is None:
            if rows % n:
                return None, f"{what} dim 0 ({rows}) is not divisible by the group size {n}"
            return [rows // n * row] * n, None
        splits = list(splits)
        if len(splits) != n or sum(splits) != rows:
            return None, f"{what} split sizes {splits} do not split {rows} rows in {n}"
        return [s * row for s in splits], None

    send_counts, e1 = counts(a, input_split_sizes, "input")
    recv_counts, e2 = counts(out, output_split_sizes, "output")
    error = error or e1 or e2
    if error:
        send_counts = recv_counts = [0] * n
    _exchange_counts(pg, "all_to_all_single", a.dtype, send_counts, recv_counts, error)
    send = _flat(a)
    recv = _flat(out)
    return _alltoallv(
        pg,
        async_op,
        send,
        recv,
        send_counts,
        recv_counts,
        a.dtype.itemsize,
        lambda: _write(output, out, recv),
        [output],
    )


def barrier(group=None, async_op=False, device_ids=None, timeout=None):
    """Block until every rank of the group has reached this call."""
    pg = _group(group, "barrier")
    if pg is None:
        return None
    _agree(pg, "barrier")
    comm = pg._comm
    work = Work([comm.Ibarrier()], None, None, pg)
    if async_op:
        return work
    work.wait(timeout)
    return None


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    """A barrier that raises RuntimeError after ``timeout`` (default: the group's) instead of
    hanging when a rank never arrives."""
    pg = _group(group, "monitored_barrier")
    if pg is None:
        return
    work = Work([pg._comm.Ibarrier()], None, None, pg)
    try:
        work.wait(timeout or pg._timeout)
    except RuntimeError:
        raise RuntimeError(
            f"Rank {pg._rank} timed out in monitored_barrier after {timeout or pg._timeout}: "
            "some rank of the group did not reach it"
        ) from None
