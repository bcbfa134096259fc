"""DistributedDataParallel on 2 processes vs one process on the full batch, and the sampler."""

import math
import os
import re

import pytest
from distributed_helpers import WORKERS, launch

from ember.utils.data import DistributedSampler
from ember.utils.data.distributed import DistributedSampler as SamplerFromModule


def test_ddp_matches_single_process_training_under_the_launcher():
    # the launcher runs `mpiexec -n 2`; the worker checks parameters to 1e-5 (float64) after
    # SGD-momentum with a DistributedSampler: default buckets, tiny buckets with gradients as
    # bucket views, no_sync() accumulation, find_unused_parameters, buffers, errors
    rc, out, err = launch(2, os.path.join(WORKERS, "ddp_worker.py"))
    assert rc == 0, err[-4000:]
    found = dict(re.findall(r"rank (\d) DDP OK (\d+)", out))
    assert found == {"0": "10", "1": "10"}, out + err[-2000:]


def test_sampler_is_exported_from_both_modules():
    assert DistributedSampler is SamplerFromModule


@pytest.mark.parametrize(
    "n,replicas,drop_last",
    [(10, 3, False), (10, 3, True), (2, 4, False), (12, 4, False), (7, 2, True)],
)
def test_sampler_without_shuffle_matches_pytorch(n, replicas, drop_last):
    torch_data = pytest.importorskip("torch.utils.data")
    for rank in range(replicas):
        mine = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        theirs = torch_data.DistributedSampler(
            range(n), replicas, rank, shuffle=False, drop_last=drop_last
        )
        assert list(mine) == list(theirs) and len(mine) == len(theirs)


def test_sampler_shuffle_partitions_one_permutation_and_changes_with_the_epoch():
    n, replicas = 11, 3
    samplers = [DistributedSampler(range(n), replicas, r, seed=5) for r in range(replicas)]
    shares = [list(s) for s in samplers]
    assert all(len(s) == math.ceil(n / replicas) for s in shares)
    merged = [shares[i % replicas][i // replicas] for i in range(replicas * len(shares[0]))]
    perm = merged[:n]
    assert sorted(perm) == list(range(n))  # one permutation, split round-robin
    assert merged[n:] == perm[: len(merged) - n]  # padded with its own first indices
    for s in samplers:
        s.set_epoch(1)
    assert [list(s) for s in samplers] != shares
    assert [list(s) for s in samplers] == [list(s) for s in samplers]  # deterministic
    dropped = [
        list(DistributedSampler(range(n), replicas, r, seed=5, drop_last=True))
        for r in range(replicas)
    ]
    flat = [i for share in dropped for i in share]
    assert len(flat) == 9 and len(set(flat)) == 9


def test_sampler_rejects_a_rank_outside_the_replicas():
    with pytest.raises(
        ValueError, match=r"Invalid rank 3, rank should be in the interval \[0, 2\]"
    ):
        DistributedSampler(range(4), num_replicas=3, rank=3)
