"""scaled_dot_product_attention as one node against PyTorch: values, gradients, double
backward (oracle.check), causal, masks, grouped-query attention (enable_gqa), float32 kept."""

import numpy as np
import pytest
from oracle import check, check_error, requires_torch

import ember

rng = np.random.default_rng(0)


def arr(*shape):
    return rng.standard_normal(shape)


@pytest.mark.parametrize("causal", [False, True])
def test_sdpa_matches_torch(causal):
    q, k, v = arr(2, 3, 5, 4), arr(2, 3, 5, 4), arr(2, 3, 5, 2)
    check(lambda lib, a, b, c: lib.nn.functional.scaled_dot_product_attention(
        a, b, c, is_causal=causal), q, k, v)


def test_sdpa_rectangular_causal_and_scale():
    q, k, v = arr(3, 4), arr(6, 4), arr(6, 2)
    check(lambda lib, a, b, c: lib.nn.functional.scaled_dot_product_attention(
        a, b, c, is_causal=True, scale=0.3), q, k, v)


def test_sdpa_masks():
    q, k, v = arr(2, 4, 3), arr(2, 5, 3), arr(2, 5, 2)
    keep = rng.random((4, 5)) > 0.3
    keep[:, 0] = True
    check(lambda lib, a, b, c: lib.nn.functional.scaled_dot_product_attention(
        a, b, c, attn_mask=lib.tensor(keep)), q, k, v)
    bias = arr(4, 5)
    check(lambda lib, a, b, c: lib.nn.functional.scaled_dot_product_attention(
        a, b, c, attn_mask=lib.tensor(bias)), q, k, v)


def test_sdpa_float_mask_gradient():
    q, k, v, m = arr(4, 3), arr(5, 3), arr(5, 2), arr(4, 5)
    check(lambda lib, a, b, c, d: lib.nn.functional.scaled_dot_product_attention(
        a, b, c, attn_mask=d), q, k, v, m)


@pytest.mark.parametrize("causal", [False, True])
def test_sdpa_grouped_query_attention(causal):
    q, k, v = arr(2, 6, 4, 3), arr(2, 2, 5, 3), arr(2, 2, 5, 2)
    check(lambda lib, a, b, c: lib.nn.functional.scaled_dot_product_attention(
        a, b, c, is_causal=causal, enable_gqa=True), q, k, v)
    check(lambda lib, a, b, c: lib.nn.functional.scaled_dot_product_attention(
        a, b, c, enable_gqa=True), arr(6, 4, 3), arr(3, 5, 3), arr(3, 5, 2))


@requires_torch
def test_sdpa_errors():
    def gqa(lib):
        return lib.nn.functional.scaled_dot_product_attention(
            lib.ones(2, 6, 4, 3), lib.ones(2, 4, 5, 3), lib.ones(2, 4, 5, 2), enable_gqa=True)

    def causal_and_mask(lib):
        return lib.nn.functional.scaled_dot_product_attention(
            lib.ones(4, 3), lib.ones(5, 3), lib.ones(5, 2), attn_mask=lib.ones(4, 5),
            is_causal=True)

    check_error(gqa, gqa, RuntimeError, "Number of heads in key and value must divide")
    check_error(causal_and_mask, causal_and_mask, RuntimeError,
                "Explicit attn_mask should not be set when is_causal=True")


def test_sdpa_is_one_node_and_keeps_float32():
    q = ember.randn(2, 4, 3, requires_grad=True)
    out = ember.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True)
    assert out.dtype == ember.float32
    assert type(out.grad_fn).__name__ == "ScaledDotProductAttentionBackward0"
    out.sum().backward()
    assert q.grad.dtype == ember.float32


@requires_torch
@pytest.mark.parametrize("case", ["plain", "causal", "causal_rect", "bool_mask", "float_mask",
                                  "gqa", "broadcast_kv"])
def test_sdpa_float32_within_torch_tolerance(case):
    import torch

    r = np.random.default_rng(5)
    B, H, L, S, E = 2, 4, 5, 7, 8
    S = L if case == "causal" else S
    q = r.standard_normal((B, H, L, E)).astype(np.float32)
    kh, kb = (2 if case == "gqa" else H), (1 if case == "broadcast_kv" else B)
    k = r.standard_normal((kb, kh, S, E)).astype(np.float32)
    v = r.standard_normal((kb, kh, S, 6)).astype(np.float32)
    kw = {"is_causal": case.startswith("causal"), "enable_gqa": case == "gqa"}
    if case == "bool_mask":
        m = r.random((L, S)) < 0.7
        m[:, 0] = True
        kw["attn_mask"] = m
    if case == "float_mask":
        kw["attn_mask"] = r.standard_normal((1, H, L, S)).astype(np.float32)
    g = r.standard_normal((B, H, L, 6)).astype(np.float32)
    res = []
    for lib in (ember, torch):
        ts = [lib.tensor(a, requires_grad=True) for a in (q, k, v)]
        kwl = {a: (lib.tensor(b) if isinstance(b, np.ndarray) else b) for a, b in kw.items()}
        out = lib.nn.functional.scaled_dot_product_attention(*ts, **kwl)
        out.backward(lib.tensor(g))
        res.append([out.detach().numpy()] + [t.grad.numpy() for t in ts])
    for a, b in zip(*res):
        assert a.dtype == np.float32 and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)
