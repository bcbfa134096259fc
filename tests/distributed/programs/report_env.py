"""Prints torchrun's variables next to the ranks MPI gives, for the launcher tests."""

import os
import sys

import ember
import ember.distributed as dist

dist.init_process_group("gloo")
names = [
    "RANK",
    "LOCAL_RANK",
    "WORLD_SIZE",
    "LOCAL_WORLD_SIZE",
    "MASTER_ADDR",
    "MASTER_PORT",
    "TORCHELASTIC_RUN_ID",
    "OMP_NUM_THREADS",
]
t = ember.tensor([1.0])
dist.all_reduce(t)
print(
    "ENV",
    dist.get_rank(),
    dist.get_world_size(),
    int(t.item()),
    " ".join(f"{n}={os.environ.get(n)}" for n in names),
    "ARGS=" + ",".join(sys.argv[1:]),
    "ELASTIC=" + str(dist.is_torchelastic_launched()),
    flush=True,
)
dist.destroy_process_group()
