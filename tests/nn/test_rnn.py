"""Recurrent and attention layers: the same module built in ember and PyTorch with copied
weights gives the same outputs, input gradients and parameter gradients; parameter names,
reprs, initialisation ranges and error messages follow PyTorch; gradcheck always runs."""

from __future__ import annotations

import numpy as np
import pytest
from oracle import check_error, requires_torch, torch

import ember
from ember.autograd import gradcheck

rng = np.random.default_rng(1)


def _tensors(lib, arrays, requires_grad):
    return [
        lib.tensor(a, requires_grad=requires_grad) if isinstance(a, np.ndarray) else a
        for a in arrays
    ]


def _flat(out):
    if not isinstance(out, tuple):
        return [out]
    res = []
    for o in out:
        res += _flat(o) if isinstance(o, tuple) else [o]
    return [o for o in res if o is not None]


def compare(ctor, inputs, kwargs=None, train=False):
    """Build ``ctor`` (a string evaluated against ``lib.nn``) in both libraries in float64,
    copy random weights, run forward/backward, compare everything."""
    kwargs = kwargs or {}
    em = eval("nn." + ctor, {"nn": ember.nn}).double()
    tm = eval("nn." + ctor, {"nn": torch.nn}).double()
    assert repr(em) == repr(tm)
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    if not train:
        em.eval()
        tm.eval()
    with torch.no_grad(), ember.no_grad():
        for (_, p), (_, q) in zip(tm.named_parameters(), em.named_parameters()):
            v = rng.uniform(-0.5, 0.5, tuple(p.shape))
            p.copy_(torch.tensor(v))
            q.copy_(ember.tensor(v))
    xe, xt = _tensors(ember, inputs, True), _tensors(torch, inputs, True)

    def conv(lib, v):
        if isinstance(v, np.ndarray):
            return lib.tensor(v)
        if isinstance(v, tuple):
            return tuple(conv(lib, a) for a in v)
        return v

    oe = _flat(em(*xe, **{k: conv(ember, v) for k, v in kwargs.items()}))
    ot = _flat(tm(*xt, **{k: conv(torch, v) for k, v in kwargs.items()}))
    assert len(oe) == len(ot)
    for a, b in zip(oe, ot):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-7, atol=1e-9)
    sum((o * o).sum() for o in oe).backward()
    sum((o * o).sum() for o in ot).backward()
    for a, b in zip(xe, xt):
        if isinstance(a, ember.Tensor):
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6, atol=1e-9)
    for (n, p), (_, q) in zip(tm.named_parameters(), em.named_parameters()):
        np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), rtol=1e-6, atol=1e-9, err_msg=n)


def R(*shape):
    return rng.standard_normal(shape)


RNN_CASES = [
    ("RNN(3, 4)", [R(5, 2, 3)], {}),
    (
        "RNN(3, 4, num_layers=2, nonlinearity='relu', bidirectional=True)",
        [R(5, 2, 3)],
        {"hx": R(4, 2, 4)},
    ),
    ("LSTM(3, 4, 2, batch_first=True, bidirectional=True)", [R(2, 5, 3)], {}),
    ("LSTM(3, 4)", [R(5, 3)], {"hx": (R(1, 4), R(1, 4))}),
    ("LSTM(3, 4, proj_size=2)", [R(5, 2, 3)], {}),
    ("GRU(3, 4, 2, bias=False)", [R(5, 2, 3)], {"hx": R(2, 2, 4)}),
    ("GRU(3, 4, batch_first=True, bidirectional=True)", [R(2, 5, 3)], {}),
    ("RNNCell(3, 4, nonlinearity='relu')", [R(2, 3)], {}),
    ("GRUCell(3, 4)", [R(2, 3)], {"hx": R(2, 4)}),
    ("LSTMCell(3, 4)", [R(3)], {"hx": (R(4), R(4))}),
]


@requires_torch
@pytest.mark.parametrize("ctor,inputs,kwargs", RNN_CASES)
def test_rnn_matches_torch(ctor, inputs, kwargs):
    compare(ctor, inputs, kwargs)


