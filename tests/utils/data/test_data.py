"""utils.data vs PyTorch: datasets, samplers, default_collate, DataLoader batching (shapes,
dtypes, sequential order, lengths), worker processes, and the errors."""

from __future__ import annotations

import collections
import os
import random

import numpy as np
import pytest

import ember
from ember.utils import data as edata
from oracle import requires_torch

try:
    import torch
    import torch.utils.data as tdata
except ImportError:  # pragma: no cover
    torch = tdata = None


def _struct(x):
    """A comparable description of a (nested) batch: values, shapes, dtypes, container types."""
    if isinstance(x, (ember.Tensor,)) or (torch is not None and isinstance(x, torch.Tensor)):
        return ("T", str(x.dtype).split(".")[-1], tuple(x.shape), x.detach().numpy().tolist())
    if isinstance(x, dict):
        return ("D", type(x).__name__, {k: _struct(v) for k, v in x.items()})
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return ("NT", tuple(_struct(v) for v in x))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_struct(v) for v in x])
    return ("V", x)


Point = collections.namedtuple("Point", "x y")

SAMPLES = [
    [(1, 2.5), (3, 4.5)],
    [np.array([1.0, 2.0], dtype=np.float32), np.array([3.0, 4.0], dtype=np.float32)],
    [np.float64(1.5), np.float64(2.5)],
    [np.int32(3), np.int32(4)],
    [{"a": 1, "b": [1.0, 2.0]}, {"a": 2, "b": [3.0, 4.0]}],
    [Point(1, 2.0), Point(3, 4.0)],
    [("s", True), ("t", False)],
    [[np.arange(3), 7], [np.arange(3) + 1, 8]],
]


@requires_torch
@pytest.mark.parametrize("i", range(len(SAMPLES)))
def test_default_collate_matches_torch(i):
    assert _struct(edata.default_collate(SAMPLES[i])) == _struct(tdata.default_collate(SAMPLES[i]))


@requires_torch
def test_collate_tensors_and_convert():
    rng = np.random.default_rng(0)
    arrs = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(4)]
    e = edata.default_collate([(ember.tensor(a), ember.tensor(1)) for a in arrs])
    t = tdata.default_collate([(torch.tensor(a), torch.tensor(1)) for a in arrs])
    assert _struct(e) == _struct(t)
    for sample in [np.ones(3), {"k": np.zeros(2, dtype=np.int32)}, (np.float32(1), "a"), [1, 2]]:
        assert _struct(edata.default_convert(sample)) == _struct(tdata.default_convert(sample))


def test_collate_errors():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        edata.default_collate([[1, 2], [1]])
    with pytest.raises(TypeError, match="batch must contain tensors, numpy arrays, numbers"):
        edata.default_collate([None, None])
    with pytest.raises(TypeError, match="batch must contain tensors, numpy arrays, numbers"):
        edata.default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        edata.default_collate([ember.zeros(2), ember.zeros(3)])


