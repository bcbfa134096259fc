"""ember.distributions against torch.distributions from the same float64 parameters and the same
values (log_prob, cdf, icdf, entropy, moments, KL and their parameter gradients), plus
statistical checks of the samples, reparameterised gradients and argument validation."""

import math

import numpy as np
import pytest
from oracle import check_error, requires_torch, to_numpy, torch

import ember
import ember.distributions as D

RNG = np.random.default_rng(7)


def _lib(L):
    """The distributions namespace of a library, plus the few tensor functions specs use."""
    ns = type("NS", (), {})()
    for k in dir(L.distributions):
        setattr(ns, k, getattr(L.distributions, k))
    ns.eye, ns.diag_embed = L.eye, L.diag_embed
    return ns


def _spd(L, A):
    return A @ A.mT + L.eye(A.shape[-1], dtype=A.dtype)


def _tril(L, A):
    return A.tril(-1) + L.diag_embed(A.diagonal(dim1=-2, dim2=-1).exp())


# name: (constructor(ns, *params), params, values for log_prob/cdf)
SPECS = {
    "Normal": (lambda L, a, b: L.Normal(a, b), [RNG.standard_normal(3), RNG.random(3) + 0.5],
               RNG.standard_normal((2, 3))),
    "Uniform": (lambda L, a, b: L.Uniform(a, b), [np.array([-1.0, 0.0]), np.array([1.0, 2.0])],
                np.array([[0.5, 1.0], [-0.5, 1.5]])),
    "Exponential": (lambda L, a: L.Exponential(a), [RNG.random(3) + 0.5],
                    RNG.random((2, 3)) * 3),
    "Laplace": (lambda L, a, b: L.Laplace(a, b), [RNG.standard_normal(3), RNG.random(3) + 0.5],
                RNG.standard_normal((2, 3))),
    "Cauchy": (lambda L, a, b: L.Cauchy(a, b), [RNG.standard_normal(3), RNG.random(3) + 0.5],
               RNG.standard_normal((2, 3))),
    "LogNormal": (lambda L, a, b: L.LogNormal(a, b), [RNG.standard_normal(3),
                                                      RNG.random(3) + 0.5],
                  RNG.random((2, 3)) * 3 + 0.01),
    "Gamma": (lambda L, a, b: L.Gamma(a, b), [RNG.random(3) + 0.5, RNG.random(3) + 0.5],
              RNG.random((2, 3)) * 3 + 0.01),
    "Chi2": (lambda L, a: L.Chi2(a), [RNG.random(3) + 1.5], RNG.random((2, 3)) * 3 + 0.01),
    "Beta": (lambda L, a, b: L.Beta(a, b), [RNG.random(3) + 0.5, RNG.random(3) + 0.5],
             RNG.random((2, 3)) * 0.98 + 0.01),
    "StudentT": (lambda L, a, b, c: L.StudentT(a, b, c),
                 [RNG.random(3) * 4 + 2.5, RNG.standard_normal(3), RNG.random(3) + 0.5],
                 RNG.standard_normal((2, 3))),
    "Dirichlet": (lambda L, a: L.Dirichlet(a), [RNG.random((2, 3)) + 0.5],
                  RNG.dirichlet([1, 1, 1], size=(4, 2))),
    "BernoulliP": (lambda L, a: L.Bernoulli(probs=a), [RNG.random(3) * 0.8 + 0.1],
                   (RNG.random((2, 3)) > 0.5) * 1.0),
    "BernoulliL": (lambda L, a: L.Bernoulli(logits=a), [RNG.standard_normal(3)],
                   (RNG.random((2, 3)) > 0.5) * 1.0),
    "CategoricalP": (lambda L, a: L.Categorical(probs=a), [RNG.random((2, 4)) + 0.1],
                     RNG.integers(0, 4, (5, 2))),
    "CategoricalL": (lambda L, a: L.Categorical(logits=a), [RNG.standard_normal((2, 4))],
                     RNG.integers(0, 4, (5, 2))),
    "OneHotCategorical": (lambda L, a: L.OneHotCategorical(logits=a),
                          [RNG.standard_normal((2, 4))], np.eye(4)[RNG.integers(0, 4, (5, 2))]),
    "Multinomial": (lambda L, a: L.Multinomial(5, probs=a), [RNG.random((2, 4)) + 0.1],
                    np.array([[1.0, 2, 2, 0], [0, 0, 0, 5]])),
    "Binomial": (lambda L, a: L.Binomial(5, probs=a), [RNG.random(3) * 0.8 + 0.1],
                 np.array([[0.0, 3, 5], [1, 2, 4]])),
    "BinomialL": (lambda L, a: L.Binomial(4, logits=a), [RNG.standard_normal(3)],
                  np.array([[0.0, 3, 4], [1, 2, 4]])),
    "Poisson": (lambda L, a: L.Poisson(a), [RNG.random(3) * 4 + 0.1],
                np.array([[0.0, 3, 5], [1, 2, 4]])),
    "Geometric": (lambda L, a: L.Geometric(a), [RNG.random(3) * 0.9 + 0.05],
                  np.array([[0.0, 3, 5], [1, 2, 4]])),
    "MVNcov": (lambda L, m, A: L.MultivariateNormal(m, covariance_matrix=_spd(L, A)),
               [RNG.standard_normal(3), RNG.standard_normal((3, 3))],
               RNG.standard_normal((2, 3))),
    "MVNprec": (lambda L, m, A: L.MultivariateNormal(m, precision_matrix=_spd(L, A)),
                [RNG.standard_normal(3), RNG.standard_normal((3, 3))],
                RNG.standard_normal((2, 3))),
    "MVNtril": (lambda L, m, A: L.MultivariateNormal(m, scale_tril=_tril(L, A)),
                [RNG.standard_normal((2, 3)), RNG.standard_normal((3, 3))],
                RNG.standard_normal((4, 2, 3))),
    "Independent": (lambda L, a, b: L.Independent(L.Normal(a, b), 1),
                    [RNG.standard_normal((2, 3)), RNG.random((2, 3)) + 0.5],
                    RNG.standard_normal((4, 2, 3))),
    "TanhAffine": (lambda L, a, b: L.TransformedDistribution(
        L.Normal(a, b), [L.TanhTransform(), L.AffineTransform(1.0, 2.0)]),
        [RNG.standard_normal(3), RNG.random(3) + 0.5], RNG.random((2, 3)) * 3.6 - 0.8),
    "Sigmoid": (lambda L, a, b: L.TransformedDistribution(L.Normal(a, b), L.SigmoidTransform()),
                [RNG.standard_normal(3), RNG.random(3) + 0.5], RNG.random((2, 3)) * 0.98 + 0.01),
    "ExpAffine": (lambda L, a, b: L.TransformedDistribution(
        L.Normal(a, b), [L.ExpTransform(), L.AffineTransform(0.5, -1.5)]),
        [RNG.standard_normal(3), RNG.random(3) + 0.5], -RNG.random((2, 3)) * 3 + 0.4),
}