def test_rnn_parameter_names_shapes_and_init():
    lstm = ember.nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    names = [n for n, _ in lstm.named_parameters()]
    assert names[:4] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    assert "weight_ih_l1_reverse" in names and len(names) == 16
    assert tuple(lstm.weight_ih_l0.shape) == (20, 3)
    assert tuple(lstm.weight_ih_l1.shape) == (20, 10)
    bound = 1 / np.sqrt(5)
    for p in lstm.parameters():
        assert np.abs(p.detach().numpy()).max() <= bound
    assert tuple(ember.nn.GRU(3, 5).weight_hh_l0.shape) == (15, 5)
    assert (
        repr(ember.nn.LSTM(3, 4, 2, batch_first=True, bidirectional=True))
        == "LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True)"
    )
    assert repr(ember.nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity=relu)"


def test_lstm_gate_order_by_hand():
    """With only the g (cell candidate) gate biased, i = f = o = sigmoid(0) = 0.5."""
    cell = ember.nn.LSTMCell(1, 1)
    with ember.no_grad():
        for p in cell.parameters():
            p.zero_()
        cell.bias_ih[2] = 1.0  # gate order i, f, g, o
    h, c = cell(ember.zeros(1, 1))
    g = np.tanh(1.0)
    assert np.isclose(c.item(), 0.5 * g)
    assert np.isclose(h.item(), 0.5 * np.tanh(0.5 * g))


def test_rnn_gradcheck():
    gru = ember.nn.GRU(2, 3, batch_first=True).double()
    x = ember.tensor(R(2, 3, 2), requires_grad=True)
    assert gradcheck(lambda x: gru(x)[0], (x,))
    lstm = ember.nn.LSTM(2, 2).double()
    assert gradcheck(lambda x: lstm(x)[1][1], (x,))


def test_rnn_dropout_between_layers_only_in_training():
    ember.manual_seed(0)
    rnn = ember.nn.RNN(3, 4, num_layers=2, dropout=0.5)
    x = ember.randn(5, 2, 3)
    a, b = rnn(x)[0], rnn(x)[0]
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    rnn.eval()
    np.testing.assert_array_equal(rnn(x)[0].detach().numpy(), rnn(x)[0].detach().numpy())


def test_rnn_errors():
    def mk(lib, cls, *a):
        return getattr(lib.nn, cls)(*a)

    check_error(
        lambda lib: mk(lib, "LSTM", 3, 4)(lib.zeros(5, 2, 6)),
        lambda lib: mk(lib, "LSTM", 3, 4)(lib.zeros(5, 2, 6)),
        RuntimeError,
        "input.size(-1) must be equal to input_size. Expected 3, got 6",
    )
    check_error(
        lambda lib: mk(lib, "LSTM", 3, 4)(lib.zeros(5, 2, 3, 1)),
        lambda lib: mk(lib, "LSTM", 3, 4)(lib.zeros(5, 2, 3, 1)),
        ValueError,
        "LSTM: Expected input to be 2D or 3D, got 4D instead",
    )
    check_error(
        lambda lib: mk(lib, "GRU", 3, 4)(lib.zeros(5, 2, 3), lib.zeros(1, 3, 4)),
        lambda lib: mk(lib, "GRU", 3, 4)(lib.zeros(5, 2, 3), lib.zeros(1, 3, 4)),
        RuntimeError,
        "Expected hidden size (1, 2, 4), got [1, 3, 4]",
    )
    check_error(
        lambda lib: mk(lib, "LSTMCell", 3, 4)(lib.zeros(2, 5)),
        lambda lib: mk(lib, "LSTMCell", 3, 4)(lib.zeros(2, 5)),
        RuntimeError,
        "input has inconsistent input_size: got 5 expected 3",
    )


# ------------------------------------------------------------------------------ attention
def _mask():
    m = rng.random((5, 6)) > 0.5
    m[:, 0] = False
    return m


KPM = np.zeros((2, 6), bool)
KPM[1, 4:] = True

