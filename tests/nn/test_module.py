"""nn.Module, Parameter, containers, layers and init: registration, traversal, state_dict,
hooks, conversion, repr — compared with PyTorch where it is installed."""

from __future__ import annotations

import copy
import math
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from oracle import assert_close, check_error, requires_torch, torch


def _lib_nn(lib):
    return lib.nn


# ------------------------------------------------------------------------------- Parameter
def test_parameter_basics():
    p = nn.Parameter(ember.zeros(2))
    assert isinstance(p, ember.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf
    assert repr(p) == "Parameter containing:\ntensor([0., 0.], requires_grad=True)"
    q = nn.Parameter(ember.zeros(2), requires_grad=False)
    assert repr(q) == "Parameter containing:\ntensor([0., 0.])"
    assert repr(nn.Parameter()) == "Parameter containing:\ntensor([], requires_grad=True)"
    t = ember.ones(3)
    p2 = nn.Parameter(t)
    p2.data.mul_(2)  # shares memory with the tensor it wraps, as in PyTorch
    assert t.tolist() == [2.0, 2.0, 2.0]
    assert type(p2 * 2) is ember.Tensor
    check_error(lambda lib: lib.nn.Parameter(lib.zeros(2, dtype=lib.int64)),
                lambda lib: lib.nn.Parameter(lib.zeros(2, dtype=lib.int64)),
                RuntimeError, "Only Tensors of floating point and complex dtype can require "
                              "gradients")
    d = copy.deepcopy(p)
    assert isinstance(d, nn.Parameter) and d is not p and d.requires_grad
    r = pickle.loads(pickle.dumps(p))
    assert isinstance(r, nn.Parameter) and r.tolist() == [0.0, 0.0]


# --------------------------------------------------------------------------------- Module
def _net_class(lib):
    """The same small network, as a ``lib.nn.Module`` (ember's or torch's)."""

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = lib.nn.Linear(3, 4)
            self.act = lib.nn.ReLU()
            self.fc2 = lib.nn.Linear(4, 2, bias=False)
            self.register_buffer("running", lib.zeros(2))
            self.register_buffer("scratch", lib.ones(1), persistent=False)
            self.scale = lib.nn.Parameter(lib.ones(1))

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x))) * self.scale + self.running

    return Net


Net = _net_class(ember)
TNet = _net_class(torch) if torch is not None else None


def test_registration_and_traversal():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["scale", "fc1.weight", "fc1.bias",
                                                      "fc2.weight"]
    assert [n for n, _ in net.named_buffers()] == ["running", "scratch"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]
    assert [n for n, _ in net.named_modules(prefix="m")] == ["m", "m.fc1", "m.act", "m.fc2"]
    assert [n for n, _ in net.named_parameters(prefix="x", recurse=False)] == ["x.scale"]
    assert list(net.state_dict().keys()) == ["scale", "running", "fc1.weight", "fc1.bias",
                                             "fc2.weight"]
    assert len(list(net.parameters())) == 4
    assert net.fc1.bias is net.fc1._parameters["bias"]
    # shared submodule / parameter is reported once unless remove_duplicate=False
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, shared)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert len(list(seq.named_modules(remove_duplicate=False))) == 3
    # reassigning an attribute moves it between the dicts
    net.fc2 = None
    assert net._modules["fc2"] is None and "fc2" not in dict(net.named_children())
    del net.scale
    assert "scale" not in dict(net.named_parameters())
    net.extra = ember.zeros(1)
    assert "extra" not in dict(net.named_buffers())
    net.running = ember.ones(2)  # a registered buffer stays a buffer
    assert net._buffers["running"].tolist() == [1.0, 1.0]
    net.buf2 = nn.Buffer(ember.ones(3), persistent=False)
    assert "buf2" in net._buffers and "buf2" not in net.state_dict()
    assert "fc1" in dir(net) and "running" in dir(net)