METHODS = ["log_prob", "cdf", "entropy", "mean", "mode", "variance", "stddev"]


def _build(name, L):
    mk, params, value = SPECS[name]
    ps = [L.tensor(p, requires_grad=True) for p in params]
    d = mk(_lib(L), *ps)
    v = L.tensor(value)
    if name.startswith("Categorical"):
        v = v.long()
    return d, ps, v


def _eval(d, method, v):
    if method in ("log_prob", "cdf"):
        return getattr(d, method)(v)
    if method == "entropy":
        return d.entropy()
    return getattr(d, method)


@requires_torch
@pytest.mark.parametrize("name", sorted(SPECS))
def test_matches_torch(name):
    de, pe, ve = _build(name, ember)
    dt, pt, vt = _build(name, torch)
    assert tuple(de.batch_shape) == tuple(dt.batch_shape)
    assert tuple(de.event_shape) == tuple(dt.event_shape)
    assert de.has_rsample == dt.has_rsample
    compared = 0
    for method in METHODS:
        try:
            rt = _eval(dt, method, vt)
        except NotImplementedError:
            with pytest.raises(NotImplementedError):
                _eval(de, method, ve)
            continue
        re_ = _eval(de, method, ve)
        compared += 1
        assert str(re_.dtype) == str(rt.dtype), method
        np.testing.assert_allclose(to_numpy(re_), to_numpy(rt), rtol=1e-9, atol=1e-12,
                                   equal_nan=True, err_msg=f"{name}.{method}")
        if not (rt.requires_grad and rt.dtype.is_floating_point and torch.isfinite(rt).all()):
            continue
        try:
            gt = torch.autograd.grad(rt.sum(), pt, allow_unused=True)
        except (NotImplementedError, RuntimeError):
            continue  # PyTorch has no derivative here (Gamma.cdf in concentration)
        ge = ember.autograd.grad(re_.sum(), pe, allow_unused=True)
        for i, (a, b) in enumerate(zip(ge, gt)):
            if b is None:
                assert a is None or np.allclose(to_numpy(a), 0)
                continue
            np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=1e-8, atol=1e-11,
                                       err_msg=f"{name}.{method} grad {i}")
    assert compared >= 2
    assert repr(de) == repr(dt)