ATTN_CASES = [
    ("MultiheadAttention(8, 2)", [R(5, 2, 8), R(6, 2, 8), R(6, 2, 8)], {}),
    (
        "MultiheadAttention(8, 2)",
        [R(5, 2, 8), R(6, 2, 8), R(6, 2, 8)],
        {"attn_mask": _mask(), "key_padding_mask": KPM},
    ),
    (
        "MultiheadAttention(8, 4, batch_first=True)",
        [R(2, 5, 8)] * 3,
        {"attn_mask": R(5, 5), "average_attn_weights": False},
    ),
    (
        "MultiheadAttention(8, 2, kdim=3, vdim=5, add_bias_kv=True, add_zero_attn=True)",
        [R(5, 2, 8), R(6, 2, 3), R(6, 2, 5)],
        {"key_padding_mask": KPM},
    ),
    ("MultiheadAttention(8, 2)", [R(5, 8), R(6, 8), R(6, 8)], {"need_weights": False}),
    ("TransformerEncoderLayer(8, 2, 16)", [R(5, 2, 8)], {}),
    (
        "TransformerEncoderLayer(8, 2, 16, batch_first=True, norm_first=True, activation='gelu')",
        [R(2, 5, 8)],
        {"src_key_padding_mask": KPM[:, :5]},
    ),
    (
        "TransformerDecoderLayer(8, 2, 16)",
        [R(5, 2, 8), R(6, 2, 8)],
        {"tgt_mask": np.triu(np.ones((5, 5), bool), 1)},
    ),
    ("TransformerDecoderLayer(8, 2, 16, norm_first=True)", [R(5, 2, 8), R(6, 2, 8)], {}),
    (
        "TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2, norm=nn.LayerNorm(8))",
        [R(5, 2, 8)],
        {},
    ),
]


ATTN_CASES.append(
    (
        "Transformer(8, 2, 1, 2, 16, dropout=0.0)",
        [R(5, 2, 8), R(4, 2, 8)],
        {"tgt_mask": np.triu(np.full((4, 4), -np.inf), 1), "src_key_padding_mask": KPM[:, :5]},
    )
)


@requires_torch
@pytest.mark.parametrize("ctor,inputs,kwargs", ATTN_CASES)
def test_attention_matches_torch(ctor, inputs, kwargs):
    compare(ctor, inputs, kwargs)


def test_multihead_attention_structure_and_init():
    mha = ember.nn.MultiheadAttention(4, 2)
    assert repr(mha) == (
        "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear("
        "in_features=4, out_features=4, bias=True)\n)"
    )
    assert [n for n, _ in mha.named_parameters()] == [
        "in_proj_weight",
        "in_proj_bias",
        "out_proj.weight",
        "out_proj.bias",
    ]
    assert np.all(mha.in_proj_bias.detach().numpy() == 0)
    bound = np.sqrt(6 / (4 + 12))  # xavier_uniform on (12, 4)
    assert np.abs(mha.in_proj_weight.detach().numpy()).max() <= bound
    x = ember.randn(3, 5, 4)
    out, w = ember.nn.MultiheadAttention(4, 2, batch_first=True)(x, x, x)
    assert tuple(out.shape) == (3, 5, 4) and tuple(w.shape) == (3, 5, 5)
    np.testing.assert_allclose(w.sum(-1).detach().numpy(), 1.0, rtol=1e-5)


def test_encoder_gradcheck_and_clones():
    layer = ember.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0).double()
    enc = ember.nn.TransformerEncoder(layer, 2)
    assert enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight
    x = ember.tensor(R(3, 1, 4), requires_grad=True)
    assert gradcheck(lambda x: enc(x), (x,))


def test_transformer_causal_mask():
    m = ember.nn.Transformer.generate_square_subsequent_mask(3)
    assert m.dtype == ember.float32
    assert m.tolist() == [[0.0, -np.inf, -np.inf], [0.0, 0.0, -np.inf], [0.0, 0.0, 0.0]]


def test_flatten_parameters_is_a_no_op():
    # word_language_model calls model.rnn.flatten_parameters() after torch.load
    for cls in (ember.nn.LSTM, ember.nn.GRU, ember.nn.RNN):
        m = cls(3, 4, num_layers=2)
        before = {k: v.detach().numpy().copy() for k, v in m.state_dict().items()}
        assert m.flatten_parameters() is None
        after = m.state_dict()
        assert all(np.array_equal(before[k], after[k].numpy()) for k in before)
        x = ember.randn(5, 2, 3)
        m(x)[0].sum().backward()