@requires_torch
def test_same_names_and_numbers_as_torch():
    e, t = Net(), TNet()
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert list(e.state_dict()) == list(t.state_dict())
    sd = {k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()}
    res = e.load_state_dict(sd)
    assert repr(res) == "<All keys matched successfully>"
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    ye, yt = e(ember.tensor(x)), t(torch.tensor(x))
    assert_close(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    ye.sum().backward()
    yt.sum().backward()
    for (n, pe), (_, pt) in zip(e.named_parameters(), t.named_parameters()):
        assert_close(pe.grad.numpy(), pt.grad.numpy(), rtol=1e-5, atol=1e-6, what=n)
    assert repr(e) == repr(t)


def test_registration_errors():
    net = Net()
    check_error(lambda lib: setattr(lib.nn.Linear(2, 2), "weight", lib.zeros(2)),
                lambda lib: setattr(lib.nn.Linear(2, 2), "weight", lib.zeros(2)),
                TypeError, "cannot assign 'torch.FloatTensor' as parameter 'weight' "
                           "(torch.nn.Parameter or None expected)")
    check_error(lambda lib: lib.nn.Linear(2, 2).register_buffer("weight", lib.zeros(1)),
                lambda lib: lib.nn.Linear(2, 2).register_buffer("weight", lib.zeros(1)),
                KeyError, "attribute 'weight' already exists")
    check_error(lambda lib: lib.nn.Linear(2, 2).register_buffer("a.b", lib.zeros(1)),
                lambda lib: lib.nn.Linear(2, 2).register_buffer("a.b", lib.zeros(1)),
                KeyError, "buffer name can")
    check_error(lambda lib: lib.nn.Linear(2, 2).register_parameter("p", lib.zeros(1)),
                lambda lib: lib.nn.Linear(2, 2).register_parameter("p", lib.zeros(1)),
                TypeError, "cannot assign 'torch.FloatTensor' object to parameter 'p'")
    check_error(lambda lib: lib.nn.Linear(2, 2).add_module("m", 3),
                lambda lib: lib.nn.Linear(2, 2).add_module("m", 3),
                TypeError, "int is not a Module subclass")
    check_error(lambda lib: lib.nn.Linear(2, 2).foo,
                lambda lib: lib.nn.Linear(2, 2).foo,
                AttributeError, "'Linear' object has no attribute 'foo'")

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ember.zeros(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        Early()
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        nn.Module()(1)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        del net.nothing
    p = ember.zeros(1, requires_grad=True) * 2
    with pytest.raises(TypeError):
        net.register_parameter("bad", p)


def test_state_dict_and_load():
    a, b = Net(), Net()
    sd = a.state_dict()
    assert all(not v.requires_grad for v in sd.values())
    assert sd["fc1.weight"]._data is a.fc1.weight._data  # detached, shared memory
    assert a.state_dict(keep_vars=True)["fc1.weight"] is a.fc1.weight
    assert sd._metadata[""] == {"version": 1} and "fc1" in sd._metadata
    res = b.load_state_dict(sd)
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert b.fc1.weight.tolist() == a.fc1.weight.tolist()
    assert b.fc1.weight.requires_grad
    partial = OrderedDict((k, v) for k, v in sd.items() if k != "fc1.bias")
    partial["extra.w"] = ember.zeros(1)
    with pytest.raises(RuntimeError) as info:
        b.load_state_dict(partial)
    msg = str(info.value)
    assert msg.startswith("Error(s) in loading state_dict for Net:\n\t")
    assert 'Missing key(s) in state_dict: "fc1.bias". ' in msg
    assert 'Unexpected key(s) in state_dict: "extra.w". ' in msg
    res = b.load_state_dict(partial, strict=False)
    assert res.missing_keys == ["fc1.bias"] and res.unexpected_keys == ["extra.w"]
    assert repr(res) == ("_IncompatibleKeys(missing_keys=['fc1.bias'], "
                         "unexpected_keys=['extra.w'])")
    bad = dict(sd)
    bad["fc1.weight"] = ember.zeros(3, 3)
    with pytest.raises(RuntimeError, match=r"size mismatch for fc1.weight: copying a param "
                                           r"with shape torch.Size\(\[3, 3\]\) from checkpoint, "
                                           r"the shape in current model is "
                                           r"torch.Size\(\[4, 3\]\)"):
        b.load_state_dict(bad)
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        b.load_state_dict([1, 2])
    w = ember.ones(4, 3)
    c = Net()
    c.load_state_dict({**sd, "fc1.weight": w}, assign=True)
    assert c.fc1.weight._data is w._data and isinstance(c.fc1.weight, nn.Parameter)


@requires_torch
def test_load_state_dict_error_matches_torch():
    msgs = []
    for lib in (ember, torch):
        m = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Sequential(
            lib.nn.Linear(3, 3)))
        with pytest.raises(RuntimeError) as info:
            m.load_state_dict({"x": lib.zeros(1)})
        msgs.append(str(info.value))
        r = m.load_state_dict({"0.weight": lib.zeros(3, 2)}, strict=False)
        msgs.append(repr(r))
    assert msgs[0] == msgs[2] and msgs[1] == msgs[3]


def test_train_eval_requires_grad_zero_grad_apply():
    net = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.Sequential(nn.Linear(2, 1)))
    assert net.training and net[2][0].training
    assert net.eval() is net and not net[1].training and not net[2][0].training
    net.train()
    assert net[2][0].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_()
    net(ember.randn(3, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all((p.grad.numpy() == 0).all() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "Dropout", "Linear", "Sequential", "Sequential"]


def test_dtype_conversion():
    net = Net()
    ids = [id(p) for p in net.parameters()]
    net.double()
    assert all(p.dtype == ember.float64 for p in net.parameters())
    assert net.running.dtype == ember.float64
    assert [id(p) for p in net.parameters()] == ids  # same Parameter objects (optimizers)
    net.to(ember.float32)
    assert net.fc1.weight.dtype == ember.float32
    net.half().float()
    assert net.fc1.weight.dtype == ember.float32
    net.register_buffer("steps", ember.tensor(3))
    net.double()
    assert net.steps.dtype == ember.int64
    assert net.to("cpu") is net and net.cpu() is net
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point"):
        net.to(ember.int64)
    y = net(ember.randn(2, 3, dtype=ember.float64))
    assert y.dtype == ember.float64


def test_forward_hooks():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: calls.append("pre") or (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append("post") or out + 1)
    out = lin(ember.ones(1, 2))
    assert calls == ["pre", "post"]
    np.testing.assert_allclose(out.detach().numpy(), (lin.bias + 1).detach().numpy()[None])
    h1.remove()
    h2.remove()
    calls.clear()
    lin(ember.ones(1, 2))
    assert calls == []
    lin.register_forward_pre_hook(lambda m, a, k: (a, {**k}), with_kwargs=True)
    lin.register_forward_hook(lambda m, a, k, o: o * 2, with_kwargs=True)
    lin.register_forward_hook(lambda m, a, o: calls.append("first"), prepend=True)
    o = lin(ember.ones(1, 2))
    assert calls == ["first"] and o.shape == (1, 2)
    g = nn.modules.module.register_module_forward_hook(lambda m, a, o: calls.append(type(m)))
    nn.ReLU()(ember.ones(1))
    g.remove()
    assert calls[-1] is nn.ReLU


@requires_torch
def test_full_backward_hook_matches_torch():
    rng = np.random.default_rng(3)
    W, x = rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    results = []
    for lib in (ember, torch):
        lin = lib.nn.Linear(2, 3).double()
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(W))
            lin.bias.zero_()
        seen = {}

        def hook(m, gin, gout, seen=seen):
            seen["gin"] = [None if g is None else g.detach().numpy().copy() for g in gin]
            seen["gout"] = [g.detach().numpy().copy() for g in gout]
            return (gin[0] * 2,)

        def pre(m, gout, seen=seen):
            seen["pre"] = True

        lin.register_full_backward_hook(hook)
        lin.register_full_backward_pre_hook(pre)
        xi = lib.tensor(x, requires_grad=True)
        out = lin(xi)
        results.append(type(out.grad_fn).__name__)
        (out * out).sum().backward()
        results.append((seen, xi.grad.numpy().copy(), lin.weight.grad.numpy().copy()))
        # no input requires grad: the hook sees grad_input == (None,)
        seen2 = {}
        lin2 = lib.nn.Linear(2, 3).double()
        lin2.register_full_backward_hook(lambda m, gi, go: seen2.setdefault("gi", gi))
        with pytest.warns(UserWarning, match="Full backward hook is firing"):
            lin2(lib.tensor(x)).sum().backward()
        results.append(seen2["gi"])
    (ne, (se, gxe, gwe), gi_e), (nt, (st, gxt, gwt), gi_t) = results[:3], results[3:]
    assert ne == nt == "BackwardHookFunctionBackward"
    assert se["pre"] and st["pre"]
    assert_close(se["gout"][0], st["gout"][0])
    assert_close(se["gin"][0], st["gin"][0])
    assert_close(gxe, gxt)
    assert_close(gwe, gwt)
    assert gi_e == (None,) and gi_t == (None,)


def test_module_repr_and_extra_repr():
    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = nn.Sequential(nn.Linear(1, 2), nn.Tanh())

        def extra_repr(self):
            return "alpha=1\nbeta=2"

    assert repr(Custom()) == (
        "Custom(\n  alpha=1\n  beta=2\n  (block): Sequential(\n    (0): Linear(in_features=1, "
        "out_features=2, bias=True)\n    (1): Tanh()\n  )\n)"
    )


@requires_torch
def test_layer_reprs_match_torch():
    def build(lib):
        n = lib.nn
        return [
            n.ReLU(), n.ReLU(True), n.ReLU6(), n.LeakyReLU(0.2), n.PReLU(3), n.ELU(), n.SELU(True),
            n.CELU(0.5), n.GELU(), n.GELU("tanh"), n.SiLU(), n.Mish(), n.Softplus(2.0, 10.0),
            n.Softsign(), n.Hardtanh(-2.0, 2.0), n.Hardsigmoid(), n.Hardswish(), n.Tanh(),
            n.Sigmoid(), n.LogSigmoid(), n.Softmax(), n.Softmax(1), n.LogSoftmax(1),
            n.Softmin(0), n.Threshold(0.1, 20), n.GLU(), n.Dropout(), n.Dropout(0.2, True),
            n.AlphaDropout(0.1), n.Dropout2d(), n.Embedding(10, 3),
            n.Embedding(10, 3, padding_idx=0, max_norm=1.0), n.Flatten(), n.Unflatten(1, (2, 3)),
            n.MSELoss(), n.CrossEntropyLoss(), n.Bilinear(2, 3, 4), n.Identity(),
            n.Linear(3, 2, bias=False), n.Softshrink(), n.Hardshrink(0.3), n.Tanhshrink(),
            n.ModuleList([n.Linear(2, 2), n.Linear(2, 2), n.ReLU()]),
            n.ModuleDict({"a": n.ReLU(), "b": n.Linear(1, 1)}),
            n.Sequential(OrderedDict([("x", n.Linear(1, 1)), ("y", n.Sigmoid())])),
            n.ParameterList([n.Parameter(lib.zeros(2)), n.Parameter(lib.zeros(2, 3))]),
            n.ParameterDict({"a": n.Parameter(lib.zeros(2)), "b": n.Parameter(lib.zeros(1))}),
            n.TripletMarginLoss(), n.BCEWithLogitsLoss(), n.KLDivLoss(),
        ]

    for e, t in zip(build(ember), build(torch)):
        assert repr(e) == repr(t)


def test_sequential_container():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    s = nn.Sequential(a, b, c)
    assert len(s) == 3 and s[0] is a and s[-1] is c and list(s) == [a, b, c]
    sub = s[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c]
    assert list(sub._modules) == ["1", "2"]
    s2 = nn.Sequential(OrderedDict([("first", a), ("act", b)]))
    assert s2.first is a and list(s2.state_dict()) == ["first.weight", "first.bias"]
    s.append(nn.Sigmoid())
    assert len(s) == 4
    d = nn.Tanh()
    s.insert(1, d)
    assert s[1] is d and s[2] is b and list(s._modules) == ["0", "1", "2", "3", "4"]
    s.extend([nn.Identity()])
    assert len(s) == 6
    del s[1]
    assert s[1] is b and list(s._modules) == ["0", "1", "2", "3", "4"]
    assert s.pop(-1).__class__ is nn.Identity
    s[0] = nn.Linear(2, 3)
    assert s[0] is not a
    y = s(ember.randn(4, 2))
    assert y.shape == (4, 1)
    assert len(s + nn.Sequential(nn.ReLU())) == 5
    with pytest.raises(IndexError, match="index 9 is out of range"):
        s[9]
    with pytest.raises(IndexError, match="index 0 is out of range"):
        nn.Sequential()[0]


def test_module_list_dict():
    ml = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)])
    assert len(ml) == 3 and len(list(ml.parameters())) == 6
    ml.append(nn.ReLU())
    ml.insert(0, nn.Tanh())
    assert isinstance(ml[0], nn.Tanh) and isinstance(ml[-1], nn.ReLU)
    ml.extend([nn.Sigmoid()])
    assert len(ml) == 6 and isinstance(ml[1:3], nn.ModuleList)
    del ml[0]
    assert list(ml._modules) == [str(i) for i in range(5)]
    ml += [nn.Identity()]
    assert len(ml) == 6
    with pytest.raises(IndexError, match="index 10 is out of range"):
        ml[10]
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable"):
        ml.extend(3)
    md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Linear(1, 2)})
    assert list(md.keys()) == ["b", "a"] and "a" in md and len(md) == 2
    md["c"] = nn.Tanh()
    assert [k for k, _ in md.items()] == ["b", "a", "c"]
    assert isinstance(md.pop("b"), nn.ReLU) and list(md) == ["a", "c"]
    md.update([("d", nn.Sigmoid())])
    assert list(md) == ["a", "c", "d"]
    assert list(md.state_dict()) == ["a.weight", "a.bias"]
    with pytest.raises(ValueError, match="has length 1; 2 is required"):
        md.update([("x",)])


