"""Run every collective on this rank and compare with the same computation in NumPy.

Started by tests/distributed/test_collectives.py under ``mpiexec -n 2`` and ``-n 3``. Each
rank can rebuild every rank's input (seeded by rank), so it computes the expected result
itself. Prints ``CHECKS <n>`` on success; any mismatch raises (and aborts the job).
"""

from datetime import timedelta

import numpy as np

import ember
import ember.distributed as dist
from ember.distributed import ReduceOp

dist.init_process_group("gloo")
rank, n = dist.get_rank(), dist.get_world_size()
checks = 0


def data(r, shape, dtype, salt=0):
    rng = np.random.default_rng(1000 * salt + r)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if np.dtype(dtype).kind in "iu":
        return rng.integers(1, 5, size=shape).astype(dtype)
    if np.dtype(dtype).kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return (rng.standard_normal(shape) + 2).astype(dtype)


def check(got, want, what, rtol=1e-6):
    global checks
    got = got.numpy() if isinstance(got, ember.Tensor) else np.asarray(got)
    want = np.asarray(want)
    if got.shape != want.shape or got.dtype != want.dtype:
        raise AssertionError(
            f"rank {rank} {what}: {got.shape} {got.dtype} != {want.shape} {want.dtype}"
        )
    if want.dtype.kind in "fc":
        np.testing.assert_allclose(
            got.astype(np.complex128),
            want.astype(np.complex128),
            rtol=rtol,
            atol=rtol,
            err_msg=what,
        )
    else:
        np.testing.assert_array_equal(got, want, err_msg=what)
    checks += 1


def t(a):
    return ember.from_numpy(np.array(a, copy=True))


def done(work):
    """Wait for an async collective's work (a synchronous one returned None)."""
    if work is not None:
        work.wait()


NP_OPS = {
    ReduceOp.SUM: lambda xs: np.sum(xs, axis=0),
    ReduceOp.PRODUCT: lambda xs: np.prod(xs, axis=0),
    ReduceOp.MIN: lambda xs: np.min(xs, axis=0),
    ReduceOp.MAX: lambda xs: np.max(xs, axis=0),
    ReduceOp.AVG: lambda xs: np.sum(xs, axis=0) / len(xs),
    ReduceOp.BAND: lambda xs: np.bitwise_and.reduce(xs, axis=0),
    ReduceOp.BOR: lambda xs: np.bitwise_or.reduce(xs, axis=0),
    ReduceOp.BXOR: lambda xs: np.bitwise_xor.reduce(xs, axis=0),
}


def expected_reduce(xs, op, dtype):
    xs = np.stack(xs)
    if dtype == "bool":
        return {
            ReduceOp.SUM: xs.any(0),
            ReduceOp.MAX: xs.any(0),
            ReduceOp.PRODUCT: xs.all(0),
            ReduceOp.MIN: xs.all(0),
        }[op]
    if np.dtype(dtype).name in ("float16", "bfloat16"):
        return NP_OPS[op](xs.astype(np.float32)).astype(dtype)
    if op is ReduceOp.AVG and np.dtype(dtype).kind in "iu":
        return np.trunc(np.sum(xs, 0) / len(xs)).astype(dtype)
    return NP_OPS[op](xs).astype(dtype)


# --- all_reduce: every op on every dtype it supports, sync and async, contiguous or not ---
dtypes = ["float32", "float64", "int64", "int32", "uint8", "float16", "bool", "complex64"]
if ember.bfloat16 is not None:
    dtypes.append(
        ember.bfloat16.np.__name__ if hasattr(ember.bfloat16.np, "__name__") else "bfloat16"
    )
for dtype in dtypes:
    dt = np.dtype(ember.bfloat16.np) if dtype == "bfloat16" else dtype
    ops = [ReduceOp.SUM, ReduceOp.PRODUCT, ReduceOp.MIN, ReduceOp.MAX, ReduceOp.AVG]
    if dtype == "bool":
        ops = [ReduceOp.SUM, ReduceOp.PRODUCT, ReduceOp.MIN, ReduceOp.MAX]
    elif np.dtype(dt).kind == "c":
        ops = [ReduceOp.SUM, ReduceOp.PRODUCT, ReduceOp.AVG]
    elif np.dtype(dt).kind in "iu":
        ops += [ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR]
    for op in ops:
        for async_op in (False, True):
            xs = [data(q, (3, 4), dt, salt=op.value) for q in range(n)]
            x = t(xs[rank])
            work = dist.all_reduce(x, op=op, async_op=async_op)
            if async_op:
                assert work.wait() is True and work.is_completed()
                assert work.result()[0] is x
            else:
                assert work is None
            tol = 1e-2 if np.dtype(dt).itemsize == 2 and np.dtype(dt).kind != "i" else 1e-6
            check(x, expected_reduce(xs, op, dt), f"all_reduce {dtype} {op} async={async_op}", tol)