# ------------------------------------------------------------------------------ packed input
def _packed_run(lib, cls, x, lens, h, c, num_layers, bidirectional, batch_first, enforce_sorted):
    """Pack ``x`` with ``lens``, run the module (weights drawn from fixed seeds), unpack, and
    backpropagate a loss touching the packed data, the padded output and the final states."""
    U = lib.nn.utils.rnn
    m = getattr(lib.nn, cls)(
        3, 4, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first
    ).double()
    with lib.no_grad():
        for i, (_, p) in enumerate(m.named_parameters()):
            p.copy_(lib.tensor(np.random.default_rng(i).uniform(-0.5, 0.5, tuple(p.shape))))
    xt = lib.tensor(x, requires_grad=True)
    ht = lib.tensor(h, requires_grad=True)
    ct = lib.tensor(c, requires_grad=True)
    packed = U.pack_padded_sequence(xt, lens, batch_first=batch_first,
                                    enforce_sorted=enforce_sorted)
    out, hn = m(packed, (ht, ct) if cls == "LSTM" else ht)
    assert isinstance(out, U.PackedSequence)
    states = hn if isinstance(hn, tuple) else (hn,)
    padded, lengths = U.pad_packed_sequence(out, batch_first=batch_first, total_length=7)
    loss = (padded**2).sum() + sum((s**3).sum() for s in states) + (0.3 * out.data).sum()
    loss.backward()
    grads = [xt.grad, ht.grad] + ([ct.grad] if cls == "LSTM" else [])
    return ([out.data, out.batch_sizes, padded, lengths, *states, *grads]
            + [p.grad for p in m.parameters()])


PACKED_CASES = [
    (cls, layers, bi, bf, es)
    for cls in ("RNN", "LSTM", "GRU")
    for layers in (1, 2)
    for bi in (False, True)
    for bf in (False, True)
    for es in (True, False)
]


@requires_torch
@pytest.mark.parametrize("cls,layers,bi,bf,es", PACKED_CASES)
def test_rnn_packed_input_matches_torch(cls, layers, bi, bf, es):
    r = np.random.default_rng(7)
    lens = [5, 3, 3, 1] if es else [3, 5, 1, 3]
    x = r.standard_normal((4, 5, 3) if bf else (5, 4, 3))
    D = 2 if bi else 1
    h, c = r.standard_normal((layers * D, 4, 4)), r.standard_normal((layers * D, 4, 4))
    got = _packed_run(ember, cls, x, lens, h, c, layers, bi, bf, es)
    want = _packed_run(torch, cls, x, lens, h, c, layers, bi, bf, es)
    assert len(got) == len(want)
    for k, (a, b) in enumerate(zip(got, want)):
        assert tuple(a.shape) == tuple(b.shape), k
        assert str(a.dtype) == str(b.dtype), k
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-9,
                                   atol=1e-11, err_msg=f"item {k}")