def test_parameter_list_dict():
    pl = nn.ParameterList([ember.zeros(2), nn.Parameter(ember.ones(3))])
    assert isinstance(pl[0], nn.Parameter) and len(pl) == 2
    pl.append(ember.zeros(1))
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    assert len(pl[1:]) == 2
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        pl(1)
    pd = nn.ParameterDict({"b": ember.zeros(1), "a": ember.zeros(2)})
    assert list(pd.keys()) == ["a", "b"]  # a plain dict is sorted, as in PyTorch
    pd["c"] = nn.Parameter(ember.ones(1))
    assert "c" in pd and isinstance(pd["b"], nn.Parameter) and len(pd) == 3
    assert [n for n, _ in pd.named_parameters()] == ["a", "b", "c"]
    assert pd.get("zz") is None and pd.pop("a").shape == (2,)
    with pytest.raises(TypeError, match="cannot be used as a key as it is not a string"):
        pd[1] = ember.zeros(1)


def test_get_submodule_parameter_buffer():
    net = nn.Sequential(OrderedDict([("enc", Net())]))
    assert net.get_submodule("enc.fc1") is net.enc.fc1
    assert net.get_parameter("enc.fc1.weight") is net.enc.fc1.weight
    assert net.get_buffer("enc.running") is net.enc.running
    with pytest.raises(AttributeError, match="has no attribute `nope`"):
        net.get_submodule("enc.nope")


