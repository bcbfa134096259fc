"""DistributedDataParallel on 2 processes: gradient synchronisation cost and overlap.

Model: an MLP of 5 Linear(2048, 2048) layers with ReLU, ~21 M float32 parameters (84 MB of
gradients). On each rank, measured as the median of ``--repeat`` rounds (the kinds of
measurement interleaved, after a barrier, so machine load hits them alike):

1. sync cost: DDP's gradient synchronisation alone (every post-accumulate-grad hook fired in
   backward order on ready gradients: bucket copies, pre-division, the bucketed all-reduces,
   copies back) against one bare mpi4py ``Allreduce`` of the same bytes. Bar: <= 1.2x.
2. overlap: a training step (forward + backward) of the DDP model against the same
   forward + backward of the bare model (compute) plus the bare all-reduce. Bar: DDP step <
   compute + all-reduce, because buckets reduce while backward computes earlier layers.

    python benchmarks/bench_ddp.py [--repeat 7] [--batch 64] [--width 2048] [--layers 5]

Run directly it starts itself on 2 processes through ``python -m ember.distributed.run``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import numpy as np

import ember
import ember.distributed as dist
from ember import nn
from ember.nn.parallel import DistributedDataParallel as DDP


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--width", type=int, default=2048)
    p.add_argument("--layers", type=int, default=5)
    p.add_argument("--nproc", type=int, default=2)
    return p.parse_args()


def relaunch(args):
    """Not started by a launcher: start this script on ``--nproc`` processes."""
    cmd = [
        sys.executable,
        "-m",
        "ember.distributed.run",
        "--nproc-per-node",
        str(args.nproc),
        os.path.abspath(__file__),
        *sys.argv[1:],
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = (
        os.path.join(os.path.dirname(__file__), "..", "src")
        + os.pathsep
        + env.get("PYTHONPATH", "")
    )
    sys.exit(subprocess.call(cmd, env=env))


def make_model(args):
    layers = []
    for _ in range(args.layers):
        layers += [nn.Linear(args.width, args.width), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def timed(comm, fn):
    comm.Barrier()
    t = time.perf_counter()
    fn()
    comm.Barrier()  # the slower rank's time: what a synchronous step costs
    return time.perf_counter() - t


def main():
    args = parse()
    if "OMPI_COMM_WORLD_RANK" not in os.environ and "PMI_RANK" not in os.environ:
        relaunch(args)
    dist.init_process_group("gloo")
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    rank, world = dist.get_rank(), dist.get_world_size()
    ember.manual_seed(0)
    bare = make_model(args)
    ddp = DDP(make_model(args))
    ddp.module.load_state_dict(bare.state_dict())
    params = list(ddp.module.parameters())
    numel = sum(p.numel() for p in params)
    flat = np.ones(numel, dtype=np.float32)
    rng = np.random.default_rng(rank)
    x = ember.from_numpy(rng.standard_normal((args.batch, args.width)).astype(np.float32))

    def bare_allreduce():
        comm.Allreduce(MPI.IN_PLACE, flat, MPI.SUM)

    def bare_iallreduce():  # MPI's nonblocking path (libnbc), for comparison
        comm.Iallreduce(MPI.IN_PLACE, flat, MPI.SUM).Wait()

    def ddp_sync_only():
        # backward's hook calls, on gradients that are ready: the synchronisation alone
        ddp._prepare_for_backward(None)
        ddp._armed = True
        for p in reversed(params):
            ddp._on_grad(p)

    def compute():
        bare.zero_grad()
        bare(x).square().mean().backward()

    def ddp_step():
        ddp.zero_grad()
        ddp(x).square().mean().backward()

    for p in params:  # gradients for the sync-only measurement
        p.grad = ember.from_numpy(rng.standard_normal(tuple(p.shape)).astype(np.float32))
    kinds = {
        "allreduce": bare_allreduce,
        "iallreduce": bare_iallreduce,
        "ddp_sync": ddp_sync_only,
        "compute": compute,
        "ddp_step": ddp_step,
    }
    for fn in kinds.values():  # warm-up: page faults, MPI's shared-memory setup
        timed(comm, fn)
    times = {k: [] for k in kinds}
    for _ in range(args.repeat):
        for k, fn in kinds.items():
            if k == "ddp_sync":
                for p in params:
                    if p.grad is None:
                        p.grad = ember.zeros(tuple(p.shape))
            times[k].append(timed(comm, fn))
    med = {k: float(np.median(v)) * 1e3 for k, v in times.items()}
    if rank == 0:
        mb = numel * 4 / 2**20
        print(
            f"DDP on {world} processes, {numel / 1e6:.1f} M float32 parameters "
            f"({mb:.0f} MiB of gradients), {len(ddp._buckets)} buckets, batch {args.batch}, "
            f"median of {args.repeat}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}"
        )
        print(f"{'measurement':44s} {'ms':>9s}")
        rows = [
            ("bare mpi4py Allreduce of the same bytes", med["allreduce"]),
            ("bare mpi4py Iallreduce + Wait, same bytes", med["iallreduce"]),
            ("DDP gradient sync alone", med["ddp_sync"]),
            ("compute: forward + backward, bare model", med["compute"]),
            ("compute + unoverlapped all-reduce", med["compute"] + med["allreduce"]),
            ("DDP step: forward + backward with sync", med["ddp_step"]),
        ]
        for name, ms in rows:
            print(f"{name:44s} {ms:9.1f}")
        ratio = med["ddp_sync"] / med["allreduce"]
        overlap = med["ddp_step"] / (med["compute"] + med["allreduce"])
        hidden = med["compute"] + med["allreduce"] - med["ddp_step"]
        print(
            f"sync cost / bare Allreduce: {ratio:.2f}x (bar <= 1.2x: "
            f"{'met' if ratio <= 1.2 else 'NOT met'})"
        )
        print(
            f"DDP step / (compute + all-reduce): {overlap:.2f} (bar < 1: "
            f"{'met' if overlap < 1 else 'NOT met'}); {hidden:.1f} ms hidden by overlap"
        )
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
