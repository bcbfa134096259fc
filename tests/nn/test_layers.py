"""Layer modules (Conv*, pools, norms, pads, Upsample, ...): built in ember and PyTorch from the
same weights they agree on outputs, input and parameter gradients and running statistics;
constructor defaults, reprs, initialisation and errors follow PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from oracle import check_error, requires_torch, torch

import ember

rng = np.random.default_rng(2)


def R(*shape):
    return rng.standard_normal(shape)


def _pair(ctor):
    em = eval("nn." + ctor, {"nn": ember.nn}).double()
    tm = eval("nn." + ctor, {"nn": torch.nn}).double()
    with torch.no_grad(), ember.no_grad():
        for (_, p), (_, q) in zip(tm.named_parameters(), em.named_parameters()):
            v = rng.uniform(-0.5, 0.5, tuple(p.shape))
            p.copy_(torch.tensor(v))
            q.copy_(ember.tensor(v))
    return em, tm


def compare(ctor, x, train=True, steps=1):
    em, tm = _pair(ctor)
    assert repr(em) == repr(tm)
    em.train(train)
    tm.train(train)
    for _ in range(steps):
        xe = ember.tensor(x, requires_grad=True)
        xt = torch.tensor(x, requires_grad=True)
        oe, ot = em(xe), tm(xt)
        if isinstance(ot, tuple):
            oe, ot = oe[0], ot[0]
        assert tuple(oe.shape) == tuple(ot.shape)
        np.testing.assert_allclose(oe.detach().numpy(), ot.detach().numpy(), rtol=1e-7, atol=1e-9)
        cot = R(*ot.shape)
        (oe * ember.tensor(cot)).sum().backward()
        (ot * torch.tensor(cot)).sum().backward()
        np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-9)
    for (n, p), (_, q) in zip(tm.named_parameters(), em.named_parameters()):
        np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), rtol=1e-6, atol=1e-9, err_msg=n)
    for (n, p), (_, q) in zip(tm.named_buffers(), em.named_buffers()):
        np.testing.assert_allclose(q.numpy(), p.numpy(), rtol=1e-7, atol=1e-9, err_msg=n)
    return em, tm


MODULE_CASES = [
    ("Conv1d(2, 3, 3, stride=2, padding=1)", (2, 2, 9)),
    ("Conv1d(4, 6, 3, groups=2, bias=False, dilation=2)", (2, 4, 9)),
    ("Conv2d(3, 4, 3, padding='same', padding_mode='reflect')", (2, 3, 6, 5)),
    ("Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 2), padding_mode='circular')", (2, 3, 6, 5)),
    ("Conv2d(2, 4, 3, padding=1, padding_mode='replicate')", (2, 6, 5)),
    ("Conv3d(2, 2, 2, padding=1)", (1, 2, 3, 4, 3)),
    ("ConvTranspose1d(3, 2, 4, stride=2, padding=1)", (2, 3, 5)),
    ("ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1, groups=2)", (1, 4, 3, 4)),
    ("MaxPool1d(3, 2, padding=1)", (2, 3, 8)),
    ("MaxPool2d(2)", (2, 3, 6, 4)),
    ("MaxPool2d((3, 2), stride=2, padding=1, dilation=1, ceil_mode=True)", (2, 3, 7, 6)),
    ("AvgPool1d(3)", (2, 3, 9)),
    ("AvgPool2d(3, 2, 1, count_include_pad=False)", (2, 3, 7, 6)),
    ("AdaptiveAvgPool1d(4)", (2, 3, 9)),
    ("AdaptiveAvgPool2d((2, 3))", (2, 3, 7, 6)),
    ("AdaptiveMaxPool2d(3)", (2, 3, 7, 6)),
    ("AdaptiveMaxPool3d((2, None, 3))", (2, 3, 4, 5, 6)),
    ("BatchNorm1d(3)", (6, 3)),
    ("BatchNorm1d(2, momentum=None)", (3, 2, 4)),
    ("BatchNorm2d(3, affine=False)", (2, 3, 3, 2)),
    ("BatchNorm3d(2)", (2, 2, 2, 2, 3)),
    ("InstanceNorm1d(3, affine=True)", (2, 3, 5)),
    ("InstanceNorm2d(3, affine=True, track_running_stats=True)", (2, 3, 4, 3)),
    ("LayerNorm((3, 2))", (4, 3, 2)),
    ("LayerNorm(4, bias=False)", (2, 3, 4)),
    ("GroupNorm(2, 4)", (2, 4, 3)),
    ("LocalResponseNorm(3)", (2, 5, 3, 2)),
    ("LocalResponseNorm(2, alpha=0.5, beta=0.6, k=2.0)", (2, 4, 5)),
    ("PixelShuffle(2)", (2, 8, 2, 3)),
    ("PixelUnshuffle(2)", (2, 2, 4, 6)),
    ("Upsample(scale_factor=2, mode='bilinear')", (1, 2, 3, 4)),
    ("UpsamplingNearest2d(size=(5, 7))", (1, 2, 3, 4)),
    ("UpsamplingBilinear2d(scale_factor=2)", (1, 2, 3, 4)),
    ("ZeroPad2d((1, 2, 0, 1))", (1, 2, 3, 4)),
    ("ConstantPad1d(2, 3.5)", (2, 3, 4)),
    ("ReflectionPad2d(1)", (1, 2, 3, 4)),
    ("ReplicationPad1d((2, 1))", (2, 3, 4)),
    ("CircularPad2d((1, 0, 2, 1))", (1, 2, 3, 4)),
    ("Unfold(2, padding=1)", (1, 2, 3, 4)),
    ("Fold((4, 5), 2)", (1, 8, 12)),
]


@requires_torch
@pytest.mark.parametrize("ctor,shape", MODULE_CASES)
def test_module_matches_torch(ctor, shape):
    compare(ctor, R(*shape), steps=2 if "Norm" in ctor else 1)


@requires_torch
def test_batchnorm_eval_after_training_matches_torch():
    em, tm = compare("BatchNorm2d(3, momentum=0.3)", R(4, 3, 2, 2), steps=3)
    em.eval()
    tm.eval()
    x = R(2, 3, 2, 2)
    np.testing.assert_allclose(
        em(ember.tensor(x)).detach().numpy(), tm(torch.tensor(x)).detach().numpy(), rtol=1e-7
    )
    assert int(em.num_batches_tracked) == 3


def test_batchnorm_buffers_momentum_and_eval():
    bn = ember.nn.BatchNorm1d(2, momentum=None)
    assert repr(bn) == (
        "BatchNorm1d(2, eps=1e-05, momentum=None, affine=True, bias=True, track_running_stats=True)"
    )
    assert [n for n, _ in bn.named_buffers()] == [
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    assert bn.num_batches_tracked.dtype == ember.int64
    xs = [R(5, 2) for _ in range(3)]
    for x in xs:
        bn(ember.tensor(x, dtype=ember.float32))
    # momentum=None: the running mean is the plain average of the batch means
    np.testing.assert_allclose(
        bn.running_mean.numpy(), np.mean([x.mean(0) for x in xs], 0), rtol=1e-5
    )
    np.testing.assert_allclose(
        bn.running_var.numpy(), np.mean([x.var(0, ddof=1) for x in xs], 0), rtol=1e-5
    )
    bn.eval()
    x = R(3, 2)
    expect = (x - bn.running_mean.numpy()) / np.sqrt(bn.running_var.numpy() + 1e-5)
    np.testing.assert_allclose(
        bn(ember.tensor(x, dtype=ember.float32)).detach().numpy(), expect, rtol=1e-4, atol=1e-5
    )
    bn3 = ember.nn.BatchNorm2d(2, affine=False, track_running_stats=False)
    assert bn3.running_mean is None and len(list(bn3.parameters())) == 0
    bn3.eval()
    y = bn3(ember.tensor(R(3, 2, 2, 2))).numpy()
    np.testing.assert_allclose(y.mean((0, 2, 3)), 0, atol=1e-6)  # batch statistics in eval
    sd = ember.nn.BatchNorm1d(2).state_dict()
    assert list(sd) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]


def test_conv_module_defaults_repr_and_init():
    m = ember.nn.Conv2d(1, 8, 3)
    assert repr(m) == "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1))"
    assert m.weight.dtype == ember.float32 and tuple(m.weight.shape) == (8, 1, 3, 3)
    m = ember.nn.Conv2d(3, 16, 3)
    bound = 1 / np.sqrt(27)  # kaiming_uniform_(a=sqrt(5)) and the bias rule both give this
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert np.abs(b).max() <= bound
    assert (
        repr(ember.nn.Conv1d(1, 2, 4, padding="same", bias=False))
        == "Conv1d(1, 2, kernel_size=(4,), stride=(1,), padding=same, bias=False)"
    )
    t = ember.nn.ConvTranspose2d(4, 6, 3, groups=2)
    assert tuple(t.weight.shape) == (4, 3, 3, 3)
    assert tuple(ember.nn.Conv1d(4, 6, 3, groups=2).weight.shape) == (6, 2, 3)
    assert (
        repr(ember.nn.MaxPool2d(2))
        == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    )
    assert repr(ember.nn.AvgPool1d(3)) == "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"


def test_conv_transpose_output_size():
    m = ember.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    x = ember.randn(1, 2, 4, 4)
    assert tuple(m(x, output_size=[8, 8]).shape) == (1, 3, 8, 8)
    assert tuple(m(x).shape) == (1, 3, 7, 7)
    with pytest.raises(ValueError, match="requested an output size of"):
        m(x, output_size=[10, 10])


def test_module_errors():
    def conv(lib):
        return lib.nn.Conv2d(1, 8, 3)

    check_error(
        lambda lib: conv(lib)(lib.zeros(2, 3)),
        lambda lib: conv(lib)(lib.zeros(2, 3)),
        RuntimeError,
        "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]",
    )
    check_error(
        lambda lib: conv(lib)(lib.zeros(2, 3, 9, 9)),
        lambda lib: conv(lib)(lib.zeros(2, 3, 9, 9)),
        RuntimeError,
        "expected input[2, 3, 9, 9] to have 1 channels, but got 3 channels instead",
    )
    check_error(
        lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2),
        None,
        ValueError,
        "in_channels must be divisible by groups",
    )
    check_error(
        lambda lib: lib.nn.Conv1d(1, 2, 3, stride=2, padding="same"),
        None,
        ValueError,
        "padding='same' is not supported for strided convolutions",
    )
    check_error(
        lambda lib: lib.nn.Conv2d(1, 2, 3, padding_mode="mirror"),
        None,
        ValueError,
        "padding_mode must be one of",
    )
    check_error(
        lambda lib: lib.nn.BatchNorm2d(3)(lib.zeros(4, 3, 5)),
        lambda lib: lib.nn.BatchNorm2d(3)(lib.zeros(4, 3, 5)),
        ValueError,
        "expected 4D input (got 3D input)",
    )
    check_error(
        lambda lib: lib.nn.BatchNorm1d(3)(lib.zeros(4, 5)),
        lambda lib: lib.nn.BatchNorm1d(3)(lib.zeros(4, 5)),
        RuntimeError,
        "running_mean should contain 5 elements not 3",
    )
    check_error(
        lambda lib: lib.nn.LayerNorm(4)(lib.zeros(2, 3)),
        lambda lib: lib.nn.LayerNorm(4)(lib.zeros(2, 3)),
        RuntimeError,
        "expected input with shape [*, 4], but got input of size[2, 3]",
    )
    check_error(
        lambda lib: lib.nn.GroupNorm(2, 3),
        None,
        ValueError,
        "num_channels (3) must be divisible by num_groups (2)",
    )


def test_small_cnn_trains():
    """A conv net learns a trivially separable task (end-to-end training check)."""
    ember.manual_seed(0)
    nn = ember.nn
    net = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 2),
    )
    opt = ember.optim.Adam(net.parameters(), lr=0.05)
    x = ember.randn(16, 1, 8, 8)
    y = ember.tensor([i % 2 for i in range(16)])
    x = x + (y.reshape(16, 1, 1, 1).float() * 2 - 1)  # class shifts the mean
    first = None
    for _ in range(15):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        first = loss.item() if first is None else first
    assert loss.item() < 0.3 * first