# ----------------------------------------------------------------------------------- layers
@requires_torch
@pytest.mark.parametrize("kind", ["linear", "linear_nobias", "bilinear", "embedding", "prelu",
                                  "flatten", "unflatten", "identity"])
def test_layers_match_torch(kind):
    rng = np.random.default_rng(1)

    def build(lib):
        n = lib.nn
        return {
            "linear": (n.Linear(4, 3), [rng.standard_normal((2, 5, 4))]),
            "linear_nobias": (n.Linear(4, 3, bias=False), [rng.standard_normal((6, 4))]),
            "bilinear": (n.Bilinear(3, 2, 4), [rng.standard_normal((5, 3)),
                                               rng.standard_normal((5, 2))]),
            "embedding": (n.Embedding(7, 3, padding_idx=2), [np.array([[0, 2, 6], [2, 1, 0]])]),
            "prelu": (n.PReLU(3), [rng.standard_normal((2, 3, 4))]),
            "flatten": (n.Flatten(), [rng.standard_normal((2, 3, 4))]),
            "unflatten": (n.Unflatten(1, (2, 6)), [rng.standard_normal((2, 12))]),
            "identity": (n.Identity(3, x=1), [rng.standard_normal((2, 2))]),
        }[kind]

    state = np.random.get_state()
    me, xs = build(ember)
    np.random.set_state(state)
    rng = np.random.default_rng(1)
    mt, xs_t = build(torch)
    me.double()
    mt.double()
    with torch.no_grad():
        for pe, pt in zip(me.parameters(), mt.parameters()):
            pe.data.copy_(ember.tensor(pt.detach().numpy()))
    ie = [ember.tensor(x, requires_grad=x.dtype.kind == "f") for x in xs]
    it = [torch.tensor(x, requires_grad=x.dtype.kind == "f") for x in xs_t]
    oe, ot = me(*ie), mt(*it)
    assert_close(oe.detach().numpy(), ot.detach().numpy(), what="output")
    cot = np.random.default_rng(2).standard_normal(tuple(ot.shape))
    oe.backward(ember.tensor(cot))
    ot.backward(torch.tensor(cot))
    for a, b in zip(ie, it):
        if b.requires_grad:
            assert_close(a.grad.numpy(), b.grad.numpy(), what="input grad")
    for (n, pe), (_, pt) in zip(me.named_parameters(), mt.named_parameters()):
        assert_close(pe.grad.numpy(), pt.grad.numpy(), what=n)


