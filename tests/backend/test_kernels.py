"""backend/kernels.py against PyTorch: values within PyTorch's own float32/float64 tolerance
of PyTorch's result, on random inputs and on the tails (large, tiny, zero, inf, NaN); dtype
kept."""

import numpy as np
import pytest

from ember.backend import kernels as K

torch = pytest.importorskip("torch", reason="the kernels are checked against PyTorch")

TOL = {np.float32: {"rtol": 1.3e-6, "atol": 1e-5}, np.float64: {"rtol": 1e-7, "atol": 1e-7}}


def inputs(dtype, scale=3.0):
    rng = np.random.default_rng(0)
    body = rng.standard_normal(20000) * scale
    tails = [0.0, -0.0, 1e-30, -1e-30, 1e-8, -1e-8, 3.9, 4.1, -4.1, 6.0, -6.0, 9.0, -9.0,
             15.0, -15.0, 25.0, -25.0, 88.0, -88.0, 100.0, -100.0, 1e30, -1e30, np.inf,
             -np.inf, np.nan]
    return np.concatenate([body, np.linspace(-12, 12, 4001), tails]).astype(dtype)


def close(got, want, dtype):
    assert got.dtype == dtype, (got.dtype, dtype)
    np.testing.assert_allclose(got, want, equal_nan=True, **TOL[dtype])


def T(a):
    return torch.from_numpy(np.ascontiguousarray(a))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erf(dtype):
    x = inputs(dtype)
    close(K.erf(x), torch.erf(T(x)).numpy(), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_and_backward(dtype, approximate):
    x = inputs(dtype)
    x = x[np.abs(x) < 1e10]  # PyTorch's tanh form overflows x^3 to inf * 0 = nan there
    tx = T(x).requires_grad_()
    y = torch.nn.functional.gelu(tx, approximate=approximate)
    g = np.random.default_rng(1).standard_normal(x.shape).astype(dtype)
    y.backward(T(g))
    close(K.gelu(x, approximate), y.detach().numpy(), dtype)
    close(K.gelu_backward(g, x, approximate), tx.grad.numpy(), dtype)
    if approximate == "none":
        y2, cdf = K.gelu(x, return_cdf=True)
        close(y2, y.detach().numpy(), dtype)
        close(K.gelu_backward(g, x, cdf=cdf), tx.grad.numpy(), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_silu_softplus(dtype):
    x = inputs(dtype, scale=10.0)
    close(K.sigmoid(x), torch.sigmoid(T(x)).numpy(), dtype)
    close(K.silu(x), torch.nn.functional.silu(T(x)).numpy(), dtype)
    close(K.softplus(x), torch.nn.functional.softplus(T(x)).numpy(), dtype)
    close(K.softplus(x, beta=2.0, threshold=5.0),
          torch.nn.functional.softplus(T(x), beta=2.0, threshold=5.0).numpy(), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("e", [2, 3, 0.5, -0.5, -1, -2, 1, 0, 1.7, -3, 2.0, 3.0])
def test_pow_scalar(dtype, e):
    x = inputs(dtype, scale=2.0)
    if e not in (2, 3, -1, -2, -3, 1, 0, 2.0, 3.0):
        x = np.abs(x)
    want = torch.pow(T(x), e).numpy()
    got = K.pow_scalar(x, e)
    assert got.dtype == dtype
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(got, want, equal_nan=True, **TOL[dtype])


def test_pow_scalar_integers():
    x = np.arange(-5, 6)
    assert np.array_equal(K.pow_scalar(x, 2), torch.pow(T(x), 2).numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_log_softmax_and_backward(dtype, axis):
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((37, 11)) * 5).astype(dtype)
    x[0, :] = [-np.inf] * 5 + [1.0] * 6  # masked attention rows
    x[1, 0] = 1e4
    g = rng.standard_normal(x.shape).astype(dtype)
    for kern, back, ref in ((K.softmax, K.softmax_backward, torch.softmax),
                            (K.log_softmax, K.log_softmax_backward, torch.log_softmax)):
        tx = T(x).requires_grad_()
        ty = ref(tx, axis)
        ty.backward(T(g))
        y = kern(x, axis)
        close(y, ty.detach().numpy(), dtype)
        close(back(g, y, axis), tx.grad.numpy(), dtype)
