"""ember.onnx.export: the checker passes, ONNX Runtime agrees with ember (1e-5) at the example
batch size and another one, and with PyTorch's own export of the same weights."""

import io
import operator
import sys
import os

import numpy as np
import pytest

import ember
import ember.fx as fx
import ember.onnx

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime (test extra) is not installed")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fx"))
from fx_door import needs_door, needs_module_door  # noqa: E402

nn = ember.nn


def chain(root, names, tuple_out=False):
    """A captured program calling root's submodules in turn (what tracing records for a
    Sequential); a tuple-returning module (LSTM/GRU/MHA) gives its first output."""
    g = fx.Graph()
    v = g.placeholder("x")
    for n in names:
        v = g.call_module(n, (v,) if n != "attn" else (v, v, v))
        if isinstance(root.get_submodule(n), (nn.LSTM, nn.GRU, nn.MultiheadAttention)):
            v = g.call_function(operator.getitem, (v, 0))
    g.output(v)
    return fx.GraphModule(root, g)


def compare_with_pytorch_export(data, torch_model, x, batch_axis=0, other=5):
    """PyTorch's exporter on the same weights: both ONNX files must agree in ONNX Runtime."""
    torch = pytest.importorskip("torch")
    f = io.BytesIO()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(torch_model, (torch.from_numpy(x.numpy()),), f, input_names=["x"],
                          output_names=["y"], dynamo=False,
                          dynamic_axes={"x": {batch_axis: "batch"}, "y": {batch_axis: "batch"}})
    shape = list(x.shape)
    shape[batch_axis] = other
    xi = (ember.randn(*shape) if x.is_floating_point() else ember.randint(0, 10, shape)).numpy()
    ours = ort.InferenceSession(data).run(None, {"x": xi})[0]
    theirs = ort.InferenceSession(f.getvalue()).run(None, {"x": xi})[0]
    np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=1e-5)


def torch_twin(ember_module, build):
    """``build(torch)`` loaded with ``ember_module``'s weights, in eval mode."""
    torch = pytest.importorskip("torch")
    tm = build(torch)
    tm.load_state_dict({k: torch.from_numpy(v.detach().numpy().copy())
                        for k, v in ember_module.state_dict().items()})
    return tm.eval()


