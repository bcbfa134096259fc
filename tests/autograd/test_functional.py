"""autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp against PyTorch and finite
differences; nesting of tuple inputs/outputs, create_graph, strict errors, untouched inputs."""

import numpy as np
import pytest
from oracle import assert_close, both, requires_torch, torch

import ember
from ember.autograd import functional as AF

RNG = np.random.default_rng(0)
X = RNG.standard_normal(3)
A = RNG.standard_normal(2)
B = RNG.standard_normal(3)


def f_vec(L, x):
    return L.stack([x[0] * x[1], L.sin(x[2]), x[0] + x[2] ** 2, (x ** 3).sum()])


def f_scalar(L, x):
    return (x ** 3).sum() + x[0] * x[1] * x[2] + L.exp(x[1])


def f_two(L, a, b):
    return a * b.sum() + a ** 2


def f_two_out(L, a, b):
    return (a * 2).sum() * b, a.tanh()


def _fd_jacobian(f, x, eps=1e-6):
    """Central differences of a NumPy-to-NumPy function."""
    y0 = f(x)
    J = np.zeros(y0.shape + x.shape)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        J[(...,) + i] = (f(x + d) - f(x - d)) / (2 * eps)
    return J


def test_jacobian_matches_finite_differences():
    J = AF.jacobian(lambda x: f_vec(ember, x), ember.tensor(X))
    fd = _fd_jacobian(lambda v: f_vec(ember, ember.tensor(v)).numpy(), X)
    assert J.shape == (4, 3)
    assert_close(J.numpy(), fd, rtol=1e-6, atol=1e-6)


def test_hessian_matches_finite_differences_of_gradient():
    H = AF.hessian(lambda x: f_scalar(ember, x), ember.tensor(X))

    def g(v):
        x = ember.tensor(v, requires_grad=True)
        return ember.autograd.grad(f_scalar(ember, x), x)[0].numpy()

    assert_close(H.numpy(), _fd_jacobian(g, X), rtol=1e-6, atol=1e-6)
    assert_close(H.numpy(), H.numpy().T, atol=1e-12)


@requires_torch
@pytest.mark.parametrize("name,fn,arrays", [
    ("vec", lambda L, x: L.autograd.functional.jacobian(lambda v: f_vec(L, v), x), (X,)),
    ("two_in", lambda L, a, b: L.autograd.functional.jacobian(
        lambda p, q: f_two(L, p, q), (a, b)), (A, B)),
    ("two_out", lambda L, a, b: L.autograd.functional.jacobian(
        lambda p, q: f_two_out(L, p, q), (a, b)), (A, B)),
    ("one_in_two_out", lambda L, a: L.autograd.functional.jacobian(
        lambda p: (p * 2, p.sum()), a), (A,)),
    ("matrix", lambda L, m: L.autograd.functional.jacobian(lambda v: v @ v, m),
     (RNG.standard_normal((2, 2)),)),
    ("hessian", lambda L, x: L.autograd.functional.hessian(lambda v: f_scalar(L, v), x), (X,)),
    ("hessian_two", lambda L, a, b: L.autograd.functional.hessian(
        lambda p, q: (p.sum() * q ** 2).sum() + (p ** 3).sum(), (a, b)), (A, B)),
    ("vjp", lambda L, x: L.autograd.functional.vjp(
        lambda v: f_vec(L, v), x, L.tensor([1.0, -1.0, 0.5, 2.0], dtype=L.float64)), (X,)),
    ("vjp_scalar", lambda L, x: L.autograd.functional.vjp(lambda v: f_scalar(L, v), x), (X,)),
    ("jvp", lambda L, x: L.autograd.functional.jvp(
        lambda v: f_vec(L, v), x, L.tensor([1.0, 0.5, -2.0], dtype=L.float64)), (X,)),
    ("jvp_two", lambda L, a, b: L.autograd.functional.jvp(
        lambda p, q: f_two_out(L, p, q), (a, b), (L.ones_like(a), L.ones_like(b))), (A, B)),
    ("hvp", lambda L, x: L.autograd.functional.hvp(
        lambda v: f_scalar(L, v), x, L.tensor([1.0, 0.5, -2.0], dtype=L.float64)), (X,)),
    ("vhp", lambda L, x: L.autograd.functional.vhp(
        lambda v: f_scalar(L, v), x, L.tensor([1.0, 0.5, -2.0], dtype=L.float64)), (X,)),
    ("vhp_two", lambda L, a, b: L.autograd.functional.vhp(
        lambda p, q: (p.sum() * q ** 2).sum(), (a, b), (L.ones_like(a), L.ones_like(b))),
     (A, B)),
    ("unused_input", lambda L, a, b: L.autograd.functional.jacobian(
        lambda p, q: p * 2, (a, b)), (A, B)),
])
def test_matches_torch(name, fn, arrays):
    both(fn, *arrays, rtol=1e-7)