def test_linear_default_init_bounds():
    ember.manual_seed(0)
    lin = nn.Linear(50, 40)
    bound = 1 / math.sqrt(50)
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01  # uniform(-bound, bound)
    assert lin.weight.dtype == ember.float32
    assert nn.Linear(2, 3, dtype=ember.float64).weight.dtype == ember.float64
    emb = nn.Embedding(1000, 20, padding_idx=3)
    we = emb.weight.detach().numpy()
    assert (we[3] == 0).all() and abs(we.std() - 1) < 0.05
    pre = nn.Embedding.from_pretrained(ember.ones(4, 2))
    assert not pre.weight.requires_grad and pre.weight.shape == (4, 2)


def test_init_functions():
    init = nn.init
    ember.manual_seed(0)
    w = nn.Parameter(ember.empty(200, 300))
    v0 = w._version
    with pytest.raises(RuntimeError):  # in-place on a leaf is refused outside nn.init
        w.add_(1)
    assert init.uniform_(w, -2, 3) is w and w._version > v0
    assert w.min().item() >= -2 and w.max().item() <= 3
    init.normal_(w, 1.0, 0.5)
    assert abs(w.mean().item() - 1) < 0.01 and abs(w.detach().numpy().std() - 0.5) < 0.01
    init.constant_(w, 0.3)
    assert np.allclose(w.detach().numpy(), 0.3)
    init.zeros_(w)
    assert w.sum().item() == 0
    init.ones_(w)
    assert w.sum().item() == 60000
    init.eye_(w)
    assert np.array_equal(w.detach().numpy(), np.eye(200, 300, dtype=np.float32))
    init.xavier_uniform_(w, gain=2.0)
    a = 2.0 * math.sqrt(6.0 / 500)
    assert np.abs(w.detach().numpy()).max() <= a
    init.xavier_normal_(w)
    assert abs(w.detach().numpy().std() - math.sqrt(2.0 / 500)) < 0.003
    init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu")
    assert np.abs(w.detach().numpy()).max() <= math.sqrt(2.0) * math.sqrt(3.0 / 200)
    init.kaiming_normal_(w)
    assert abs(w.detach().numpy().std() - math.sqrt(2.0 / 300)) < 0.003
    init.trunc_normal_(w, std=2.0, a=-1.0, b=1.5)
    assert w.min().item() >= -1.0 and w.max().item() <= 1.5
    q = ember.empty(3, 5)
    init.orthogonal_(q, gain=2.0)
    np.testing.assert_allclose(q.numpy() @ q.numpy().T, 4 * np.eye(3), atol=1e-5)
    c = ember.empty(4, 4, 3)
    init.dirac_(c)
    assert c.sum().item() == 4 and c[1, 1, 1].item() == 1
    s = ember.empty(10, 4)
    init.sparse_(s, 0.3)
    assert ((s.numpy() == 0).sum(0) >= 3).all()
    assert init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2.0 / 1.04)
    assert init.calculate_gain("tanh") == 5.0 / 3 and init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        init.calculate_gain("foo")
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed"):
        init.xavier_uniform_(ember.empty(3))
    with pytest.raises(ValueError, match="Mode fan_x not supported"):
        init.kaiming_uniform_(w, mode="fan_x")


