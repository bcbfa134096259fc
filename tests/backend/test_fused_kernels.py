"""The attention and RNN-cell kernels against PyTorch: outputs and every gradient."""

import numpy as np
import pytest

from ember.backend.attention_kernels import sdpa_backward, sdpa_forward
from ember.backend.rnn_kernels import (
    gru_cell_backward,
    gru_cell_forward,
    lstm_cell_backward,
    lstm_cell_forward,
)

torch = pytest.importorskip("torch", reason="the kernels are checked against PyTorch")
F = torch.nn.functional
TOL = {np.float32: {"rtol": 2e-5, "atol": 2e-6}, np.float64: {"rtol": 1e-9, "atol": 1e-11}}


def rand(rng, *shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def T(a):
    return torch.from_numpy(np.ascontiguousarray(a)).requires_grad_()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", ["plain", "causal", "causal_rect", "bool_mask", "float_mask",
                                  "scale", "gqa", "broadcast_kv"])
def test_sdpa(dtype, case):
    rng = np.random.default_rng(0)
    B, H, L, S, E = 2, 4, 5, 7, 8
    if case == "causal":
        S = L
    q = rand(rng, B, H, L, E, dtype=dtype)
    kh = 2 if case == "gqa" else H
    kb = 1 if case == "broadcast_kv" else B
    k, v = rand(rng, kb, kh, S, E, dtype=dtype), rand(rng, kb, kh, S, 6, dtype=dtype)
    kw = {}
    if case in ("causal", "causal_rect"):
        kw["is_causal"] = True
    if case == "bool_mask":
        m = rng.random((L, S)) < 0.7
        m[:, 0] = True
        kw["attn_mask"] = m
    if case == "float_mask":
        kw["attn_mask"] = rand(rng, 1, H, L, S, dtype=dtype)
    if case == "scale":
        kw["scale"] = 0.3
    if case == "gqa":
        kw["enable_gqa"] = True
    tq, tk, tv = T(q), T(k), T(v)
    tkw = {a: (torch.from_numpy(b) if isinstance(b, np.ndarray) else b) for a, b in kw.items()}
    want = F.scaled_dot_product_attention(tq, tk, tv, **tkw)
    g = rand(rng, *want.shape, dtype=dtype)
    want.backward(torch.from_numpy(g))
    out, p = sdpa_forward(q, k, v, **kw)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, want.detach().numpy(), **TOL[dtype])
    dq, dk, dv = sdpa_backward(g, q, k, v, p, scale=kw.get("scale"),
                               enable_gqa=kw.get("enable_gqa", False))
    for got, ref in ((dq, tq), (dk, tk), (dv, tv)):
        assert got.shape == ref.shape
        np.testing.assert_allclose(got, ref.grad.numpy(), **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias", [True, False])
def test_lstm_cell(dtype, bias):
    rng = np.random.default_rng(1)
    B, I, H = 5, 3, 7
    x, h, c = rand(rng, B, I, dtype=dtype), rand(rng, B, H, dtype=dtype), rand(rng, B, H, dtype=dtype)
    w_ih, w_hh = rand(rng, 4 * H, I, dtype=dtype), rand(rng, 4 * H, H, dtype=dtype)
    b_ih, b_hh = (rand(rng, 4 * H, dtype=dtype), rand(rng, 4 * H, dtype=dtype)) if bias else (None, None)
    ts = [T(a) if a is not None else None for a in (x, h, c, w_ih, w_hh, b_ih, b_hh)]
    th, tc = torch._VF.lstm_cell(ts[0], (ts[1], ts[2]), ts[3], ts[4], ts[5], ts[6])
    gh, gc = rand(rng, B, H, dtype=dtype), rand(rng, B, H, dtype=dtype)
    (th * torch.from_numpy(gh) + tc * torch.from_numpy(gc)).sum().backward()
    h2, c2, saved = lstm_cell_forward(x, h, c, w_ih, w_hh, b_ih, b_hh)
    np.testing.assert_allclose(h2, th.detach().numpy(), **TOL[dtype])
    np.testing.assert_allclose(c2, tc.detach().numpy(), **TOL[dtype])
    grads = lstm_cell_backward(gh, gc, saved, w_ih, w_hh, has_bias=bias)
    for got, ref in zip(grads, ts):
        if ref is None:
            assert got is None
        else:
            np.testing.assert_allclose(got, ref.grad.numpy(), **TOL[dtype])


def test_lstm_cell_backward_without_grad_c():
    rng = np.random.default_rng(3)
    x, h, c = rand(rng, 2, 3), rand(rng, 2, 4), rand(rng, 2, 4)
    w_ih, w_hh = rand(rng, 16, 3), rand(rng, 16, 4)
    ts = [T(a) for a in (x, h, c, w_ih, w_hh)]
    th, _ = torch._VF.lstm_cell(ts[0], (ts[1], ts[2]), ts[3], ts[4], None, None)
    gh = rand(rng, 2, 4)
    th.backward(torch.from_numpy(gh))
    _, _, saved = lstm_cell_forward(x, h, c, w_ih, w_hh)
    grads = lstm_cell_backward(gh, None, saved, w_ih, w_hh, has_bias=False)
    for got, ref in zip(grads[:5], ts):
        np.testing.assert_allclose(got, ref.grad.numpy(), **TOL[np.float32])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gru_cell(dtype):
    rng = np.random.default_rng(2)
    B, I, H = 4, 3, 6
    x, h = rand(rng, B, I, dtype=dtype), rand(rng, B, H, dtype=dtype)
    w_ih, w_hh = rand(rng, 3 * H, I, dtype=dtype), rand(rng, 3 * H, H, dtype=dtype)
    b_ih, b_hh = rand(rng, 3 * H, dtype=dtype), rand(rng, 3 * H, dtype=dtype)
    ts = [T(a) for a in (x, h, w_ih, w_hh, b_ih, b_hh)]
    th = torch._VF.gru_cell(*ts)
    gh = rand(rng, B, H, dtype=dtype)
    th.backward(torch.from_numpy(gh))
    h2, saved = gru_cell_forward(x, h, w_ih, w_hh, b_ih, b_hh)
    np.testing.assert_allclose(h2, th.detach().numpy(), **TOL[dtype])
    grads = gru_cell_backward(gh, saved, w_ih, w_hh)
    for got, ref in zip(grads, ts):
        np.testing.assert_allclose(got, ref.grad.numpy(), **TOL[dtype])