def test_hessian_of_mlp_loss_wrt_flat_params_matches_torch():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 3))
    y = rng.standard_normal((5, 1))
    shapes = [(4, 3), (4,), (1, 4), (1,)]
    sizes = [int(np.prod(s)) for s in shapes]
    theta = rng.standard_normal(sum(sizes)) * 0.5

    def loss(L, flat, xs, ys):
        parts, off = [], 0
        for s, n in zip(shapes, sizes):
            parts.append(flat[off:off + n].reshape(s))
            off += n
        w1, b1, w2, b2 = parts
        h = L.tanh(xs @ w1.T + b1)
        return ((h @ w2.T + b2 - ys) ** 2).mean()

    def run(L):
        xs, ys = L.tensor(x), L.tensor(y)
        return L.autograd.functional.hessian(lambda p: loss(L, p, xs, ys), L.tensor(theta))

    H = run(ember)
    assert H.shape == (sum(sizes), sum(sizes))
    assert_close(H.numpy(), H.numpy().T, atol=1e-10)

    def g(v):
        p = ember.tensor(v, requires_grad=True)
        return ember.autograd.grad(loss(ember, p, ember.tensor(x), ember.tensor(y)), p)[0].numpy()

    assert_close(H.numpy(), _fd_jacobian(g, theta), rtol=1e-5, atol=1e-6)
    if torch is not None:
        assert_close(H.numpy(), run(torch).numpy(), rtol=1e-8, atol=1e-10)


def test_inputs_untouched_and_results_detached():
    x = ember.tensor(X)
    for fn in (lambda: AF.jacobian(lambda v: f_vec(ember, v), x),
               lambda: AF.hessian(lambda v: f_scalar(ember, v), x),
               lambda: AF.hvp(lambda v: f_scalar(ember, v), x, ember.ones(3, dtype=ember.float64)),
               lambda: AF.jvp(lambda v: f_vec(ember, v), x, ember.ones(3, dtype=ember.float64))):
        res = fn()
        assert x.requires_grad is False and x.grad is None
        for r in (res if isinstance(res, tuple) else (res,)):
            assert not r.requires_grad


def test_create_graph_keeps_result_differentiable():
    x = ember.tensor(X, requires_grad=True)
    J = AF.jacobian(lambda v: (v ** 3).sum(), x, create_graph=True)
    assert J.requires_grad
    (g,) = ember.autograd.grad(J.sum(), x)
    assert_close(g.numpy(), 6 * X)
    _, hv = AF.hvp(lambda v: (v ** 4).sum(), x, ember.ones(3, dtype=ember.float64),
                   create_graph=True)
    (g2,) = ember.autograd.grad(hv.sum(), x)
    assert_close(g2.numpy(), 24 * X)


def test_strict_errors_and_bad_inputs():
    a, b = ember.tensor(A), ember.tensor(B)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function is "
                                           "independent of input 1"):
        AF.jacobian(lambda p, q: p * 2, (a, b), strict=True)
    with pytest.raises(RuntimeError, match="does not require gradients"):
        AF.jacobian(lambda p: ember.ones(2), a, strict=True)
    with pytest.raises(RuntimeError, match="independent of input 0"):
        AF.vjp(lambda p, q: (q * 2).sum(), (a, b), strict=True)
    with pytest.raises(TypeError, match="The inputs given to jacobian must be either a Tensor or "
                                        "a tuple of Tensors but the given inputs has type"):
        AF.jacobian(lambda p: p, [1.0, 2.0])
    with pytest.raises(TypeError, match="outputs of the user-provided function given to "
                                        "jacobian must be either a Tensor"):
        AF.jacobian(lambda p: 3, a)
    with pytest.raises(RuntimeError, match="v has invalid size: should be torch.Size"):
        AF.vjp(lambda p: p * 2, a, ember.ones(3))
    with pytest.raises(RuntimeError, match="The vector v can only be None"):
        AF.vjp(lambda p: p * 2, a)
    with pytest.raises(RuntimeError, match="should return a single Tensor"):
        AF.hessian(lambda p: (p.sum(), p.sum()), a)
    with pytest.raises(RuntimeError, match="should contain a single element"):
        AF.hvp(lambda p: p * 2, a, ember.ones(2, dtype=ember.float64))


def test_forward_mode_jacobian_equals_reverse():
    x = ember.tensor(X)
    Jr = AF.jacobian(lambda v: f_vec(ember, v), x)
    Jf = AF.jacobian(lambda v: f_vec(ember, v), x, vectorize=True, strategy="forward-mode")
    assert_close(Jf.numpy(), Jr.numpy(), atol=1e-12)
    with pytest.raises(NotImplementedError):
        AF.jacobian(lambda v: v, x, strategy="forward-mode")