class First:
    """Wrap a tuple-returning module so an export sees its first output (for both libraries)."""

    @staticmethod
    def of(T, mod, self_attn=False):
        class FirstOut(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.m = mod

            def forward(self, x):
                return (self.m(x, x, x) if self_attn else self.m(x))[0]

        return FirstOut()


def export_and_run(model, x, batch_axis=0, other=5, ref=None):
    f = io.BytesIO()
    proto = ember.onnx.export(model, (x,), f, input_names=["x"], output_names=["y"],
                              dynamic_axes={"x": {batch_axis: "batch"},
                                            "y": {batch_axis: "batch"}})
    onnx.checker.check_model(proto)
    sess = ort.InferenceSession(f.getvalue())
    ref = ref or model
    for size in (x.shape[batch_axis], other):
        shape = list(x.shape)
        shape[batch_axis] = size
        xi = ember.randn(*shape) if x.is_floating_point() else ember.randint(0, 10, shape)
        got = sess.run(None, {"x": xi.numpy()})[0]
        with ember.no_grad():
            want = ref(xi)
        np.testing.assert_allclose(got, want.numpy(), atol=1e-5, rtol=1e-5)
    return f.getvalue()


def seq_case(layers, x):
    """Export ``Sequential(*layers(ember))`` (captured as a call_module chain), check it in ONNX
    Runtime, and against PyTorch's export of ``Sequential(*layers(torch))`` (same weights)."""
    root = nn.Sequential(*layers(ember)).eval()
    gm = chain(root, [str(i) for i in range(len(root))])
    data = export_and_run(gm, x)
    compare_with_pytorch_export(data, torch_twin(root, lambda T: T.nn.Sequential(*layers(T))),
                                x)


def test_mlp():
    ember.manual_seed(0)
    seq_case(lambda T: [T.nn.Linear(4, 16), T.nn.ReLU(), T.nn.Linear(16, 8), T.nn.Tanh(),
                        T.nn.Linear(8, 3), T.nn.Softmax(dim=-1)], ember.randn(2, 4))


def test_cnn_conv_batchnorm_pooling():
    ember.manual_seed(0)

    def layers(T):
        bn = T.nn.BatchNorm2d(6)
        with T.no_grad():
            bn.running_mean.copy_(T.linspace(-1, 1, 6))
            bn.running_var.copy_(T.linspace(0.5, 2, 6))
        return [T.nn.Conv2d(3, 6, 3, padding=1), bn, T.nn.ReLU(), T.nn.MaxPool2d(2),
                T.nn.Conv2d(6, 4, 3, stride=2, padding="valid"),
                T.nn.AvgPool2d(2, ceil_mode=True), T.nn.AdaptiveAvgPool2d(1), T.nn.Flatten(),
                T.nn.Linear(4, 2)]

    seq_case(layers, ember.randn(2, 3, 16, 16))


def test_layernorm_gelu_dropout():
    ember.manual_seed(0)
    seq_case(lambda T: [T.nn.Linear(8, 8), T.nn.LayerNorm(8), T.nn.GELU(), T.nn.Dropout(0.3),
                        T.nn.GELU(approximate="tanh"), T.nn.SiLU(), T.nn.LeakyReLU(0.2)],
             ember.randn(3, 5, 8))


def test_embedding():
    ember.manual_seed(0)
    seq_case(lambda T: [T.nn.Embedding(10, 4), T.nn.Linear(4, 2)], ember.randint(0, 10, (2, 7)))


@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_attention(batch_first):
    ember.manual_seed(0)
    root = nn.Module()
    root.attn = nn.MultiheadAttention(8, 2, batch_first=batch_first).eval()
    gm = chain(root, ["attn"])
    x = ember.randn(2, 5, 8) if batch_first else ember.randn(5, 2, 8)
    axis = 0 if batch_first else 1
    data = export_and_run(gm, x, batch_axis=axis, ref=lambda t: root.attn(t, t, t)[0])
    twin = torch_twin(First.of(ember, root.attn, True),
                      lambda T: First.of(T, T.nn.MultiheadAttention(8, 2, batch_first=batch_first),
                                         True))
    compare_with_pytorch_export(data, twin, x, batch_axis=axis)


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_recurrent(cls, bidirectional):
    ember.manual_seed(0)
    root = nn.Module()
    root.rnn = getattr(nn, cls)(4, 6, num_layers=2, batch_first=True, bidirectional=bidirectional)
    gm = chain(root, ["rnn"])
    x = ember.randn(3, 7, 4)
    data = export_and_run(gm, x, ref=lambda t: root.rnn(t)[0])
    twin = torch_twin(First.of(ember, root.rnn), lambda T: First.of(
        T, getattr(T.nn, cls)(4, 6, num_layers=2, batch_first=True, bidirectional=bidirectional)))
    compare_with_pytorch_export(data, twin, x)


def test_unsupported_op_names_it():
    g = fx.Graph()
    x = g.placeholder("x")
    g.output(g.call_function(ember.cumsum, (x, 0)))
    gm = fx.GraphModule(nn.Module(), g)
    with pytest.raises(ember.onnx.UnsupportedOperatorError, match="torch.cumsum"):
        ember.onnx.export(gm, (ember.randn(3),), None)


def test_importing_ember_does_not_import_onnx_or_fx():
    import subprocess

    code = ("import sys, ember; print(any(m == 'onnx' or m.startswith('onnx.') or "
            "m.startswith('ember.fx') or m.startswith('ember.onnx') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


# -- traced models (the capture symbolic_trace uses), and PyTorch's own export ---------------
def gpt_block(T):
    """A small GPT block written once for ember and for torch (T is the library)."""
    F = T.nn.functional

    class Block(T.nn.Module):
        def __init__(self, d=16, heads=4):
            super().__init__()
            self.heads = heads
            self.ln1 = T.nn.LayerNorm(d)
            self.qkv = T.nn.Linear(d, 3 * d)
            self.proj = T.nn.Linear(d, d)
            self.ln2 = T.nn.LayerNorm(d)
            self.fc = T.nn.Linear(d, 4 * d)
            self.out = T.nn.Linear(4 * d, d)

        def forward(self, x):
            B, S, C = x.size()
            q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
            q = q.view(B, S, self.heads, C // self.heads).transpose(1, 2)
            k = k.view(B, S, self.heads, C // self.heads).transpose(1, 2)
            v = v.view(B, S, self.heads, C // self.heads).transpose(1, 2)
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            y = y.transpose(1, 2).contiguous().view(B, S, C)
            x = x + self.proj(y)
            return x + self.out(F.gelu(self.fc(self.ln2(x))))

    return Block()


def _torch_copy(model, factory):
    torch = pytest.importorskip("torch")
    tm = factory(torch)
    tm.load_state_dict({k: torch.from_numpy(v.detach().numpy().copy())
                        for k, v in model.state_dict().items()})
    return torch, tm.eval()


@needs_door
def test_gpt_block_traced_and_matches_pytorch_export():
    ember.manual_seed(0)
    model = gpt_block(ember).eval()
    x = ember.randn(2, 6, 16)
    data = export_and_run(model, x)
    torch, tm = _torch_copy(model, gpt_block)
    f = io.BytesIO()
    try:
        torch.onnx.export(tm, (torch.from_numpy(x.numpy()),), f, input_names=["x"],
                          output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}},
                          dynamo=False)
    except Exception as e:  # noqa: BLE001 - report why PyTorch's exporter could not run
        pytest.skip(f"torch.onnx.export does not run on this machine: {e!r}")
    xi = np.random.default_rng(0).standard_normal((3, 6, 16)).astype(np.float32)
    ours = ort.InferenceSession(data).run(None, {"x": xi})[0]
    theirs = ort.InferenceSession(f.getvalue()).run(None, {"x": xi})[0]
    np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=1e-5)


@needs_door
def test_traced_cnn_function_and_module_mix():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3)
            self.fc = nn.Linear(4 * 3 * 3, 5)

        def forward(self, x):
            x = ember.nn.functional.max_pool2d(ember.relu(self.conv(x)), 2)
            x = x.view(x.size(0), -1)
            return ember.log_softmax(self.fc(x), dim=1)

    ember.manual_seed(0)
    export_and_run(Net().eval(), ember.randn(2, 1, 8, 8))


@needs_door
def test_gpt_block_dynamic_batch_and_sequence():
    ember.manual_seed(0)
    model = gpt_block(ember).eval()
    f = io.BytesIO()
    ember.onnx.export(model, (ember.randn(2, 6, 16),), f, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch", 1: "seq"}, "y": {0: "batch", 1: "seq"}})
    sess = ort.InferenceSession(f.getvalue())
    for shape in ((2, 6, 16), (3, 9, 16), (1, 1, 16)):
        x = ember.randn(*shape)
        with ember.no_grad():
            want = model(x).numpy()
        np.testing.assert_allclose(sess.run(None, {"x": x.numpy()})[0], want, atol=1e-5,
                                   rtol=1e-5)


def attention_model(T):
    F = T.nn.functional

    class Attn(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.mha = T.nn.MultiheadAttention(8, 2, batch_first=True)
            self.norm = T.nn.LayerNorm(8)

        def forward(self, x):
            h, _ = self.mha(x, x, x, need_weights=False)
            q = self.norm(h + x).unsqueeze(1)
            mask = T.ones(x.size(1), x.size(1)).tril() > 0
            y = F.scaled_dot_product_attention(q, q, q, attn_mask=mask)
            return y.squeeze(1)

    return Attn()


def residual_lstm(T):
    class Net(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.seq = T.nn.Sequential(T.nn.Linear(4, 4), T.nn.ReLU())
            self.lstm = T.nn.LSTM(4, 3, batch_first=True)
            self.w = T.nn.Parameter(T.linspace(-1, 1, 3))

        def forward(self, x):
            h = self.seq(x) + x
            out, (h_n, c_n) = self.lstm(h)
            return out * self.w + 1.0

    return Net()


@pytest.mark.parametrize("build, shape", [
    # multihead attention and an sdpa mask
    pytest.param(attention_model, (2, 5, 8), marks=needs_door, id="attention_and_sdpa_mask"),
    # modules, operators and unpacking
    pytest.param(residual_lstm, (2, 5, 4), marks=needs_module_door, id="residual_lstm"),
])
def test_traced_model_matches_pytorch_export(build, shape):
    ember.manual_seed(0)
    model = build(ember).eval()
    x = ember.randn(*shape)
    data = export_and_run(model, x)
    compare_with_pytorch_export(data, torch_twin(model, build), x)