@requires_torch
def test_calculate_gain_matches_torch():
    for args in [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",),
                 ("leaky_relu",), ("leaky_relu", 0.3), ("selu",)]:
        assert nn.init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


# ----------------------------------------------------------------------------------- utils
def test_clip_grad_and_vectors():
    U = nn.utils
    p = nn.Parameter(ember.ones(3))
    q = nn.Parameter(ember.ones(2))
    p.grad = ember.tensor([3.0, 4.0, 0.0])
    q.grad = ember.tensor([0.0, 12.0])
    total = U.clip_grad_norm_([p, q], 1.0)
    assert abs(total.item() - 13.0) < 1e-5
    np.testing.assert_allclose(p.grad.numpy(), np.array([3, 4, 0]) / 13.0, rtol=1e-5)
    total = U.clip_grad_norm_(p, 10.0, norm_type="inf")
    assert abs(total.item() - 4 / 13) < 1e-6
    assert U.clip_grad_norm_([], 1.0).item() == 0.0
    p.grad = ember.tensor([float("nan"), 1.0, 1.0])
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        U.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    p.grad = ember.tensor([-5.0, 0.5, 5.0])
    U.clip_grad_value_([p], 1.0)
    assert p.grad.tolist() == [-1.0, 0.5, 1.0]
    vec = U.parameters_to_vector([p, q])
    assert vec.shape == (5,) and vec.requires_grad
    U.vector_to_parameters(ember.arange(5.0), [p, q])
    assert p.tolist() == [0.0, 1.0, 2.0] and q.tolist() == [3.0, 4.0]
    from ember.nn.utils.rnn import pad_sequence

    a = ember.ones(2, requires_grad=True)
    out = pad_sequence([a, ember.ones(3)])
    assert out.tolist() == [[1.0, 1.0], [1.0, 1.0], [0.0, 1.0]]
    out.sum().backward()
    assert a.grad.tolist() == [1.0, 1.0]
    left = pad_sequence([ember.ones(2), ember.ones(3)], batch_first=True, padding_value=-1,
                        padding_side="left")
    assert left.tolist() == [[-1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]


@requires_torch
def test_clip_grad_norm_matches_torch():
    rng = np.random.default_rng(5)
    gs = [rng.standard_normal(s) for s in [(3, 2), (4,)]]
    out = []
    for lib in (ember, torch):
        ps = [lib.nn.Parameter(lib.zeros(*g.shape, dtype=lib.float64)) for g in gs]
        for p, g in zip(ps, gs):
            p.grad = lib.tensor(g)
        tot = lib.nn.utils.clip_grad_norm_(ps, 0.5, norm_type=3.0)
        out.append((tot.item(), [p.grad.numpy().copy() for p in ps]))
    assert abs(out[0][0] - out[1][0]) < 1e-12
    for a, b in zip(out[0][1], out[1][1]):
        assert_close(a, b)


def test_import_forms():
    import importlib

    f1 = importlib.import_module("ember.nn.functional")
    from ember.nn import functional as f2

    assert f1 is f2 is F and ember.nn is nn
    assert nn.functional.relu is F.relu


@requires_torch
def test_activation_and_distance_modules_match_torch():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((3, 4, 2)) * 2
    x[np.abs(x) < 0.05] = 0.4
    x2 = rng.standard_normal((3, 4, 2))

    def build(lib):
        n = lib.nn
        return [n.ReLU(), n.ReLU6(), n.LeakyReLU(0.1), n.ELU(0.5), n.SELU(), n.CELU(2.0),
                n.GELU(), n.GELU("tanh"), n.SiLU(), n.Mish(), n.Softplus(0.5, 5.0), n.Softsign(),
                n.Hardtanh(-0.5, 0.5), n.Hardsigmoid(), n.Hardswish(), n.Tanh(), n.Sigmoid(),
                n.LogSigmoid(), n.Softmax(1), n.LogSoftmax(-1), n.Softmin(0),
                n.Threshold(0.2, -1.0), n.GLU(1), n.Tanhshrink(), n.Softshrink(0.3),
                n.Hardshrink(0.3), n.RReLU(0.1, 0.3).eval(), n.Dropout(0.3).eval(),
                n.Identity(), n.Flatten(0), n.Softmax2d()]

    for me, mt in zip(build(ember), build(torch)):
        xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ye, yt = me(xe), mt(xt)
        assert_close(ye.detach().numpy(), yt.detach().numpy(), what=repr(mt))
        cot = np.cos(np.arange(yt.numel())).reshape(tuple(yt.shape))
        ye.backward(ember.tensor(cot))
        yt.backward(torch.tensor(cot))
        assert_close(xe.grad.numpy(), xt.grad.numpy(), what=repr(mt))
    for me, mt in zip([nn.CosineSimilarity(1), nn.PairwiseDistance(1.5, keepdim=True)],
                      [torch.nn.CosineSimilarity(1), torch.nn.PairwiseDistance(1.5, keepdim=True)]):
        assert_close(me(ember.tensor(x), ember.tensor(x2)).numpy(),
                     mt(torch.tensor(x), torch.tensor(x2)).numpy())
        assert repr(me) == repr(mt)


def test_rrelu_training_slopes():
    ember.manual_seed(0)
    x = ember.full((10000,), -1.0, dtype=ember.float64, requires_grad=True)
    y = nn.RReLU(0.1, 0.3)(x)
    slopes = -y.detach().numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and abs(slopes.mean() - 0.2) < 0.01
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes)
    assert type(y.grad_fn).__name__ == "RreluWithNoiseBackward0"


