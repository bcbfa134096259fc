"""symbolic_trace of every nn module family: same outputs and gradients as the original
(parameters get their .grad through the GraphModule); Proxy errors as PyTorch's."""

import numpy as np
import pytest

import ember
import ember.fx as fx
from fx_door import needs_door, needs_module_door

nn = ember.nn
F = nn.functional



class Wrap(nn.Module):
    """A user module around ``body`` with some traced code of its own."""

    def __init__(self, body, first=False):
        super().__init__()
        self.body = body
        self.first = first

    def forward(self, x):
        y = self.body(x)
        if self.first:
            y = y[0]
        return (y * 2.0 + 1.0).sum(dim=-1)


def families():
    bn = nn.BatchNorm2d(3)
    return [
        ("linear", nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)), (2, 5), False),
        ("conv", nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.Conv2d(4, 2, 1)),
         (2, 3, 6, 6), False),
        ("pool", nn.Sequential(nn.MaxPool2d(2), nn.AvgPool2d(1), nn.AdaptiveAvgPool2d(2)),
         (2, 3, 8, 8), False),
        ("norms", nn.Sequential(bn, nn.GroupNorm(1, 3), nn.InstanceNorm2d(3)), (2, 3, 4, 4),
         False),
        ("layernorm", nn.LayerNorm(6), (2, 3, 6), False),
        ("activations", nn.Sequential(nn.GELU(), nn.Tanh(), nn.Sigmoid(), nn.SiLU(),
                                      nn.LeakyReLU(), nn.ELU(), nn.Softmax(dim=-1)), (3, 4),
         False),
        ("dropout_eval", nn.Sequential(nn.Dropout(0.5), nn.Linear(4, 4)).eval(), (3, 4), False),
        ("lstm", nn.LSTM(4, 5, batch_first=True), (2, 3, 4), True),
        ("gru", nn.GRU(4, 5, batch_first=True), (2, 3, 4), True),
        ("rnn", nn.RNN(4, 5, batch_first=True), (2, 3, 4), True),
        ("transformer", nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0,
                                                   batch_first=True), (2, 3, 8), False),
        ("containers", nn.Sequential(nn.ModuleDict({"a": nn.Linear(4, 4)})["a"],
                                     nn.ModuleList([nn.ReLU()])[0]), (2, 4), False),
        ("conv_transpose_upsample", nn.Sequential(nn.ConvTranspose2d(3, 4, 2, stride=2),
                                                  nn.Upsample(scale_factor=2),
                                                  nn.PixelShuffle(2)), (1, 3, 4, 4), False),
        ("batchnorm1d_prelu", nn.Sequential(nn.BatchNorm1d(4), nn.PReLU(), nn.Hardtanh()),
         (5, 4), False),
    ]


@needs_module_door
@pytest.mark.parametrize("name,body,shape,first", families(), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_round_trip_outputs_and_gradients(name, body, shape, first):
    ember.manual_seed(0)
    model = Wrap(body, first)
    gm = fx.symbolic_trace(model)
    x = ember.randn(*shape, requires_grad=True)
    ref = model(x)
    ref.sum().backward()
    want = {k: p.grad.clone() for k, p in model.named_parameters() if p.grad is not None}
    gx = x.grad.clone()
    model.zero_grad()
    x.grad = None
    out = gm(x)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-6, atol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), gx.numpy(), rtol=1e-6, atol=1e-6)
    got = {k: p.grad for k, p in gm.named_parameters() if p.grad is not None}
    assert got.keys() == want.keys()
    for k in want:
        np.testing.assert_allclose(got[k].numpy(), want[k].numpy(), rtol=1e-6, atol=1e-6)
    assert "self.body" in gm.code


@needs_door
def test_code_reads_like_pytorch():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 4)

        def forward(self, x):
            a = F.relu(self.lin(x)).view(-1, 4)
            return ember.cat([a, a], dim=0).sum(dim=1, keepdim=True) + x.shape[0]

    code = fx.symbolic_trace(M()).code
    assert "lin = self.lin(x)" in code
    assert "view = relu.view(-1, 4);  relu = None" in code
    assert "cat = torch.cat([view, view], dim = 0);  view = None" in code
    assert "getattr_1 = x.shape" in code


