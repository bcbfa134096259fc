"""``F.grid_sample`` and ``F.affine_grid`` against PyTorch from the same float64 inputs: values,
gradients for input, grid and theta, in every mode / padding / align_corners combination;
numerical gradcheck (and gradgradcheck) always run; the error messages follow PyTorch."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from oracle import check, check_error, requires_torch, torch

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

rng = np.random.default_rng(0)
COMBOS = list(itertools.product(["bilinear", "nearest"], ["zeros", "border", "reflection"],
                                [True, False]))


@pytest.mark.parametrize("mode,padding_mode,align_corners", COMBOS)
def test_grid_sample_matches_torch(mode, padding_mode, align_corners):
    x = rng.standard_normal((2, 3, 4, 5))
    grid = rng.uniform(-1.7, 1.7, (2, 3, 6, 2))  # well outside [-1, 1]: padding matters
    if torch is not None:
        # the corners themselves: kinks, so only when comparing with PyTorch (without it,
        # check() falls back to finite differences, which are meaningless at a kink)
        grid[0, 0, :2] = [[-1.0, 1.0], [1.0, -1.0]]

    def f(lib, x, grid):
        return lib.nn.functional.grid_sample(x, grid, mode=mode, padding_mode=padding_mode,
                                             align_corners=align_corners)

    check(f, x, grid, gradgrad=False, rtol=1e-10, atol=1e-12)


@requires_torch
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_grid_sample_float32_and_nearest_grid_grad_is_zero(mode):
    x = rng.standard_normal((1, 2, 5, 5)).astype(np.float32)
    g = rng.uniform(-1.2, 1.2, (1, 4, 4, 2)).astype(np.float32)
    res = []
    for lib in (ember, torch):
        xt, gt = lib.tensor(x, requires_grad=True), lib.tensor(g, requires_grad=True)
        out = lib.nn.functional.grid_sample(xt, gt, mode=mode, padding_mode="reflection",
                                            align_corners=False)
        (out * out).sum().backward()
        res.append((out, xt.grad, gt.grad))
    for a, b in zip(*res):
        assert a.dtype == ember.float32 or str(a.dtype) == str(b.dtype)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-5)
    if mode == "nearest":
        assert res[0][2] is not None and not res[0][2].detach().numpy().any()


@pytest.mark.parametrize("mode,padding_mode,align_corners", COMBOS)
def test_grid_sample_gradcheck(mode, padding_mode, align_corners):
    ember.manual_seed(0)
    x = ember.randn(1, 2, 3, 3, dtype=ember.float64, requires_grad=True)
    # points away from pixel centres and borders, where the map is smooth
    grid = ember.tensor([[[[-1.31, 0.27], [0.43, -0.88]], [[1.37, 1.12], [-0.12, 0.61]]]],
                        dtype=ember.float64, requires_grad=True)

    def f(x, grid):
        return F.grid_sample(x, grid, mode=mode, padding_mode=padding_mode,
                             align_corners=align_corners)

    assert gradcheck(f, (x, grid))
    if mode == "bilinear":
        assert gradgradcheck(f, (x, grid))


@pytest.mark.parametrize("align_corners", [True, False])
def test_affine_grid_matches_torch(align_corners):
    def f2(lib, theta):
        return lib.nn.functional.affine_grid(theta, (2, 3, 4, 5), align_corners=align_corners)

    def f3(lib, theta):
        return lib.nn.functional.affine_grid(theta, (2, 1, 3, 4, 2),
                                             align_corners=align_corners)

    check(f2, rng.standard_normal((2, 2, 3)), rtol=1e-12, atol=1e-14)
    check(f3, rng.standard_normal((2, 3, 4)), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_identity_affine_grid_samples_the_input_back(mode):
    # no PyTorch needed: the identity map hits the pixel centres exactly
    x = ember.randn(2, 3, 4, 5)
    theta = ember.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]).expand(2, 2, 3)
    grid = F.affine_grid(theta, (2, 3, 4, 5), align_corners=False)
    out = F.grid_sample(x, grid, mode=mode, align_corners=False)
    np.testing.assert_allclose(out.numpy(), x.numpy(), rtol=1e-6, atol=1e-6)
    # a horizontal flip reverses the width axis
    flip = ember.tensor([[-1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]).expand(2, 2, 3)
    out = F.grid_sample(x, F.affine_grid(flip, (2, 3, 4, 5), align_corners=True), mode=mode,
                        align_corners=True)
    np.testing.assert_allclose(out.numpy(), x.numpy()[..., ::-1], rtol=1e-6, atol=1e-6)


def test_grid_sample_by_hand():
    x = ember.arange(4.0).reshape(1, 1, 2, 2)
    centre = ember.tensor([[[[0.0, 0.0]]]])
    assert F.grid_sample(x, centre, align_corners=False).item() == 1.5
    # beyond the right edge: zeros fades out, border repeats, reflection mirrors
    row = ember.tensor([[[[0.0, 1.0, 2.0]]]])
    g = ember.tensor([[[[1.5, 0.0]]]])  # x = 1.5 -> pixel 2.5 (align_corners=True)
    assert F.grid_sample(row, g, padding_mode="zeros", align_corners=True).item() == 1.0
    assert F.grid_sample(row, g, padding_mode="border", align_corners=True).item() == 2.0
    assert F.grid_sample(row, g, padding_mode="reflection", align_corners=True).item() == 1.5
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.grid_sample(x, centre)


def test_grid_sample_errors():
    def gs(lib, x_shape, g_shape, **kw):
        kw.setdefault("align_corners", False)
        return lib.nn.functional.grid_sample(lib.zeros(*x_shape), lib.zeros(*g_shape), **kw)

    cases = [
        ((1, 1, 3, 3), (1, 2, 2), RuntimeError,
         ("grid_sampler(): expected 4D input and grid with same number of dimensions, but got "
          "input with sizes [1, 1, 3, 3] and grid with sizes [1, 2, 2]")),
        ((1, 1, 3, 3), (2, 2, 2, 2), RuntimeError,
         "expected grid and input to have same batch size"),
        ((1, 1, 3, 3), (1, 2, 2, 3), RuntimeError,
         "expected grid to have size 2 in last dimension, but got grid with sizes [1, 2, 2, 3]"),
        ((1, 1, 0, 3), (1, 2, 2, 2), RuntimeError,
         "with dimension 2 being empty"),
    ]
    for xs, gsz, exc, phrase in cases:
        def run(lib, xs=xs, gsz=gsz):
            return gs(lib, xs, gsz)

        check_error(run, run, exc, phrase)
    check_error(lambda lib: gs(lib, (1, 1, 3, 3), (1, 2, 2, 2), mode="foo"),
                lambda lib: gs(lib, (1, 1, 3, 3), (1, 2, 2, 2), mode="foo"), ValueError,
                "expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: 'foo'")
    check_error(lambda lib: gs(lib, (1, 1, 3, 3), (1, 2, 2, 2), padding_mode="foo"),
                lambda lib: gs(lib, (1, 1, 3, 3), (1, 2, 2, 2), padding_mode="foo"), ValueError,
                "expected padding_mode to be 'zeros', 'border', or 'reflection'")
    with pytest.raises(NotImplementedError):
        gs(ember, (1, 1, 3, 3), (1, 2, 2, 2), mode="bicubic")


def test_affine_grid_errors():
    def ag(lib, theta_shape, size, dtype="float32"):
        theta = lib.zeros(*theta_shape, dtype=getattr(lib, dtype))
        return lib.nn.functional.affine_grid(theta, size, align_corners=False)

    for args, exc, phrase in [
        (((1, 2, 3), (1, 1, 2, 2), "int64"), ValueError,
         "Expected theta to have floating point type"),
        (((1, 3, 3), (1, 1, 2, 2)), ValueError,
         "Expected a batch of 2D affine matrices of shape Nx2x3 for size (1, 1, 2, 2)"),
        (((1, 2, 3), (1, 1, 2)), NotImplementedError, "affine_grid only supports 4D and 5D"),
        (((1, 2, 3), (1, 1, 0, 2)), ValueError, "Expected non-zero, positive output size"),
    ]:
        def run(lib, args=args):
            return ag(lib, *args)

        check_error(run, run, exc, phrase)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ag(ember, (1, 2, 3), (1, 1, 2, 2))  # align_corners given: no warning