ICDF = ["Normal", "Uniform", "Exponential", "Laplace", "Cauchy", "LogNormal", "TanhAffine",
        "Sigmoid", "ExpAffine"]


@requires_torch
@pytest.mark.parametrize("name", ICDF)
def test_icdf_matches_torch(name):
    de, pe, _ = _build(name, ember)
    dt, pt, _ = _build(name, torch)
    u = RNG.random((2,) + tuple(dt.batch_shape)) * 0.9 + 0.05
    re_, rt = de.icdf(ember.tensor(u)), dt.icdf(torch.tensor(u))
    np.testing.assert_allclose(to_numpy(re_), to_numpy(rt), rtol=1e-10)
    gt = torch.autograd.grad(rt.sum(), pt)
    ge = ember.autograd.grad(re_.sum(), pe)
    for a, b in zip(ge, gt):
        np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=1e-9, atol=1e-12)
    # cdf(icdf(u)) == u
    np.testing.assert_allclose(to_numpy(de.cdf(re_)), u, rtol=1e-9)


GRADCHECK = ["Normal", "Gamma", "Beta", "Dirichlet", "CategoricalL", "BernoulliL", "MVNtril",
             "StudentT", "Binomial", "Laplace"]


@pytest.mark.parametrize("name", GRADCHECK)
def test_log_prob_and_entropy_gradcheck(name):
    """Finite differences agree with the parameter gradients (runs without PyTorch)."""
    mk, params, value = SPECS[name]
    v = ember.tensor(value)
    if name.startswith("Categorical"):
        v = v.long()
    ps = tuple(ember.tensor(p, requires_grad=True) for p in params)
    ns = _lib(ember)
    assert ember.autograd.gradcheck(lambda *q: mk(ns, *q).log_prob(v), ps, atol=1e-6,
                                    rtol=1e-4)
    if name != "Binomial":
        assert ember.autograd.gradcheck(lambda *q: mk(ns, *q).entropy(), ps, atol=1e-6,
                                        rtol=1e-4)


KL_PAIRS = [
    ("Normal", "Normal"), ("CategoricalL", "CategoricalP"), ("BernoulliP", "BernoulliL"),
    ("MVNcov", "MVNtril"), ("MVNprec", "MVNcov"), ("Uniform", "Uniform"), ("Beta", "Beta"),
    ("Gamma", "Gamma"), ("Independent", "Independent"), ("Dirichlet", "Dirichlet"),
    ("Exponential", "Exponential"), ("Laplace", "Laplace"), ("Poisson", "Poisson"),
    ("Geometric", "Geometric"), ("Cauchy", "Cauchy"), ("OneHotCategorical", "OneHotCategorical"),
    ("Binomial", "Binomial"), ("LogNormal", "LogNormal"), ("Exponential", "Gamma"),
    ("Gamma", "Exponential"), ("Normal", "Laplace"), ("Laplace", "Normal"),
    ("Exponential", "Normal"),
]


def _other(name, L, shift):
    """The same family with perturbed parameters (the q of a KL pair)."""
    mk, params, _ = SPECS[name]
    rng = np.random.default_rng(shift)
    new = []
    for p in params:
        q = p * (1 + 0.3 * rng.random(p.shape))
        new.append(q)
    if name == "Uniform":
        new = [params[0] - 0.5, params[1] + 0.7]
    ps = [L.tensor(p, requires_grad=True) for p in new]
    return mk(_lib(L), *ps), ps


