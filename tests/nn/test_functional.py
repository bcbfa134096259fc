"""nn.functional: activations, linear, embedding, dropout, distances, one_hot — each run on
ember and PyTorch from the same float64 inputs (value, gradient, gradient of gradient), plus
numerical gradcheck of the new Functions and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest
from inputs import RNG, positive, uniform
from oracle import check, check_error, requires_torch, same_values, torch

import ember
from ember.autograd import gradcheck, gradgradcheck

rng = np.random.default_rng(0)


def arr(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def _x():
    # away from the kinks of relu-like functions so finite differences are meaningful
    x = arr(3, 4, scale=2.0)
    x[np.abs(x) < 0.05] = 0.3
    return x


ACTIVATIONS = {
    "relu": lambda F, x: F.relu(x),
    "relu6": lambda F, x: F.relu6(x * 4),
    "leaky_relu": lambda F, x: F.leaky_relu(x, 0.2),
    "elu": lambda F, x: F.elu(x, 1.3),
    "selu": lambda F, x: F.selu(x),
    "celu": lambda F, x: F.celu(x, 0.7),
    "gelu": lambda F, x: F.gelu(x),
    "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x: F.silu(x),
    "mish": lambda F, x: F.mish(x),
    "softplus": lambda F, x: F.softplus(x),
    "softplus_beta": lambda F, x: F.softplus(x, beta=2.0, threshold=3.0),
    "softsign": lambda F, x: F.softsign(x),
    "hardtanh": lambda F, x: F.hardtanh(x, -0.5, 1.5),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x * 3),
    "hardswish": lambda F, x: F.hardswish(x * 3),
    "tanh": lambda F, x: F.tanh(x),
    "sigmoid": lambda F, x: F.sigmoid(x),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "softmax": lambda F, x: F.softmax(x, dim=1),
    "softmax0": lambda F, x: F.softmax(x, dim=0),
    "log_softmax": lambda F, x: F.log_softmax(x, dim=-1),
    "softmin": lambda F, x: F.softmin(x, dim=1),
    "threshold": lambda F, x: F.threshold(x, 0.1, 20.0),
    "glu": lambda F, x: F.glu(x, dim=1),
    "tanhshrink": lambda F, x: F.tanhshrink(x),
    "softshrink": lambda F, x: F.softshrink(x, 0.5),
    "hardshrink": lambda F, x: F.hardshrink(x, 0.5),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_torch(name):
    fn = ACTIVATIONS[name]
    x = _x()
    if name in ("softshrink", "hardshrink"):
        x[np.abs(np.abs(x) - 0.5) < 0.05] = 1.0
    if name in ("hardtanh",):
        x[np.abs(x + 0.5) < 0.05] = 0.3
        x[np.abs(x - 1.5) < 0.05] = 0.3
    check(lambda lib, t: fn(lib.nn.functional, t), x)


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "elu", "selu", "softplus", "logsigmoid",
                                  "softmax", "log_softmax", "mish", "silu", "softmin", "glu",
                                  "hardswish", "celu", "leaky_relu"])
def test_activation_gradcheck(name):
    fn = ACTIVATIONS[name]
    x = ember.tensor(_x(), requires_grad=True)
    f = lambda t: fn(ember.nn.functional, t)  # noqa: E731
    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


def test_stable_primitives_extreme_values():
    F = ember.nn.functional
    x = ember.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=ember.float64)
    ls = F.log_softmax(x, 0)
    assert np.isfinite(ls.numpy()).all()
    assert abs(ls[-1].item()) < 1e-12
    assert np.allclose(F.softmax(x, 0).numpy(), [0, 0, 0, 0, 1])
    lsig = F.logsigmoid(x).numpy()
    assert np.isfinite(lsig).all() and lsig[0] == -1000.0 and lsig[-1] == 0.0
    sp = F.softplus(x).numpy()
    assert np.isfinite(sp).all() and sp[-1] == 1000.0 and sp[0] == 0.0
    g = F.gelu(x).numpy()
    assert g[0] == 0.0 and g[-1] == 1000.0
    e = F.elu(x)
    assert np.isfinite(e.numpy()).all()
    x.requires_grad_(True)
    F.elu(x).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


@requires_torch
def test_gelu_tails_and_float32():
    xs = np.concatenate([np.linspace(-12, 12, 97), [-40.0, -8.5, 8.5, 40.0]])
    e = ember.nn.functional.gelu(ember.tensor(xs)).numpy()
    t = torch.nn.functional.gelu(torch.tensor(xs)).numpy()
    np.testing.assert_allclose(e, t, rtol=1e-12, atol=1e-300)
    x32 = rng.standard_normal(50).astype(np.float32) * 4
    e32 = ember.nn.functional.gelu(ember.tensor(x32))
    assert e32.dtype == ember.float32
    np.testing.assert_allclose(e32.numpy(), torch.nn.functional.gelu(torch.tensor(x32)).numpy(),
                               rtol=1e-5, atol=1e-6)  # torch: vectorised float32 erf


def test_prelu_and_bilinear():
    x = _x()
    w = np.array([0.1, 0.2, 0.3, 0.4])
    check(lambda lib, t, a: lib.nn.functional.prelu(t.reshape(3, 4, 1), a), x, w)
    check(lambda lib, t, a: lib.nn.functional.prelu(t, a), x, np.array([0.25]))
    x1, x2 = arr(5, 3), arr(5, 2)
    W, b = arr(4, 3, 2), arr(4)
    check(lambda lib, a, c, w_, b_: lib.nn.functional.bilinear(a, c, w_, b_), x1, x2, W, b)


def test_linear_forms():
    x2, x3, x1 = arr(5, 3), arr(2, 4, 3), arr(3)
    W, b = arr(6, 3), arr(6)
    F = lambda lib: lib.nn.functional  # noqa: E731
    check(lambda lib, x, w, bb: F(lib).linear(x, w, bb), x2, W, b)
    check(lambda lib, x, w: F(lib).linear(x, w), x2, W)
    check(lambda lib, x, w, bb: F(lib).linear(x, w, bb), x3, W, b)
    check(lambda lib, x, w, bb: F(lib).linear(x, w, bb), x1, W, b)
    x = ember.tensor(x2, requires_grad=True)
    w = ember.tensor(W, requires_grad=True)
    bb = ember.tensor(b, requires_grad=True)
    assert gradcheck(ember.nn.functional.linear, (x, w, bb))
    assert gradgradcheck(ember.nn.functional.linear, (x, w, bb))
    out = ember.nn.functional.linear(x, w, bb)
    assert type(out.grad_fn).__name__ == "AddmmBackward0"
    assert type(ember.nn.functional.linear(x, w).grad_fn).__name__ == "MmBackward0"
    assert type(ember.nn.functional.linear(ember.tensor(x3), w, bb).grad_fn).__name__ == \
        "ViewBackward0"


def test_linear_errors():
    check_error(lambda lib: lib.nn.Linear(4, 5)(lib.zeros(2, 3)),
                lambda lib: lib.nn.Linear(4, 5)(lib.zeros(2, 3)),
                RuntimeError, "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)")
    check_error(lambda lib: lib.nn.Linear(4, 5)(lib.zeros(2, 7, 3)),
                lambda lib: lib.nn.Linear(4, 5)(lib.zeros(2, 7, 3)),
                RuntimeError, "mat1 and mat2 shapes cannot be multiplied (14x3 and 4x5)")
    check_error(lambda lib: lib.nn.Linear(4, 5)(lib.zeros(2, 4, dtype=lib.float64)),
                lambda lib: lib.nn.Linear(4, 5)(lib.zeros(2, 4, dtype=lib.float64)),
                RuntimeError, "mat1 and mat2 must have the same dtype, but got Double and Float")


def test_softmax_dtype_and_implicit_dim():
    x = ember.tensor(_x()).float()
    assert ember.nn.functional.softmax(x, 1, dtype=ember.float64).dtype == ember.float64
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = ember.nn.functional.softmax(x)
    np.testing.assert_allclose(y.sum(1).numpy(), 1.0, rtol=1e-6)
    assert ember.softmax(x, 0).shape == x.shape
    assert np.allclose(x.log_softmax(1).exp().sum(1).numpy(), 1.0)
    z = ember.tensor(3.0, requires_grad=True)
    ember.nn.functional.log_softmax(z, 0).backward()
    assert z.grad.item() == 0.0


def test_embedding_matches_torch():
    W = arr(10, 3)
    idx = np.array([[1, 2, 4], [4, 3, 1]])
    check(lambda lib, w: lib.nn.functional.embedding(lib.tensor(idx), w), W)
    # padding_idx / scale_grad_by_freq alter the gradient on purpose: only PyTorch can judge
    # them (a numerical gradcheck would disagree by design)
    if torch is not None:
        check(lambda lib, w: lib.nn.functional.embedding(lib.tensor(idx), w, padding_idx=4), W)
        check(lambda lib, w: lib.nn.functional.embedding(lib.tensor(idx), w,
                                                         scale_grad_by_freq=True), W)
    w = ember.tensor(W, requires_grad=True)
    # (padding_idx and scale_grad_by_freq change the gradient on purpose: no gradcheck there)
    f = lambda t: ember.nn.functional.embedding(ember.tensor(idx), t)  # noqa: E731
    assert gradcheck(f, (w,))
    assert gradgradcheck(f, (w,))


@requires_torch
def test_embedding_max_norm_renormalises_in_place():
    W = arr(6, 4) * 3
    idx = [0, 2, 2, 5]
    we, wt = ember.tensor(W), torch.tensor(W)
    oe = ember.nn.functional.embedding(ember.tensor(idx), we, max_norm=1.5)
    ot = torch.nn.functional.embedding(torch.tensor(idx), wt, max_norm=1.5)
    np.testing.assert_allclose(oe.numpy(), ot.numpy(), rtol=1e-6)
    np.testing.assert_allclose(we.numpy(), wt.numpy(), rtol=1e-6)


def test_embedding_errors():
    check_error(lambda lib: lib.nn.functional.embedding(lib.tensor([1.0]), lib.zeros(3, 2)),
                lambda lib: lib.nn.functional.embedding(lib.tensor([1.0]), lib.zeros(3, 2)),
                RuntimeError, "Expected tensor for argument #1 'indices' to have one of the "
                              "following scalar types: Long, Int")
    check_error(lambda lib: lib.nn.functional.embedding(lib.tensor([3]), lib.zeros(3, 2)),
                lambda lib: lib.nn.functional.embedding(lib.tensor([3]), lib.zeros(3, 2)),
                IndexError, "index out of range in self")


def test_dropout():
    F = ember.nn.functional
    ember.manual_seed(0)
    x = ember.ones(1000, dtype=ember.float64, requires_grad=True)
    y = F.dropout(x, 0.3)
    vals = set(np.round(y.detach().numpy(), 12).tolist())
    assert vals <= {0.0, round(1 / 0.7, 12)}
    assert 0.2 < (y.detach().numpy() == 0).mean() < 0.4
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy())
    assert F.dropout(x, 0.3, training=False) is x
    assert (F.dropout(x, 1.0).detach().numpy() == 0).all()
    check_error(lambda lib: lib.nn.functional.dropout(lib.ones(2), 1.5),
                lambda lib: lib.nn.functional.dropout(lib.ones(2), 1.5),
                ValueError, "dropout probability has to be between 0 and 1, but got 1.5")
    z = F.dropout2d(ember.ones(4, 8, 3, 3), 0.5).numpy()
    per_channel = z.reshape(4, 8, 9)
    assert ((per_channel == per_channel[..., :1]).all())


def test_alpha_dropout_keeps_moments():
    ember.manual_seed(1)
    x = ember.randn(200000, dtype=ember.float64)
    y = ember.nn.functional.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    assert ember.nn.functional.alpha_dropout(x, 0.2, training=False) is x


def test_one_hot():
    F = ember.nn.functional
    check(lambda lib: lib.nn.functional.one_hot(lib.tensor([0, 2, 1]), 4), grad=False)
    check(lambda lib: lib.nn.functional.one_hot(lib.tensor([[0, 2], [1, 1]])), grad=False)
    check_error(lambda lib: lib.nn.functional.one_hot(lib.tensor([0.0])),
                lambda lib: lib.nn.functional.one_hot(lib.tensor([0.0])),
                RuntimeError, "one_hot is only applicable to index tensor")
    check_error(lambda lib: lib.nn.functional.one_hot(lib.tensor([0, 5]), 3),
                lambda lib: lib.nn.functional.one_hot(lib.tensor([0, 5]), 3),
                RuntimeError, "Class values must be smaller than num_classes.")
    assert F.one_hot(ember.tensor([1])).dtype == ember.int64


def test_distances():
    a, b = arr(4, 5), arr(4, 5)
    F = lambda lib: lib.nn.functional  # noqa: E731
    check(lambda lib, x, y: F(lib).cosine_similarity(x, y), a, b)
    check(lambda lib, x, y: F(lib).cosine_similarity(x, y, dim=0), a, b)
    check(lambda lib, x, y: F(lib).cosine_similarity(x, y[:1]), a, b)
    check(lambda lib, x, y: F(lib).pairwise_distance(x, y), a, b)
    check(lambda lib, x, y: F(lib).pairwise_distance(x, y, p=1.5, keepdim=True), a, b)
    check(lambda lib, x, y: F(lib).pairwise_distance(x, y, p=1), a, b, gradgrad=False)
    check(lambda lib, x: F(lib).normalize(x), a)
    check(lambda lib, x: F(lib).normalize(x, p=1, dim=0), a, gradgrad=False)
    check(lambda lib, x: F(lib).normalize(x, p=3.0, dim=-1), a)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, 0.0, float("inf")])
def test_cdist_matches_torch(p):
    # torch.cdist (used by siamese/triplet example programs to compare embeddings)
    a, b = arr(2, 4, 3), arr(2, 5, 3)
    check(lambda lib, x, y: lib.cdist(x, y, p=p), a, b, gradgrad=False)
    check(lambda lib, x, y: lib.cdist(x, y, p=p), arr(4, 3), arr(1, 5, 3), gradgrad=False)
    if p in (2.0, 3.0):  # PyTorch has no double backward for cdist; ember's is checked numerically
        x, y = (ember.tensor(arr(3, 2), requires_grad=True) for _ in range(2))
        assert gradgradcheck(lambda u, v: ember.cdist(u, v, p=p), (x, y), atol=1e-5, rtol=1e-3)


@requires_torch
def test_cdist_zero_distance_gradient_and_errors():
    x = np.array([[0.0, 1.0], [2.0, 3.0]])
    for lib in (ember, torch):
        t = lib.tensor(x, requires_grad=True)
        lib.cdist(t, t).sum().backward()
        assert np.isfinite(t.grad.numpy()).all()
    e, t = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ember.cdist(e, e).sum().backward()
    torch.cdist(t, t).sum().backward()
    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy())
    bad_dim = lambda lib: lib.cdist(lib.zeros(3), lib.zeros(2, 3))  # noqa: E731
    bad_cols = lambda lib: lib.cdist(lib.zeros(2, 3), lib.zeros(2, 4))  # noqa: E731
    bad_p = lambda lib: lib.cdist(lib.zeros(2, 3), lib.zeros(2, 3), p=-1.0)  # noqa: E731
    check_error(bad_dim, bad_dim, RuntimeError, "at least 2D")
    check_error(bad_cols, bad_cols, RuntimeError, "same number of columns")
    check_error(bad_p, bad_p, RuntimeError, "non-negative")


def test_top_level_forms():
    x = _x()
    check(lambda lib, t: lib.softmax(t, 1), x)
    check(lambda lib, t: lib.log_softmax(t, 0), x)
    check(lambda lib, t: lib.selu(t), x)
    check(lambda lib, t, u: lib.cosine_similarity(t, u), x, _x())
    check(lambda lib, t: t.softmax(-1), x)


@requires_torch
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_grad_fn_names(name):
    fn = ACTIVATIONS[name]
    x = _x()
    ne = type(fn(ember.nn.functional, ember.tensor(x, requires_grad=True)).grad_fn).__name__
    nt = type(fn(torch.nn.functional, torch.tensor(x, requires_grad=True)).grad_fn).__name__
    assert ne == nt


@requires_torch
@pytest.mark.parametrize("name", ["hardtanh", "hardsigmoid", "hardswish", "softshrink",
                                  "hardshrink", "relu6", "leaky_relu", "threshold", "relu"])
def test_gradients_at_the_kinks_match_torch(name):
    pts = np.array([-3.0, -1.0, 0.0, 3.0, 1.0, -0.5, 0.5, 6.0, 0.1])
    grads = []
    for lib in (ember, torch):
        x = lib.tensor(pts, requires_grad=True)
        f = getattr(lib.nn.functional, name)
        y = f(x, 0.1, 2.0) if name == "threshold" else f(x)
        y.sum().backward()
        grads.append(x.grad.numpy().copy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_prelu_gradcheck_and_dtype_error():
    x = ember.tensor(_x(), requires_grad=True)
    w = ember.tensor([0.1, 0.2, 0.3, 0.4], dtype=ember.float64, requires_grad=True)
    f = lambda a, b: ember.nn.functional.prelu(a.reshape(3, 4, 1), b)  # noqa: E731
    assert gradcheck(f, (x, w))
    assert gradgradcheck(f, (x, w))
    check_error(lambda lib: lib.nn.functional.prelu(lib.ones(2, 3, dtype=lib.float64),
                                                    lib.tensor([0.2])),
                lambda lib: lib.nn.functional.prelu(lib.ones(2, 3, dtype=lib.float64),
                                                    lib.tensor([0.2])),
                RuntimeError, "prelu: Type promoting not supported. Got Double and Float")


def test_inplace_activations():
    for name in ("relu", "leaky_relu", "hardtanh", "elu", "silu", "hardswish", "relu6"):
        src = _x()
        x = ember.tensor(src)
        h = ember.tensor(src, requires_grad=True) * 1.0
        out = getattr(ember.nn.functional, name)(h, inplace=True)
        assert out is h
        ref = getattr(ember.nn.functional, name)(x)
        np.testing.assert_allclose(h.detach().numpy(), ref.numpy())
        out.sum().backward()  # gradient flows through the in-place result
    leaf = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        ember.nn.functional.relu(leaf, inplace=True)
    m = ember.nn.ReLU(inplace=True)
    y = ember.tensor([-1.0, 2.0])
    assert m(y) is y and y.tolist() == [0.0, 2.0]


@requires_torch
@pytest.mark.parametrize("name", ["elu", "silu", "hardswish", "mish", "celu", "leaky_relu"])
def test_inplace_gradients_match_torch(name):
    src = _x()
    grads = []
    for lib in (ember, torch):
        x = lib.tensor(src, requires_grad=True)
        h = x * 2.0
        out = getattr(lib.nn.functional, name)(h, inplace=True)
        (out * out).sum().backward()
        grads.append(x.grad.numpy().copy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10, atol=1e-12)


def _bad_calls(L):
    F = L.nn.functional
    x = L.ones(4, 3)
    i = L.ones(2, dtype=L.int64)
    return {
        "elu int": lambda: F.elu(i), "selu int": lambda: F.selu(i),
        "gelu int": lambda: F.gelu(i), "silu int": lambda: F.silu(i),
        "mish int": lambda: F.mish(i), "softplus int": lambda: F.softplus(i),
        "leaky int": lambda: F.leaky_relu(i), "rrelu int": lambda: F.rrelu(i),
        "hardsigmoid int": lambda: F.hardsigmoid(i), "hardswish int": lambda: F.hardswish(i),
        "logsigmoid int": lambda: F.logsigmoid(i),
        "glu int": lambda: F.glu(L.ones(2, 2, dtype=L.int64)),
        "softshrink int": lambda: F.softshrink(i), "hardshrink int": lambda: F.hardshrink(i),
        "prelu int": lambda: F.prelu(i, L.ones(1, dtype=L.int64)),
        "mse int": lambda: F.mse_loss(i, i), "huber int": lambda: F.huber_loss(i, i),
        "smooth_l1 int": lambda: F.smooth_l1_loss(i, i),
        "bce logits int": lambda: F.binary_cross_entropy_with_logits(i, i),
        "glu odd": lambda: F.glu(x), "glu dim": lambda: F.glu(x, 3),
        "softmax dim": lambda: F.softmax(x, 2), "gelu approx": lambda: F.gelu(x, approximate="x"),
        "emb weight 1d": lambda: F.embedding(L.tensor([0]), L.ones(3)),
        "linear 3d weight": lambda: F.linear(L.ones(2, 3), L.ones(2, 2, 3)),
        "bilinear": lambda: F.bilinear(L.ones(2, 3), L.ones(2, 3), L.ones(4, 3, 2)),
        "bce weight": lambda: F.binary_cross_entropy_with_logits(x, x, weight=L.ones(4)),
        "dropout neg": lambda: F.dropout(x, -0.1),
        "dropout1d 4d": lambda: F.dropout1d(L.ones(1, 2, 3, 4)),
        "triplet dims": lambda: F.triplet_margin_loss(x, x, L.ones(3)),
        "prelu channels": lambda: F.prelu(x, L.ones(4)),
        "hardtanh order": lambda: L.nn.Hardtanh(1.0, 0.0),
        "one_hot negative": lambda: F.one_hot(L.tensor([-1, 0])),
        "one_hot empty": lambda: F.one_hot(L.tensor([], dtype=L.int64)),
    }


@requires_torch
@pytest.mark.parametrize("case", sorted(_bad_calls(ember)))
def test_bad_inputs_raise_like_torch(case):
    import warnings

    got = []
    for lib in (ember, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as info:
                _bad_calls(lib)[case]()
        got.append((type(info.value).__name__, str(info.value)))
    assert got[0] == got[1]


def test_feature_dropout_shapes_follow_torch():
    F = ember.nn.functional
    ember.manual_seed(3)
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        y = F.dropout2d(ember.ones(4, 6, 5), 0.5).numpy()  # read as (N, C, L)
    assert (y == y[..., :1]).all()
    y = F.dropout1d(ember.ones(6, 5), 0.5).numpy()  # unbatched (C, L)
    assert (y == y[:, :1]).all() and set(np.unique(y)) <= {0.0, 2.0}
    y = F.dropout3d(ember.ones(3, 2, 2, 2), 0.5).numpy()  # unbatched (C, D, H, W)
    assert (y.reshape(3, -1) == y.reshape(3, -1)[:, :1]).all()


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag(mode):
    W = arr(10, 3)
    inp = np.array([1, 2, 4, 5, 4, 3, 2, 9])
    off = np.array([0, 4, 4, 6])
    F = lambda lib: lib.nn.functional  # noqa: E731
    check(lambda lib, w: F(lib).embedding_bag(lib.tensor(inp), w, lib.tensor(off), mode=mode),
          W, gradgrad=mode != "max")
    check(lambda lib, w: F(lib).embedding_bag(lib.tensor(inp.reshape(2, 4)), w, mode=mode,
                                              padding_idx=4), W, gradgrad=mode != "max")
    check(lambda lib, w: F(lib).embedding_bag(lib.tensor(inp), w, lib.tensor([0, 3, 8]),
                                              mode=mode, include_last_offset=True), W,
          gradgrad=mode != "max")
    w = ember.tensor(W, requires_grad=True)
    f = lambda t: ember.nn.functional.embedding_bag(  # noqa: E731
        ember.tensor(inp), t, ember.tensor(off), mode=mode)
    assert gradcheck(f, (w,))


def test_embedding_bag_per_sample_weights_and_errors():
    W, psw = arr(10, 3), np.abs(arr(8)) + 0.1
    inp, off = np.array([1, 2, 4, 5, 4, 3, 2, 9]), np.array([0, 4, 4])
    check(lambda lib, w, p: lib.nn.functional.embedding_bag(
        lib.tensor(inp), w, lib.tensor(off), mode="sum", per_sample_weights=p), W, psw,
        gradgrad=False)  # PyTorch has no double backward for per_sample_weights
    w = ember.tensor(W, requires_grad=True)
    p = ember.tensor(psw, requires_grad=True)
    assert gradcheck(lambda a, b: ember.nn.functional.embedding_bag(
        ember.tensor(inp), a, ember.tensor(off), mode="sum", per_sample_weights=b), (w, p))
    F = lambda lib: lib.nn.functional  # noqa: E731
    check_error(lambda lib: F(lib).embedding_bag(lib.tensor(inp), lib.ones(10, 3)),
                lambda lib: F(lib).embedding_bag(lib.tensor(inp), lib.ones(10, 3)),
                ValueError, "offsets has to be a 1D Tensor but got None")
    check_error(lambda lib: F(lib).embedding_bag(lib.tensor([[1, 2]]), lib.ones(10, 3),
                                                 lib.tensor([0])),
                lambda lib: F(lib).embedding_bag(lib.tensor([[1, 2]]), lib.ones(10, 3),
                                                 lib.tensor([0])),
                ValueError, "if input is 2D, then offsets has to be None")
    check_error(lambda lib: F(lib).embedding_bag(lib.tensor(inp), lib.ones(10, 3),
                                                 lib.tensor(off), per_sample_weights=lib.ones(8)),
                lambda lib: F(lib).embedding_bag(lib.tensor(inp), lib.ones(10, 3),
                                                 lib.tensor(off), per_sample_weights=lib.ones(8)),
                NotImplementedError, "per_sample_weights is only supported for mode='sum' "
                                     "(got mode='mean')")
    check_error(lambda lib: F(lib).embedding_bag(lib.tensor(inp), lib.ones(10, 3),
                                                 lib.tensor([1, 4])),
                lambda lib: F(lib).embedding_bag(lib.tensor(inp), lib.ones(10, 3),
                                                 lib.tensor([1, 4])),
                RuntimeError, "offsets[0] has to be 0")
    bag = ember.nn.EmbeddingBag(10, 3, mode="max")
    assert repr(bag) == "EmbeddingBag(10, 3, mode='max')"
    assert bag(ember.tensor([[1, 2], [3, 3]])).shape == (2, 3)
    pre = ember.nn.EmbeddingBag.from_pretrained(ember.ones(4, 2), mode="sum")
    assert not pre.weight.requires_grad
    assert pre(ember.tensor([0, 1, 2]), ember.tensor([0, 1])).tolist() == [[1.0, 1.0],
                                                                           [2.0, 2.0]]


def test_pdist_and_gumbel_softmax():
    x = arr(5, 3)
    # PyTorch has no double backward for pdist: compare first order, gradgradcheck ember alone
    check(lambda lib, t: lib.nn.functional.pdist(t), x, gradgrad=False)
    check(lambda lib, t: lib.nn.functional.pdist(t, p=3.0), x, gradgrad=False)
    assert gradgradcheck(ember.nn.functional.pdist, (ember.tensor(x, requires_grad=True),))
    check_error(lambda lib: lib.nn.functional.pdist(lib.ones(2, 3, 4)),
                lambda lib: lib.nn.functional.pdist(lib.ones(2, 3, 4)),
                RuntimeError, "pdist only supports 2D tensors, got: 3D")
    ember.manual_seed(0)
    logits = ember.tensor(arr(4, 6), requires_grad=True)
    soft = ember.nn.functional.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).detach().numpy(), 1.0)
    hard = ember.nn.functional.gumbel_softmax(logits, hard=True, dim=1)
    h = hard.detach().numpy()
    assert set(np.unique(h)) <= {0.0, 1.0} and (h.sum(1) == 1).all()
    (hard * ember.tensor(arr(4, 6))).sum().backward()
    assert logits.grad is not None and np.isfinite(logits.grad.numpy()).all()
    y = ember.tensor(_x())
    z = y * 1.0
    ember.nn.functional.selu_(z)
    np.testing.assert_allclose(z.numpy(), ember.nn.functional.selu(y).numpy())


# ---- less common functions of the API, compared with PyTorch
def test_nn_aliases():
    x = uniform(2, 3, 6)
    w = uniform(4, 3, 3)
    check(lambda L, a, b: L.conv1d(a, b, padding=1), x, w, gradgrad=False)
    check(lambda L, a: L.max_pool1d(a, 2), x, gradgrad=False)
    same_values(lambda L, a: L.adaptive_max_pool1d(a, 2), x)
    same_values(lambda L, a: L.max_pool1d_with_indices(a, 3), x)
    check(lambda L, a: L.avg_pool1d(a, 2), x)
    w4, b4 = uniform(3), uniform(3)
    rm, rv = np.zeros(3), np.ones(3)
    check(lambda L, a, w_, b_: L.batch_norm(a, w_, b_, L.tensor(rm), L.tensor(rv), False, 0.1,
                                            1e-5, False), x, w4, b4)
    check(lambda L, a, w_, b_: L.instance_norm(a, w_, b_, None, None, True, 0.1, 1e-5, False),
          x, w4, b4, gradgrad=False)
    check(lambda L, a: L.layer_norm(a, (6,)), x, gradgrad=False)
    check(lambda L, a: L.group_norm(a, 3), uniform(2, 6, 2), gradgrad=False)
    check(lambda L, w_: L.embedding(w_, L.tensor([[0, 2], [1, 1]])), uniform(3, 2))
    lp, tg = np.log(RNG.dirichlet(np.ones(3), 2)), RNG.dirichlet(np.ones(3), 2)
    for red in (0, 1, 2):
        check(lambda L, a, b: L.kl_div(a, b, red), lp, tg, gradgrad=False)
    check(lambda L, a, b: L.binary_cross_entropy_with_logits(a, b, None, None, 2), uniform(4),
          RNG.uniform(0, 1, 4), gradgrad=False)
    y = np.array([1.0, -1.0, 1.0])
    check(lambda L, a, b: L.margin_ranking_loss(a, b, L.tensor(y), 0.1, 1), uniform(3), uniform(3),
          gradgrad=False)
    check(lambda L, a, b: L.cosine_embedding_loss(a, b, L.tensor(y), 0.0, 0), uniform(3, 4),
          uniform(3, 4), gradgrad=False)
    check(lambda L, a: L.hinge_embedding_loss(a, L.tensor(y), 1.0, 1), uniform(3),
          gradgrad=False)
    check(lambda L, a, p, n: L.triplet_margin_loss(a, p, n), uniform(2, 3), uniform(2, 3),
          uniform(2, 3),
          gradgrad=False)
    for name in ("kl_div", "binary_cross_entropy_with_logits", "hinge_embedding_loss"):
        same_values(lambda L, a, b: getattr(L, name)(a, b), uniform(2, 3),
                    RNG.uniform(0, 1, (2, 3)))
    same_values(lambda L, a, b: L.margin_ranking_loss(a, b, L.tensor([1.0, -1.0])), uniform(2),
                uniform(2))
    check(lambda L, a, t: L.poisson_nll_loss(a, t, True, False, 1e-8, 1), uniform(4), positive(4),
          gradgrad=False)
    check(lambda L, a: L.hardshrink(a, 0.5), np.array([-1.0, 0.2, 0.9]))
    check(lambda L, a: L.pdist(a), uniform(4, 3), gradgrad=False)
    check(lambda L, a: L.channel_shuffle(a, 2), uniform(1, 4, 2, 2))
    check(lambda L, a: L.pixel_shuffle(a, 2), uniform(1, 4, 2, 2))
    check(lambda L, a, b: L.rms_norm(a, (3,), b), uniform(2, 3), uniform(3))
    check(lambda L, a: L.constant_pad_nd(a, (1, 2), 0.5), uniform(2, 3))
    same_values(lambda L: L.selu_(L.tensor([-1.0, 2.0])))
    same_values(lambda L: L.celu_(L.tensor([-1.0, 2.0]), 0.5))
    same_values(lambda L: L.threshold_(L.tensor([-1.0, 2.0]), 0.5, 9.0))
    same_values(lambda L: L.rrelu(L.tensor([-1.0, 2.0])))
    same_values(lambda L: L.feature_dropout(L.ones(2, 3), 0.5, False))
    same_values(lambda L: L.alpha_dropout(L.ones(2, 3), 0.5, False))


def test_feature_dropout_drops_whole_channels():
    ember.manual_seed(3)
    out = ember.feature_dropout(ember.ones(8, 16, 5), 0.5, True)
    per_channel = out._data.reshape(8, 16, 5)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert 0 < (per_channel == 0).mean() < 1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", ["plain", "masked", "nan", "all_masked", "large", "very_negative"])
def test_softmax_large_rows_against_float64_and_pytorch(dtype, case):
    """Large softmaxes over the last dim may skip the row maxima (exp(x) / sum(exp(x)) where
    no exp overflows and no row sum is tiny): values within float rounding of the shifted
    formula, NaN / inf / fully masked / extreme rows as PyTorch gives them."""
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((4, 3, 64, 128)) * 4).astype(dtype)
    if case == "masked":
        x[..., 70:] = -np.inf
    elif case == "nan":
        x[1, 2, 5, 7] = np.nan
    elif case == "all_masked":
        x[..., :] = np.where(np.arange(128) < 100, x, -np.inf)
        x[0, 0, 3, :] = -np.inf
    elif case == "large":
        x[2, 1, 0, 0] = 500.0
    elif case == "very_negative":
        x[3, 0, 9, :] -= 1000.0
    got = ember.nn.functional.softmax(ember.tensor(x), dim=-1).numpy()
    with np.errstate(invalid="ignore"):
        x64 = x.astype(np.float64)
        e = np.exp(x64 - x64.max(axis=-1, keepdims=True))
        want = e / e.sum(axis=-1, keepdims=True)
    tol = 2e-6 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    assert got.dtype == np.dtype(dtype)
    if torch is not None:
        t = torch.softmax(torch.tensor(x), dim=-1).numpy()
        np.testing.assert_allclose(got, t, rtol=tol, atol=tol)


def test_softmax_large_rows_same_bits_at_any_thread_count():
    rng = np.random.default_rng(1)
    x = ember.tensor((rng.standard_normal((8, 3, 128, 256)) * 3).astype(np.float32))
    before = ember.get_num_threads()
    try:
        ember.set_num_threads(1)
        one = ember.nn.functional.softmax(x, dim=-1).numpy()
        ember.set_num_threads(2)
        two = ember.nn.functional.softmax(x, dim=-1).numpy()
    finally:
        ember.set_num_threads(before)
    assert np.array_equal(one, two)
