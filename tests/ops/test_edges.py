"""Numerics at the edges, against PyTorch: gradients where PyTorch special-cases (no degrees of
freedom, zero vectors, 0/0, out-of-domain inputs, NaN), precision (logcumsumexp, var in double),
integer images, negative pads, and empty tensors (size-0 batches and reduction dims).

Edge points (inf, NaN, poles) have no finite-difference gradient, so ``_same`` compares value
and first gradient with PyTorch directly; smooth cases go through ``oracle.check``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from oracle import assert_close, check, requires_torch, to_numpy, torch

INF, NAN = float("inf"), float("nan")
f32 = np.float32


def _arr(*v, dtype=f32):
    return np.asarray(v, dtype=dtype)


def _run(lib, fn, arrays):
    ins = [lib.tensor(a, requires_grad=a.dtype.kind == "f") if isinstance(a, np.ndarray) else a
           for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PyTorch's degrees-of-freedom warning
        out = fn(lib, *ins)
        out = out[0] if isinstance(out, tuple) else out
        diff = [t for t in ins if isinstance(t, lib.Tensor) and t.requires_grad]
        grads = []
        if diff and out.requires_grad:
            cot = lib.tensor(np.random.default_rng(0).standard_normal(tuple(out.shape))).to(
                out.dtype)
            grads = lib.autograd.grad(out, diff, cot, allow_unused=True)
    return out, grads


def _same(fn, *arrays, rtol=1e-5, atol=1e-6):
    """Value, dtype and first gradient of ``fn`` equal PyTorch's (NaN equals NaN); without
    PyTorch, ember's run must at least succeed."""
    oe, ge = _run(ember, fn, arrays)
    if torch is None:
        return oe
    ot, gt = _run(torch, fn, arrays)
    assert str(oe.dtype) == str(ot.dtype)
    assert_close(to_numpy(oe), to_numpy(ot), rtol, atol, "value")
    assert len(ge) == len(gt)
    for k, (a, b) in enumerate(zip(ge, gt)):
        if b is None:
            assert a is None or not np.any(to_numpy(a)), f"grad {k}"
            continue
        assert a is not None, f"grad {k}: ember None"
        assert_close(to_numpy(a), to_numpy(b), rtol, atol, f"grad {k}")
    return oe


def F(lib):
    return lib.nn.functional


# ------------------------------------------------------------- var/std without degrees of freedom
@pytest.mark.parametrize("x", [_arr(1.0), _arr(2.0, 2.0), _arr(1.0, 3.0), np.array(3.0, f32)])
@pytest.mark.parametrize("correction", [1, 2, 3])
@pytest.mark.parametrize("op", ["var", "std", "var_mean", "std_mean"])
def test_var_std_without_degrees_of_freedom(op, correction, x):
    _same(lambda L, t: getattr(L, op)(t, correction=correction), x)


@pytest.mark.parametrize("op", ["var", "std"])
@pytest.mark.parametrize("correction", [1, 2, 3])
def test_var_std_over_a_dim_without_degrees_of_freedom(op, correction):
    x = np.array([[1.0, 2.0], [3.0, 5.0]], f32)
    _same(lambda L, t: getattr(t, op)(0, correction=correction), x)
    _same(lambda L, t: getattr(t, op)(0, correction=correction, keepdim=True), x[:1])


def test_var_std_accumulate_in_double():
    _same(lambda L, t: L.std(t), _arr(100.0, 1e30))
    _same(lambda L, t: L.var_mean(t, 0), _arr(1e20, -1e20, 3.0))


def test_var_std_smooth_gradients():
    x = np.random.default_rng(1).standard_normal((3, 4))
    check(lambda L, t: L.std(t, 1, correction=0), x)
    check(lambda L, t: L.var_mean(t, 0)[0], x)


# ------------------------------------------------------------------------------- zero vectors
Z = np.zeros((2, 3), f32)
ONE = np.arange(6, dtype=f32).reshape(2, 3) + 1


@pytest.mark.parametrize("p", [1, 2, 3, 0.5, INF])
@pytest.mark.parametrize("case", [
    lambda L, x, y, p: F(L).normalize(x, p=p, dim=1),
    lambda L, x, y, p: F(L).normalize(x, p=p, dim=0),
    lambda L, x, y, p: F(L).pairwise_distance(x, y, p=p),
    lambda L, x, y, p: F(L).pairwise_distance(x, y, p=p, eps=0.0),
    lambda L, x, y, p: L.cdist(x, y, p=p),
    lambda L, x, y, p: L.norm(x, p=p),
    lambda L, x, y, p: L.norm(x, p=p, dim=1),
    lambda L, x, y, p: L.linalg.vector_norm(x, p),
    lambda L, x, y, p: L.dist(x, y, p),
], ids=["normalize1", "normalize0", "pairwise", "pairwise_eps0", "cdist", "norm", "norm_dim",
        "vector_norm", "dist"])
