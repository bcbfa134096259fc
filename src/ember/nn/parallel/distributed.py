"""``DistributedDataParallel``: one model replica per process, gradients averaged over ranks.

How it works, as PyTorch's reducer does:

* At construction the ranks check that their models match, and rank 0's parameters and
  buffers are broadcast so every replica starts equal.
* Parameters are grouped into buckets (in reverse registration order, which is roughly the
  order backward produces their gradients; the first bucket holds at most 1 MiB so the first
  all-reduce starts early, the others ``bucket_cap_mb``).
* A post-accumulate-grad hook on each parameter marks it ready. When a bucket is complete its
  gradients are copied (divided by the world size) into the bucket's flat buffer and an
  asynchronous all-reduce starts while backward goes on computing the earlier layers. Buckets
  start in order, so every rank issues the same sequence of collectives.
* When the last bucket has started, the hook waits for all of them and copies the averaged
  gradients back into ``.grad``. (ember's engine has no end-of-backward callback; the last
  parameter's hook is the same moment, since every gradient has then been accumulated.)

The all-reduces run on a communication thread with MPI's blocking ``Allreduce`` (its tuned
algorithms; mpi4py releases the GIL), on a communicator of their own, so they progress while
the main thread computes.

Differences from PyTorch: no ``join()``, no communication hooks, no bucket rebuilding after
the first iteration (buckets keep reverse registration order), ``static_graph`` and
``mixed_precision`` are accepted and ignored; ember has no GPUs, so ``device_ids`` must be None.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from ...autograd.function import AccumulateGrad
from ...autograd.grad_mode import is_grad_enabled, no_grad
from ...tensor import Tensor
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

_FIRST_BUCKET_BYTES = 1024 * 1024  # PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES
_DEFAULT_BUCKET_MB = 25


class _Bucket:
    __slots__ = ("buffer", "index", "mpi_type", "offsets", "params", "pending", "work")

    def __init__(self, params, dtype, MPI, index):
        from ...distributed.reduce_op import ReduceOp, plan

        work_dtype, self.mpi_type, _, _ = plan(MPI, dtype, ReduceOp.SUM, "DistributedDataParallel")
        self.params = params
        self.offsets = []
        n = 0
        for p in params:
            self.offsets.append(n)
            n += p._data.size
        self.buffer = np.zeros(n, dtype=work_dtype)
        self.pending = len(params)
        self.work = None
        self.index = index


def _find_tensors(obj, found):
    if isinstance(obj, Tensor):
        found.append(obj)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            _find_tensors(o, found)
    elif isinstance(obj, dict):
        for o in obj.values():
            _find_tensors(o, found)
    return found


class DistributedDataParallel(Module):
    """Data parallelism across processes: wrap the model, train as usual.

    Each process runs the model on its share of the batch; ``backward()`` leaves every rank
    with the gradient averaged over all ranks, so the optimizers take identical steps.

    Arguments (PyTorch's): ``module``; ``broadcast_buffers`` (sync buffers from rank 0 at
    each forward); ``process_group``; ``bucket_cap_mb`` (default 25);
    ``find_unused_parameters`` (allow parameters that get no gradient in an iteration);
    ``gradient_as_bucket_view`` (``.grad`` becomes a view of the bucket after a sync, saving a
    copy); ``init_sync`` (broadcast rank 0's state at construction).

    Example (under ``python -m ember.distributed.run --nproc-per-node 2 train.py``)::

        dist.init_process_group("gloo")
        model = DistributedDataParallel(nn.Linear(10, 1))
        loss = model(x).pow(2).mean()
        loss.backward()                 # .grad is averaged over the ranks
        with model.no_sync():           # accumulate locally, sync at the next backward
            model(x).sum().backward()
    """

    def __init__(
        self,
        module,
        device_ids=None,
        output_device=None,
        dim=0,
        broadcast_buffers=None,
        init_sync=True,
        process_group=None,
        bucket_cap_mb=None,
        find_unused_parameters=False,
        check_reduction=False,
        gradient_as_bucket_view=False,
        static_graph=False,
        delay_all_reduce_named_params=None,
        param_to_hook_all_reduce=None,
        mixed_precision=None,
        device_mesh=None,
        skip_all_reduce_unused_params=False,
        bucket_cap_mb_list=None,
        batched_grad_copy=False,
        forward_sync_buffers=None,
    ):
        super().__init__()
        from ...distributed import process_group as _pg

        if device_ids is not None or output_device is not None:
            devices = {p.device for p in module.parameters()}
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with "
                "single-device/multiple-device GPU modules or CPU modules, but got device_ids "
                f"{device_ids}, output_device {output_device}, and module parameters "
                f"{devices}."
            )
        self.module = module
        pg = _pg._resolve(process_group)
        if pg is None:
            raise ValueError("DistributedDataParallel: this rank is not in process_group")
        self.process_group = pg
        self.dim = dim
        self.device_ids = None
        self.output_device = None
        self.broadcast_buffers = True if broadcast_buffers is None else bool(broadcast_buffers)
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        cap = _DEFAULT_BUCKET_MB if bucket_cap_mb is None else bucket_cap_mb
        self.bucket_bytes_cap = int(cap * 1024 * 1024)
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError(
                "DistributedDataParallel is not needed when a module doesn't have any "
                "parameter that requires a gradient."
            )
        MPI = _pg._mpi()
        self._MPI = MPI
        self._verify_same_model(params)
        # A communicator of DDP's own: its collectives never interleave with the program's.
        self._comm = pg._comm.Dup()
        self._world = pg._size
        if init_sync:
            self._broadcast_coalesced(list(module.state_dict(keep_vars=True).values()))
        self._params = params
        self._buckets = self._make_buckets(params, MPI)
        self._where = {}
        for b in self._buckets:
            for i, p in enumerate(b.params):
                self._where[id(p)] = (b, i)
        self._armed = False  # set by forward when the next backward must sync
        self._next_bucket = 0
        self._ready = set()
        self._hooked = 0  # hook calls since the last forward: a reduction is under way
        self._used = None
        self._comm_thread = None
        self._hook_handles = [p.register_post_accumulate_grad_hook(self._on_grad) for p in params]

    # ------------------------------------------------------------------ construction
    def _verify_same_model(self, params):
        mine = [(tuple(p.shape), str(p.dtype)) for p in params]
        everyone = self.process_group._comm.allgather(mine)
        for r, theirs in enumerate(everyone):
            if theirs != mine:
                raise RuntimeError(
                    f"DDP expects same model across all ranks, but rank {r} has "
                    f"{len(theirs)} params with shapes {theirs[:3]}..., while rank "
                    f"{self.process_group._rank} has {len(mine)} params with shapes "
                    f"{mine[:3]}..."
                )

    def _broadcast_coalesced(self, tensors):
        """Rank 0's values of ``tensors`` to every rank: one Bcast per dtype."""
        if self._world == 1 or not tensors:
            return
        by_dtype = {}
        for t in tensors:
            by_dtype.setdefault(t._data.dtype, []).append(t)
        for group in by_dtype.values():
            flat = np.concatenate([t._data.reshape(-1) for t in group]) if group else None
            self._comm.Bcast(flat.view(np.uint8), 0)
            off = 0
            for t in group:
                n = t._data.size
                t._data[...] = flat[off : off + n].reshape(t._data.shape)
                off += n

    def _make_buckets(self, params, MPI):
        buckets, current, size, dtype = [], [], 0, None
        cap = min(_FIRST_BUCKET_BYTES, self.bucket_bytes_cap)
        for p in reversed(params):
            nbytes = p._data.nbytes
            if current and (p._data.dtype != dtype or size + nbytes > cap):
                buckets.append(_Bucket(current, dtype, MPI, len(buckets)))
                current, size = [], 0
                cap = self.bucket_bytes_cap
            current.append(p)
            size += nbytes
            dtype = p._data.dtype
        buckets.append(_Bucket(current, dtype, MPI, len(buckets)))
        return buckets

    # ------------------------------------------------------------------ forward
    def forward(self, *inputs, **kwargs):
        if self._armed and self._hooked:
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a "
                "new one. This error indicates that your module has parameters that were not "
                "used in producing loss. You can enable unused parameter detection by passing "
                "the keyword argument `find_unused_parameters=True` to "
                "`torch.nn.parallel.DistributedDataParallel`, and by making sure all `forward` "
                "function outputs participate in calculating loss."
            )
        if self.require_forward_param_sync and self.broadcast_buffers:
            buffers = list(self.module.buffers())
            if buffers:
                with no_grad():
                    self._broadcast_coalesced(buffers)
        output = self.module(*inputs, **kwargs)
        self._armed = is_grad_enabled() and self.require_backward_grad_sync
        # As PyTorch: buffers are synced before the next forward only if this one will sync
        # gradients, so a rank may run extra forwards under no_grad (evaluation) alone.
        self.require_forward_param_sync = self._armed
        if self._armed:
            self._prepare_for_backward(output)
        return output

    def _prepare_for_backward(self, output):
        self._next_bucket = 0
        self._ready = set()
        self._hooked = 0
        for b in self._buckets:
            b.pending = len(b.params)
            b.work = None
        if not self.find_unused_parameters:
            self._used = None
            return
        used = self._reachable(output)
        self._used = np.array([id(p) in used for p in self._params], dtype=np.uint8)
        unused = [p for p in self._params if id(p) not in used]
        for p in unused:  # they get no hook call: count them ready now
            self._mark_ready(p)

    def _reachable(self, output):
        """ids of the parameters the autograd graph of ``output`` leads to."""
        found, seen = set(), set()
        stack = []
        for t in _find_tensors(output, []):
            if t._grad_fn is not None:
                stack.append(t._grad_fn)
            elif t._requires_grad:
                found.add(id(t))
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if node.__class__ is AccumulateGrad:
                found.add(id(node.variable))
                continue
            for e in node._next:
                if e is not None:
                    stack.append(e[0])
        return found

    # ------------------------------------------------------------------ backward
    def _on_grad(self, param):
        if not self._armed:
            return  # no_sync(), or a backward whose forward was not prepared for syncing
        self._hooked += 1
        self._mark_ready(param)

    def _mark_ready(self, param):
        key = id(param)
        if key in self._ready:
            raise RuntimeError(
                "Expected to mark a variable ready only once. This error is caused by one of "
                "the following reasons: 1) Use of a module parameter outside the `forward` "
                "function. 2) Reused parameters in multiple reentrant backward passes. 3) A "
                "parameter used in the forward pass got a gradient from a second backward."
            )
        self._ready.add(key)
        bucket, _ = self._where[key]
        bucket.pending -= 1
        buckets = self._buckets
        while self._next_bucket < len(buckets) and buckets[self._next_bucket].pending == 0:
            self._launch(buckets[self._next_bucket])
            self._next_bucket += 1
        if self._next_bucket == len(buckets):
            self._finish()

    def _launch(self, bucket):
        """Copy the bucket's gradients in (pre-divided by the world size) and start its
        all-reduce."""
        buf = bucket.buffer
        scale = 1.0 / self._world
        for p, off in zip(bucket.params, bucket.offsets):
            n = p._data.size
            view = buf[off : off + n]
            g = p._grad
            if g is None:
                view[...] = 0
            elif np.may_share_memory(g._data, view):
                view *= scale
            else:
                np.multiply(g._data.reshape(-1), scale, out=view, casting="unsafe")
        if self._world == 1:
            return
        comm, MPI, mtype = self._comm, self._MPI, bucket.mpi_type
        if MPI.Query_thread() < MPI.THREAD_MULTIPLE:
            # an MPI without full thread support: MPI's nonblocking all-reduce instead
            from ...distributed.work import Work

            bucket.work = Work([comm.Iallreduce(MPI.IN_PLACE, [buf, mtype], MPI.SUM)])
            return
        if self._comm_thread is None:
            from ...distributed.work import CommThread

            self._comm_thread = CommThread()
        bucket.work = self._comm_thread.submit(
            lambda: comm.Allreduce(MPI.IN_PLACE, [buf, mtype], MPI.SUM)
        )

    def _finish(self):
        """All buckets started: wait for them and write the averaged gradients back."""
        self._armed = False
        self._ready = set()
        self._hooked = 0
        for bucket in self._buckets:
            if bucket.work is not None:
                bucket.work.wait()
                bucket.work = None
        globally_used = index = None
        if self._used is not None:
            # after the buckets: collectives on this communicator must keep one order
            globally_used = self._used.copy()
            if self._world > 1:
                self._comm.Allreduce(self._MPI.IN_PLACE, globally_used, self._MPI.MAX)
            index = {id(p): i for i, p in enumerate(self._params)}
        for bucket in self._buckets:
            buf = bucket.buffer
            for p, off in zip(bucket.params, bucket.offsets):
                view = buf[off : off + p._data.size].reshape(p._data.shape)
                g = p._grad
                if g is None:
                    if globally_used is None or not globally_used[index[id(p)]]:
                        continue  # no rank used it: its .grad stays None, as in PyTorch
                    p._grad = Tensor._make(  # unused here, used elsewhere: the average
                        view if self.gradient_as_bucket_view else view.astype(p._data.dtype)
                    )
                    continue
                if np.may_share_memory(g._data, view):
                    continue
                if self.gradient_as_bucket_view and view.dtype == g._data.dtype:
                    p._grad = Tensor._make(view)
                else:
                    g._data[...] = view

    # ------------------------------------------------------------------ API
    @contextmanager
    def no_sync(self):
        """Inside, backward accumulates gradients locally; the first backward after it (whose
        forward ran outside) averages the accumulated gradients."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def __getstate__(self):
        raise RuntimeError("DistributedDataParallel cannot be pickled; save model.module")