class Squares(edata.Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i >= self.n:
            raise IndexError(i)
        return {"x": np.full(2, i, dtype=np.float32), "y": i * i}


class TorchSquares(Squares):
    pass


class Stream(edata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = edata.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


@requires_torch
@pytest.mark.parametrize(
    "kw",
    [
        {"batch_size": 3},
        {"batch_size": 3, "drop_last": True},
        {"batch_size": None},
        {"batch_size": 4, "shuffle": False},
    ],
)
def test_sequential_loader_matches_torch(kw):
    e = list(edata.DataLoader(Squares(10), **kw))

    class TS(tdata.Dataset):
        def __len__(self):
            return 10

        def __getitem__(self, i):
            return Squares(10)[i]

    t = list(tdata.DataLoader(TS(), **kw))
    assert [_struct(b) for b in e] == [_struct(b) for b in t]
    assert len(edata.DataLoader(Squares(10), **kw)) == len(tdata.DataLoader(TS(), **kw))


@requires_torch
def test_tensor_dataset_loader_matches_torch():
    x = np.arange(24, dtype=np.float32).reshape(12, 2)
    y = np.arange(12)
    e = list(edata.DataLoader(edata.TensorDataset(ember.tensor(x), ember.tensor(y)), batch_size=5))
    t = list(tdata.DataLoader(tdata.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=5))
    assert [_struct(b) for b in e] == [_struct(b) for b in t]


def test_shuffle_is_a_permutation_and_generator_reproducible():
    n = 23
    ds = edata.TensorDataset(ember.arange(n))
    seen = [int(v) for (b,) in edata.DataLoader(ds, batch_size=4, shuffle=True) for v in b]
    assert sorted(seen) == list(range(n)) and seen != list(range(n))

    def order(seed):
        g = ember.Generator().manual_seed(seed)
        dl = edata.DataLoader(ds, batch_size=5, shuffle=True, generator=g)
        return [int(v) for (b,) in dl for v in b]

    assert order(1) == order(1)
    assert order(1) != order(2)
    # two epochs of the same loader draw different orders
    g = ember.Generator().manual_seed(3)
    dl = edata.DataLoader(ds, batch_size=5, shuffle=True, generator=g)
    e1 = [int(v) for (b,) in dl for v in b]
    e2 = [int(v) for (b,) in dl for v in b]
    assert e1 != e2 and sorted(e1) == sorted(e2)


def test_iterable_dataset_batches():
    dl = edata.DataLoader(Stream(7), batch_size=3)
    assert [b.tolist() for b in dl] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(dl) == 3
    dl = edata.DataLoader(Stream(7), batch_size=3, drop_last=True)
    assert [b.tolist() for b in dl] == [[0, 1, 2], [3, 4, 5]]
    assert len(dl) == 2


def test_samplers():
    assert list(edata.SequentialSampler(range(4))) == [0, 1, 2, 3]
    bs = edata.BatchSampler(edata.SequentialSampler(range(5)), 2, drop_last=False)
    assert list(bs) == [[0, 1], [2, 3], [4]] and len(bs) == 3
    bs = edata.BatchSampler(range(5), 2, drop_last=True)
    assert list(bs) == [[0, 1], [2, 3]] and len(bs) == 2
    g = ember.Generator().manual_seed(0)
    rs = edata.RandomSampler(range(10), replacement=True, num_samples=40, generator=g)
    draws = list(rs)
    assert len(draws) == 40 == len(rs) and all(0 <= d < 10 for d in draws)
    rs = edata.RandomSampler(range(4), num_samples=10)
    draws = list(rs)
    assert sorted(draws[:4]) == [0, 1, 2, 3] and sorted(draws[4:8]) == [0, 1, 2, 3]
    assert len(draws) == 10
    srs = edata.SubsetRandomSampler([10, 20, 30])
    assert sorted(srs) == [10, 20, 30] and len(srs) == 3
    w = edata.WeightedRandomSampler([0.0, 0.0, 1.0, 0.0], 5)
    assert list(w) == [2] * 5
    w = edata.WeightedRandomSampler(ember.tensor([1.0, 1.0, 0.0]), 2, replacement=False)
    assert sorted(w) == [0, 1]
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist"):
        list(edata.WeightedRandomSampler([1.0, 0.0], 2, replacement=False))


@requires_torch
def test_sampler_errors_match_torch():
    cases = [
        lambda m: m.RandomSampler(range(3), replacement=1),
        lambda m: m.RandomSampler(range(3), num_samples=0),
        lambda m: m.BatchSampler(range(3), 0, False),
        lambda m: m.BatchSampler(range(3), 2, 1),
        lambda m: m.WeightedRandomSampler([1.0], 0),
        lambda m: m.WeightedRandomSampler([[1.0]], 1),
        lambda m: m.WeightedRandomSampler([1.0], 1, replacement=0),
    ]
    for case in cases:
        with pytest.raises(Exception) as te:
            case(tdata)
        with pytest.raises(type(te.value)) as ee:
            case(edata)
        assert str(ee.value) == str(te.value)


@requires_torch
def test_loader_errors_match_torch():
    cases = [
        {"num_workers": -1},
        {"shuffle": True, "sampler": [0, 1]},
        {"batch_sampler": [[0]], "batch_size": 2},
        {"batch_size": None, "drop_last": True},
        {"prefetch_factor": 2},
        {"persistent_workers": True},
        {"timeout": -1},
        {"multiprocessing_context": "fork"},
    ]
    for kw in cases:
        with pytest.raises(Exception) as te:
            tdata.DataLoader(list(range(4)), **kw)
        with pytest.raises(type(te.value)) as ee:
            edata.DataLoader(list(range(4)), **kw)
        assert str(ee.value) == str(te.value), kw
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        edata.DataLoader(Stream(3), shuffle=True)
    dl = edata.DataLoader(list(range(4)))
    with pytest.raises(ValueError, match="batch_size attribute should not be set after"):
        dl.batch_size = 3


def test_datasets():
    a = edata.TensorDataset(ember.arange(3), ember.arange(3) * 10)
    b = edata.TensorDataset(ember.arange(2) + 100, ember.arange(2))
    c = a + b
    assert isinstance(c, edata.ConcatDataset) and len(c) == 5
    assert int(c[3][0]) == 100 and int(c[-1][0]) == 101 and int(c[1][1]) == 10
    with pytest.raises(ValueError, match="absolute value of index should not exceed"):
        c[-6]
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        edata.TensorDataset(ember.zeros(2), ember.zeros(3))
    with pytest.raises(AssertionError, match="empty iterable"):
        edata.ConcatDataset([])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        edata.ConcatDataset([Stream(2)])
    with pytest.raises(NotImplementedError, match="should implement __getitem__"):
        edata.Dataset()[0]
    s = edata.Subset(c, [4, 0])
    assert len(s) == 2 and int(s[0][0]) == 101 and int(s[1][0]) == 0
    st = edata.StackDataset(a, a)
    assert len(st) == 3 and int(st[2][1][1]) == 20
    ch = Stream(2) + Stream(3)
    assert list(ch) == [0, 1, 0, 1, 2] and len(ch) == 5


def test_random_split():
    ds = list(range(10))
    parts = edata.random_split(ds, [3, 7], generator=ember.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(list(parts[0]) + list(parts[1])) == ds
    parts = edata.random_split(ds, [0.33, 0.33, 0.34])
    assert [len(p) for p in parts] == [4, 3, 3]  # floor + remainder round-robin, as PyTorch
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        edata.random_split(ds, [3, 3])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        edata.random_split(list(range(2)), [1.0, 0.0])


@requires_torch
def test_random_split_fraction_lengths_match_torch():
    for n, fr in [(10, [0.33, 0.33, 0.34]), (7, [0.5, 0.5]), (11, [0.1, 0.2, 0.7])]:
        e = [len(p) for p in edata.random_split(list(range(n)), fr)]
        t = [len(p) for p in tdata.random_split(list(range(n)), fr)]
        assert e == t


# ----- worker processes -----------------------------------------------------------------------


def _seed_probe(i):
    info = edata.get_worker_info()
    return [i, info.id, random.random()]


class Probe(edata.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 6 and getattr(self, "fail", False):
            raise ValueError("bad sample 6")
        return _seed_probe(i)


def test_workers_keep_order_and_match_single_process():
    ds = Squares(13)
    single = [_struct(b) for b in edata.DataLoader(ds, batch_size=3)]
    multi = [_struct(b) for b in edata.DataLoader(ds, batch_size=3, num_workers=2)]
    assert single == multi
    assert edata.get_worker_info() is None


def test_workers_info_seed_and_error():
    batches = list(
        edata.DataLoader(
            Probe(), batch_size=2, num_workers=2, worker_init_fn=lambda wid: random.seed(wid)
        )
    )
    ids = [int(b[1][0]) for b in batches]
    assert ids == [0, 1, 0, 1]  # round-robin task assignment
    ds = Probe()
    ds.fail = True
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 1"):
        list(edata.DataLoader(ds, batch_size=2, num_workers=2))


def test_iterable_workers_and_persistent():
    dl = edata.DataLoader(Stream(8), batch_size=2, num_workers=2)
    got = sorted(v for b in dl for v in b.tolist())
    assert got == list(range(8))
    dl = edata.DataLoader(Squares(6), batch_size=2, num_workers=2, persistent_workers=True)
    e1 = [b["y"].tolist() for b in dl]
    e2 = [b["y"].tolist() for b in dl]
    assert e1 == e2 == [[0, 1], [4, 9], [16, 25]]
    dl._iterator._shutdown_workers()


class _Slow(edata.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        import time

        time.sleep(1.0)
        return i


class _Dies(edata.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        os._exit(3)


def test_worker_timeout_and_death(monkeypatch):
    from ember.utils.data import dataloader as dl_mod

    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        list(edata.DataLoader(_Slow(), batch_size=1, num_workers=1, timeout=0.2))
    monkeypatch.setattr(dl_mod, "_STATUS_CHECK_INTERVAL", 0.2)
    with pytest.raises(
        RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"
    ):
        list(edata.DataLoader(_Dies(), batch_size=2, num_workers=1))


@requires_torch
def test_custom_collate_sampler_batch_sampler_match_torch():
    def run(m):
        data = [(i, float(i) / 2) for i in range(10)]
        out = []
        dl = m.DataLoader(
            data, batch_size=4, sampler=[9, 7, 5, 3, 1, 0], collate_fn=lambda b: [x for x, _ in b]
        )
        out.append((list(dl), len(dl)))
        dl = m.DataLoader(data, batch_sampler=[[0, 1, 2], [8], [5, 4]])
        out.append(([_struct(b) for b in dl], len(dl)))
        dl = m.DataLoader(data, batch_size=None, sampler=[3, 1])
        out.append(([_struct(b) for b in dl], len(dl)))
        return out

    assert run(edata) == run(tdata)
