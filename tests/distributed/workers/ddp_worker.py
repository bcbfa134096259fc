"""DDP on this rank vs one process training on the full batch (float64, to 1e-5).

Started by tests/distributed/test_ddp.py under ``mpiexec -n 2`` (or the launcher). Every rank
also trains a local reference model on the whole batch (no communication), so it can check
its DDP parameters itself. Prints ``DDP OK <checks>``.
"""

import numpy as np

import ember
import ember.distributed as dist
from ember import nn
from ember.nn.parallel import DistributedDataParallel as DDP
from ember.utils.data import DataLoader, DistributedSampler, TensorDataset

dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
ember.set_default_dtype(ember.float64)
checks = 0

N, GLOBAL_BATCH, EPOCHS = 48, 8, 3
rng = np.random.default_rng(0)
X = ember.from_numpy(rng.standard_normal((N, 5)))
Y = ember.from_numpy(rng.standard_normal((N, 3)))
dataset = TensorDataset(X, Y)


def make_model(seed):
    ember.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3)
    )


def reference(accumulate):
    """One process, full global batches, same permutation as the DistributedSampler's."""
    model = make_model(0)
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    perm_source = DistributedSampler(dataset, num_replicas=1, rank=0, seed=7)
    for epoch in range(EPOCHS):
        perm_source.set_epoch(epoch)
        perm = list(perm_source)
        for k in range(0, N, GLOBAL_BATCH):
            idx = ember.tensor(perm[k : k + GLOBAL_BATCH])
            opt.zero_grad()
            nn.functional.mse_loss(model(X[idx]), Y[idx]).backward()
            opt.step()
    return model


def train_ddp(accumulate=1, **ddp_kwargs):
    model = DDP(make_model(0 if rank == 0 else 100 + rank), **ddp_kwargs)  # rank 0 broadcasts
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sampler = DistributedSampler(dataset, seed=7)
    per_rank = GLOBAL_BATCH // world // accumulate
    loader = DataLoader(dataset, batch_size=per_rank, sampler=sampler)
    for epoch in range(EPOCHS):
        sampler.set_epoch(epoch)
        batches = iter(loader)
        for _ in range(N // GLOBAL_BATCH):
            opt.zero_grad()
            for micro in range(accumulate):
                x, y = next(batches)
                if micro < accumulate - 1:
                    with model.no_sync():
                        (nn.functional.mse_loss(model(x), y) / accumulate).backward()
                else:
                    (nn.functional.mse_loss(model(x), y) / accumulate).backward()
            opt.step()
    return model


def same_params(ddp_model, ref, what):
    global checks
    for (name, p), (rname, q) in zip(ddp_model.module.named_parameters(), ref.named_parameters()):
        assert name == rname
        np.testing.assert_allclose(
            p.detach().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-5, err_msg=f"{what}: {name}"
        )
    checks += 1


ref = reference(1)
# 1. default buckets
model = train_ddp()
same_params(model, ref, "default buckets")
assert all(k.startswith("module.") for k in model.state_dict()), list(model.state_dict())
assert isinstance(model.module, nn.Sequential)
# 2. tiny buckets, gradients as bucket views; and the reduction starts during backward
launched_early = []
orig_launch = DDP._launch


def spy(self, bucket):
    launched_early.append(len(self._ready) < len(self._params))
    return orig_launch(self, bucket)


DDP._launch = spy
model = train_ddp(bucket_cap_mb=0.0005, gradient_as_bucket_view=True)
DDP._launch = orig_launch
same_params(model, ref, "tiny buckets")
assert len(model._buckets) > 2, len(model._buckets)
assert launched_early[0], "the first bucket should start before backward ends"
checks += 1
# 3. gradient accumulation with no_sync(): 2 micro-batches per step
same_params(train_ddp(accumulate=2), ref, "no_sync accumulation")
# 4. find_unused_parameters: a layer used only on rank 0, another never used


class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.only_rank0 = nn.Linear(4, 4)
        self.never = nn.Linear(4, 4)

    def forward(self, x, use):
        h = self.a(x)
        return self.only_rank0(h) if use else h


ember.manual_seed(3)
local = Branchy()
ddp = DDP(Branchy(), find_unused_parameters=True)
ddp.module.load_state_dict(local.state_dict())
xs = [ember.from_numpy(np.random.default_rng(50 + r).standard_normal((2, 4))) for r in range(world)]
for step in range(2):  # twice: the second iteration must not trip the unfinished-reduction check
    ddp.zero_grad()
    ddp(xs[rank], rank == 0).pow(2).sum().backward()
grads = {}
for r in range(world):  # each rank's local gradient, recomputed here
    local.zero_grad()
    local(xs[r], r == 0).pow(2).sum().backward()
    for n, p in local.named_parameters():
        g = np.zeros(p.shape) if p.grad is None else p.grad.numpy()
        grads[n] = grads.get(n, 0) + g / world
for n, p in ddp.module.named_parameters():
    if n.startswith("never"):
        assert p.grad is None, n
    else:
        np.testing.assert_allclose(p.grad.numpy(), grads[n], rtol=1e-10, err_msg=n)
checks += 1
# 5. buffers are broadcast from rank 0 at each forward; parameters at construction


class WithBuffer(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 2)
        self.register_buffer("count", ember.tensor([float(rank)]))

    def forward(self, x):
        return self.lin(x) + self.count


ember.manual_seed(rank)
wb = DDP(WithBuffer())
box = [None] * world
dist.all_gather_object(box, wb.module.lin.weight.detach().numpy())
assert all(np.array_equal(b, box[0]) for b in box)
wb.module.count.fill_(float(rank + 5))
wb(ember.ones(1, 2))
assert wb.module.count.item() == 5.0
checks += 2
# 6. errors, as PyTorch words them
try:
    DDP(nn.Linear(3, 2 + rank))
except RuntimeError as e:
    assert "same model across all ranks" in str(e), e
    checks += 1
try:
    DDP(nn.Linear(3, 2), device_ids=[0])
except ValueError as e:
    assert "device_ids" in str(e)
    checks += 1
lonely = DDP(Branchy())  # find_unused_parameters=False and a parameter without gradient
lonely(xs[rank], False).sum().backward()
try:
    lonely(xs[rank], False)
except RuntimeError as e:
    assert "find_unused_parameters=True" in str(e)
    checks += 1
dist.destroy_process_group()
print(f"rank {rank} DDP OK {checks}", flush=True)