def test_norms_at_a_zero_vector(case, p):
    _same(lambda L, x, y: case(L, x, y, p), Z.copy(), Z.copy())
    _same(lambda L, x, y: case(L, x, y, p), Z.copy(), ONE.copy())


def test_cosine_similarity_at_zero():
    _same(lambda L, x, y: F(L).cosine_similarity(x, y, dim=1), Z.copy(), Z.copy())
    _same(lambda L, x, y: F(L).cosine_similarity(x, y, dim=1), Z.copy(), ONE.copy())
    _same(lambda L, x, y, t: F(L).cosine_embedding_loss(x, y, t), Z.copy(), ONE.copy(),
          _arr(1.0, -1.0))


def test_norms_double_backward_away_from_zero():
    x = np.random.default_rng(2).standard_normal((2, 3))
    check(lambda L, t: F(L).normalize(t, dim=1), x)
    check(lambda L, a, b: F(L).cosine_similarity(a, b, dim=1), x, x[::-1].copy())
    check(lambda L, a, b: F(L).pairwise_distance(a, b), x, x[::-1].copy())


# ------------------------------------------------------------------------- points and domains
def test_atan2_at_the_origin():
    _same(lambda L, a, b: L.atan2(a, b), _arr(0.0, 0.0, -0.0, 1.0), _arr(0.0, -0.0, 0.0, 2.0))


@pytest.mark.parametrize("op", ["acosh", "asin", "acos", "atanh", "log", "sqrt", "rsqrt",
                                "log1p", "log2", "log10", "reciprocal", "logit", "erfinv",
                                "sinc", "expm1", "exp"])
def test_out_of_domain_and_poles(op):
    _same(lambda L, t: getattr(L, op)(t),
          _arr(-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, INF, -INF, NAN), rtol=1e-4)


def test_logcumsumexp_keeps_precision():
    _same(lambda L, t: L.logcumsumexp(t, 0), _arr(0.0, 100.0))
    _same(lambda L, t: L.logcumsumexp(t, 0), _arr(-INF, -INF, 1.0))
    _same(lambda L, t: L.logcumsumexp(t, 0), _arr(INF, INF, 1.0))
    _same(lambda L, t: L.logcumsumexp(t, 1), np.array([[0.0, -100.0, 100.0, 3.0]] * 2, f32))
    check(lambda L, t: L.logcumsumexp(t, 1), np.random.default_rng(3).standard_normal((2, 4)))


@pytest.mark.parametrize("op", ["sign", "sgn", "signbit", "abs", "relu", "frac", "trunc",
                                "nan_to_num", "sigmoid", "tanh"])
def test_nan_inf_and_signed_zero(op):
    x = _arr(NAN, 0.0, -0.0, 1.0, -1.0, INF, -INF)
    oe = _same(lambda L, t: getattr(L, op)(t), x)
    if op == "sign":
        assert to_numpy(oe)[0] == 0  # PyTorch: sign(nan) is 0


@pytest.mark.parametrize("name, fn", [
    ("hardtanh", lambda L, t: F(L).hardtanh(t)),
    ("relu6", lambda L, t: F(L).relu6(t)),
    ("threshold", lambda L, t: F(L).threshold(t, 0.5, -1.0)),
    ("softshrink", lambda L, t: F(L).softshrink(t)),
    ("hardshrink", lambda L, t: F(L).hardshrink(t)),
    ("elu", lambda L, t: F(L).elu(t)),
    ("selu", lambda L, t: F(L).selu(t)),
    ("celu", lambda L, t: F(L).celu(t)),
    ("leaky_relu", lambda L, t: F(L).leaky_relu(t)),
    ("rrelu", lambda L, t: F(L).rrelu(t, training=False)),
    ("hardswish", lambda L, t: F(L).hardswish(t)),
    ("hardsigmoid", lambda L, t: F(L).hardsigmoid(t)),
])
def test_activation_gradients_at_nan_and_bounds(name, fn):
    _same(fn, _arr(NAN, -0.0, 0.0, INF, -INF, 3.0, -3.0, 6.0, 0.5, -0.5, 1.0, -1.0))