@requires_torch
@pytest.mark.parametrize("pn,qn", KL_PAIRS)
def test_kl_matches_torch(pn, qn):
    results = {}
    for L in (ember, torch):
        p, pp, _ = _build(pn, L)
        q, qp = _other(qn, L, 3)
        kl = L.distributions.kl_divergence(p, q)
        grads = L.autograd.grad(kl.sum(), pp + qp, allow_unused=True)
        results[L.__name__] = (kl, grads)
    (ke, ge), (kt, gt) = results["ember"], results["torch"]
    assert tuple(ke.shape) == tuple(kt.shape)
    np.testing.assert_allclose(to_numpy(ke), to_numpy(kt), rtol=1e-9, atol=1e-12)
    for a, b in zip(ge, gt):
        if b is None:
            assert a is None or np.allclose(to_numpy(a), 0)
            continue
        np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=1e-8, atol=1e-11)


def test_kl_normal_normal_value_and_missing_pair():
    p, q = D.Normal(0.0, 1.0), D.Normal(1.0, 2.0)
    expected = math.log(2.0) + (1 + 1) / (2 * 4) - 0.5
    assert abs(D.kl_divergence(p, q).item() - expected) < 1e-6
    with pytest.raises(NotImplementedError, match="No KL"):
        D.kl_divergence(D.Poisson(1.0), D.Normal(0.0, 1.0))


