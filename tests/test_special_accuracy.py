"""Accuracy of the vectorised special-function kernels against PyTorch (and mpmath/SciPy where
PyTorch itself is inexact), on large random float64 arrays over wide ranges, plus special values
compared exactly (inf, nan, signed zeros) and the float32 rounding."""

import math

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(12345)
N = 200_000


def _ember(fn, x, dtype=ember.float64):
    return fn(ember.tensor(x, dtype=dtype)).numpy()


def _torch(fn, x, dtype=torch.float64):
    return fn(torch.tensor(x, dtype=dtype)).numpy()


def _assert_close(got, want, rtol, atol=0.0):
    """Same non-finite pattern (and values) exactly; finite values within rtol/atol."""
    fin = np.isfinite(want)
    np.testing.assert_array_equal(np.isfinite(got), fin)
    np.testing.assert_array_equal(got[~fin], want[~fin])
    err = np.abs(got[fin] - want[fin])
    bad = err > rtol * np.abs(want[fin]) + atol
    assert not bad.any(), (got[fin][bad][:5], want[fin][bad][:5], err[bad].max())


def _same_special(got, want):
    """Bit-for-bit equal, signed zeros and nan included."""
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    np.testing.assert_array_equal(got[ok], want[ok])
    np.testing.assert_array_equal(np.signbit(got[ok]), np.signbit(want[ok]))


def _wide(lo, hi):
    return RNG.uniform(lo, hi, N)


def _log_wide(lo_exp, hi_exp, signed=False):
    x = 10.0 ** RNG.uniform(lo_exp, hi_exp, N)
    return x * RNG.choice([-1.0, 1.0], N) if signed else x


# ------------------------------------------------------------------------------ erf, erfc
@pytest.mark.parametrize("x", [_wide(-7, 7), _log_wide(-300, 1.5, signed=True), _wide(-30, 30)])
def test_erf_erfc_match_torch(x):
    _assert_close(_ember(ember.erf, x), _torch(torch.erf, x), 2e-15)
    _assert_close(_ember(ember.erfc, x), _torch(torch.erfc, x), 4e-15, 1e-300)  # subnormals


def test_erfc_upper_tail_keeps_relative_precision():
    x = RNG.uniform(4, 27, N)  # erfc down to 1e-318 (subnormal at the end)
    got, want = _ember(ember.erfc, x), _torch(torch.erfc, x)
    normal = want > 1e-300
    _assert_close(got[normal], want[normal], 5e-14)  # exp(-x**2)'s own conditioning
    _assert_close(got[~normal], want[~normal], 1e-3, 1e-320)


# ------------------------------------------------------------------------------------ erfinv
def test_erfinv_matches_torch_and_is_accurate_in_the_tail():
    y = RNG.uniform(-1, 1, N)
    _assert_close(_ember(ember.erfinv, y), _torch(torch.erfinv, y), 2e-15)
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 30
    t = 1.0 - 10.0 ** RNG.uniform(-16, -1, 400)
    t = np.concatenate([t, [np.nextafter(1.0, 0.0), 1 - 2**-52, 0.5, np.nextafter(0.5, 1.0)]])
    ref = np.array([float(mpmath.erfinv(mpmath.mpf(v))) for v in t])
    _assert_close(_ember(ember.erfinv, t), ref, 2e-15)
    _assert_close(_ember(ember.erfinv, -t), -ref, 2e-15)


# ------------------------------------------------------------------------------------ lgamma
@pytest.mark.parametrize("x", [_wide(0, 20), _wide(0.5, 3), _log_wide(-300, 305),
                               _wide(1e-6, 1e6)])
def test_lgamma_positive_matches_torch(x):
    # near its zeros at 1 and 2 too: the Taylor series there keeps full relative precision
    _assert_close(_ember(ember.lgamma, x), _torch(torch.lgamma, x), 4e-15)


def test_lgamma_near_its_zeros_at_one_and_two():
    x = np.concatenate([1 + _log_wide(-15, -1, signed=True)[:5000],
                        2 + _log_wide(-15, -1, signed=True)[:5000]])
    _assert_close(_ember(ember.lgamma, x), _torch(torch.lgamma, x), 4e-15)