@pytest.mark.parametrize("fn", [
    lambda L, t: t.max(), lambda L, t: t.min(), lambda L, t: t.amax(), lambda L, t: t.amin(0),
    lambda L, t: t.max(0)[0], lambda L, t: t.median(), lambda L, t: t.nanmedian(),
    lambda L, t: t.norm(p=INF), lambda L, t: L.nanmean(t), lambda L, t: L.nansum(t),
    lambda L, t: t.logsumexp(0), lambda L, t: t.clamp(0, 2.5),
])
def test_reductions_with_nan(fn):
    _same(fn, _arr(NAN, 2.0, 3.0))
    _same(fn, _arr(NAN, NAN))


@pytest.mark.parametrize("op", ["div", "remainder", "fmod", "atan2", "hypot", "xlogy",
                                "copysign", "maximum", "fmax", "logaddexp", "nextafter"])
def test_binary_ops_on_edge_grid(op):
    # (PyTorch's float32 fmod(1e30, 1e-30) is NaN, NumPy's is exact: not compared)
    v = _arr(0.0, -0.0, 1.0, -1.0, INF, -INF, NAN, 1e-30, 1e30)
    if op in ("remainder", "fmod"):
        v = v[:-1]
    _same(lambda L, a, b: getattr(L, op)(a, b), np.repeat(v, v.size), np.tile(v, v.size),
          rtol=1e-4)


def test_binary_cross_entropy_target_gradient_at_the_ends():
    _same(lambda L, x, t: F(L).binary_cross_entropy(x, t), _arr(0.0, 1.0, 0.5),
          _arr(1.0, 0.0, 0.5))


# ---------------------------------------------------------------------------- integer images
@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "nearest", "nearest-exact"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [(13, 17), (4, 5), (3, 2), (8, 8)])
def test_interpolate_uint8_as_pytorch(mode, align_corners, size):
    x = np.random.default_rng(4).integers(0, 256, (2, 3, 7, 9)).astype(np.uint8)
    ac = align_corners if mode in ("bilinear", "bicubic") else None
    _same(lambda L, t: F(L).interpolate(t, size=size, mode=mode, align_corners=ac), x,
          rtol=0, atol=0)


@pytest.mark.parametrize("dtype", [np.uint8, np.int64, np.int32])
@pytest.mark.parametrize("mode, shape", [("linear", (1, 2, 4)), ("trilinear", (1, 1, 2, 2, 2)),
                                         ("area", (1, 1, 4, 4)), ("area", (1, 1, 4)),
                                         ("bilinear", (1, 1, 4, 4)), ("bicubic", (1, 1, 4, 4)),
                                         ("nearest", (1, 1, 4, 4)), ("nearest", (1, 1, 4))])
@requires_torch
def test_interpolate_integer_errors_as_pytorch(dtype, mode, shape):
    x = np.zeros(shape, dtype)

    def run(L):
        return F(L).interpolate(L.tensor(x), scale_factor=2, mode=mode)

    try:
        expected = to_numpy(run(torch))
    except NotImplementedError as e:
        with pytest.raises(NotImplementedError) as info:
            run(ember)
        assert str(info.value) == str(e)
        return
    assert_close(to_numpy(run(ember)), expected)


# ------------------------------------------------------------------------------- negative pads
@pytest.mark.parametrize("mode", ["circular", "reflect", "replicate", "constant"])
@pytest.mark.parametrize("pads", [(-1, 2), (2, -3), (-2, -1), (1, -1), (-3, 1), (-4, 0)])
def test_pad_with_negative_pads_1d(mode, pads):
    _same(lambda L, t: F(L).pad(t, pads, mode=mode), np.arange(10, dtype=f32).reshape(1, 2, 5))


@pytest.mark.parametrize("mode", ["circular", "reflect", "replicate"])
@pytest.mark.parametrize("pads", [(1, -2, -1, 1), (-1, -1, 2, -2), (0, 0, -1, 3)])
def test_pad_with_negative_pads_2d(mode, pads):
    _same(lambda L, t: F(L).pad(t, pads, mode=mode), np.arange(40, dtype=f32).reshape(2, 1, 4, 5))


# ------------------------------------------------------------------------------- empty tensors
E = np.zeros((0, 3), f32)