def test_register_kl_most_specific_wins():
    class MyNormal(D.Normal):
        pass

    @D.register_kl(MyNormal, D.Normal)
    def _kl(p, q):
        return ember.tensor(42.0)

    assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 42.0
    assert D.kl_divergence(D.Normal(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 0.0
    with pytest.raises(TypeError):
        D.register_kl(int, D.Normal)


# ----------------------------------------------------------------------------------- samples
STATS = {
    "Normal": lambda: D.Normal(ember.tensor([0.5, -1.0]), ember.tensor([1.0, 2.0])),
    "Uniform": lambda: D.Uniform(ember.tensor([-1.0, 2.0]), ember.tensor([1.0, 5.0])),
    "Exponential": lambda: D.Exponential(ember.tensor([0.5, 2.0])),
    "Laplace": lambda: D.Laplace(ember.tensor([0.5, -1.0]), ember.tensor([1.0, 0.5])),
    "LogNormal": lambda: D.LogNormal(ember.tensor([0.0, 0.3]), ember.tensor([0.3, 0.5])),
    "Gamma": lambda: D.Gamma(ember.tensor([0.5, 3.0]), ember.tensor([1.0, 2.0])),
    "Chi2": lambda: D.Chi2(ember.tensor([1.0, 4.0])),
    "Beta": lambda: D.Beta(ember.tensor([0.5, 2.0]), ember.tensor([2.0, 3.0])),
    "StudentT": lambda: D.StudentT(ember.tensor([5.0, 8.0]), ember.tensor([0.0, 1.0])),
    "Dirichlet": lambda: D.Dirichlet(ember.tensor([0.5, 1.0, 2.0])),
    "Bernoulli": lambda: D.Bernoulli(probs=ember.tensor([0.2, 0.7])),
    "Categorical": lambda: D.Categorical(probs=ember.tensor([[0.2, 0.3, 0.5], [0.6, 0.2, 0.2]])),
    "OneHotCategorical": lambda: D.OneHotCategorical(probs=ember.tensor([0.2, 0.3, 0.5])),
    "Multinomial": lambda: D.Multinomial(6, probs=ember.tensor([0.2, 0.3, 0.5])),
    "Binomial": lambda: D.Binomial(ember.tensor([5.0, 20.0]), probs=ember.tensor([0.3, 0.6])),
    "Poisson": lambda: D.Poisson(ember.tensor([0.5, 4.0])),
    "Geometric": lambda: D.Geometric(probs=ember.tensor([0.3, 0.8])),
    "MVN": lambda: D.MultivariateNormal(
        ember.tensor([1.0, -1.0]), covariance_matrix=ember.tensor([[2.0, 0.5], [0.5, 1.0]])),
    "Tanh": lambda: D.TransformedDistribution(D.Normal(0.0, 1.0), D.TanhTransform()),
}
N = 20000


@pytest.mark.parametrize("name", sorted(STATS))
def test_sample_moments(name):
    ember.manual_seed(0)
    d = STATS[name]()
    x = d.sample((N,))
    assert tuple(x.shape) == (N,) + tuple(d.batch_shape) + tuple(d.event_shape)
    xs = to_numpy(x).astype(np.float64)
    if name == "Categorical":
        probs = to_numpy(d.probs)
        freq = np.stack([(xs == k).mean(0) for k in range(3)], -1)
        np.testing.assert_allclose(freq, probs, atol=0.015)
        return
    if name == "Tanh":
        mean, var = 0.0, 0.3942944903978  # E[tanh(Z)^2] for Z ~ N(0, 1)
    else:
        mean, var = to_numpy(d.mean), to_numpy(d.variance)
    sd = np.sqrt(var)
    np.testing.assert_allclose(xs.mean(0), mean, atol=float(5 * sd.max() / math.sqrt(N)))
    np.testing.assert_allclose(xs.var(0), var, rtol=0.1, atol=1e-3)
    # every sample lies in the support
    assert bool(d.support.check(x).all())


@requires_torch
@pytest.mark.parametrize("name", sorted(SPECS))
def test_sample_shape_and_dtype_match_torch(name):
    de, _, _ = _build(name, ember)
    dt, _, _ = _build(name, torch)
    for shape in ((), (5,), (2, 3)):
        se, st = de.sample(shape), dt.sample(shape)
        assert tuple(se.shape) == tuple(st.shape)
        assert str(se.dtype) == str(st.dtype)
        assert not se.requires_grad
        if de.has_rsample:
            re_, rt = de.rsample(shape), dt.rsample(shape)
            assert tuple(re_.shape) == tuple(rt.shape) and str(re_.dtype) == str(rt.dtype)
            assert re_.requires_grad


def test_manual_seed_reproducible():
    d = D.Normal(ember.zeros(3), ember.ones(3))
    ember.manual_seed(5)
    a = d.sample((4,))
    ember.manual_seed(5)
    b = d.sample((4,))
    assert np.array_equal(to_numpy(a), to_numpy(b))
    ember.manual_seed(5)
    c = D.Categorical(logits=ember.zeros(4)).sample((10,))
    ember.manual_seed(5)
    assert np.array_equal(to_numpy(c), to_numpy(D.Categorical(logits=ember.zeros(4))
                                                 .sample((10,))))
    assert c.dtype == ember.int64


def test_rsample_reparameterisation_gradient():
    loc = ember.tensor([0.5, -1.0], dtype=ember.float64, requires_grad=True)
    scale = ember.tensor([1.5, 0.5], dtype=ember.float64, requires_grad=True)
    ember.manual_seed(3)
    x = D.Normal(loc, scale).rsample((7,))
    eps = (x.detach() - loc.detach()) / scale.detach()
    x.sum().backward()
    np.testing.assert_allclose(to_numpy(loc.grad), [7.0, 7.0])
    np.testing.assert_allclose(to_numpy(scale.grad), to_numpy(eps.sum(0)), rtol=1e-12)
    # MVN: x = loc + L eps, so d(sum x)/dL[i, j] = sum eps[:, j]
    L_ = ember.tensor([[1.0, 0.0], [0.3, 0.8]], dtype=ember.float64, requires_grad=True)
    m = ember.zeros(2, dtype=ember.float64)
    ember.manual_seed(4)
    x = D.MultivariateNormal(m, scale_tril=L_).rsample((5,))
    eps = ember.linalg.solve(L_.detach(), x.detach().T).T
    x.sum().backward()
    np.testing.assert_allclose(to_numpy(L_.grad), np.tile(to_numpy(eps.sum(0)), (2, 1)),
                               rtol=1e-10)


def test_gamma_family_rsample_gradients_in_expectation():
    """d E[x] / d theta estimated from pathwise gradients of many samples."""
    ember.manual_seed(1)
    a = ember.tensor([0.7, 3.0], dtype=ember.float64, requires_grad=True)
    b = ember.tensor([2.0, 0.5], dtype=ember.float64, requires_grad=True)
    D.Gamma(a, b).rsample((4000,)).mean(0).sum().backward()
    np.testing.assert_allclose(to_numpy(a.grad), [0.5, 2.0], rtol=0.05)  # 1 / rate
    np.testing.assert_allclose(to_numpy(b.grad), [-0.175, -12.0], rtol=0.05)  # -a / b**2
    c1 = ember.tensor(2.0, dtype=ember.float64, requires_grad=True)
    c0 = ember.tensor(3.0, dtype=ember.float64, requires_grad=True)
    D.Beta(c1, c0).rsample((4000,)).mean().backward()
    # mean c1 / (c1 + c0): derivatives c0 / s**2 and -c1 / s**2
    assert abs(c1.grad.item() - 0.12) < 0.012 and abs(c0.grad.item() + 0.08) < 0.008


def test_expand_and_enumerate_support():
    d = D.Normal(ember.tensor([0.0, 1.0]), ember.tensor([1.0, 2.0])).expand((3, 2))
    assert tuple(d.batch_shape) == (3, 2) and tuple(d.sample().shape) == (3, 2)
    c = D.Categorical(logits=ember.zeros(4)).expand((2,))
    assert tuple(c.sample((5,)).shape) == (5, 2)
    assert tuple(c.enumerate_support().shape) == (4, 2)
    assert to_numpy(D.Bernoulli(0.3).enumerate_support()).tolist() == [0.0, 1.0]
    b = D.Binomial(3, probs=ember.tensor([0.2, 0.5]))
    assert to_numpy(b.enumerate_support(expand=False)).ravel().tolist() == [0, 1, 2, 3]
    i = D.Independent(D.Normal(ember.zeros(2, 3), ember.ones(2, 3)), 1).expand((4, 2))
    assert tuple(i.batch_shape) == (4, 2) and tuple(i.event_shape) == (3,)
    m = D.MultivariateNormal(ember.zeros(2), scale_tril=ember.eye(2)).expand((3,))
    assert tuple(m.log_prob(ember.zeros(3, 2)).shape) == (3,)
    for dist in (D.Gamma(1.0, 2.0), D.Beta(1.0, 2.0), D.LogNormal(0.0, 1.0),
                 D.OneHotCategorical(logits=ember.zeros(3)), D.StudentT(3.0)):
        e = dist.expand((2,))
        assert tuple(e.batch_shape) == (2,)
        assert tuple(e.log_prob(e.sample()).shape) == (2,)


@requires_torch
def test_logits_probs_utils():
    from ember.distributions.utils import logits_to_probs, probs_to_logits

    x = RNG.standard_normal((2, 3))
    p = RNG.random((2, 3))
    for binary in (False, True):
        np.testing.assert_allclose(
            to_numpy(logits_to_probs(ember.tensor(x), is_binary=binary)),
            to_numpy(torch.distributions.utils.logits_to_probs(torch.tensor(x),
                                                               is_binary=binary)))
        np.testing.assert_allclose(
            to_numpy(probs_to_logits(ember.tensor(p), is_binary=binary)),
            to_numpy(torch.distributions.utils.probs_to_logits(torch.tensor(p),
                                                               is_binary=binary)))


# -------------------------------------------------------------------------------- validation
BAD_ARGS = [
    (lambda L: L.distributions.Normal(L.tensor([0.0]), L.tensor([-1.0])),
     "Expected parameter scale"),
    (lambda L: L.distributions.Normal(L.tensor([0.0]), L.tensor([-1.0])),
     "to satisfy the constraint GreaterThan(lower_bound=0.0)"),
    (lambda L: L.distributions.Bernoulli(probs=L.tensor([1.5])), "Expected parameter probs"),
    (lambda L: L.distributions.Categorical(probs=L.tensor([[0.5, -0.5]])),
     "Expected parameter probs"),
    (lambda L: L.distributions.Gamma(L.tensor([0.0]), L.tensor([1.0])),
     "Expected parameter concentration"),
    (lambda L: L.distributions.Uniform(L.tensor([1.0]), L.tensor([0.0])),
     "Expected parameter low"),
    (lambda L: L.distributions.Dirichlet(L.tensor([1.0, -1.0])),
     "IndependentConstraint(GreaterThan(lower_bound=0.0), 1)"),
    (lambda L: L.distributions.MultivariateNormal(
        L.zeros(2), covariance_matrix=L.tensor([[1.0, 2.0], [2.0, 1.0]])),
     "PositiveDefinite()"),
    (lambda L: L.distributions.MultivariateNormal(
        L.zeros(2), scale_tril=L.tensor([[1.0, 0.0], [2.0, -1.0]])), "LowerCholesky()"),
    (lambda L: L.distributions.Geometric(probs=L.tensor([0.0])), "to be positive"),
    (lambda L: L.distributions.Poisson(L.tensor([-1.0])), "Expected parameter rate"),
    (lambda L: L.distributions.Bernoulli(), "Either `probs` or `logits` must be specified"),
    (lambda L: L.distributions.Categorical(probs=L.tensor(0.5)),
     "`probs` parameter must be at least one-dimensional."),
    (lambda L: L.distributions.MultivariateNormal(L.zeros(2)), "Exactly one of"),
    (lambda L: L.distributions.Independent(L.distributions.Normal(0.0, 1.0), 1),
     "Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape)"),
]


@pytest.mark.parametrize("fn,phrase", BAD_ARGS)
def test_invalid_parameters_raise_value_error(fn, phrase):
    check_error(fn, fn, ValueError, phrase)


BAD_VALUES = [
    (lambda L: L.distributions.Normal(0.0, 1.0).log_prob(L.tensor(math.nan)),
     "to be within the support (Real())"),
    (lambda L: L.distributions.Exponential(1.0).log_prob(L.tensor(-1.0)),
     "Expected value argument"),
    (lambda L: L.distributions.Bernoulli(0.5).log_prob(L.tensor(0.5)), "Boolean()"),
    (lambda L: L.distributions.Categorical(logits=L.zeros(3)).log_prob(L.tensor(3)),
     "IntegerInterval(lower_bound=0, upper_bound=2)"),
    (lambda L: L.distributions.Beta(2.0, 2.0).log_prob(L.tensor(1.5)),
     "Interval(lower_bound=0.0, upper_bound=1.0)"),
    (lambda L: L.distributions.Dirichlet(L.ones(3)).log_prob(L.tensor([0.5, 0.2, 0.1])),
     "Simplex()"),
    (lambda L: L.distributions.Poisson(1.0).log_prob(L.tensor(1.5)), "IntegerGreaterThan"),
    (lambda L: L.distributions.Normal(L.zeros(3), L.ones(3)).log_prob(L.zeros(2)),
     "Value is not broadcastable with batch_shape+event_shape"),
    (lambda L: L.distributions.MultivariateNormal(L.zeros(3), L.eye(3)).log_prob(L.zeros(2)),
     "The right-most size of value must match event_shape"),
    (lambda L: L.distributions.Normal(0.0, 1.0).log_prob(0.5),
     "The value argument to log_prob must be a Tensor"),
]


@pytest.mark.parametrize("fn,phrase", BAD_VALUES)
def test_value_outside_support_raises(fn, phrase):
    check_error(fn, fn, ValueError, phrase)


def test_validation_can_be_turned_off():
    d = D.Normal(ember.tensor([0.0]), ember.tensor([-1.0]), validate_args=False)
    assert np.isnan(to_numpy(d.log_prob(ember.tensor([0.0])))).all()
    D.Distribution.set_default_validate_args(False)
    try:
        D.Exponential(-1.0)
        assert D.Exponential(1.0).log_prob(ember.tensor(-1.0)).item() == 1.0
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Exponential(-1.0)
    with pytest.raises(ValueError):
        D.Distribution.set_default_validate_args("yes")


def test_constraints_module():
    c = D.constraints
    x = ember.tensor([-1.0, 0.0, 0.5, 1.0])
    assert to_numpy(c.positive.check(x)).tolist() == [False, False, True, True]
    assert to_numpy(c.unit_interval.check(x)).tolist() == [False, True, True, True]
    assert to_numpy(c.boolean.check(x)).tolist() == [False, True, False, True]
    assert repr(c.interval(0.0, 2.0)) == "Interval(lower_bound=0.0, upper_bound=2.0)"
    assert repr(c.real_vector) == "IndependentConstraint(Real(), 1)"
    assert c.simplex.event_dim == 1 and c.lower_cholesky.event_dim == 2
    assert bool(c.positive_definite.check(ember.eye(2)))
    assert not bool(c.positive_definite.check(-ember.eye(2)))
    assert c.is_dependent(c.dependent) and not c.is_dependent(c.real)


def test_reinforce_style_program():
    """A policy-gradient step as ordinary PyTorch programs write it."""
    ember.manual_seed(0)
    logits = ember.zeros(4, requires_grad=True)
    dist = D.Categorical(logits=logits)
    actions = dist.sample((64,))
    loss = -(dist.log_prob(actions) * (actions == 2).float()).mean() - 0.01 * dist.entropy()
    loss.backward()
    g = to_numpy(logits.grad)
    assert g[2] < 0 and all(g[k] > 0 for k in (0, 1, 3))  # pushes probability toward action 2