@pytest.mark.parametrize("x", [_wide(-50, 0), _wide(-1e5, 0), -_log_wide(-300, 15)])
def test_lgamma_negative_matches_torch(x):
    # reflection: absolute accuracy ~1e-15 of the terms it subtracts; relative precision is lost
    # only where lgamma itself is ill-conditioned (its zeros on the negative axis)
    want = _torch(torch.lgamma, x)
    scale = np.abs(_torch(torch.lgamma, -x)) + np.abs(np.log(np.abs(x))) + 1.0
    got = _ember(ember.lgamma, x)
    fin = np.isfinite(want)
    assert (np.abs(got[fin] - want[fin]) <= 4e-15 * np.abs(want[fin]) + 2e-16 * scale[fin]).all()
    np.testing.assert_array_equal(np.isfinite(got), fin)


# ----------------------------------------------------------------------------------- digamma
@pytest.mark.parametrize("x", [_wide(1e-3, 20), _wide(10, 1e6), _log_wide(-300, 300)])
def test_digamma_positive_accurate(x):
    scipy_special = pytest.importorskip("scipy.special")
    # PyTorch's Cephes digamma loses ~1e-11 near the zero x0 = 1.4616...; ember's series
    # there does not, so the reference is SciPy (exact near x0) with torch elsewhere
    near = np.abs(x - 1.4616321449683622) < 0.2
    got = _ember(ember.digamma, x)
    _assert_close(got[~near], _torch(torch.digamma, x[~near]), 4e-15, 1e-300)
    _assert_close(got[near], scipy_special.digamma(x[near]), 4e-15)


def test_digamma_negative_matches_torch():
    x = _wide(-60, 0)
    want = _torch(torch.digamma, x)
    scale = np.abs(_torch(torch.digamma, 1 - x)) + np.pi / np.abs(np.tan(np.pi * x))
    got = _ember(ember.digamma, x)
    # the recurrence sums terms of size ~log|x| + 2 before the reflection cancels them
    assert (np.abs(got - want) <= 4e-15 * np.abs(want) + 1e-15 * (scale + 3.0)).all()


# -------------------------------------------------------------------------------- polygamma
@pytest.mark.parametrize("n", [2, 3, 4, 7])
def test_polygamma_matches_torch(n):
    x = np.concatenate([_wide(1e-3, 30)[:50000], _log_wide(-5, 8)[:50000]])
    f_e = lambda t: ember.polygamma(n, t)
    f_t = lambda t: torch.polygamma(n, t)
    _assert_close(_ember(f_e, x), _torch(f_t, x), 4e-15)


@pytest.mark.parametrize("n", [2, 3, 5])
def test_polygamma_negative_uses_reflection_accurately(n):
    # far below 0 too: PyTorch sums |x| terms; ember reflects, so -1e5 costs no more than -1
    x = np.concatenate([_wide(-40, 0)[:50000], _wide(-1e5, -1e4)[:2000]])
    f_e = lambda t: ember.polygamma(n, t)
    f_t = lambda t: torch.polygamma(n, t)
    got, want = _ember(f_e, x), _torch(f_t, x)
    d = np.abs(x - np.round(x))
    scale = math.factorial(n) * (d ** -(n + 1.0) + 1.0)  # the size of the reflected terms
    assert (np.abs(got - want) <= 1e-13 * np.abs(want) + 1e-15 * scale).all()


def test_trigamma_reproduces_torch():
    x = np.concatenate([_wide(-30, 30), _log_wide(-10, 10)])
    f_e = lambda t: ember.polygamma(1, t)
    f_t = lambda t: torch.polygamma(1, t)
    _assert_close(_ember(f_e, x), _torch(f_t, x), 1e-14)


def test_zeta_matches_torch():
    s = RNG.uniform(1.01, 40, 20000)
    q = RNG.uniform(1e-3, 50, 20000)
    got = ember.special.zeta(ember.tensor(s), ember.tensor(q)).numpy()
    want = torch.special.zeta(torch.tensor(s), torch.tensor(q)).numpy()
    _assert_close(got, want, 1e-14, 1e-300)