# non-contiguous: a transposed view is reduced and written back through the view
base = t(data(rank, (4, 3), "float64"))
dist.all_reduce(base.t())
check(base, np.sum([data(q, (4, 3), "float64") for q in range(n)], 0), "all_reduce noncontiguous")
# 0-d and empty tensors
s = t(np.float64(rank + 1.0))
dist.all_reduce(s)
check(s, np.float64(n * (n + 1) / 2), "all_reduce 0-d")
e = ember.zeros(0)
dist.all_reduce(e)
check(e, np.zeros(0, np.float32), "all_reduce empty")

# --- broadcast / reduce ---
for src in range(n):
    x = t(data(rank, (5,), "float32", 7))
    done(dist.broadcast(x, src=src, async_op=src % 2 == 1))
    check(x, data(src, (5,), "float32", 7), f"broadcast src={src}")
x = t(data(rank, (2, 3), "int64", 8)).t()  # non-contiguous receiver
dist.broadcast(x, src=0)
check(x, data(0, (2, 3), "int64", 8).T, "broadcast noncontiguous")
for dst in range(n):
    x = t(data(rank, (4,), "float64", 9))
    done(dist.reduce(x, dst=dst, op=ReduceOp.MAX, async_op=dst == 0))
    want = (
        np.max([data(q, (4,), "float64", 9) for q in range(n)], 0)
        if rank == dst
        else data(rank, (4,), "float64", 9)
    )
    check(x, want, f"reduce dst={dst}")

# --- all_gather family ---
for async_op in (False, True):
    x = t(data(rank, (2, 2), "float32", 10))
    outs = [ember.empty(2, 2) for _ in range(n)]
    done(dist.all_gather(outs, x, async_op=async_op))
    for q in range(n):
        check(outs[q], data(q, (2, 2), "float32", 10), f"all_gather {q}")
    out = ember.empty(n * 2, 2)
    done(dist.all_gather_into_tensor(out, x, async_op=async_op))
    check(
        out,
        np.concatenate([data(q, (2, 2), "float32", 10) for q in range(n)]),
        "all_gather_into_tensor",
    )
    ins = [t(data(rank * 10 + j, (3,), "float64", 11)) for j in range(n)]
    out = ember.empty(3, dtype=ember.float64)
    done(dist.reduce_scatter(out, ins, op=ReduceOp.SUM, async_op=async_op))
    check(out, np.sum([data(q * 10 + rank, (3,), "float64", 11) for q in range(n)], 0),
          "reduce_scatter")
    big = t(np.concatenate([data(rank * 10 + j, (3,), "float64", 12) for j in range(n)]))
    keep = big.clone()
    done(dist.reduce_scatter_tensor(out, big, op=ReduceOp.AVG, async_op=async_op))
    check(out, np.mean([data(q * 10 + rank, (3,), "float64", 12) for q in range(n)], 0),
          "reduce_scatter_tensor")
    check(big, keep.numpy(), "reduce_scatter_tensor leaves its input")

# --- gather / scatter ---
dst = n - 1
x = t(data(rank, (3,), "int32", 13))
glist = [ember.empty(3, dtype=ember.int32) for _ in range(n)] if rank == dst else None
dist.gather(x, glist, dst=dst)
if rank == dst:
    for q in range(n):
        check(glist[q], data(q, (3,), "int32", 13), "gather")
out = ember.empty(2, 2, dtype=ember.float64)
slist = [t(data(100 + q, (2, 2), "float64", 14)) for q in range(n)] if rank == 0 else None
dist.scatter(out, slist, src=0, async_op=True).wait()
check(out, data(100 + rank, (2, 2), "float64", 14), "scatter")

# --- all_to_all (uneven sizes) and all_to_all_single ---
ins = [t(np.full(rank + j + 1, 10 * rank + j, np.float32)) for j in range(n)]
outs = [ember.empty(q + rank + 1) for q in range(n)]
dist.all_to_all(outs, ins)
for q in range(n):
    check(outs[q], np.full(q + rank + 1, 10 * q + rank, np.float32), "all_to_all")
inp = t(np.arange(n * 2, dtype=np.int64) + 100 * rank)
out = ember.empty(n * 2, dtype=ember.int64)
dist.all_to_all_single(out, inp, async_op=True).wait()
check(
    out,
    np.concatenate([np.arange(2 * rank, 2 * rank + 2) + 100 * q for q in range(n)]),
    "all_to_all_single",
)

# --- point to point: a ring, blocking and nonblocking, and a batch ---
right, left = (rank + 1) % n, (rank - 1) % n
x = t(data(rank, (4,), "float64", 15))
got = ember.empty(4, dtype=ember.float64)
if rank % 2 == 0:
    dist.send(x, dst=right)
    sender = dist.recv(got, src=left)
