"""Tensors and modules on the simulated cuda device: moving, factories, errors, autograd.

The fixture installs the simulated two-device backend for each test, so these run in the CPU
lane as well as in the EMBER_SIMULATE_CUDA=1 lane."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.backend.simulated_cupy import SimulatedCudaArray
from oracle import requires_torch, torch

CUDA0, CUDA1, CPU = ember.device("cuda:0"), ember.device("cuda:1"), ember.device("cpu")

pytestmark = pytest.mark.usefixtures("sim_cuda")  # tests/conftest.py


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
    p = x.pin_memory()
    assert p is not x and p.is_pinned() and not x.is_pinned() and p.pin_memory() is p
    assert ember.tensor([1.0], pin_memory=True).is_pinned()
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


# ---- moving exactly as PyTorch: to()'s signatures, copy_, state_dicts across devices ----------
def test_to_positional_non_blocking_and_copy():
    x = ember.ones(2, 3)
    assert x.to("cpu", ember.float32, False, False) is x
    assert x.to("cpu", ember.float32, False, True) is not x  # to(device, dtype, nb, copy)
    assert x.to(ember.float32, True, True) is not x  # to(dtype, non_blocking, copy)
    y = x.to(x, False, True)  # to(other, non_blocking, copy)
    assert y is not x and y.tolist() == x.tolist()
    assert on(x.to("cuda", ember.float64, True, True), CUDA0)
    with pytest.raises(TypeError, match=r"to\(\) received an invalid combination of arguments"):
        x.to([1])
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        x.to("cuda:2")


def test_copy_and_state_dicts_cross_devices():
    c = ember.zeros(3, device="cuda:1")
    c.copy_(ember.arange(3.0))  # cpu -> cuda:1, the current device being cuda:0
    assert on(c, CUDA1) and c.cpu().tolist() == [0.0, 1.0, 2.0]
    h = ember.zeros(3)
    h.copy_(c * 2)
    assert on(h, CPU) and h.tolist() == [0.0, 2.0, 4.0]
    a = ember.ones(3, requires_grad=True)
    d = ember.zeros(3, device="cuda:1")
    d.copy_(a * 5)
    d.sum().backward()  # the copy is differentiable across devices
    assert on(a.grad, CPU) and a.grad.tolist() == [5.0, 5.0, 5.0]
    src = ember.nn.Linear(2, 2).cuda(1)
    dst = ember.nn.Linear(2, 2)
    dst.load_state_dict(src.state_dict())  # parameters keep their own device
    assert on(dst.weight, CPU) and dst.weight.tolist() == src.weight.cpu().tolist()
    back = ember.nn.Linear(2, 2).cuda()
    back.load_state_dict(dst.state_dict())
    assert on(back.weight, CUDA0) and back.weight.cpu().tolist() == dst.weight.tolist()


def test_work_on_cuda1_needs_no_current_device():
    """Backward, optimizer steps and public ops on cuda:1 run there while cuda:0 is current."""
    assert ember.cuda.current_device() == 0
    w = ember.randn(4, 3, device="cuda:1", requires_grad=True)
    x = ember.randn(5, 3, device="cuda:1")
    loss = (x @ w.T).tanh().pow(2).mean()
    loss.backward()
    assert on(w.grad, CUDA1)
    (g,) = ember.autograd.grad((w * w).sum(), w, create_graph=True)
    assert on(g, CUDA1)
    for cls in (ember.optim.SGD, ember.optim.Adam, ember.optim.Adagrad):
        opt = cls([w], lr=0.1)
        opt.step()
        assert on(w, CUDA1)
        assert all(on(v, CUDA1) for k, v in opt.state[w].items() if k != "step")
    t = ember.ones(2, 3, device="cuda:1").t()
    assert on(t.contiguous(), CUDA1) and t.sum().item() == 6.0
    with ember.cuda.device(1):  # glue outside ember's ops (reshape's copy) needs it current
        assert on(t.reshape(6), CUDA1)


# ---- random draws, distributions and ops that build helper tensors -----------------------------
def test_random_functions_and_distributions_stay_on_the_device():
    c = ember.ones(3, device="cuda:1")
    assert on(ember.multinomial(c, 2), CUDA1) and on(ember.poisson(c), CUDA1)
    assert on(ember.bernoulli(c * 0.5), CUDA1)
    ember.cuda.manual_seed_all(3)
    first = ember.multinomial(ember.ones(6, device="cuda"), 6).cpu().tolist()
    ember.cuda.manual_seed_all(3)
    assert ember.multinomial(ember.ones(6, device="cuda"), 6).cpu().tolist() == first
    F, D = ember.nn.functional, ember.distributions
    c = c.cuda(0)
    assert on(F.rrelu(c, training=True), CUDA0) and on(F.alpha_dropout(c, 0.5, True), CUDA0)
    assert on(F.gumbel_softmax(c), CUDA0)
    eye = ember.eye(3, device="cuda")
    for d in (D.Normal(c, 1.0), D.Uniform(c * 0, c), D.Exponential(c), D.Cauchy(c, c),
              D.Poisson(c), D.Binomial(5, c * 0.3), D.Gamma(c, c), D.Dirichlet(c),
              D.StudentT(c), D.Categorical(c), D.MultivariateNormal(c, eye)):
        s = d.sample((2,))
        assert on(s, CUDA0), d
        assert on(d.log_prob(s), CUDA0), d
    m = ember.empty(3, 3, device="cuda:1")
    for init in (ember.nn.init.orthogonal_, ember.nn.init.trunc_normal_,
                 ember.nn.init.kaiming_uniform_):
        assert init(m) is m and on(m, CUDA1)


def test_factories_strided_complex_and_device_arrays():
    e = ember.empty_strided((2, 3), (1, 2), device="cuda:1")
    assert on(e, CUDA1) and e.stride() == (1, 2)
    p = ember.empty_permuted((2, 3), (1, 0), device="cuda:1")
    assert on(p, CUDA1) and p.stride() == (1, 2)
    with ember.device("cuda:1"):
        assert on(ember.empty_strided((2,), (1,)), CUDA1)
    z = ember.complex(ember.ones(2, device="cuda"), ember.zeros(2, device="cuda"))
    assert on(z, CUDA0) and z.dtype == ember.complex64
    arr = ember.ones(2, device="cuda:1")._data  # an array of the device's own library
    t = ember.tensor(arr)
    assert on(t, CUDA1) and t._data is not arr
    assert on(ember.block_diag(ember.ones(1, 1, device="cuda"), ember.ones(2, device="cuda")),
              CUDA0)
    assert on(ember.combinations(ember.arange(4.0, device="cuda")), CUDA0)


# ---- pinned memory ------------------------------------------------------------------------------
def test_pin_memory_errors_and_pinned_batches():
    with pytest.raises(RuntimeError, match="only dense CPU tensors can be pinned"):
        ember.ones(2, device="cuda").pin_memory()
    for t in (ember.empty(2, pin_memory=True), ember.empty_strided((2,), (1,), pin_memory=True)):
        assert t.is_pinned() and on(t, CPU)
    a = ember.ones(2, requires_grad=True)
    (a.pin_memory() * 2).sum().backward()  # pin_memory is differentiable
    assert a.grad.tolist() == [2.0, 2.0]
    ds = ember.utils.data.TensorDataset(ember.ones(4, 2), ember.arange(4))
    batches = list(ember.utils.data.DataLoader(ds, batch_size=2, pin_memory=True))
    assert all(x.is_pinned() and y.is_pinned() for x, y in batches)
    batches = list(ember.utils.data.DataLoader(ds, batch_size=2))
    assert not any(x.is_pinned() for x, _ in batches)


def test_pin_memory_without_a_cuda_device_raises_pytorchs_errors(monkeypatch):
    monkeypatch.setattr(ember.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="Cannot access accelerator device"):
        ember.ones(2).pin_memory()
    with pytest.raises(RuntimeError, match="pin_memory=True requires a CUDA"):
        ember.tensor([1.0], pin_memory=True)


# ---- save / load with map_location ----------------------------------------------------------
def _saved(obj):
    import io

    buf = io.BytesIO()
    ember.save(obj, buf)
    return buf.getvalue()


def _devices(raw, map_location):
    import io

    out = ember.load(io.BytesIO(raw), map_location=map_location)
    return {k: (v.device, v.cpu().tolist()) for k, v in out.items()}


def test_load_map_location_forms():
    w = ember.arange(6.0, device="cuda:1").reshape(2, 3).t()  # a strided view on cuda:1
    raw = _saved({"w": w, "b": ember.ones(2)})
    vals = {"w": w.cpu().tolist(), "b": [1.0, 1.0]}

    def expect(w_dev, b_dev):
        return {"w": (w_dev, vals["w"]), "b": (b_dev, vals["b"])}

    assert _devices(raw, None) == expect(CUDA1, CPU)  # back where they were saved
    assert _devices(raw, "cpu") == expect(CPU, CPU)
    assert _devices(raw, ember.device("cuda:0")) == expect(CUDA0, CUDA0)
    assert _devices(raw, "cuda") == expect(CUDA0, CUDA0)
    assert _devices(raw, {"cuda:1": "cuda:0"}) == expect(CUDA0, CPU)
    assert _devices(raw, {"cuda:1": "cpu"}) == expect(CPU, CPU)
    assert _devices(raw, lambda storage, loc: storage) == expect(CPU, CPU)
    assert _devices(raw, lambda s, loc: None) == expect(CUDA1, CPU)  # None: the default
    assert _devices(raw, lambda s, loc: s.cuda(0) if loc.startswith("cuda") else s) == \
        expect(CUDA0, CPU)
    with pytest.raises(TypeError, match="map_location should be"):
        _devices(raw, 3)


def test_cuda_checkpoint_state_dict_round_trip():
    m = ember.nn.Linear(3, 2).cuda(1)
    raw = _saved(m.state_dict())
    import io

    sd = ember.load(io.BytesIO(raw))
    assert all(on(v, CUDA1) for v in sd.values())
    m2 = ember.nn.Linear(3, 2)
    m2.load_state_dict(ember.load(io.BytesIO(raw), map_location="cpu"))
    assert m2.weight.tolist() == m.weight.cpu().tolist()


# ---- DLPack with NumPy and PyTorch -----------------------------------------------------------
def test_dlpack_capsules_and_ember_utils_dlpack():
    x = ember.arange(4.0)
    cap = ember.utils.dlpack.to_dlpack(x)
    y = ember.utils.dlpack.from_dlpack(cap)
    y[1] = 9.0
    assert x[1].item() == 9.0  # shared memory
    with pytest.raises(RuntimeError, match="capsules can be consumed only once"):
        ember.utils.dlpack.from_dlpack(cap)
    with pytest.raises(BufferError, match="Can't export tensors that require gradient"):
        ember.ones(2, requires_grad=True).__dlpack__()
    a = np.from_dlpack(x)
    a[2] = 7.0
    assert x[2].item() == 7.0


@requires_torch
def test_dlpack_with_pytorch_shares_memory():
    t = torch.arange(6.0).reshape(2, 3).t()  # strided
    e = ember.from_dlpack(t)
    assert e.tolist() == t.tolist() and e.stride() == t.stride()
    e[0, 0] = 42.0
    assert t[0, 0].item() == 42.0
    e2 = ember.utils.dlpack.from_dlpack(torch.utils.dlpack.to_dlpack(t))
    e2[1, 1] = -1.0
    assert t[1, 1].item() == -1.0  # a legacy capsule is writable, as in PyTorch
    x = ember.arange(3.0)
    tt = torch.from_dlpack(x)
    tt[0] = 5.0
    assert x[0].item() == 5.0
    tt2 = torch.utils.dlpack.from_dlpack(ember.utils.dlpack.to_dlpack(x))
    tt2[2] = 8.0
    assert x.tolist() == [5.0, 1.0, 8.0]
    assert x.__dlpack_device__() == t.__dlpack_device__()


def test_more_factories_and_samplers_on_cuda1():
    y = ember.ones(2, device="cuda:1")
    for t in (ember.tril_indices(3, 3, device="cuda:1"), ember.triu_indices(3, 3, device="cuda:1"),
              ember.asarray([1, 2], device="cuda:1"), ember.asarray(np.ones(2), device="cuda:1"),
              ember.asarray(ember.ones(2), device="cuda:1"), ember.asarray(y),
              y.new([1.0, 2.0]), y.new(3), y.new_empty_strided((2,), (1,)), ember.tensor(y),
              ember.normal(y, 1.0), ember.normal(y, y), ember.empty(3, device="cuda:1").normal_(),
              ember.empty(3, device="cuda:1").uniform_(),
              ember.empty(3, device="cuda:1").random_(4),
              ember.empty(3, device="cuda:1").bernoulli_(0.5),
              ember.empty(3, device="cuda:1").exponential_()):
        assert on(t, CUDA1), t
    assert on(ember.asarray([1, 2]), CPU) and on(ember.asarray(np.ones(2)), CPU)
    assert on(y.new([1.0], device="cpu"), CPU)
