"""Layer ops (conv, pooling, normalisation, pad, interpolate, ...): values, gradients and
gradients of gradients against PyTorch (``oracle.check``), numerical gradcheck always, and
PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest
from inputs import randn
from oracle import check, check_error, requires_torch, torch

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

rng = np.random.default_rng(0)


def R(*shape):
    return rng.standard_normal(shape)


def TF(lib):
    return lib.nn.functional


def _e(*arrays):
    return [ember.tensor(a, requires_grad=True) for a in arrays]


# ------------------------------------------------------------------------------ convolution
CONV2D_CASES = [
    dict(),
    dict(stride=2, padding=1),
    dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2)),
    dict(dilation=2, padding=2, groups=2),
    dict(padding="same"),
    dict(padding="same", dilation=(2, 1)),
    dict(padding="valid", stride=(1, 3)),
]


@pytest.mark.parametrize("kw", CONV2D_CASES)
def test_conv2d_matches_torch(kw):
    groups = kw.get("groups", 1)
    x, w, b = R(2, 4, 7, 6), R(6, 4 // groups, 3, 2), R(6)
    check(lambda lib, x, w, b: TF(lib).conv2d(x, w, b, **kw), x, w, b)


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(stride=2, padding=1),
        dict(dilation=3, padding=2),
        dict(groups=2),
        dict(padding="same"),
    ],
)
def test_conv1d_matches_torch(kw):
    groups = kw.get("groups", 1)
    x, w = R(2, 4, 9), R(6, 4 // groups, 4)
    check(lambda lib, x, w: TF(lib).conv1d(x, w, **kw), x, w)


def test_conv3d_matches_torch():
    x, w, b = R(1, 2, 4, 5, 3), R(3, 2, 2, 3, 2), R(3)
    check(lambda lib, x, w, b: TF(lib).conv3d(x, w, b, stride=(1, 2, 1), padding=1), x, w, b)
    # stride 1 takes the padded-grid path (3-D flat offsets, junk positions sliced off)
    check(lambda lib, x, w, b: TF(lib).conv3d(x, w, b, padding=(1, 0, 1), dilation=(1, 2, 1)),
          x, w, b)


def test_conv2d_unbatched_input():
    x, w = R(2, 5, 5), R(3, 2, 3, 3)
    out = check(lambda lib, x, w: TF(lib).conv2d(x, w, padding=1), x, w)[0]
    assert tuple(out.shape) == (3, 5, 5)


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(stride=2, padding=1, output_padding=1),
        dict(stride=2, groups=2, dilation=2),
        dict(stride=3, padding=2, output_padding=(2, 1)),
        dict(dilation=2, output_padding=1, padding=1),
    ],
)
def test_conv_transpose2d_matches_torch(kw):
    groups = kw.get("groups", 1)
    x, w, b = R(2, 4, 4, 5), R(4, 6 // groups, 3, 2), R(6)
    check(lambda lib, x, w, b: TF(lib).conv_transpose2d(x, w, b, **kw), x, w, b)


def test_conv_transpose1d_matches_torch():
    x, w = R(2, 3, 5), R(3, 2, 4)
    check(
        lambda lib, x, w: TF(lib).conv_transpose1d(x, w, stride=2, padding=1, output_padding=1),
        x,
        w,
    )


def test_conv_gradcheck_and_gradgradcheck():
    x, w, b = _e(R(1, 2, 5, 4), R(2, 1, 2, 3), R(2))

    def f(x, w, b):
        return F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2)

    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))
    y, w2 = _e(R(1, 2, 3, 3), R(2, 3, 2, 2))

    def g(y, w):
        return F.conv_transpose2d(y, w, stride=2, padding=1, output_padding=1)

    assert gradcheck(g, (y, w2))
    assert gradgradcheck(g, (y, w2))


def test_conv_third_order():
    """Every derivative of a conv is again a conv op, so third derivatives work too."""
    x, w = _e(R(1, 1, 4, 4), R(1, 1, 2, 2))

    def f(x, w):
        (gx,) = ember.autograd.grad((F.conv2d(x, w) ** 2).sum(), x, create_graph=True)
        return gx

    assert gradgradcheck(f, (x, w))


def test_conv_grad_fn_name():
    x, w = _e(R(1, 1, 4, 4), R(2, 1, 3, 3))
    assert type(F.conv2d(x, w).grad_fn).__name__ == "ConvolutionBackward0"


def test_conv_float32_output_dtype():
    x = ember.randn(2, 3, 8, 8)
    w = ember.randn(4, 3, 3, 3, requires_grad=True)
    y = F.conv2d(x, w, padding=1)
    assert y.dtype == ember.float32
    y.sum().backward()
    assert w.grad.dtype == ember.float32


def test_conv_errors():
    w = lambda lib: lib.zeros(8, 1, 3, 3)  # noqa: E731
    check_error(
        lambda lib: TF(lib).conv2d(lib.zeros(2, 3), w(lib)),
        None,
        RuntimeError,
        "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]",
    )
    check_error(
        lambda lib: TF(lib).conv2d(lib.zeros(2, 3, 5, 5), w(lib)),
        lambda lib: TF(lib).conv2d(lib.zeros(2, 3, 5, 5), w(lib)),
        RuntimeError,
        "Given groups=1, weight of size [8, 1, 3, 3], expected input[2, 3, 5, 5] to have "
        "1 channels, but got 3 channels instead",
    )
    check_error(
        lambda lib: TF(lib).conv2d(lib.zeros(2, 1, 2, 2), w(lib)),
        lambda lib: TF(lib).conv2d(lib.zeros(2, 1, 2, 2), w(lib)),
        RuntimeError,
        "Kernel size can't be greater than actual input size",
    )
    check_error(
        lambda lib: TF(lib).conv1d(
            lib.zeros(1, 1, 5), lib.zeros(1, 1, 3), stride=2, padding="same"
        ),
        lambda lib: TF(lib).conv1d(
            lib.zeros(1, 1, 5), lib.zeros(1, 1, 3), stride=2, padding="same"
        ),
        RuntimeError,
        "padding='same' is not supported for strided convolutions",
    )
    check_error(
        lambda lib: TF(lib).conv2d(lib.zeros(1, 1, 5, 5, dtype=lib.float64), w(lib)),
        lambda lib: TF(lib).conv2d(lib.zeros(1, 1, 5, 5, dtype=lib.float64), w(lib)),
        RuntimeError,
        "expected scalar type Double but found Float",
    )


def test_unfold_fold_match_torch():
    x = R(2, 3, 6, 7)
    check(lambda lib, x: TF(lib).unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=2), x)
    cols = R(2, 12, 9)
    check(lambda lib, c: TF(lib).fold(c, (5, 6), (2, 3), padding=1, stride=2), cols)
    a, b = _e(R(1, 2, 4, 4), R(1, 8, 25))
    assert gradcheck(lambda t: F.unfold(t, 2, padding=1, stride=1), (a,))
    assert gradcheck(lambda t: F.fold(t, (4, 4), 2, padding=1), (b,))


# ------------------------------------------------------------------------------ pooling
MAXPOOL_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3), stride=1, dilation=(2, 1)),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
]


@pytest.mark.parametrize("kw", MAXPOOL_CASES)
def test_max_pool2d_matches_torch(kw):
    x = R(2, 3, 7, 6)
    check(lambda lib, x: TF(lib).max_pool2d(x, **kw), x)
    out = check(lambda lib, x: TF(lib).max_pool2d(x, return_indices=True, **kw), x, grad=False)
    assert out[1].dtype == ember.int64


def test_max_pool_ties_pick_first_and_gradcheck():
    x = ember.tensor([[[[1.0, 1.0, 0.0, 2.0], [1.0, 0.5, 2.0, 2.0]]]], requires_grad=True)
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    assert idx.tolist() == [[[[0, 3]]]]
    y.sum().backward()
    assert x.grad.tolist() == [[[[1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]]]]
    a = _e(R(1, 2, 5, 5))
    assert gradcheck(lambda t: F.max_pool2d(t, 3, stride=2, padding=1), a)
    assert gradgradcheck(lambda t: F.max_pool2d(t, 3, stride=1, padding=1), a)
    assert gradgradcheck(lambda t: F.max_pool2d(t, 2), a)


def test_max_pool1d_matches_torch():
    check(lambda lib, x: TF(lib).max_pool1d(x, 3, 2, 1), R(2, 3, 9))
    check(lambda lib, x: TF(lib).max_pool1d(x, 2), R(3, 8))  # unbatched


AVGPOOL_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=2, divisor_override=3),
]


@pytest.mark.parametrize("kw", AVGPOOL_CASES)
def test_avg_pool2d_matches_torch(kw):
    check(lambda lib, x: TF(lib).avg_pool2d(x, **kw), R(2, 3, 7, 6))


def test_avg_pool_gradcheck_and_1d():
    check(lambda lib, x: TF(lib).avg_pool1d(x, 3, 2, 1, ceil_mode=True), R(2, 3, 8))
    a = _e(R(1, 2, 5, 4))
    assert gradcheck(lambda t: F.avg_pool2d(t, 3, 2, 1, ceil_mode=True, count_include_pad=False), a)


@pytest.mark.parametrize("size", [(3, 4), 1, (None, 2), (5, 4)])
def test_adaptive_pools_match_torch(size):
    x = R(2, 3, 7, 6)
    check(lambda lib, x: TF(lib).adaptive_avg_pool2d(x, size), x)
    check(lambda lib, x: TF(lib).adaptive_max_pool2d(x, size), x)
    check(lambda lib, x: TF(lib).adaptive_max_pool2d(x, size, return_indices=True), x, grad=False)


def test_adaptive_pool_1d_and_gradcheck():
    check(lambda lib, x: TF(lib).adaptive_avg_pool1d(x, 4), R(2, 3, 7))
    a = _e(R(1, 2, 5, 7))
    assert gradcheck(lambda t: F.adaptive_avg_pool2d(t, (3, 2)), a)
    assert gradcheck(lambda t: F.adaptive_max_pool2d(t, (2, 3)), a)
    assert gradgradcheck(lambda t: F.adaptive_max_pool2d(t, (2, 3)), a)


def test_pool_errors():
    check_error(
        lambda lib: TF(lib).max_pool2d(lib.zeros(1, 1, 2, 2), 3),
        lambda lib: TF(lib).max_pool2d(lib.zeros(1, 1, 2, 2), 3),
        RuntimeError,
        "Output size is too small",
    )
    check_error(
        lambda lib: TF(lib).max_pool2d(lib.zeros(1, 1, 5, 5), 3, padding=2),
        lambda lib: TF(lib).max_pool2d(lib.zeros(1, 1, 5, 5), 3, padding=2),
        RuntimeError,
        "pad should be at most half of effective kernel size",
    )
    check_error(
        lambda lib: TF(lib).max_pool2d(lib.zeros(2, 5), 2),
        lambda lib: TF(lib).max_pool2d(lib.zeros(2, 5), 2),
        RuntimeError,
        "non-empty 3D or 4D (batch mode) tensor expected for input",
    )


# ------------------------------------------------------------------------------ normalisation
def test_batch_norm_train_matches_torch():
    x, w, b = R(4, 3, 2, 2), R(3), R(3)
    check(lambda lib, x, w, b: TF(lib).batch_norm(x, None, None, w, b, training=True), x, w, b)
    check(lambda lib, x: TF(lib).batch_norm(x, None, None, training=True), R(5, 3))


def test_batch_norm_eval_matches_torch():
    x, w, b = R(4, 3, 2), R(3), R(3)
    rm, rv = R(3), rng.random(3) + 0.5
    check(lambda lib, x, w, b: TF(lib).batch_norm(x, lib.tensor(rm), lib.tensor(rv), w, b), x, w, b)


@requires_torch
def test_batch_norm_running_stats_match_torch():
    x = R(4, 3, 2, 2)
    stats = {}
    for lib in (ember, torch):
        rm, rv = lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64)
        TF(lib).batch_norm(lib.tensor(x), rm, rv, training=True, momentum=0.3)
        stats[lib.__name__] = (rm.numpy(), rv.numpy())
    np.testing.assert_allclose(stats["ember"][0], stats["torch"][0])
    np.testing.assert_allclose(stats["ember"][1], stats["torch"][1])


def test_running_var_uses_unbiased_variance():
    x = R(6, 2)
    rm, rv = ember.zeros(2, dtype=ember.float64), ember.zeros(2, dtype=ember.float64)
    F.batch_norm(ember.tensor(x), rm, rv, training=True, momentum=1.0)
    np.testing.assert_allclose(rv.numpy(), x.var(0, ddof=1))
    np.testing.assert_allclose(rm.numpy(), x.mean(0))


def test_layer_group_instance_norm_match_torch():
    x = R(2, 4, 3, 2)
    check(lambda lib, x, w, b: TF(lib).layer_norm(x, (2,), w, b), x, R(2), R(2))
    check(lambda lib, x, w: TF(lib).layer_norm(x, (3, 2), w), x, R(3, 2))
    check(lambda lib, x, w, b: TF(lib).group_norm(x, 2, w, b), x, R(4), R(4))
    check(lambda lib, x: TF(lib).group_norm(x, 4), x)
    check(lambda lib, x, w, b: TF(lib).instance_norm(x, weight=w, bias=b), x, R(4), R(4))


def test_norm_gradcheck():
    x, w, b = _e(R(3, 2, 2), R(2), R(2))
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (x, w, b))
    assert gradgradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, True), (x, w, b))
    rm, rv = ember.tensor(R(2)), ember.tensor(rng.random(2) + 0.5)
    assert gradgradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b), (x, w, b))
    y, lw, lb = _e(R(2, 3, 4), R(4), R(4))
    assert gradgradcheck(lambda y, w, b: F.layer_norm(y, (4,), w, b), (y, lw, lb))
    gw, gb = _e(R(3), R(3))
    assert gradcheck(lambda y, w, b: F.group_norm(y, 3, w, b), (y, gw, gb))


def test_norm_errors():
    check_error(
        lambda lib: TF(lib).layer_norm(lib.zeros(2, 3), (4,)),
        lambda lib: TF(lib).layer_norm(lib.zeros(2, 3), (4,)),
        RuntimeError,
        "Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]",
    )
    check_error(
        lambda lib: TF(lib).group_norm(lib.zeros(2, 3, 4), 2),
        lambda lib: TF(lib).group_norm(lib.zeros(2, 3, 4), 2),
        RuntimeError,
        "Expected number of channels in input to be divisible by num_groups",
    )
    check_error(
        lambda lib: TF(lib).batch_norm(lib.zeros(1, 3), lib.zeros(3), lib.ones(3), training=True),
        lambda lib: TF(lib).batch_norm(lib.zeros(1, 3), lib.zeros(3), lib.ones(3), training=True),
        ValueError,
        "Expected more than 1 value per channel when training",
    )


# ------------------------------------------------------------------------------ pad, resample
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_matches_torch(mode):
    check(lambda lib, x: TF(lib).pad(x, (1, 2, 2, 1), mode=mode), R(2, 3, 4, 5))
    check(lambda lib, x: TF(lib).pad(x, (2, 1), mode=mode), R(2, 3, 4))


def test_constant_pad_value_negative_and_gradcheck():
    check(lambda lib, x: TF(lib).pad(x, (-1, 2, 0, 1), value=3.0), R(2, 4, 5))
    a = _e(R(1, 2, 4, 3))
    assert gradcheck(lambda t: F.pad(t, (1, -1, 2, 0), value=1.5), a)
    assert gradcheck(lambda t: F.pad(t, (2, 1, 1, 2), mode="reflect"), a)


def test_pad_errors():
    check_error(
        lambda lib: TF(lib).pad(lib.zeros(1, 1, 3, 3), (4, 4), mode="reflect"),
        lambda lib: TF(lib).pad(lib.zeros(1, 1, 3, 3), (4, 4), mode="reflect"),
        NotImplementedError,
        "Padding size 2 is not supported for 4D input tensor",
    )


INTERP_CASES = [
    dict(scale_factor=2),
    dict(size=(5, 9)),
    dict(scale_factor=1.7, mode="bilinear"),
    dict(size=(4, 11), mode="bilinear", align_corners=True),
    dict(size=(3, 3), mode="area"),
    dict(scale_factor=1.5, mode="nearest-exact"),
    dict(scale_factor=1.7, mode="bicubic"),
    dict(size=(3, 8), mode="bicubic", align_corners=True),
    dict(size=(2, 3), mode="bicubic"),
]


@pytest.mark.parametrize("kw", INTERP_CASES)
def test_interpolate_matches_torch(kw):
    check(lambda lib, x: TF(lib).interpolate(x, **kw), R(2, 3, 4, 6))


def test_interpolate_linear_and_gradcheck():
    check(lambda lib, x: TF(lib).interpolate(x, scale_factor=2.5, mode="linear"), R(2, 3, 4))
    check(lambda lib, x: TF(lib).interpolate(x, size=(3, 4, 2), mode="trilinear"), R(1, 2, 2, 3, 3))
    check_error(
        lambda lib: TF(lib).interpolate(lib.zeros(1, 1, 2, 2), scale_factor=2, mode="trilinear"),
        lambda lib: TF(lib).interpolate(lib.zeros(1, 1, 2, 2), scale_factor=2, mode="trilinear"),
        NotImplementedError,
        "Got 4D input, but trilinear mode needs 5D input",
    )
    a = _e(R(1, 1, 3, 4))
    assert gradcheck(lambda t: F.interpolate(t, size=(5, 7), mode="bilinear"), a)


def test_pixel_shuffle_matches_torch():
    check(lambda lib, x: TF(lib).pixel_shuffle(x, 2), R(2, 8, 3, 2))
    check(lambda lib, x: TF(lib).pixel_unshuffle(x, 2), R(2, 2, 4, 6))


# ------------------------------------------------------------------------------ attention
@pytest.mark.parametrize("kind", ["none", "bool", "float", "causal"])
def test_sdpa_matches_torch(kind):
    q, k, v = R(2, 3, 4, 5), R(2, 3, 6, 5), R(2, 3, 6, 2)
    boolmask = rng.random((4, 6)) > 0.3
    boolmask[:, 0] = True
    fmask = R(4, 6)

    def f(lib, q, k, v):
        if kind == "bool":
            return TF(lib).scaled_dot_product_attention(q, k, v, attn_mask=lib.tensor(boolmask))
        if kind == "float":
            return TF(lib).scaled_dot_product_attention(q, k, v, attn_mask=lib.tensor(fmask))
        return TF(lib).scaled_dot_product_attention(q, k, v, is_causal=kind == "causal")

    check(f, q, k, v, gradgrad=False)


def test_sdpa_dropout_statistics():
    ember.manual_seed(0)
    q = ember.zeros(1, 1, 200, 4)
    v = ember.ones(1, 1, 50, 1)
    out = F.scaled_dot_product_attention(q, ember.zeros(1, 1, 50, 4), v, dropout_p=0.5)
    # uniform attention 1/50 per key, half dropped, the rest scaled by 2: mean stays ~1
    assert abs(out.mean().item() - 1.0) < 0.1
    assert out.std().item() > 0.05


def test_dropout2d_zeroes_whole_channels():
    ember.manual_seed(0)
    x = ember.ones(8, 16, 3, 3)
    y = F.dropout2d(x, 0.5, training=True)
    per_channel = y.numpy().reshape(8, 16, 9)
    assert set(np.unique(per_channel)) <= {0.0, 2.0}
    assert (per_channel.min(-1) == per_channel.max(-1)).all()
    assert 0.2 < (per_channel[..., 0] == 0).mean() < 0.8
    assert F.dropout2d(x, 0.5, training=False) is x


def test_linear_layer_ops_gradgradcheck():
    """The backward of each linear op is its adjoint op; gradgradcheck differentiates that
    adjoint with respect to the incoming gradient, so it checks the adjoint's own backward."""
    a = _e(R(1, 2, 5, 4))
    assert gradgradcheck(lambda t: F.avg_pool2d(t, 3, 2, 1, ceil_mode=True), a)
    assert gradgradcheck(lambda t: F.adaptive_avg_pool2d(t, (3, 2)), a)
    assert gradgradcheck(lambda t: F.interpolate(t, scale_factor=1.5, mode="bilinear"), a)
    assert gradgradcheck(lambda t: F.pad(t, (1, 2, -1, 1), value=0.5), a)
    assert gradgradcheck(lambda t: F.pad(t, (1, 2, 2, 1), mode="circular"), a)
    assert gradgradcheck(lambda t: F.unfold(t, 2, stride=1, padding=1), a)
    c = _e(R(1, 8, 12))
    assert gradgradcheck(lambda t: F.fold(t, (5, 4), 2, stride=1, padding=0), c)