@pytest.mark.parametrize("fn", [
    lambda L, t: L.softmax(t, 1), lambda L, t: L.softmax(t, 0), lambda L, t: L.log_softmax(t, 1),
    lambda L, t: F(L).log_softmax(t.T, 1), lambda L, t: F(L).softmin(t, 0),
    lambda L, t: t.sum(0), lambda L, t: t.sum(), lambda L, t: t.mean(0), lambda L, t: t.mean(),
    lambda L, t: t.prod(0), lambda L, t: t.prod(), lambda L, t: t.amax(1), lambda L, t: t.amin(1),
    lambda L, t: t.max(1)[0], lambda L, t: t.logsumexp(0), lambda L, t: t.logsumexp(1),
    lambda L, t: t.std(0), lambda L, t: t.var(1), lambda L, t: t.norm(dim=0),
    lambda L, t: t.norm(), lambda L, t: t.cumsum(0), lambda L, t: t.cumprod(0),
    lambda L, t: t.logcumsumexp(0), lambda L, t: L.nansum(t, 0), lambda L, t: t.sort(1)[0],
    lambda L, t: t.median(1)[0], lambda L, t: t.all(0), lambda L, t: t.argmax(1),
    lambda L, t: t.T @ t, lambda L, t: t @ t.T, lambda L, t: L.einsum("ij,jk->ik", t, t.T),
    lambda L, t: L.cat([t, t + 1]), lambda L, t: L.stack([t, t]), lambda L, t: t.T.flip(1),
    lambda L, t: F(L).linear(t, L.ones(2, 3)), lambda L, t: F(L).layer_norm(t, (3,)),
    lambda L, t: F(L).batch_norm(t, L.zeros(3), L.ones(3)),
    lambda L, t: F(L).batch_norm(t, None, None, training=True),
    lambda L, t: F(L).dropout(t, 0.5, training=False), lambda L, t: F(L).normalize(t, dim=0),
    lambda L, t: F(L).mse_loss(t, t.detach()), lambda L, t: F(L).l1_loss(t, t.detach()),
    lambda L, t: F(L).cross_entropy(t, L.zeros(0, dtype=L.long)),
    lambda L, t: F(L).cross_entropy(t, L.zeros(0, dtype=L.long), reduction="sum"),
    lambda L, t: F(L).nll_loss(t, L.zeros(0, dtype=L.long)),
    lambda L, t: F(L).embedding(L.zeros(0, dtype=L.long), L.ones(4, 2) * t.sum()),
])
def test_empty_tensors(fn):
    _same(fn, E.copy())


@pytest.mark.parametrize("fn, x, w", [
    (lambda L, x, w: F(L).conv2d(x, w), (0, 2, 5, 5), (3, 2, 3, 3)),
    (lambda L, x, w: F(L).conv2d(x, w, stride=2, padding=1), (0, 2, 5, 5), (3, 2, 3, 3)),
    (lambda L, x, w: F(L).conv2d(x, w, groups=2), (0, 4, 5, 5), (4, 2, 3, 3)),
    (lambda L, x, w: F(L).conv1d(x, w), (0, 2, 5), (3, 2, 3)),
    (lambda L, x, w: F(L).conv3d(x, w), (0, 1, 3, 3, 3), (2, 1, 2, 2, 2)),
    (lambda L, x, w: F(L).conv_transpose2d(x, w), (0, 2, 5, 5), (2, 3, 3, 3)),
    (lambda L, x, w: F(L).conv_transpose2d(x, w, stride=2), (0, 2, 5, 5), (2, 3, 3, 3)),
    (lambda L, x, w: F(L).conv_transpose1d(x, w, groups=2), (0, 2, 5), (2, 1, 3)),
    (lambda L, x, w: F(L).group_norm(x, 2, w.reshape(-1)[:4]), (0, 4, 2), (4,)),
    (lambda L, x, w: F(L).group_norm(x, 2), (2, 4, 0), (1,)),
    (lambda L, x, w: F(L).instance_norm(x), (0, 3, 4), (1,)),
    (lambda L, x, w: F(L).layer_norm(x, (4,), w), (0, 3, 4), (4,)),
    (lambda L, x, w: F(L).max_pool2d(x, 2), (0, 2, 4, 4), (1,)),
    (lambda L, x, w: F(L).avg_pool2d(x, 2), (0, 2, 4, 4), (1,)),
    (lambda L, x, w: F(L).adaptive_avg_pool2d(x, 1), (0, 2, 4, 4), (1,)),
    (lambda L, x, w: L.bmm(x, w), (0, 2, 2), (0, 2, 3)),
    (lambda L, x, w: L.mv(x, w), (2, 0), (0,)),
])
def test_empty_batches_through_layers(fn, x, w):
    _same(fn, np.zeros(x, f32), np.ones(w, f32))


def test_softmax_of_a_scalar():
    _same(lambda L, t: L.softmax(t, 0), np.array(0.0, f32))
    _same(lambda L, t: L.log_softmax(t, 0), np.array(INF, f32))


@pytest.mark.parametrize("loss", ["smooth_l1_loss", "huber_loss", "l1_loss", "mse_loss"])
def test_loss_gradients_at_nan_inf_and_the_kink(loss):
    _same(lambda L, x, t: getattr(F(L), loss)(x, t),
          _arr(NAN, 0.5, 3.0, 1.0, -1.0, INF, 0.0), _arr(0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0))
