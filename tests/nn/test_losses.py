"""Losses: every reduction and option against PyTorch (value, input gradient, gradient of
gradient), gradcheck of the new loss Functions, modules vs functionals, and PyTorch's errors for
bad targets."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from oracle import check, check_error, requires_torch, torch

rng = np.random.default_rng(7)
REDS = ["mean", "sum", "none"]


def arr(*shape):
    return rng.standard_normal(shape)


def F(lib):
    return lib.nn.functional


@pytest.mark.parametrize("reduction", REDS)
def test_regression_losses(reduction):
    x, y = arr(4, 3), arr(4, 3)
    r = reduction
    check(lambda lib, a, b: F(lib).mse_loss(a, b, reduction=r), x, y)
    check(lambda lib, a, b: F(lib).l1_loss(a, b, reduction=r), x, y, gradgrad=False)
    check(lambda lib, a, b: F(lib).smooth_l1_loss(a, b, reduction=r), x, y, gradgrad=False)
    check(lambda lib, a, b: F(lib).smooth_l1_loss(a, b, reduction=r, beta=0.5), x, y,
          gradgrad=False)
    check(lambda lib, a, b: F(lib).huber_loss(a, b, reduction=r, delta=0.7), x, y,
          gradgrad=False)
    check(lambda lib, a, b: lib.nn.MSELoss(reduction=r)(a, b), x, y)
    check(lambda lib, a, b: lib.nn.HuberLoss(reduction=r)(a, b), x, y, gradgrad=False)


def test_regression_loss_gradcheck():
    x = ember.tensor(arr(3, 4), requires_grad=True)
    y = ember.tensor(arr(3, 4), requires_grad=True)
    Fe = ember.nn.functional
    for fn in (lambda a, b: Fe.mse_loss(a, b), lambda a, b: Fe.smooth_l1_loss(a, b, beta=0.8),
               lambda a, b: Fe.huber_loss(a, b, reduction="sum", delta=1.3)):
        assert gradcheck(fn, (x, y))
    assert gradgradcheck(lambda a, b: Fe.mse_loss(a, b, reduction="none"), (x, y))


def test_mse_broadcast_warning_and_grad_fn():
    x = ember.randn(3, 1, requires_grad=True)
    with pytest.warns(UserWarning, match="Using a target size"):
        out = ember.nn.functional.mse_loss(x, ember.zeros(3))
    assert out.shape == ()
    loss = ember.nn.MSELoss()(ember.randn(2, 2, requires_grad=True), ember.zeros(2, 2))
    assert type(loss.grad_fn).__name__ == "MseLossBackward0"
    assert "grad_fn=<MseLossBackward0>" in repr(loss)


@pytest.mark.parametrize("reduction", REDS)
def test_cross_entropy_indices(reduction):
    x = arr(5, 4)
    t = np.array([1, 0, 3, 3, 2])
    w = np.array([1.0, 2.0, 0.5, 1.5])
    r = reduction
    check(lambda lib, a: F(lib).cross_entropy(a, lib.tensor(t), reduction=r), x)
    check(lambda lib, a: F(lib).cross_entropy(a, lib.tensor(t), weight=lib.tensor(w),
                                              reduction=r), x)
    check(lambda lib, a: F(lib).cross_entropy(a, lib.tensor(t), label_smoothing=0.15,
                                              reduction=r), x)
    check(lambda lib, a: F(lib).cross_entropy(a, lib.tensor(t), weight=lib.tensor(w),
                                              label_smoothing=0.2, reduction=r), x)
    ti = np.array([1, -100, 3, -100, 2])
    check(lambda lib, a: F(lib).cross_entropy(a, lib.tensor(ti), reduction=r), x)
    check(lambda lib, a: F(lib).cross_entropy(a, lib.tensor(t), ignore_index=3,
                                              weight=lib.tensor(w), label_smoothing=0.1,
                                              reduction=r), x)
    check(lambda lib, a: lib.nn.CrossEntropyLoss(reduction=r)(a, lib.tensor(t)), x)


@pytest.mark.parametrize("reduction", REDS)
def test_cross_entropy_probabilities_spatial_and_1d(reduction):
    r = reduction
    x = arr(5, 4)
    p = rng.dirichlet(np.ones(4), size=5)
    w = np.array([1.0, 2.0, 0.5, 1.5])
    check(lambda lib, a, b: F(lib).cross_entropy(a, b, reduction=r), x, p)
    check(lambda lib, a, b: F(lib).cross_entropy(a, b, reduction=r, label_smoothing=0.3,
                                                 weight=lib.tensor(w)), x, p)
    xs = arr(2, 3, 4, 2)
    ts = np.array([[[0, 2], [1, 1], [2, 0], [1, 2]], [[2, 2], [0, 1], [0, 0], [1, 2]]])
    check(lambda lib, a: F(lib).cross_entropy(a, lib.tensor(ts), reduction=r), xs)
    x3 = arr(2, 3, 4)
    t3 = np.array([[0, 2, 1, 1], [2, 2, 0, 1]])
    check(lambda lib, a: F(lib).cross_entropy(a, lib.tensor(t3), reduction=r,
                                              label_smoothing=0.1), x3)
    check(lambda lib, a: F(lib).cross_entropy(a, lib.tensor(2), reduction=r), arr(4))


def test_cross_entropy_grad_fn_names():
    x = ember.randn(3, 4, requires_grad=True)
    t = ember.tensor([0, 1, 3])
    assert type(ember.nn.functional.cross_entropy(x, t).grad_fn).__name__ == "NllLossBackward0"
    x4 = ember.randn(2, 3, 2, 2, requires_grad=True)
    t4 = ember.zeros(2, 2, 2, dtype=ember.int64)
    assert type(ember.nn.functional.cross_entropy(x4, t4).grad_fn).__name__ == \
        "NllLoss2DBackward0"


def test_all_ignored_mean_is_nan():
    for lib in [ember] + ([torch] if torch is not None else []):
        out = F(lib).cross_entropy(lib.randn(2, 3), lib.tensor([-100, -100]))
        assert np.isnan(out.item())


@pytest.mark.parametrize("reduction", REDS)
def test_nll_loss(reduction):
    r = reduction
    x = arr(5, 4)
    t = np.array([1, 0, 3, 3, 2])
    w = np.array([1.0, 2.0, 0.5, 1.5])
    check(lambda lib, a: F(lib).nll_loss(F(lib).log_softmax(a, 1), lib.tensor(t), reduction=r), x)
    check(lambda lib, a: F(lib).nll_loss(a, lib.tensor(t), weight=lib.tensor(w), reduction=r,
                                         ignore_index=0), x)
    check(lambda lib, a: lib.nn.NLLLoss(weight=lib.tensor(w), reduction=r)(a, lib.tensor(t)), x)
    check(lambda lib, a: F(lib).nll_loss(a, lib.tensor(1), reduction=r), arr(3))


def test_nll_and_log_softmax_gradcheck():
    x = ember.tensor(arr(4, 3), requires_grad=True)
    t = ember.tensor([0, 2, 1, 2])
    w = ember.tensor([0.5, 1.0, 2.0], dtype=ember.float64)
    Fe = ember.nn.functional
    assert gradcheck(lambda a: Fe.cross_entropy(a, t, weight=w), (x,))
    assert gradgradcheck(lambda a: Fe.cross_entropy(a, t, weight=w, label_smoothing=0.1), (x,))
    assert gradcheck(lambda a: Fe.nll_loss(a, t, reduction="none"), (x,))


@pytest.mark.parametrize("reduction", REDS)
def test_binary_losses(reduction):
    r = reduction
    x = arr(4, 3)
    t = rng.integers(0, 2, size=(4, 3)).astype(np.float64)
    soft = rng.uniform(0, 1, size=(4, 3))
    w = np.array([1.0, 2.0, 3.0])
    pw = np.array([0.5, 2.0, 3.0])
    check(lambda lib, a: F(lib).binary_cross_entropy(lib.sigmoid(a), lib.tensor(t),
                                                     reduction=r), x)
    check(lambda lib, a, b: F(lib).binary_cross_entropy(lib.sigmoid(a), b, reduction=r,
                                                        weight=lib.tensor(w)), x, soft)
    check(lambda lib, a, b: F(lib).binary_cross_entropy_with_logits(a, b, reduction=r), x, soft)
    check(lambda lib, a, b: F(lib).binary_cross_entropy_with_logits(
        a, b, reduction=r, weight=lib.tensor(w), pos_weight=lib.tensor(pw)), x, soft)
    check(lambda lib, a: lib.nn.BCEWithLogitsLoss(pos_weight=lib.tensor(pw), reduction=r)(
        a * 40, lib.tensor(t)), x)
    check(lambda lib, a: lib.nn.BCELoss(reduction=r)(lib.sigmoid(a), lib.tensor(t)), x)


def test_binary_losses_gradcheck_and_stability():
    x = ember.tensor(arr(3, 2), requires_grad=True)
    y = ember.tensor(rng.uniform(0.1, 0.9, size=(3, 2)), requires_grad=True)
    pw = ember.tensor([0.5, 3.0], dtype=ember.float64)
    Fe = ember.nn.functional
    assert gradcheck(lambda a, b: Fe.binary_cross_entropy_with_logits(a, b, pos_weight=pw),
                     (x, y))
    assert gradgradcheck(lambda a, b: Fe.binary_cross_entropy_with_logits(a, b), (x, y))
    assert gradcheck(lambda a, b: Fe.binary_cross_entropy(a.sigmoid(), b), (x, y))
    big = ember.tensor([[-800.0, 800.0]], dtype=ember.float64, requires_grad=True)
    loss = Fe.binary_cross_entropy_with_logits(big, ember.tensor([[1.0, 0.0]],
                                                                 dtype=ember.float64))
    assert loss.item() == 800.0
    loss.backward()
    assert big.grad.tolist() == [[-0.5, 0.5]]
    # probabilities of exactly 0 and 1: logs are clamped at -100, as in PyTorch
    p = ember.tensor([0.0, 1.0], dtype=ember.float64)
    assert Fe.binary_cross_entropy(p, ember.tensor([1.0, 0.0], dtype=ember.float64)).item() \
        == 100.0


@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
def test_kl_div(reduction):
    x = arr(5, 4)
    p = rng.dirichlet(np.ones(4), size=5)
    p[0, 1] = 0.0
    r = reduction
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # a zero target entry gives PyTorch's nan target gradient: only PyTorch can judge it
        check(lambda lib, a, b: F(lib).kl_div(F(lib).log_softmax(a, 1), b, reduction=r), x, p,
              gradgrad=False, requires_grad=None if torch is not None else [True, False])
        check(lambda lib, a, b: lib.nn.KLDivLoss(reduction=r, log_target=True)(
            F(lib).log_softmax(a, 1), b), x, np.log(p + 0.1))


def test_kl_div_mean_warns():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        ember.nn.functional.kl_div(ember.zeros(2, 2), ember.ones(2, 2) / 2)


@pytest.mark.parametrize("reduction", REDS)
def test_other_losses(reduction):
    r = reduction
    a, b = arr(4, 5), arr(4, 5)
    y = np.array([1, -1, 1, -1])
    check(lambda lib, u, v: lib.nn.CosineEmbeddingLoss(margin=0.1, reduction=r)(
        u, v, lib.tensor(y)), a, b)
    check(lambda lib, u, v: lib.nn.MarginRankingLoss(margin=0.2, reduction=r)(
        u[:, 0], v[:, 1], lib.tensor(y).double()), a, b)
    check(lambda lib, u: lib.nn.HingeEmbeddingLoss(margin=0.7, reduction=r)(
        u, lib.tensor(np.where(a > 0, 1, -1))), a)
    c = arr(4, 5)
    check(lambda lib, u, v, w: lib.nn.TripletMarginLoss(margin=1.5, reduction=r)(u, v, w),
          a, b, c)
    check(lambda lib, u, v, w: lib.nn.TripletMarginLoss(p=1.0, swap=True, reduction=r)(u, v, w),
          a, b, c, gradgrad=False)
    rate = np.abs(arr(4, 5)) * 3
    counts = rng.poisson(2.0, size=(4, 5)).astype(np.float64)
    check(lambda lib, u, t: lib.nn.PoissonNLLLoss(reduction=r)(u, t), a, counts)
    check(lambda lib, u, t: lib.nn.PoissonNLLLoss(log_input=False, full=True, reduction=r)(u, t),
          rate + 0.1, counts, requires_grad=None if torch is not None else [True, False])
    var = np.abs(arr(4, 5)) + 0.1
    check(lambda lib, u, t, v: lib.nn.GaussianNLLLoss(reduction=r)(u, t, v), a, b, var)
    check(lambda lib, u, t, v: lib.nn.GaussianNLLLoss(full=True, reduction=r)(u, t, v),
          a, b, var[:, :1])
    sign = np.where(b > 0, 1.0, -1.0)
    check(lambda lib, u: lib.nn.SoftMarginLoss(reduction=r)(u, lib.tensor(sign)), a)


def test_loss_modules_hold_weight_buffers():
    w = ember.tensor([1.0, 2.0])
    m = ember.nn.CrossEntropyLoss(weight=w, label_smoothing=0.1)
    assert dict(m.named_buffers())["weight"] is w
    assert list(m.state_dict()) == ["weight"]
    assert m.ignore_index == -100 and m.reduction == "mean"
    m2 = ember.nn.BCEWithLogitsLoss(pos_weight=w)
    assert list(m2.state_dict()) == ["pos_weight"]
    assert ember.nn.MSELoss(reduction="sum").reduction == "sum"
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        assert ember.nn.MSELoss(size_average=False).reduction == "sum"


def test_loss_errors():
    x5 = lambda lib: lib.randn(5, 4)  # noqa: E731
    check_error(lambda lib: F(lib).cross_entropy(x5(lib), lib.zeros(5)),
                lambda lib: F(lib).cross_entropy(x5(lib), lib.zeros(5)),
                RuntimeError, "expected target dtype to be Long or Byte, but got Float")
    check_error(lambda lib: lib.nn.NLLLoss()(x5(lib), lib.zeros(5, dtype=lib.int32)),
                lambda lib: lib.nn.NLLLoss()(x5(lib), lib.zeros(5, dtype=lib.int32)),
                RuntimeError, "expected target dtype to be Long or Byte, but got Int")
    check_error(lambda lib: lib.nn.CrossEntropyLoss()(x5(lib), lib.zeros(4, dtype=lib.int64)),
                lambda lib: lib.nn.CrossEntropyLoss()(x5(lib), lib.zeros(4, dtype=lib.int64)),
                ValueError, "Expected input batch_size (5) to match target batch_size (4).")
    check_error(lambda lib: F(lib).cross_entropy(x5(lib), lib.zeros(5, 4, dtype=lib.int64)),
                lambda lib: F(lib).cross_entropy(x5(lib), lib.zeros(5, 4, dtype=lib.int64)),
                RuntimeError, "Expected floating point type for target with class "
                              "probabilities, got Long")
    check_error(lambda lib: F(lib).nll_loss(x5(lib), lib.zeros(5, 4, dtype=lib.int64)),
                lambda lib: F(lib).nll_loss(x5(lib), lib.zeros(5, 4, dtype=lib.int64)),
                RuntimeError, "0D or 1D target tensor expected, multi-target not supported")
    check_error(lambda lib: F(lib).cross_entropy(x5(lib), lib.tensor([0, 1, 2, 3, 9])),
                lambda lib: F(lib).cross_entropy(x5(lib), lib.tensor([0, 1, 2, 3, 9])),
                IndexError, "Target 9 is out of bounds.")
    check_error(lambda lib: F(lib).cross_entropy(lib.randn(2, 3, 4),
                                                 lib.zeros(2, 5, dtype=lib.int64)),
                lambda lib: F(lib).cross_entropy(lib.randn(2, 3, 4),
                                                 lib.zeros(2, 5, dtype=lib.int64)),
                RuntimeError, "Expected target size [2, 4], got [2, 5]")
    check_error(lambda lib: F(lib).cross_entropy(lib.randn(2, 3, 4, 5),
                                                 lib.zeros(2, 5, 4, dtype=lib.int64)),
                lambda lib: F(lib).cross_entropy(lib.randn(2, 3, 4, 5),
                                                 lib.zeros(2, 5, 4, dtype=lib.int64)),
                RuntimeError, "size mismatch (got input: [2, 3, 4, 5] , target: [2, 5, 4]")
    check_error(lambda lib: F(lib).cross_entropy(x5(lib), lib.zeros(5, dtype=lib.int64),
                                                 label_smoothing=1.5),
                lambda lib: F(lib).cross_entropy(x5(lib), lib.zeros(5, dtype=lib.int64),
                                                 label_smoothing=1.5),
                RuntimeError, "label_smoothing must be between 0.0 and 1.0. Got: 1.5")
    check_error(lambda lib: F(lib).cross_entropy(x5(lib), lib.zeros(5, dtype=lib.int64),
                                                 weight=lib.ones(3)),
                lambda lib: F(lib).cross_entropy(x5(lib), lib.zeros(5, dtype=lib.int64),
                                                 weight=lib.ones(3)),
                RuntimeError, "weight tensor should be defined either for all 4 classes or no "
                              "classes but got weight tensor of shape: [3]")
    check_error(lambda lib: F(lib).mse_loss(x5(lib), x5(lib), reduction="avg"),
                lambda lib: F(lib).mse_loss(x5(lib), x5(lib), reduction="avg"),
                ValueError, "avg is not a valid value for reduction")
    check_error(lambda lib: F(lib).binary_cross_entropy(lib.rand(3), lib.rand(4)),
                lambda lib: F(lib).binary_cross_entropy(lib.rand(3), lib.rand(4)),
                ValueError, "Using a target size (torch.Size([4])) that is different to the "
                            "input size (torch.Size([3])) is deprecated")
    check_error(lambda lib: F(lib).binary_cross_entropy_with_logits(lib.rand(3), lib.rand(4)),
                lambda lib: F(lib).binary_cross_entropy_with_logits(lib.rand(3), lib.rand(4)),
                ValueError, "Target size (torch.Size([4])) must be the same as input size "
                            "(torch.Size([3]))")
    check_error(lambda lib: F(lib).binary_cross_entropy(lib.rand(3) + 1, lib.rand(3)),
                lambda lib: F(lib).binary_cross_entropy(lib.rand(3) + 1, lib.rand(3)),
                RuntimeError, "all elements of input should be between 0 and 1")
    check_error(lambda lib: F(lib).gaussian_nll_loss(lib.ones(2, 3), lib.ones(2, 3),
                                                     -lib.ones(2, 3)),
                lambda lib: F(lib).gaussian_nll_loss(lib.ones(2, 3), lib.ones(2, 3),
                                                     -lib.ones(2, 3)),
                ValueError, "var has negative entry/entries")
    check_error(lambda lib: F(lib).margin_ranking_loss(lib.ones(2), lib.ones(2),
                                                       lib.ones(2, 1)),
                lambda lib: F(lib).margin_ranking_loss(lib.ones(2), lib.ones(2),
                                                       lib.ones(2, 1)),
                RuntimeError, "margin_ranking_loss : All input tensors should have same "
                              "dimension")


@requires_torch
def test_float32_training_losses_match():
    x = arr(8, 5).astype(np.float32)
    t = rng.integers(0, 5, size=8)
    for name in ("ce", "mse"):
        vals = []
        for lib in (ember, torch):
            xi = lib.tensor(x, requires_grad=True)
            if name == "ce":
                loss = lib.nn.CrossEntropyLoss()(xi, lib.tensor(t))
            else:
                loss = lib.nn.MSELoss()(xi, lib.zeros(8, 5))
            loss.backward()
            vals.append((loss.dtype, loss.item(), xi.grad.numpy().copy()))
        assert str(vals[0][0]) == str(vals[1][0]) == "torch.float32"
        assert abs(vals[0][1] - vals[1][1]) < 1e-6
        np.testing.assert_allclose(vals[0][2], vals[1][2], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("reduction", REDS)
def test_multilabel_and_multi_margin(reduction):
    r = reduction
    x = arr(4, 5)
    t = rng.integers(0, 2, size=(4, 5)).astype(np.float64)
    w = np.abs(arr(5)) + 0.5
    check(lambda lib, a: lib.nn.MultiLabelSoftMarginLoss(reduction=r)(a, lib.tensor(t)), x)
    check(lambda lib, a: lib.nn.MultiLabelSoftMarginLoss(weight=lib.tensor(w), reduction=r)(
        a, lib.tensor(t)), x)
    y = np.array([0, 4, 2, 1])
    check(lambda lib, a: lib.nn.MultiMarginLoss(reduction=r)(a, lib.tensor(y)), x,
          gradgrad=False)
    check(lambda lib, a: lib.nn.MultiMarginLoss(p=2, margin=0.5, weight=lib.tensor(w),
                                                reduction=r)(a, lib.tensor(y)), x,
          gradgrad=False)  # PyTorch has no double backward for it


def test_dtype_errors_and_empty_batches():
    check_error(lambda lib: F(lib).cross_entropy(lib.ones(2, 3), lib.tensor([0, 1]),
                                                 weight=lib.ones(3, dtype=lib.float64)),
                lambda lib: F(lib).cross_entropy(lib.ones(2, 3), lib.tensor([0, 1]),
                                                 weight=lib.ones(3, dtype=lib.float64)),
                RuntimeError, "expected scalar type Float but found Double")
    check_error(lambda lib: F(lib).binary_cross_entropy(lib.ones(3) * 0.5,
                                                        lib.zeros(3, dtype=lib.float64)),
                lambda lib: F(lib).binary_cross_entropy(lib.ones(3) * 0.5,
                                                        lib.zeros(3, dtype=lib.float64)),
                RuntimeError, "Found dtype Double but expected Float")
    check_error(lambda lib: lib.softmax(lib.tensor([1, 2]), 0),
                lambda lib: lib.softmax(lib.tensor([1, 2]), 0),
                NotImplementedError, "\"softmax_lastdim_kernel_impl\" not implemented for 'Long'")
    check_error(lambda lib: lib.log_softmax(lib.tensor([[1, 2]]), 0),
                lambda lib: lib.log_softmax(lib.tensor([[1, 2]]), 0),
                NotImplementedError, "\"log_softmax_kernel_impl\" not implemented for 'Long'")
    Fe = ember.nn.functional
    assert np.isnan(Fe.cross_entropy(ember.zeros(0, 3), ember.zeros(0, dtype=ember.int64)).item())
    assert Fe.cross_entropy(ember.zeros(0, 3, 2), ember.zeros(0, 2, dtype=ember.int64),
                            reduction="sum").item() == 0.0
    assert Fe.cross_entropy(ember.zeros(0, 3), ember.zeros(0, dtype=ember.int64),
                            reduction="none").shape == (0,)


@pytest.mark.parametrize("reduction", REDS)
def test_multilabel_margin_and_triplet_with_distance(reduction):
    r = reduction
    x = arr(3, 4)
    y = np.array([[3, 0, -1, 1], [0, 1, 2, 3], [2, -1, 0, 0]])
    check(lambda lib, a: lib.nn.MultiLabelMarginLoss(reduction=r)(a, lib.tensor(y)), x,
          gradgrad=False)
    check(lambda lib, a: F(lib).multilabel_margin_loss(a[0], lib.tensor(y[0]), reduction=r), x,
          gradgrad=False)
    a, b, c = arr(4, 5), arr(4, 5), arr(4, 5)
    check(lambda lib, u, v, w: lib.nn.TripletMarginWithDistanceLoss(reduction=r)(u, v, w),
          a, b, c)
    check(lambda lib, u, v, w: lib.nn.TripletMarginWithDistanceLoss(
        distance_function=lambda p, q: 1.0 - F(lib).cosine_similarity(p, q), margin=0.5,
        swap=True, reduction=r)(u, v, w), a, b, c)


def test_nll_loss2d_alias_and_triplet_errors():
    with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
        m = ember.nn.NLLLoss2d()
    assert isinstance(m, ember.nn.NLLLoss)
    check_error(lambda lib: F(lib).triplet_margin_with_distance_loss(
                    lib.ones(2), lib.ones(2), lib.ones(2), margin=0),
                lambda lib: F(lib).triplet_margin_with_distance_loss(
                    lib.ones(2), lib.ones(2), lib.ones(2), margin=0),
                ValueError, "margin must be greater than 0, got 0")
    if torch is not None:
        assert repr(ember.nn.TripletMarginWithDistanceLoss()) == \
            repr(torch.nn.TripletMarginWithDistanceLoss())