# ----------------------------------------------------------------------------- special values
_SPECIAL = [0.0, -0.0, 1.0, 2.0, -1.0, -2.0, -3.0, -1e20, 1e20, -math.inf, math.inf, math.nan,
            -0.5, 0.5, 1e-310, -1e-310, 1e308, -1e308, 2.5e305, -2.5, -1e-20, 1e-20, 4.0, 30.0]


@pytest.mark.parametrize("name", ["lgamma", "digamma", "erf", "erfc"])
def test_special_values_exactly(name):
    x = np.array(_SPECIAL)
    got = _ember(getattr(ember, name), x)
    want = _torch(getattr(torch, name), x)
    special = ~np.isfinite(want) | (want == 0)
    _same_special(got[special], want[special])
    _assert_close(got, want, 4e-15, 1e-15)  # digamma(-0.5) cancels: absolute 1e-15


@pytest.mark.parametrize("n", [1, 2, 3])
def test_polygamma_special_values_exactly(n):
    x = np.array([0.0, -0.0, -1.0, -2.0, -1e20, math.inf, -math.inf, math.nan, 1e308])
    got = _ember(lambda t: ember.polygamma(n, t), x)
    want = _torch(lambda t: torch.polygamma(n, t), x)
    special = ~np.isfinite(want) | (want == 0)
    _same_special(got[special], want[special])


def test_erfinv_special_values_exactly():
    y = np.array([0.0, -0.0, 1.0, -1.0, 1.0000001, -2.0, math.inf, -math.inf, math.nan, 5e-324])
    _same_special(_ember(ember.erfinv, y), _torch(torch.erfinv, y))
    tiny = np.array([1e-300, -1e-300, 1e-310])
    _assert_close(_ember(ember.erfinv, tiny), _torch(torch.erfinv, tiny), 4e-16, 1e-320)


# ------------------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("name,lo,hi", [("lgamma", -20, 20), ("digamma", -20, 20),
                                        ("erf", -5, 5), ("erfc", -5, 10), ("erfinv", -1, 1)])
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_low_precision_dtypes_round_the_float64_value(name, lo, hi, dtype):
    x = RNG.uniform(lo, hi, 20000).astype(dtype)
    e = getattr(ember, name)(ember.tensor(x))
    assert e.dtype == getattr(ember, dtype)
    want64 = _torch(getattr(torch, name), x.astype("float64"))
    # ember rounds the float64 result once: exactly float64-then-cast
    np.testing.assert_array_equal(e.numpy(), want64.astype(dtype)) if name in ("erf", "erfc") \
        else _assert_close(e.numpy().astype("float64"), want64.astype(dtype).astype("float64"),
                           float(np.finfo(dtype).eps), 1e-30)
    # and agrees with PyTorch's own float32 kernel to its precision
    if dtype == "float32":
        t = getattr(torch, name)(torch.tensor(x)).numpy()
        fin = np.isfinite(t)
        np.testing.assert_array_equal(np.isfinite(e.numpy()), fin)
        scale = np.maximum(np.abs(t[fin]), 1.0) if name in ("lgamma", "digamma") else 1.0
        assert (np.abs(e.numpy()[fin] - t[fin]) <= 2e-4 * scale).all()


def test_gradients_unchanged():
    x = ember.tensor([0.3, 1.7, -2.5, 6.0], dtype=ember.float64, requires_grad=True)
    tx = torch.tensor([0.3, 1.7, -2.5, 6.0], dtype=torch.float64, requires_grad=True)
    for fe, ft in [(ember.lgamma, torch.lgamma), (ember.digamma, torch.digamma),
                   (ember.erf, torch.erf), (ember.erfc, torch.erfc)]:
        (gx,) = ember.autograd.grad(fe(x).sum(), x)
        (gt,) = torch.autograd.grad(ft(tx).sum(), tx)
        np.testing.assert_allclose(gx.numpy(), gt.numpy(), rtol=1e-12)
    y = ember.tensor([-0.9, 0.2, 0.99], dtype=ember.float64, requires_grad=True)
    ty = torch.tensor([-0.9, 0.2, 0.99], dtype=torch.float64, requires_grad=True)
    (gy,) = ember.autograd.grad(ember.erfinv(y).sum(), y)
    (gty,) = torch.autograd.grad(torch.erfinv(ty).sum(), ty)
    np.testing.assert_allclose(gy.numpy(), gty.numpy(), rtol=1e-12)