def test_deprecated_init_aliases():
    w = ember.empty(3, 4)
    with pytest.warns(FutureWarning, match="nn.init.xavier_uniform` is now deprecated"):
        nn.init.xavier_uniform(w)
    assert np.abs(w.numpy()).max() <= math.sqrt(6 / 7)


def test_packed_sequences_round_trip_and_grad():
    from ember.nn.utils import rnn

    x = ember.arange(24.0, dtype=ember.float64).reshape(3, 4, 2).requires_grad_()
    p = rnn.pack_padded_sequence(x, [2, 4, 1], batch_first=True, enforce_sorted=False)
    assert p.batch_sizes.tolist() == [3, 2, 1, 1] and p.sorted_indices.tolist() == [1, 0, 2]
    assert p.data.shape == (7, 2)
    padded, lengths = rnn.pad_packed_sequence(p, batch_first=True, padding_value=-1.0)
    assert lengths.tolist() == [2, 4, 1] and lengths.dtype == ember.int64
    assert padded[0, :2].tolist() == x[0, :2].tolist() and padded[0, 2:].eq(-1).all()
    p.data.sum().backward()
    mask = np.zeros((3, 4, 2))
    for b, n in enumerate([2, 4, 1]):
        mask[b, :n] = 1
    np.testing.assert_array_equal(x.grad.numpy(), mask)
    seqs = [ember.ones(3), 2 * ember.ones(2)]
    assert [s.tolist() for s in rnn.unpack_sequence(rnn.pack_sequence(seqs))] == \
        [[1.0, 1.0, 1.0], [2.0, 2.0]]
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        rnn.pack_padded_sequence(x, [2, 4, 1], batch_first=True)
    with pytest.raises(RuntimeError, match="has to be greater than 0"):
        rnn.pack_padded_sequence(x, [2, 0, 1], batch_first=True, enforce_sorted=False)
    with pytest.raises(ValueError, match="Expected total_length to be at least"):
        rnn.pad_packed_sequence(p, total_length=2)


