"""End to end: the same MLP trained for 100 steps in ember and in PyTorch, from the same initial
weights over the same batches (nn.Sequential, CrossEntropyLoss, DataLoader, an optimizer and a
scheduler), gives the same loss trajectory and the same final weights."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _data(n=256, d=20, k=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((k, d)) * 2
    y = rng.integers(0, k, n)
    x = centers[y] + rng.standard_normal((n, d))
    return x.astype(np.float32), y.astype(np.int64)


def _train(lib, init, opt_name, steps=100):
    nn = lib.nn
    model = nn.Sequential(
        nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 3)
    )
    model.load_state_dict({k: lib.tensor(v) for k, v in init.items()})
    x, y = _data()
    loader = lib.utils.data.DataLoader(
        lib.utils.data.TensorDataset(lib.tensor(x), lib.tensor(y)), batch_size=32, shuffle=False
    )
    if opt_name == "SGD":
        opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    else:
        opt = lib.optim.Adam(model.parameters(), lr=3e-3)
    sched = lib.optim.lr_scheduler.StepLR(opt, step_size=40, gamma=0.5)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    step = 0
    model.train()
    while step < steps:
        for xb, yb in loader:  # 8 different batches per epoch
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
            step += 1
            if step == steps:
                break
    model.eval()
    with lib.no_grad():
        acc = (model(lib.tensor(x)).argmax(dim=1) == lib.tensor(y)).float().mean().item()
    weights = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    return np.array(losses), weights, acc


@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_mlp_100_steps_matches_pytorch(opt_name):
    torch.manual_seed(0)
    ref = torch.nn.Sequential(
        torch.nn.Linear(20, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32), torch.nn.Tanh(),
        torch.nn.Linear(32, 3),
    )
    init = {k: v.detach().numpy().copy() for k, v in ref.state_dict().items()}
    el, ew, eacc = _train(ember, init, opt_name)
    tl, tw, tacc = _train(torch, init, opt_name)
    assert len(el) == len(tl) == 100
    assert el[-10:].mean() < el[:10].mean() / 3  # it trains
    np.testing.assert_allclose(el, tl, rtol=2e-4, atol=1e-5)
    assert list(ew) == list(tw)
    for k in ew:
        np.testing.assert_allclose(ew[k], tw[k], rtol=1e-3, atol=1e-4, err_msg=k)
    assert eacc == pytest.approx(tacc, abs=1 / 256 + 1e-9)
