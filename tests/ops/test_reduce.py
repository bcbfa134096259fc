"""Reductions, scans, order statistics and counting against PyTorch (values, dtypes, named
results, gradients and gradients of gradients) and finite differences."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inputs import RNG, rand_between, randn, uniform
from oracle import check, check_error, grads_match, requires_torch, same_values, torch

import ember

SET = settings(max_examples=15, deadline=None)


@st.composite
def shape_and_dim(draw, min_side=1):
    shape = tuple(draw(st.lists(st.integers(min_side, 3), min_size=1, max_size=3)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return shape, dim, draw(st.booleans())


@st.composite
def shape_and_dims(draw):
    shape = tuple(draw(st.lists(st.integers(0, 3), min_size=0, max_size=3)))
    n = len(shape)
    if n == 0:
        return shape, None, draw(st.booleans())
    dims = draw(st.lists(st.integers(0, n - 1), unique=True, min_size=1, max_size=n))
    dims = tuple(d - n if draw(st.booleans()) else d for d in dims)
    return shape, dims if len(dims) > 1 else dims[0], draw(st.booleans())


MULTI_DIM = {
    "sum": lambda L, x, d, k: L.sum(x, d, k),
    "mean": lambda L, x, d, k: x.mean(d, keepdim=k),
    "nansum": lambda L, x, d, k: L.nansum(x, d, k),
    "var": lambda L, x, d, k: L.var(x, d, keepdim=k),
    "std_c0": lambda L, x, d, k: L.std(x, d, keepdim=k, correction=0),
    "var_unbiased_false": lambda L, x, d, k: x.var(d, False, k),
    "logsumexp": lambda L, x, d, k: L.logsumexp(x, d, k),
    "amax": lambda L, x, d, k: L.amax(x, d, k),
    "amin": lambda L, x, d, k: x.amin(d, k),
    "norm2": lambda L, x, d, k: L.norm(x, 2, dim=d, keepdim=k),
    "norm_fro": lambda L, x, d, k: L.norm(x, dim=d if d is None or isinstance(d, int) or len(d) < 3
                                          else d[:2], keepdim=k),
    "norm1": lambda L, x, d, k: L.norm(x, p=1, dim=d, keepdim=k),
    "norm3": lambda L, x, d, k: L.norm(x, p=3, dim=d, keepdim=k),
    "norm_inf": lambda L, x, d, k: L.norm(x, p=float("inf"), dim=d, keepdim=k),
    "var_mean": lambda L, x, d, k: L.var_mean(x, d, keepdim=k),
    "std_mean": lambda L, x, d, k: L.std_mean(x, d, keepdim=k),
    "count_nonzero": lambda L, x, d, k: L.count_nonzero(x > 0, d),
    "all": lambda L, x, d, k: L.all(x > 0, d, k),
    "any": lambda L, x, d, k: x.gt(0).any(d, k),
}


@pytest.mark.parametrize("name", sorted(MULTI_DIM))
@SET
@given(sdk=shape_and_dims())
def test_multi_dim_reductions(name, sdk):
    shape, dim, keepdim = sdk
    if name in ("amax", "amin", "norm_inf") and 0 in shape:
        return  # no identity: errors, tested below
    if name.startswith("std") or name.startswith("var"):
        if 0 in shape or int(np.prod([shape[d] for d in np.atleast_1d(dim)] if dim is not None
                                     else shape)) < 2:
            return  # degrees of freedom <= 0: tested separately
    if name == "logsumexp" and dim is None:
        check_error(lambda L: L.logsumexp(L.ones(2), None),
                    lambda L: L.logsumexp(L.ones(2), None), TypeError, "dim")
        return
    check(lambda L, x: MULTI_DIM[name](L, x, dim, keepdim), rand_between(shape, 1),
          grad=name not in ("all", "any", "count_nonzero"))


SINGLE_DIM = {
    "prod": lambda L, x, d, k: L.prod(x, d, k),
    "max": lambda L, x, d, k: L.max(x, d, k),
    "min": lambda L, x, d, k: x.min(d, keepdim=k),
    "argmax": lambda L, x, d, k: L.argmax(x, d, k),
    "argmin": lambda L, x, d, k: x.argmin(d, k),
    "median": lambda L, x, d, k: L.median(x, d, k),
    "nanmedian": lambda L, x, d, k: L.nanmedian(x, d, k),
    "cumsum": lambda L, x, d, k: L.cumsum(x, d),
    "cumprod": lambda L, x, d, k: x.cumprod(d),
    "cummax": lambda L, x, d, k: L.cummax(x, d),
    "cummin": lambda L, x, d, k: L.cummin(x, d),
    "logcumsumexp": lambda L, x, d, k: L.logcumsumexp(x, d),
    "quantile": lambda L, x, d, k: L.quantile(x, 0.3, d, k),
    "quantile_q": lambda L, x, d, k: L.quantile(x, L.tensor([0.0, 0.25, 0.9], dtype=x.dtype),
                                                d, k),
    "nanquantile": lambda L, x, d, k: L.nanquantile(x, 0.6, d, k, interpolation="midpoint"),
    "mode": lambda L, x, d, k: L.mode(L.round(x), d, k)[1],
}


@pytest.mark.parametrize("name", sorted(SINGLE_DIM))
@SET
@given(sdk=shape_and_dim())
def test_single_dim_ops(name, sdk):
    shape, dim, keepdim = sdk
    check(lambda L, x: SINGLE_DIM[name](L, x, dim, keepdim), rand_between(shape, 2))


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "max", "min", "median", "nanmedian",
                                  "amax", "logsumexp", "norm", "var", "std", "quantile",
                                  "nansum", "nanmean", "argmax", "cumsum"])
def test_zero_dim_input(name):
    fns = {"logsumexp": lambda L, x: L.logsumexp(x, 0), "quantile": lambda L, x: L.quantile(x, .5),
           "cumsum": lambda L, x: L.cumsum(x, 0), "var": lambda L, x: L.var(x, correction=0),
           "std": lambda L, x: L.std(x, correction=0)}
    f = fns.get(name, lambda L, x: getattr(L, name)(x))
    check(f, np.asarray(1.5))
    if name in ("max", "min", "median", "prod", "argmax"):
        check(lambda L, x: getattr(L, name)(x, 0), np.asarray(1.5))


def test_full_reductions_and_ties():
    x = np.array([[1.0, 3.0, 3.0], [2.0, -1.0, 3.0]])
    grads_match(lambda L, x: L.max(x), x, expected=[[[0, 1 / 3, 1 / 3], [0, 0, 1 / 3]]])
    grads_match(lambda L, x: L.amax(x, 1), x, expected=[[[0, .5, .5], [0, 0, 1]]])
    grads_match(lambda L, x: L.amin(x, (0, 1)), x, expected=[[[0, 0, 0], [0, 1, 0]]])
    grads_match(lambda L, x: L.median(x), np.array([2.0, 1.0, 2.0, 3.0]),
                expected=[[0.5, 0, 0.5, 0]])
    grads_match(lambda L, x: x.max(1)[0], x)
    grads_match(lambda L, x: L.norm(x, p=float("inf")), x)
    check(lambda L, x: L.max(x), np.array([1.0, np.nan, 2.0]), grad=False)
    check(lambda L, x: L.max(x, 0), np.array([1.0, np.nan, 2.0]), grad=False)


def test_prod_with_zeros():
    for a in [np.array([2.0, 0.0, 3.0, 4.0]), np.array([0.0, 0.0, 3.0]),
              np.array([[1.0, 0.0], [2.0, 3.0]]), np.array([0.0])]:
        check(lambda L, x: L.prod(x), a)
        check(lambda L, x: L.prod(x, -1), a)
        check(lambda L, x: L.cumprod(x, -1), a)
    check(lambda L, x: L.prod(x, 0, True), np.array([[1.0, 0.0], [0.0, 3.0], [2.0, 5.0]]))


def test_integer_reduction_dtypes():
    i = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32)
    b = np.array([True, False, True])
    for f in [lambda L, x: L.sum(x), lambda L, x: L.prod(x, 1), lambda L, x: L.cumsum(x, 0),
              lambda L, x: L.cumprod(x, 1), lambda L, x: x.max(), lambda L, x: L.amax(x, 0),
              lambda L, x: L.argmax(x), lambda L, x: L.argmax(x, keepdim=True),
              lambda L, x: L.mean(x, dtype=L.float64), lambda L, x: L.sum(x, 1, dtype=L.float32),
              lambda L, x: L.median(x), lambda L, x: L.cummax(x, 1),
              lambda L, x: L.count_nonzero(x - 1), lambda L, x: L.all(x), lambda L, x: L.any(x, 0),
              lambda L, x: L.mode(x % 2, 1), lambda L, x: L.nansum(x)]:
        check(f, i, grad=False)
    check(lambda L, x: L.sum(x), b, grad=False)
    check(lambda L, x: L.all(x.to(L.uint8)), b, grad=False)


def test_reduction_errors():
    check_error(lambda L: L.mean(L.tensor([1, 2])), lambda L: L.mean(L.tensor([1, 2])),
                RuntimeError, "could not infer output dtype")
    check_error(lambda L: L.zeros(0).max(), lambda L: L.zeros(0).max(), RuntimeError,
                "Expected reduction dim to be specified for input.numel() == 0")
    check_error(lambda L: L.zeros(2, 0).max(1), lambda L: L.zeros(2, 0).max(1), IndexError,
                "Expected reduction dim 1 to have non-zero size")
    check_error(lambda L: L.ones(2, 3).sum(2), lambda L: L.ones(2, 3).sum(2), IndexError,
                "Dimension out of range")
    check_error(lambda L: L.ones(2, 3).sum((0, 0)), lambda L: L.ones(2, 3).sum((0, 0)),
                RuntimeError, "appears multiple times")
    check_error(lambda L: L.quantile(L.ones(3), 1.5), lambda L: L.quantile(L.ones(3), 1.5),
                RuntimeError, "q must be in the range [0, 1]")
    check_error(lambda L: L.norm(L.ones(2, 2, 2), dim=(0, 1, 2)),
                lambda L: L.norm(L.ones(2, 2, 2), dim=(0, 1, 2)), RuntimeError,
                "dim must be a 2-tuple")
    check_error(lambda L: L.quantile(L.tensor([1, 2]), 0.5),
                lambda L: L.quantile(L.tensor([1, 2]), 0.5), RuntimeError,
                "input tensor must be either float or double dtype")
    check_error(lambda L: L.var(L.tensor([1, 2])), lambda L: L.var(L.tensor([1, 2])),
                RuntimeError, "std and var only support floating point and complex dtypes")
    check_error(lambda L: L.amax(L.zeros(0)), lambda L: L.amax(L.zeros(0)), RuntimeError,
                "Expected reduction dim to be specified for input.numel() == 0")
    check_error(lambda L: L.amax(L.zeros(2, 0), 1), lambda L: L.amax(L.zeros(2, 0), 1),
                IndexError, "Expected reduction dim 1 to have non-zero size")
    check_error(lambda L: L.histc(L.tensor([1, 2])), lambda L: L.histc(L.tensor([1, 2])),
                NotImplementedError, "\"histogram_cpu\" not implemented for 'Long'")


def test_var_degrees_of_freedom_warning():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        v = ember.var(ember.tensor([1.0]))
    assert np.isnan(v.item()) and "degrees of freedom is <= 0" in str(w[0].message)


@requires_torch
def test_nan_handling():
    a = np.array([[1.0, np.nan, 3.0, 2.0], [np.nan, 5.0, np.nan, np.nan],
                  [4.0, 1.0, 2.0, 0.5]])
    all_nan = np.full((2, 3), np.nan)  # values only: PyTorch's index there is unspecified
    for f in [lambda L, x: L.nanmedian(x, 1)[0], lambda L, x: L.nanquantile(x, 0.2, 1),
              lambda L, x: L.nanmedian(x), lambda L, x: L.nansum(x), lambda L, x: L.nanmean(x, 0)]:
        check(f, all_nan, grad=False)
    for f in [lambda L, x: L.nansum(x, 1), lambda L, x: L.nanmean(x, 1),
              lambda L, x: L.nanmedian(x), lambda L, x: L.nanmedian(x, 1),
              lambda L, x: L.median(x, 1), lambda L, x: L.median(x),
              lambda L, x: L.nanquantile(x, 0.4, 1), lambda L, x: L.quantile(x, 0.4, 1),
              lambda L, x: L.cummax(x, 1), lambda L, x: L.cummin(x, 1),
              lambda L, x: L.logsumexp(x, 1), lambda L, x: L.amax(x, 1)]:
        check(f, a, grad=False)


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_interpolations(interpolation):
    a = rand_between((3, 7), 9)
    q = np.array([0.0, 0.1, 0.5, 0.75, 1.0])
    check(lambda L, x, q: L.quantile(x, q, 1, True, interpolation=interpolation), a, q,
          requires_grad=[True, False])
    check(lambda L, x: L.quantile(x, 0.5, interpolation=interpolation), rand_between((4,), 3))
    check(lambda L, x: L.quantile(x, 0.5, 0, interpolation=interpolation), rand_between((6,), 3))


def test_named_results_repr():
    x = ember.tensor([[1.0, 5.0], [7.0, 2.0]])
    r = x.max(1)
    assert r.values.tolist() == [5.0, 7.0] and r.indices.tolist() == [1, 0]
    v, i = r
    assert isinstance(r, tuple) and len(r) == 2 and r[0] is v
    assert type(r).__name__ == "max" and type(r).__module__ == "torch.return_types"
    if torch is not None:
        t = torch.tensor([[1.0, 5.0], [7.0, 2.0]])
        for f in [lambda L, x: x.max(1), lambda L, x: L.min(x, 0, True), lambda L, x: x.median(1),
                  lambda L, x: L.cummax(x, 0), lambda L, x: L.mode(x, 0),
                  lambda L, x: L.aminmax(x), lambda L, x: x.sort(1) if False else x.max(0)]:
            assert repr(f(ember, x)) == repr(f(torch, t))
    assert repr(ember.aminmax(x)).startswith("torch.return_types.aminmax(\nmin=tensor(1.)")


@requires_torch
def test_unique_family():
    a = np.array([3, 1, 2, 3, 3, 1, 0, 0, 5])
    m = np.array([[1, 2], [1, 2], [0, 1], [1, 2]])
    for f in [lambda L, x: L.unique(x), lambda L, x: L.unique(x, return_inverse=True),
              lambda L, x: L.unique(x, return_counts=True),
              lambda L, x: x.unique(return_inverse=True, return_counts=True),
              lambda L, x: L.unique_consecutive(x),
              lambda L, x: L.unique_consecutive(x, return_inverse=True, return_counts=True),
              lambda L, x: L.bincount(x), lambda L, x: L.bincount(x, minlength=8),
              lambda L, x: L.bincount(x, weights=x.double() * 0.5),
              lambda L, x: L.bincount(x, weights=x.float()),
              lambda L, x: L.histc(x.float(), bins=4), lambda L, x: L.histc(x.float(), 3, 1, 3),
              lambda L, x: L.unique(x.reshape(3, 3), return_inverse=True)]:
        check(f, a, grad=False)
    for f in [lambda L, x: L.unique(x, dim=0), lambda L, x: L.unique(x, dim=1,
                                                                        return_counts=True),
              lambda L, x: L.unique(x, dim=0, return_inverse=True),
              lambda L, x: L.unique_consecutive(x, dim=0, return_counts=True)]:
        check(f, m, grad=False)


def test_unique_without_torch():
    u, inv, c = ember.unique(ember.tensor([3, 1, 3, 2]), return_inverse=True, return_counts=True)
    assert u.tolist() == [1, 2, 3] and inv.tolist() == [2, 0, 2, 1] and c.tolist() == [1, 1, 2]
    assert ember.bincount(ember.tensor([0, 2, 2])).tolist() == [1, 0, 2]
    check_error(lambda L: L.bincount(L.tensor([-1, 2])), lambda L: L.bincount(L.tensor([-1, 2])),
                RuntimeError, "non-negative")


def test_scan_gradients_gradcheck():
    x = ember.tensor(rand_between((3, 4), 5), requires_grad=True)
    z = ember.tensor(np.array([[1.0, 0.0, 2.0, 3.0], [0.5, 2.0, 0.0, 0.0]]), requires_grad=True)
    for f in [lambda t: ember.cumsum(t, 1), lambda t: ember.cumprod(t, 1),
              lambda t: ember.logcumsumexp(t, 0), lambda t: ember.cummax(t, 1)[0],
              lambda t: ember.prod(t, 1), lambda t: ember.prod(t)]:
        for t in (x, z):
            assert ember.autograd.gradcheck(f, (t,))
            assert ember.autograd.gradgradcheck(f, (t,))


def test_out_and_methods():
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    out = ember.empty(2)
    assert ember.sum(x, 0, out=out) is out and out.tolist() == [4.0, 6.0]
    assert x.norm().item() == pytest.approx(np.sqrt(30.0))
    assert x.std(0).tolist() == pytest.approx([np.sqrt(2.0)] * 2)
    assert x.cumsum(0).tolist() == [[1.0, 2.0], [4.0, 6.0]]
    y = ember.tensor([1.0, 2.0, 3.0])
    y.cumsum_(0)
    assert y.tolist() == [1.0, 3.0, 6.0]


# ---- less common functions of the API, compared with PyTorch
def test_diff_with_prepend_append_and_bool():
    x = uniform(3, 5)
    check(lambda L, a: L.diff(a), x)
    check(lambda L, a: L.diff(a, n=2, dim=0), uniform(4, 2))
    check(lambda L, a, p, q: L.diff(a, dim=1, prepend=p, append=q), uniform(2, 3), uniform(2, 1),
          uniform(2, 2))
    same_values(lambda L, a: L.diff(a), np.array([True, False, False, True]))
    same_values(lambda L, a: a.diff(n=3), np.array([1, 4, 9, 16, 25]))


def test_cov_corrcoef():
    x = uniform(3, 6)
    check(lambda L, a: L.cov(a), x)
    check(lambda L, a: L.cov(a, correction=0), x)
    check(lambda L, a: L.corrcoef(a), x)
    check(lambda L, a: L.cov(a), uniform(5))
    fw = np.array([1, 2, 1, 3, 1, 2])
    aw = RNG.uniform(0.5, 1.5, 6)
    check(lambda L, a, w: L.cov(a, fweights=L.tensor(fw), aweights=w), x, aw)
    check(lambda L, a, w: L.cov(a, aweights=w), x, aw)
    same_values(lambda L, a: L.cov(a), np.array([[1, 2, 4], [3, 1, 0]]))


def test_histogram():
    x = np.array([0.1, 0.4, 0.45, 0.8, 1.3, 2.2, 2.3])
    same_values(lambda L, a: L.histogram(a, bins=4), x)
    same_values(lambda L, a: L.histogram(a, bins=3, range=(0.0, 3.0), density=True), x)
    same_values(lambda L, a, w: L.histogram(a, bins=2, weight=w), x, np.ones(7) * 0.5)
    same_values(lambda L, a, b: L.histogram(a, b), x, np.array([0.0, 1.0, 2.5]))


def test_trapezoid_family():
    y = uniform(3, 5)
    check(lambda L, a: L.trapezoid(a), y)
    check(lambda L, a: L.trapezoid(a, dx=0.5, dim=0), y)
    check(lambda L, a, x: L.trapezoid(a, x), y, np.sort(uniform(5)))
    check(lambda L, a: L.trapz(a, dim=0), y)
    check(lambda L, a: L.cumulative_trapezoid(a), y)
    check(lambda L, a, x: L.cumulative_trapezoid(a, x, dim=1), y, np.sort(uniform(5)))


# ---- core ops on hypothesis shapes (broadcasting, 0-d, empty)


@pytest.mark.parametrize("dim,keepdim", [(0, False), (1, True), (-1, False), ((0, 2), True),
                                         ((1, -1), False)])
def test_sum_mean_dims(dim, keepdim):
    x = randn((2, 3, 4), 5)
    check(lambda L, t: t.sum(dim=dim, keepdim=keepdim), x)
    check(lambda L, t: t.mean(dim, keepdim), x)
    check(lambda L, t: L.sum(t, dim) * 2, x)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name", ["sum", "sum1", "mean", "mean1", "nansum", "cumsum", "norm",
                                  "vector_norm"])
def test_low_precision_reductions_accumulate_in_float32(dtype, name):
    """float16 and bfloat16 reductions sum in float32 and round once, as PyTorch: a float16
    mean of 100,000 values whose sum passes 65504 is their mean, not 0 (the sum divided by
    the count cast to float16, inf) nor inf."""
    if dtype == "bfloat16" and ember.bfloat16 is None:
        pytest.skip("bfloat16 needs ml_dtypes")
    x = (np.random.default_rng(0).random((40, 2500)) * 2).astype(np.float32)
    fns = {"sum": lambda L, t: t.sum(), "sum1": lambda L, t: t.sum(1),
           "mean": lambda L, t: t.mean(), "mean1": lambda L, t: t.mean(1),
           "nansum": lambda L, t: L.nansum(t, 1), "cumsum": lambda L, t: t.cumsum(1)[:, -5:],
           "norm": lambda L, t: t.norm(), "vector_norm": lambda L, t: L.linalg.vector_norm(t, 3)}
    got = fns[name](ember, ember.tensor(x).to(getattr(ember, dtype)))
    assert got.dtype is getattr(ember, dtype)
    # the float64 result rounded once to the dtype (PyTorch's, within its float32 sums)
    want = fns[name](ember, ember.tensor(x.astype(np.float64))).to(getattr(ember, dtype))
    tol = 1e-3 if dtype == "float16" else 8e-3
    np.testing.assert_allclose(got.float().numpy(), want.float().numpy(), rtol=tol)
    if torch is not None:
        t = fns[name](torch, torch.tensor(x).to(getattr(torch, dtype)))
        np.testing.assert_allclose(got.float().numpy(), t.float().numpy(), rtol=tol)