@needs_door
def test_parameters_used_directly_become_get_attr_and_train():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(ember.randn(3, 3))

        def forward(self, x):
            return x @ self.w.t()

    m = M()
    gm = fx.symbolic_trace(m)
    assert "w = self.w" in gm.code and "t = w.t()" in gm.code
    x = ember.randn(2, 3)
    gm(x).sum().backward()
    expected = ember.ones(3, 1) * x.sum(0)[None, :]  # d(sum(x @ w.T))/dw[i, j] = sum_b x[b, j]
    np.testing.assert_allclose(m.w.grad.numpy(), expected.numpy(), rtol=1e-6)


@needs_module_door
def test_control_flow_iteration_and_len_raise_pytorch_errors():
    def branch(x):
        if x.sum() > 0:
            return x
        return -x

    with pytest.raises(fx.TraceError, match="cannot be used as inputs to control flow"):
        fx.symbolic_trace(branch)

    def loop(x):
        return [y for y in x]

    with pytest.raises(fx.TraceError, match="Proxy object cannot be iterated"):
        fx.symbolic_trace(loop)

    def length(x):
        return len(x)

    with pytest.raises(RuntimeError, match="'len' is not supported in symbolic tracing"):
        fx.symbolic_trace(length)


@needs_module_door
def test_unpacking_and_concrete_args():
    def f(x, flag):
        a, b = x.split(2, dim=0)
        return a + b if flag else a - b

    gm = fx.symbolic_trace(f, concrete_args={"flag": True})
    x = ember.randn(4, 3)
    assert ember.allclose(gm(x, True), x[:2] + x[2:])


@needs_door
def test_custom_tracer_leaf_override_and_create_node():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.relu = nn.ReLU()

        def forward(self, x):
            return self.relu(x)

    class LowerRelu(fx.Tracer):
        def is_leaf_module(self, m, qualname):
            return False if isinstance(m, nn.ReLU) else super().is_leaf_module(m, qualname)

    ops = [n.op for n in fx.Tracer().trace(M()).nodes]
    assert ops == ["placeholder", "call_module", "output"]
    ops = [n.op for n in LowerRelu().trace(M()).nodes]
    assert ops == ["placeholder", "call_function", "output"]


@needs_module_door
def test_embedding_and_decoder_layer_round_trip():
    class Dec(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(11, 8)
            self.dec = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0,
                                                  batch_first=True)

        def forward(self, tokens, memory):
            return self.dec(self.emb(tokens), memory).sum()

    ember.manual_seed(0)
    model = Dec()
    gm = fx.symbolic_trace(model)
    tokens, memory = ember.randint(0, 11, (2, 5)), ember.randn(2, 3, 8)
    ref = model(tokens, memory)
    ref.backward()
    want = {k: p.grad.clone() for k, p in model.named_parameters()}
    model.zero_grad()
    out = gm(tokens, memory)
    out.backward()
    assert ember.allclose(out, ref)
    for k, p in gm.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), want[k].numpy(), rtol=1e-5, atol=1e-6)


def residual(T):
    """One program for ember and for torch: module calls, operators, methods, unpacking."""

    class Net(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.seq = T.nn.Sequential(T.nn.Linear(4, 4), T.nn.ReLU())
            self.lstm = T.nn.LSTM(4, 3, batch_first=True)
            self.w = T.nn.Parameter(T.ones(3))
            self.norm = T.nn.LayerNorm(3)

        def forward(self, x, scale: float = 2.0):
            h = self.seq(x) + x
            out, (h_n, c_n) = self.lstm(h)
            y = self.norm(out * self.w + scale)
            return y.reshape(-1, 3).sum(dim=1, keepdim=True), h_n[0], x.shape[1] // 2

    return Net()


@needs_module_door
def test_traced_code_and_graph_text_equal_pytorch():
    torch = pytest.importorskip("torch")
    tfx = pytest.importorskip("torch.fx")

    model = residual(ember)
    e = fx.symbolic_trace(model)
    t = tfx.symbolic_trace(residual(torch))
    assert e.code == t.code
    assert str(e.graph) == str(t.graph)
    x = ember.randn(2, 5, 4)
    got, want = e(x, 0.5), model(x, 0.5)
    assert ember.allclose(got[0], want[0]) and ember.allclose(got[1], want[1])
    assert got[2] == want[2] == 2