def test_no_graph_forward_keeps_nothing_alive():
    """Without a graph, ops must not park their arrays on the shared do-nothing ctx."""
    from ember.autograd.function import _NULL_CTX

    x = ember.randn(2, 3, 8, 8)
    F.max_pool2d(F.conv2d(x, ember.randn(4, 3, 3, 3)), 2)
    F.batch_norm(x, None, None, training=True)
    for name in ("cols", "geom", "xhat", "invstd"):
        assert name not in vars(_NULL_CTX), name


@pytest.mark.parametrize(
    "expr,name",
    [
        ("F.conv2d(x, lib.ones(2, 2, 3, 3))", "ConvolutionBackward0"),
        ("F.max_pool2d(x, 2)", "MaxPool2DWithIndicesBackward0"),
        ("F.avg_pool2d(x, 2)", "AvgPool2DBackward0"),
        ("F.adaptive_avg_pool2d(x, 2)", "AdaptiveAvgPool2DBackward0"),
        ("F.adaptive_max_pool2d(x, 2)", "AdaptiveMaxPool2DBackward0"),
        ("F.pad(x, (1, 1))", "ConstantPadNdBackward0"),
        ("F.pad(x, (1, 1, 1, 1), mode='reflect')", "ReflectionPad2DBackward0"),
        ("F.pad(x, (1, 1, 1, 1), mode='replicate')", "ReplicationPad2DBackward0"),
        ("F.interpolate(x, scale_factor=2)", "UpsampleNearest2DBackward0"),
        ("F.interpolate(x, scale_factor=2, mode='bilinear')", "UpsampleBilinear2DBackward0"),
        ("F.interpolate(x, scale_factor=2, mode='bicubic')", "UpsampleBicubic2DBackward0"),
        ("F.batch_norm(x, None, None, training=True)", "NativeBatchNormBackward0"),
        ("F.layer_norm(x, (5,))", "NativeLayerNormBackward0"),
        ("F.group_norm(x, 1)", "NativeGroupNormBackward0"),
        ("F.unfold(x, 2)", "Im2ColBackward0"),
    ],
)
def test_grad_fn_names(expr, name):
    libs = [ember] + ([torch] if torch is not None else [])
    for lib in libs:
        x = lib.randn(1, 2, 5, 5, requires_grad=True)
        out = eval(expr, {"F": lib.nn.functional, "x": x, "lib": lib})
        assert type(out.grad_fn).__name__ == name, (lib.__name__, out.grad_fn)


def test_layer_norm_without_affine_output_changed_in_place():
    """The normalised values kept for backward are not the output's memory: changing the
    output of an elementwise_affine=False layer norm in place leaves the gradient right."""
    def fn(L, x):
        y = L.nn.functional.layer_norm(x * 1, (5,))
        y.mul_(2)
        return y * y
    check(fn, randn((3, 5)))