@requires_torch
def test_lstm_packed_proj_and_dropout_match_torch():
    # dropout=1.0 zeroes the second layer's input in both libraries: deterministic
    for kw in ({"proj_size": 2, "num_layers": 2, "bidirectional": True},
               {"num_layers": 2, "dropout": 1.0}):
        res = []
        for lib in (ember, torch):
            m = lib.nn.LSTM(3, 4, **kw).double().train()
            with lib.no_grad():
                for i, (_, p) in enumerate(m.named_parameters()):
                    p.copy_(lib.tensor(np.random.default_rng(i).uniform(-0.5, 0.5,
                                                                         tuple(p.shape))))
            x = lib.tensor(np.random.default_rng(3).standard_normal((5, 4, 3)),
                           requires_grad=True)
            packed = lib.nn.utils.rnn.pack_padded_sequence(x, [2, 5, 1, 5],
                                                           enforce_sorted=False)
            out, (h, c) = m(packed)
            (out.data.sum() + (h * h).sum() + c.sum()).backward()
            res.append([out.data, h, c, x.grad])
        for a, b in zip(*res):
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-9,
                                       atol=1e-11)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_rnn_packed_equals_each_sequence_run_alone(cls):
    # no PyTorch needed: packing must give every sequence exactly its own unpadded run
    ember.manual_seed(0)
    m = getattr(ember.nn, cls)(3, 4, num_layers=2, bidirectional=True).double()
    lens = [2, 4, 1]
    x = ember.randn(4, 3, 3, dtype=ember.float64)
    out, hn = m(ember.nn.utils.rnn.pack_padded_sequence(x, lens, enforce_sorted=False))
    padded, lengths = ember.nn.utils.rnn.pad_packed_sequence(out)
    assert lengths.tolist() == lens
    h_all = hn[0] if cls == "LSTM" else hn
    for b, n in enumerate(lens):
        o, hb = m(x[:n, b : b + 1])
        hb = hb[0] if cls == "LSTM" else hb
        np.testing.assert_allclose(padded[:n, b].detach().numpy(), o[:, 0].detach().numpy(),
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(padded[n:, b].detach().numpy(), 0)
        np.testing.assert_allclose(h_all[:, b].detach().numpy(), hb[:, 0].detach().numpy(),
                                   rtol=1e-12, atol=1e-12)


def test_rnn_packed_gradcheck():
    ember.manual_seed(1)
    m = ember.nn.GRU(2, 2, bidirectional=True).double()
    x = ember.randn(3, 2, 2, dtype=ember.float64, requires_grad=True)
    U = ember.nn.utils.rnn

    def f(x):
        out, h = m(U.pack_padded_sequence(x, [1, 3], enforce_sorted=False))
        return U.pad_packed_sequence(out)[0], h

    assert gradcheck(f, (x,))


def test_pack_utils_match_torch():
    U = ember.nn.utils.rnn
    x = ember.arange(24.0).reshape(4, 3, 2)
    p = U.pack_padded_sequence(x.transpose(0, 1), [3, 4, 1], batch_first=True,
                               enforce_sorted=False)
    assert p.batch_sizes.tolist() == [3, 2, 2, 1]
    assert p.sorted_indices.tolist() == [1, 0, 2]
    assert p.unsorted_indices.tolist() == [1, 0, 2]
    assert p.batch_sizes.dtype == ember.int64
    q = U.pack_padded_sequence(x, ember.tensor([4, 3, 1]))
    assert q.sorted_indices is None and q.unsorted_indices is None
    padded, lengths = U.pad_packed_sequence(q, batch_first=True, total_length=6,
                                            padding_value=-1.0)
    assert tuple(padded.shape) == (3, 6, 2) and lengths.tolist() == [4, 3, 1]
    np.testing.assert_array_equal(padded[2, 1:].numpy(), -1.0)
    np.testing.assert_array_equal(padded[0, :4].numpy(), x[:, 0].numpy())
    if torch is not None:
        t = torch.arange(24.0).reshape(4, 3, 2)
        pt = torch.nn.utils.rnn.pack_padded_sequence(t.transpose(0, 1), [3, 4, 1],
                                                     batch_first=True, enforce_sorted=False)
        np.testing.assert_array_equal(p.data.numpy(), pt.data.numpy())
        for a, b in zip(p[1:], pt[1:]):
            assert a.tolist() == b.tolist()
        pt = torch.nn.utils.rnn.pack_padded_sequence(t, torch.tensor([4, 3, 1]))
        tp, tl = torch.nn.utils.rnn.pad_packed_sequence(pt, batch_first=True, total_length=6,
                                                        padding_value=-1.0)
        np.testing.assert_array_equal(padded.numpy(), tp.numpy())
        assert lengths.tolist() == tl.tolist()


def test_pack_errors():
    def pack(lib, lengths, enforce_sorted=True):
        return lib.nn.utils.rnn.pack_padded_sequence(lib.zeros(5, 4, 3), lengths,
                                                     enforce_sorted=enforce_sorted)

    for lengths, es, phrase in [
        ([3, 5, 2, 1], True, "`lengths` array must be sorted in decreasing order"),
        ([5, 3, 0, 1], True, "`lengths` array must be sorted in decreasing order"),
        ([5, 3, 1, 0], True, "Length of all samples has to be greater than 0"),
        ([3, 0, 5, 1], False, "Length of all samples has to be greater than 0"),
        ([5, 3, 2], True, "Expected `len(lengths)` to be equal to batch_size, but got 3"),
    ]:
        def run(lib, lengths=lengths, es=es):
            return pack(lib, lengths, es)

        check_error(run, run, RuntimeError, phrase)
    check_error(
        lambda lib: lib.nn.utils.rnn.pad_packed_sequence(pack(lib, [5, 3, 2, 1]),
                                                         total_length=4),
        lambda lib: lib.nn.utils.rnn.pad_packed_sequence(pack(lib, [5, 3, 2, 1]),
                                                         total_length=4),
        ValueError,
        "Expected total_length to be at least the length of the longest sequence",
    )
    for cls in ("RNN", "GRU", "LSTM"):
        # PyTorch's LSTM skips this check for packed input (its kernel fails on the matmul)
        def run(lib, cls=cls):
            return getattr(lib.nn, cls)(2, 4)(pack(lib, [5, 3, 2, 1]))

        check_error(
            run,
            None if cls == "LSTM" else run,
            RuntimeError,
            "input.size(-1) must be equal to input_size. Expected 2, got 3",
        )