else:
    sender = dist.recv(got, src=left)
    dist.send(x, dst=right)
check(got, data(left, (4,), "float64", 15), "send/recv ring")
assert sender == left
sw = dist.isend(x, dst=right)
rw = dist.irecv(got)  # any source
sw.wait()
rw.wait()
check(got, data(left, (4,), "float64", 15), "isend/irecv")
assert rw.source_rank() == left
ops = [dist.P2POp(dist.isend, x, right), dist.P2POp(dist.irecv, got, left)]
for w in dist.batch_isend_irecv(ops):
    w.wait()
check(got, data(left, (4,), "float64", 15), "batch_isend_irecv")

# a receive nothing matches yet: not completed, and wait(timeout) raises instead of hanging
pending = dist.irecv(got, src=left, tag=7)
assert not pending.is_completed()
try:
    pending.wait(timeout=timedelta(seconds=0.2))
except RuntimeError as err:
    assert "timed out" in str(err), err
    checks += 1
else:
    raise AssertionError("wait(timeout) did not time out")
dist.barrier()
sw = dist.isend(t(data(rank, (4,), "float64", 16)), dst=right, tag=7)
assert pending.wait(timeout=timedelta(seconds=30)) is True  # completes within its timeout
sw.wait()
check(got, data(left, (4,), "float64", 16), "irecv after a timed-out wait")
assert pending.source_rank() == left

# --- groups: the first and last rank; the others are not members ---
members = [0, n - 1]
g = dist.new_group(members)
x = t(np.array([float(rank + 1)]))
if rank in members:
    assert dist.get_world_size(g) == 2 and dist.get_rank(g) == members.index(rank)
    assert dist.get_process_group_ranks(g) == members
    w = dist.all_reduce(x, group=g, async_op=True)
    w.wait()
    check(x, np.array([1.0 + n]), "group all_reduce")
    y = t(np.array([float(rank)]))
    dist.broadcast(y, src=n - 1, group=g)  # src is a global rank
    check(y, np.array([float(n - 1)]), "group broadcast")
    out = [None, None]
    dist.all_gather_object(out, rank, group=g)
    assert out == members
else:
    import warnings

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        assert dist.all_reduce(x, group=g) is None
    assert dist.get_rank(g) == -1
    check(x, np.array([float(rank + 1)]), "non-member unchanged")
dist.barrier()

# --- object collectives ---
objs = [{"rank": rank}, "x" * rank, None] if rank == 1 else [0, 0, 0]
dist.broadcast_object_list(objs, src=1)
assert objs == [{"rank": 1}, "x", None], objs
allo = [None] * n
dist.all_gather_object(allo, (rank, ember.tensor([rank * 1.5])))
assert [a[0] for a in allo] == list(range(n)) and [a[1].item() for a in allo] == [
    q * 1.5 for q in range(n)
]
gl = [None] * n if rank == 0 else None
dist.gather_object(rank**2, gl, dst=0)
if rank == 0:
    assert gl == [q**2 for q in range(n)], gl
outl = [None]
dist.scatter_object_list(outl, [f"to {q}" for q in range(n)] if rank == 0 else None, src=0)
assert outl == [f"to {rank}"]
if rank == 0:
    dist.send_object_list([1, "two"], dst=n - 1)
elif rank == n - 1:
    box = [None, None]
    assert dist.recv_object_list(box, src=0) == 0 and box == [1, "two"]
checks += 5

# --- a size or call mismatch is an error on every rank, not a hang ---
x = ember.zeros(3 + rank)
try:
    dist.all_reduce(x)
except RuntimeError as err:
    assert "different calls" in str(err) and "rank 1: all_reduce of 4 elements" in str(err), err
    checks += 1
else:
    raise AssertionError("mismatched all_reduce did not raise")
try:
    if rank == 0:
        dist.broadcast(ember.zeros(2), src=0)
    else:
        dist.all_reduce(ember.zeros(2))
except RuntimeError as err:
    assert "rank 0: broadcast" in str(err), err
    checks += 1
try:
    dist.all_gather([ember.zeros(2)] * (n + 1), ember.zeros(2))
except RuntimeError as err:
    assert "tensor_list has" in str(err) or "invalid arguments" in str(err), err
    checks += 1
if n >= 2 and rank < 2:
    try:
        if rank == 0:
            dist.send(ember.zeros(5), dst=1)
        else:
            dist.recv(ember.zeros(3), src=0)
    except RuntimeError as err:
        assert rank == 1 and "same size" in str(err), err
        checks += 1
dist.barrier()
dist.destroy_process_group()
assert not dist.is_initialized()
print(f"rank {rank} CHECKS {checks}", flush=True)
