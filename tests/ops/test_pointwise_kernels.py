"""The array kernels of the hot pointwise ops (activation_kernels.py, the float32 erf of
special_kernels.py, scalar pow of arithmetic.py) against PyTorch: values within PyTorch's own
float32/float64 tolerance of PyTorch's result, on random inputs and on the tails (large, tiny,
zero, inf, NaN); dtype kept. Then the public ops that use them: float32 kept, gradients and
double backward (oracle.check), pow's gradients at 0 as PyTorch."""

import numpy as np
import pytest

from oracle import check

import ember
from ember.ops.pointwise import activation_kernels as K
from ember.ops.pointwise.arithmetic import pow_scalar as _pow_scalar
from ember.ops.pointwise.special_kernels import erf_fast

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
    close(erf_fast(x), torch.erf(T(x)).numpy(), dtype)


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
    got = _pow_scalar(np, x, e)
    assert got.dtype == dtype
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(got, want, equal_nan=True, **TOL[dtype])


def test_pow_scalar_integers():
    x = np.arange(-5, 6)
    assert np.array_equal(_pow_scalar(np, x, 2), torch.pow(T(x), 2).numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softplus_silu_backward(dtype):
    x = inputs(dtype, scale=10.0)
    x = x[np.isfinite(x)]
    g = np.random.default_rng(3).standard_normal(x.shape).astype(dtype)
    for kern, ref, kw in ((K.softplus_backward, torch.nn.functional.softplus, {}),
                          (K.softplus_backward, torch.nn.functional.softplus,
                           {"beta": 2.0, "threshold": 5.0}),
                          (K.silu_backward, torch.nn.functional.silu, {})):
        tx = T(x).requires_grad_()
        ref(tx, **kw).backward(T(g))
        close(kern(g, x, *kw.values()), tx.grad.numpy(), dtype)


# ------------------------------------------------------------------ the public ops using them
def arr(*shape):
    return np.random.default_rng(4).standard_normal(shape)


@pytest.mark.parametrize("name", ["sigmoid", "silu", "softplus", "gelu", "gelu_tanh"])
def test_activation_ops_grad_and_gradgrad(name):
    def f(lib, x):
        F = lib.nn.functional
        if name == "gelu_tanh":
            return F.gelu(x, approximate="tanh")
        return getattr(F, name)(x) if name != "sigmoid" else lib.sigmoid(x)
    check(f, arr(3, 5) * 3)


@pytest.mark.parametrize("name", ["sigmoid", "silu", "softplus", "gelu"])
def test_activation_ops_keep_float32(name):
    x = ember.randn(4, 5, requires_grad=True)
    fn = ember.sigmoid if name == "sigmoid" else getattr(ember.nn.functional, name)
    y = fn(x)
    assert y.dtype == ember.float32
    y.sum().backward()
    assert x.grad.dtype == ember.float32
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    tfn = torch.sigmoid if name == "sigmoid" else getattr(torch.nn.functional, name)
    ty = tfn(tx)
    ty.sum().backward()
    close(y.detach().numpy(), ty.detach().numpy(), np.float32)
    close(x.grad.numpy(), tx.grad.numpy(), np.float32)


@pytest.mark.parametrize("e", [2, 3, 0.5, -1, -2, -0.5, 1.7, 0, 1])
def test_pow_scalar_op_grad_and_gradgrad(e):
    x = np.abs(arr(3, 4)) + 0.5
    check(lambda lib, t: t ** e, x)
    check(lambda lib, t: lib.pow(t, float(e)), x)


def _grads(lib, fn, *arrays):
    ts = [lib.tensor(a, requires_grad=True) for a in arrays]
    gs = lib.autograd.grad(fn(*ts).sum(), ts, allow_unused=True)
    return [None if g is None else g.detach().numpy() for g in gs]


@pytest.mark.parametrize("fn,arrays", [
    (lambda x, y: x ** y, ([0.0, 0.0, 0.0, 2.0, 1.5, 0.0], [0.0, 1.0, 2.0, 0.0, -1.0, -1.0])),
    (lambda y: 0.0 ** y, ([0.0, 1.0, 2.0, 0.5, -1.0],)),
    (lambda x: x ** 0.0, ([0.0, 1.0, -2.0],)),
    (lambda x: x ** 0.5, ([0.0, 1.0, 4.0],)),
    (lambda x: x ** -1, ([0.0, -0.0, 2.0],)),
    (lambda x: x ** 3, ([0.0, -0.0, 1.0, -2.0],)),
])
def test_pow_gradients_at_zero_as_pytorch(fn, arrays):
    # the edges where the gradient is 0 (or inf) by PyTorch's rule, not by the formula:
    # d(0 ** b)/db = 0 for b >= 0, d(a ** 0)/da = 0, ...; gradcheck does not apply there
    arrays = [np.array(a) for a in arrays]
    got, want = _grads(ember, fn, *arrays), _grads(torch, fn, *arrays)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


# ------------------------------------------------ backward's array paths (no graph, no mode)
def _grad_of(lib, fn, x, g):
    t = lib.tensor(x, requires_grad=True)
    fn(t).backward(lib.tensor(g))
    return t.grad.numpy()


@pytest.mark.parametrize("n", [5, 2048, 2049, 40000])  # both sides of relu's small-size path
def test_relu_backward_array_path_bitwise_as_pytorch(n):
    # special gradients (nan, inf, -0.) meet zero, negative and nan inputs; the result must
    # match PyTorch bit for bit (a zeroed gradient is +0., a nan input passes its gradient)
    specials = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, -1.0, 2.0], np.float32)
    rng = np.random.default_rng(5)
    x = rng.standard_normal(n).astype(np.float32)
    g = rng.standard_normal(n).astype(np.float32)
    x[:5] = [0.0, -0.0, np.nan, -1.0, 1.0]
    g[:7] = specials[: min(n, 7)]
    got, want = _grad_of(ember, ember.relu, x, g), _grad_of(torch, torch.relu, x, g)
    np.testing.assert_array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))
    # a transposed (non-contiguous) gradient of a 2-d relu
    x2, g2 = x[: n // 5 * 5].reshape(5, -1), g[: n // 5 * 5].reshape(-1, 5).T
    got = _grad_of(ember, ember.relu, x2, g2)
    np.testing.assert_array_equal(got, _grad_of(torch, torch.relu, x2, g2))


def test_mul_by_float_backward_array_path():
    x = np.array([1.0, -2.0, 3e38, np.nan], np.float32)
    g = np.array([0.5, -0.0, 10.0, 1.0], np.float32)
    for fn in (lambda t: t * 2.5, lambda t: 2.5 * t, lambda t: t * -0.0):
        np.testing.assert_array_equal(_grad_of(ember, fn, x, g), _grad_of(torch, fn, x, g))
    # warnings as errors: the overflowing product (3e38 * 10 in float32) is still inf
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = _grad_of(ember, lambda t: t * 3e38, x, g)
    np.testing.assert_array_equal(got, _grad_of(torch, lambda t: t * 3e38, x, g))
    # a non-contiguous gradient keeps its layout's values
    x2 = np.arange(6, dtype=np.float64).reshape(2, 3)
    g2 = np.arange(6, dtype=np.float64).reshape(3, 2).T
    np.testing.assert_array_equal(_grad_of(ember, lambda t: t * 1.5, x2, g2),
                                  _grad_of(torch, lambda t: t * 1.5, x2, g2))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("n", [2049, 40000])  # the large-array (masked bits) path
def test_relu_backward_keeps_a_kept_negative_zero(dtype, n):
    # all gradients finite (the path without a fallback): a -0. gradient where the input is
    # positive stays -0.; where the input is <= 0 the gradient is +0. whatever its sign
    rng = np.random.default_rng(6)
    x = rng.standard_normal(n).astype(dtype)
    g = rng.standard_normal(n).astype(dtype)
    x[:6] = [1.0, 2.0, -1.0, 0.0, -0.0, 3.0]
    g[:6] = [-0.0, 0.0, -0.0, -0.0, -2.0, -5.0]
    g[6::3] = -0.0
    got, want = _grad_of(ember, ember.relu, x, g), _grad_of(torch, torch.relu, x, g)
    np.testing.assert_array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))
    assert got.dtype == want.dtype


@pytest.mark.parametrize("other", [0.0, -0.0])
def test_where_with_a_zero_keeps_signed_zeros(other):
    # where(mask, g, 0.) on a large float array (the masked-gradient path): a kept -0. stays,
    # the filled zero has the sign of the scalar, as PyTorch
    n = 6000
    rng = np.random.default_rng(7)
    c = rng.random(n) < 0.5
    g = rng.standard_normal(n)
    g[::2] = -0.0
    got = ember.where(ember.tensor(c), ember.tensor(g), other).numpy()
    want = torch.where(torch.tensor(c), torch.tensor(g), other).numpy()
    np.testing.assert_array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))