@requires_torch
def test_packed_sequences_match_torch():
    rng = np.random.default_rng(4)
    data = rng.standard_normal((5, 3, 2))
    lengths = [3, 5, 2]
    outs = []
    for lib in (ember, torch):
        R = lib.nn.utils.rnn
        x = lib.tensor(data, requires_grad=True)
        p = R.pack_padded_sequence(x, lengths, enforce_sorted=False)
        padded, lens = R.pad_packed_sequence(p, total_length=6)
        (padded * padded).sum().backward()
        outs.append((repr(p), padded.detach().numpy(), lens.tolist(), x.grad.numpy()))
    assert outs[0][0] == outs[1][0]
    assert_close(outs[0][1], outs[1][1])
    assert outs[0][2] == outs[1][2]
    assert_close(outs[0][3], outs[1][3])


def test_pack_padded_sequence_gradcheck():
    from ember.autograd import gradcheck, gradgradcheck
    from ember.nn.utils import rnn

    x = ember.tensor(np.random.default_rng(2).standard_normal((4, 3, 2)), requires_grad=True)
    f = lambda t: rnn.pack_padded_sequence(t, [4, 2, 1]).data  # noqa: E731
    assert gradcheck(f, (x,)) and gradgradcheck(f, (x,))
    g = lambda t: rnn.pad_packed_sequence(rnn.pack_padded_sequence(  # noqa: E731
        t, [2, 4, 1], enforce_sorted=False))[0]
    assert gradcheck(g, (x,))


def test_lazy_linear():
    m = nn.LazyLinear(3)
    assert repr(m) == "LazyLinear(in_features=0, out_features=3, bias=True)"
    assert repr(m.weight) == "<UninitializedParameter>"
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        m.weight.shape
    w_obj = m.weight
    opt = ember.optim.SGD(m.parameters(), lr=0.1)
    ember.manual_seed(0)
    y = m(ember.ones(2, 5))
    assert type(m) is nn.Linear and repr(m) == "Linear(in_features=5, out_features=3, bias=True)"
    assert m.weight is w_obj and type(m.weight) is nn.Parameter and m.weight.shape == (3, 5)
    assert np.abs(m.weight.detach().numpy()).max() <= 1 / math.sqrt(5)
    y.sum().backward()
    before = m.weight.detach().clone()
    opt.step()
    np.testing.assert_allclose(m.weight.detach().numpy(),
                               (before - 0.1 * m.weight.grad).numpy(), rtol=1e-6)
    m2 = nn.LazyLinear(3)
    m2.load_state_dict(m.state_dict())
    assert m2.weight.shape == (3, 5) and m2.weight.tolist() == m.weight.tolist()
    assert repr(nn.LazyLinear(2, bias=False)) == \
        "LazyLinear(in_features=0, out_features=2, bias=False)"


def test_data_parallel_on_cpu_wraps_the_module():
    # pytorch/examples dcgan: nn.parallel.data_parallel(self.main, input, range(ngpu)) and
    # nn.DataParallel(model) run the module as it is when there is no GPU.
    lin = nn.Linear(3, 2)
    dp = nn.DataParallel(lin)
    x = ember.randn(4, 3)
    assert dp.module is lin and dp.device_ids == []
    np.testing.assert_array_equal(dp(x).detach().numpy(), lin(x).detach().numpy())
    assert list(dp.state_dict()) == ["module.weight", "module.bias"]
    out = nn.parallel.data_parallel(lin, x)
    np.testing.assert_array_equal(out.detach().numpy(), lin(x).detach().numpy())
    if torch is not None:
        tdp = torch.nn.DataParallel(torch.nn.Linear(3, 2))
        assert list(tdp.state_dict()) == list(dp.state_dict()) and tdp.device_ids == []
