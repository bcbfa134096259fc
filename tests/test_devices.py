"""Tensors and modules on the simulated cuda device: moving, factories, errors, autograd.

The fixture installs the simulated two-device backend for each test, so these run in the CPU
lane as well as in the EMBER_SIMULATE_CUDA=1 lane."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember import backend as B
from ember.backend.simulated_cuda import SIMULATED
from ember.backend.simulated_cupy import SimulatedCudaArray

CUDA0, CUDA1, CPU = ember.device("cuda:0"), ember.device("cuda:1"), ember.device("cpu")


@pytest.fixture(autouse=True)
def sim_cuda(monkeypatch):
    monkeypatch.setattr(B, "_cuda", [SIMULATED])
    monkeypatch.setattr(ember.cuda, "_generators", {})
    monkeypatch.setattr(ember.cuda, "_seeds", {})
    B.register(SIMULATED)
    SIMULATED.set_device(0)
    yield
    SIMULATED.set_device(0)
    ember.set_default_device(None)


def on(t, dev):
    return t.device == dev and (type(t._data) is SimulatedCudaArray) == (dev.type == "cuda")


def test_to_cuda_cpu_round_trip_and_identity():
    x = ember.arange(6.0).reshape(2, 3)
    y = x.to("cuda")
    assert on(y, CUDA0) and y.is_cuda and y.get_device() == 0
    assert y.to("cuda") is y and y.to(CUDA0) is y and y.cuda() is y
    assert y.to("cuda", copy=True) is not y
    z = y.cpu()
    assert on(z, CPU) and np.array_equal(z.numpy(), x.numpy())
    assert x.cpu() is x
    w = x.cuda(1)
    assert on(w, CUDA1)
    assert on(w.to(0), CUDA0)  # an int is a cuda index
    d = x.to("cuda", ember.float64)
    assert on(d, CUDA0) and d.dtype == ember.float64
    assert on(x.to(device="cuda", dtype=ember.float16, non_blocking=True), CUDA0)
    assert on(x.to(y), CUDA0)  # another tensor's device and dtype


def test_numpy_of_a_cuda_tensor_raises_pytorchs_error():
    y = ember.ones(2, device="cuda")
    msg = ("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the "
           "tensor to host memory first.")
    with pytest.raises(TypeError) as info:
        y.numpy()
    assert str(info.value) == msg
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        np.asarray(y)
    assert y.numpy(force=True).tolist() == [1.0, 1.0]
    assert y.tolist() == [1.0, 1.0] and y.sum().item() == 2.0


def test_transfer_is_differentiable_and_gradient_returns_to_the_source():
    x = ember.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x.to("cuda")
    assert y.grad_fn is not None and y.grad_fn.name() == "ToCopyBackward0"
    (y * y).sum().backward()
    assert on(x.grad, CPU) and x.grad.tolist() == [2.0, -4.0, 6.0]
    xc = ember.tensor([1.0, 2.0], device="cuda", requires_grad=True)
    g = ember.autograd.grad(xc.cpu().pow(3).sum(), xc, create_graph=True)[0]
    assert on(g, CUDA0)
    (gg,) = ember.autograd.grad(g.sum(), xc)
    assert on(gg, CUDA0) and gg.cpu().tolist() == [6.0, 12.0]
    a = ember.ones(2, device="cuda:1", requires_grad=True)
    b = a.to("cuda:0") * 3  # ops guard their own device; the move returns to cuda:1
    with ember.cuda.device(1):  # the engine accumulates on the current device, as DDP sets it
        b.sum().backward()
    assert on(a.grad, CUDA1) and a.grad.cpu().tolist() == [3.0, 3.0]


def test_ops_stay_on_the_device_and_match_cpu():
    rng = np.random.default_rng(0)
    h = rng.standard_normal((3, 4)).astype(np.float32)
    x, xc = ember.tensor(h, requires_grad=True), ember.tensor(h, device="cuda", requires_grad=True)
    for t in (x, xc):
        loss = (t.tanh() @ t.T).softmax(-1).log().sum() + t.max(1).values.sum()
        loss.backward()
    assert on(xc.grad, CUDA0)
    np.testing.assert_allclose(xc.grad.cpu().numpy(), x.grad.numpy(), rtol=1e-6)


def test_mixed_devices_raise_pytorchs_error():
    a, b = ember.ones(2, device="cuda"), ember.ones(2)
    for f in (lambda: a + b, lambda: b * a, lambda: ember.cat([a, b]), lambda: a @ b):
        with pytest.raises(RuntimeError) as info:
            f()
        assert str(info.value) == ("Expected all tensors to be on the same device, but found "
                                   "at least two devices, cuda:0 and cpu!")
    with pytest.raises(RuntimeError, match="cuda:0 and cuda:1"):
        a + ember.ones(2, device="cuda:1")
    assert on(a + ember.tensor(2.0), CUDA0)  # a cpu scalar tensor joins a cuda op


def test_factories_new_and_like_honour_device():
    for f in (lambda d: ember.zeros(2, 3, device=d), lambda d: ember.ones(2, device=d),
              lambda d: ember.empty(2, device=d), lambda d: ember.full((2,), 7.0, device=d),
              lambda d: ember.arange(5, device=d), lambda d: ember.linspace(0, 1, 5, device=d),
              lambda d: ember.eye(3, device=d), lambda d: ember.tensor([1, 2], device=d),
              lambda d: ember.as_tensor([1.0], device=d), lambda d: ember.rand(3, device=d),
              lambda d: ember.randn(3, device=d), lambda d: ember.randint(0, 5, (3,), device=d),
              lambda d: ember.randperm(4, device=d), lambda d: ember.scalar_tensor(1, device=d),
              lambda d: ember.normal(0.0, 1.0, (2,), device=d)):
        assert on(f("cuda:1"), CUDA1), f
        assert on(f("cpu"), CPU), f
    x = ember.ones(2, device="cuda:1")
    for t in (ember.zeros_like(x), ember.ones_like(x), ember.rand_like(x), ember.randn_like(x),
              ember.full_like(x, 3.0), ember.empty_like(x), ember.randint_like(x, 5),
              x.new_zeros(3), x.new_ones(3), x.new_full((2,), 1.0), x.new_empty(2),
              x.new_tensor([1.0, 2.0])):
        assert on(t, CUDA1)
    assert on(ember.zeros_like(x, device="cpu"), CPU)
    assert ember.randperm(5, device="cuda").cpu().sort().values.tolist() == [0, 1, 2, 3, 4]


def test_device_context_and_default_device():
    with ember.device("cuda:1"):
        assert on(ember.zeros(2), CUDA1) and on(ember.tensor([1.0]), CUDA1)
        assert on(ember.zeros(2, device="cpu"), CPU)
    assert on(ember.zeros(2), CPU)
    ember.set_default_device("cuda")
    assert on(ember.randn(2), CUDA0)
    ember.set_default_device(None)
    assert on(ember.randn(2), CPU)


def test_random_draws_come_from_the_device_stream():
    ember.cuda.manual_seed(0)
    a = ember.randn(5, device="cuda")
    ember.cuda.manual_seed(0)
    b = ember.randn(5, device="cuda")
    ember.manual_seed(0)
    c = ember.randn(5)
    assert a.cpu().tolist() == b.cpu().tolist()
    ember.manual_seed(0)
    assert ember.randn(5).tolist() == c.tolist()  # the cpu stream is untouched by cuda draws
    drop = ember.nn.functional.dropout(ember.ones(100, device="cuda"), 0.5)
    assert on(drop, CUDA0)


def test_module_to_cuda_cpu_and_training_matches_cpu():
    ember.manual_seed(0)
    m = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.ReLU(), ember.nn.Linear(8, 2))
    mc = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.ReLU(), ember.nn.Linear(8, 2))
    mc.load_state_dict(m.state_dict())
    assert mc.to("cuda") is mc and all(on(p, CUDA0) for p in mc.parameters())
    opt, optc = (ember.optim.Adam(k.parameters(), lr=0.1) for k in (m, mc))
    x, y = ember.randn(16, 4), ember.randint(0, 2, (16,))
    for model, o, xx, yy in ((m, opt, x, y), (mc, optc, x.cuda(), y.cuda())):
        for _ in range(3):
            o.zero_grad()
            ember.nn.functional.cross_entropy(model(xx), yy).backward()
            o.step()
    for p, pc in zip(m.parameters(), mc.parameters()):
        assert on(pc, CUDA0) and on(pc.grad, CUDA0)
        np.testing.assert_allclose(pc.detach().cpu().numpy(), p.detach().numpy(), rtol=1e-5)
    assert all(on(v, CUDA0) for s in optc.state.values() for k, v in s.items() if k != "step")
    mc.cpu()
    assert all(on(p, CPU) for p in mc.parameters())
    mc.cuda(1)
    assert all(on(p, CUDA1) for p in mc.parameters())


def test_optimizer_state_follows_params_on_load():
    p = ember.nn.Parameter(ember.ones(3))
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = ember.ones(3)
    opt.step()
    state = opt.state_dict()
    pc = ember.nn.Parameter(ember.ones(3, device="cuda"))
    optc = ember.optim.SGD([pc], lr=0.1, momentum=0.9)
    optc.load_state_dict(state)
    assert on(optc.state[pc]["momentum_buffer"], CUDA0)


def test_dlpack_and_pin_memory():
    x = ember.arange(4.0)
    assert x.pin_memory() is x and ember.tensor([1.0], pin_memory=True).tolist() == [1.0]
    y = ember.from_dlpack(np.arange(3.0))
    assert on(y, CPU) and y.tolist() == [0.0, 1.0, 2.0]
    assert x.__dlpack_device__() == (1, 0)
    z = ember.from_dlpack(x)
    assert z.tolist() == x.tolist()
    z[0] = 5.0  # zero-copy: the memory is shared
    assert x[0].item() == 5.0
    loader = ember.utils.data.DataLoader(ember.utils.data.TensorDataset(ember.ones(4, 2)),
                                         batch_size=2, pin_memory=True)
    assert [b[0].shape for b in loader] == [(2, 2), (2, 2)]
