"""Rank 1 raises while rank 0 waits in a barrier: the job must stop, not hang."""

import os
import sys
import time

import ember.distributed as dist

dist.init_process_group("gloo")
print(f"PID {dist.get_rank()} {os.getpid()}", flush=True)
if dist.get_rank() == 1:
    time.sleep(0.5)
    raise ValueError("boom on rank 1")
dist.barrier()
print("rank 0 passed the barrier: the crash did not stop it", flush=True)
sys.exit(0)
