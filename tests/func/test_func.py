"""ember.func: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, functional_call,
stack_module_state; against torch.func and numerically; errors; custom Functions."""

import numpy as np
import pytest
from oracle import assert_close, assert_tree_close, both, custom_function, torch, tree_numpy

import ember
import ember.func as F

RNG = np.random.default_rng(0)
X = RNG.standard_normal(4)
Y = RNG.standard_normal(4)
M = RNG.standard_normal((3, 4))


def fd_grad(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


def scalar_f(L, x, y):
    return (L.sin(x) * y).sum() + (x ** 2 * y ** 3).sum()


# ---------------------------------------------------------------------------------- grad
def test_grad_matches_finite_differences_and_torch():
    g = both(lambda L, x, y: L.func.grad(lambda a, b: scalar_f(L, a, b))(x, y), X, Y)
    fd = fd_grad(lambda v: scalar_f(ember, ember.tensor(v), ember.tensor(Y)).item(), X)
    assert_close(g, fd, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1, 0), -1])
def test_grad_argnums(argnums):
    both(lambda L, x, y: L.func.grad(lambda a, b: scalar_f(L, a, b), argnums=argnums)(x, y), X, Y)


def test_grad_and_value_has_aux_and_pytree_inputs():
    def run(L, x, y):
        def f(params, b):
            out = (params["w"] * b).sum() + (params["c"][0] ** 2).sum()
            return out, {"aux": out * 2, "b": b}

        g, (v, aux) = L.func.grad_and_value(f, has_aux=True)({"w": x, "c": (y,)}, y)
        return g["w"], g["c"][0], v, aux["aux"], aux["b"]

    res = both(run, X, Y)
    assert_close(res[0], Y)
    assert_close(res[1], 2 * Y)


def test_grad_of_grad_and_inputs_untouched():
    x = ember.tensor(X)
    gg = F.grad(lambda v: F.grad(lambda u: (u ** 4).sum())(v).sum())(x)
    assert_close(gg.numpy(), 12 * X ** 2)
    assert x.requires_grad is False and x.grad is None
    if torch is not None:
        tgg = torch.func.grad(lambda v: torch.func.grad(lambda u: (u ** 4).sum())(v).sum())(
            torch.tensor(X))
        assert_close(gg.numpy(), tgg.numpy())


def test_grad_result_differentiable_when_input_requires_grad():
    x = ember.tensor(X, requires_grad=True)
    g = F.grad(lambda v: (v ** 3).sum())(x)
    assert g.requires_grad
    g.sum().backward()
    assert_close(x.grad.numpy(), 6 * X)


def test_grad_errors():
    x = ember.tensor(X)
    with pytest.raises(RuntimeError, match=r"Expected f\(\*args\) to return a scalar Tensor, got "
                                           "tensor with 1 dims"):
        F.grad(lambda v: v)(x)
    with pytest.raises(RuntimeError, match=r"Expected f\(\*args\) to return a Tensor, got "
                                           "<class 'int'>"):
        F.grad(lambda v: 3)(x)
    with pytest.raises(RuntimeError, match="output of function f should be a tuple: "
                                           r"\(output, aux\) if has_aux is True"):
        F.grad(lambda v: v.sum(), has_aux=True)(x)
    with pytest.raises(RuntimeError, match="Got argnum=2, but only 1 positional inputs"):
        F.grad(lambda v: v.sum(), argnums=2)(x)
    with pytest.raises(RuntimeError, match="argnums must be non-empty"):
        F.grad(lambda v: v.sum(), argnums=())(x)
    with pytest.raises(RuntimeError, match="argnums elements must be unique"):
        F.grad(lambda v, w: v.sum(), argnums=(0, 0))(x, x)


def test_grad_of_unused_input_is_zero():
    g = F.grad(lambda a, b: (a * 2).sum(), argnums=1)(ember.tensor(X), ember.tensor(Y))
    assert_close(g.numpy(), np.zeros(4))


# ----------------------------------------------------------------------------------- vjp/jvp
def test_vjp_and_jvp_match_torch():
    def run(L, x, m):
        f = lambda a, b: (b @ a.sin(), (a * a).sum())
        out, vjp_fn = L.func.vjp(f, x, m)
        cts = (L.ones(3, dtype=L.float64), L.tensor(2.0, dtype=L.float64))
        gx, gm = vjp_fn(cts)
        p, t = L.func.jvp(f, (x, m), (L.ones_like(x), L.ones_like(m)))
        return out, gx, gm, p, t

    both(run, X, M)


def test_jvp_errors():
    x = ember.tensor(X)
    with pytest.raises(RuntimeError, match="Expected primals to be a tuple"):
        F.jvp(lambda v: v, x, x)
    with pytest.raises(RuntimeError, match="Expected primals and tangents to have the same "
                                           "python structure"):
        F.jvp(lambda v: v, (x,), (x, x))
    with pytest.raises(RuntimeError, match="The output of f is independent of the inputs"):
        F.jvp(lambda v: ember.ones(2), (x,), (x,), strict=True)


# ------------------------------------------------------------------------------- jacobians
def test_jacrev_jacfwd_hessian_match_torch_and_each_other():
    def run(L, x, m):
        f = lambda a, b: L.tanh(b @ a) * a[:3]
        jr = L.func.jacrev(f, argnums=(0, 1))(x, m)
        jf = L.func.jacfwd(f, argnums=(0, 1))(x, m)
        h = L.func.hessian(lambda a: (L.sin(a) * a).sum() * a[0])(x)
        return jr, jf, h

    jr, jf, h = both(run, X, M)
    assert_tree_close(jr, jf, atol=1e-12)
    assert jr[0].shape == (3, 4) and jr[1].shape == (3, 3, 4)
    assert_close(h, h.T, atol=1e-12)


def test_jacrev_output_pytree_and_has_aux():
    def run(L, x):
        def f(a):
            return {"s": a.sum(), "v": a * 2}, a.mean()

        j, aux = L.func.jacrev(f, has_aux=True)(x)
        return j["s"], j["v"], aux

    s, v, _ = both(run, X)
    assert_close(s, np.ones(4))
    assert_close(v, 2 * np.eye(4))


def test_hessian_of_mlp_loss_matches_torch():
    rng = np.random.default_rng(3)
    w1, w2 = rng.standard_normal((5, 3)), rng.standard_normal((1, 5))
    x, y = rng.standard_normal((6, 3)), rng.standard_normal((6, 1))

    def run(L, w1, w2, x, y):
        def loss(a, b):
            return ((L.tanh(x @ a.T) @ b.T - y) ** 2).mean()

        return L.func.hessian(loss, argnums=(0, 1))(w1, w2)

    h = both(run, w1, w2, x, y)
    assert h[0][0].shape == (5, 3, 5, 3) and h[0][1].shape == (5, 3, 1, 5)


# ----------------------------------------------------------------------- custom Functions
def make_cube(L):
    """y = x**3, backward and jvp written in differentiable ops (so higher derivatives work)."""
    return custom_function("Cube", lambda x: x ** 3, lambda x, g: g * 3 * x ** 2, L,
                           saves="inputs", setup_context=True,
                           jvp=lambda ctx, t: t * 3 * ctx.saved_tensors[0] ** 2)


def test_third_derivative_through_custom_function():
    def run(L, x):
        cube = make_cube(L)
        f = lambda v: cube.apply(v).sum()
        g3 = L.func.grad(lambda a: L.func.grad(lambda b: L.func.grad(f)(b).sum())(a).sum())(x)
        xr = x.detach().requires_grad_(True)
        (g1,) = L.autograd.grad(f(xr), xr, create_graph=True)
        (g2,) = L.autograd.grad(g1.sum(), xr, create_graph=True)
        (g3b,) = L.autograd.grad(g2.sum(), xr)
        return g3, g3b

    g3, g3b = both(run, X)
    assert_close(g3, np.full(4, 6.0))
    assert_close(g3b, np.full(4, 6.0))


def test_custom_function_without_setup_context_errors_under_transforms():
    Old = custom_function("Old", lambda x: x * 2, lambda g: g * 2)  # old style: forward(ctx, x)

    with pytest.raises(RuntimeError, match="it must override the setup_context staticmethod"):
        F.grad(lambda v: Old.apply(v).sum())(ember.tensor(X))
    # outside transforms it is fine
    x = ember.tensor(X, requires_grad=True)
    Old.apply(x).sum().backward()
    assert_close(x.grad.numpy(), np.full(4, 2.0))


# ------------------------------------------------------------------------ functional_call
def _mlp(L):
    L.manual_seed(0)
    return L.nn.Sequential(L.nn.Linear(3, 4), L.nn.Tanh(), L.nn.Linear(4, 2))


def test_functional_call_swaps_and_restores():
    model = _mlp(ember)
    orig = {k: v.detach().clone() for k, v in model.named_parameters()}
    new = {k: ember.ones_like(v) for k, v in model.named_parameters()}
    x = ember.ones(2, 3)
    out = F.functional_call(model, new, (x,))
    ref = ember.tanh(x @ ember.ones(4, 3).T + 1) @ ember.ones(2, 4).T + 1
    assert_close(out.detach().numpy(), ref.numpy(), rtol=1e-6)
    for k, v in model.named_parameters():
        assert_close(v.detach().numpy(), orig[k].numpy())
    # partial dicts keep the other parameters; grad w.r.t. the dict works
    g = F.grad(lambda p: F.functional_call(model, p, (x,)).sum())(
        {k: v.detach() for k, v in model.named_parameters()})
    model.zero_grad()
    model(x).sum().backward()
    for k, v in model.named_parameters():
        assert_close(g[k].numpy(), v.grad.numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="Unexpected key"):
        F.functional_call(model, {"nope": ember.ones(1)}, (x,), strict=True)


def test_stack_module_state_and_vmapped_ensemble():
    models = [_mlp(ember) for _ in range(3)]
    for i, m in enumerate(models):
        for p in m.parameters():
            p.data.mul_(i + 1)
    params, buffers = F.stack_module_state(models)
    assert params["0.weight"].shape == (3, 4, 3)
    assert params["0.weight"].requires_grad and params["0.weight"].is_leaf
    x = ember.randn(5, 3)
    base = _mlp(ember)
    out = F.vmap(lambda p, b, xx: F.functional_call(base, (p, b), (xx,)),
                 in_dims=(0, 0, None))(params, buffers, x)
    assert out.shape == (3, 5, 2)
    for i, m in enumerate(models):
        assert_close(out[i].detach().numpy(), m(x).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_functional_call_tied_weights_and_buffers():
    def run(L):
        class Tied(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = L.nn.Linear(2, 2, bias=False)
                self.b = L.nn.Linear(2, 2, bias=False)
                self.b.weight = self.a.weight
                self.register_buffer("scale", L.ones(2))

            def forward(self, x):
                return self.b(self.a(x)) * self.scale

        m = Tied()
        x = L.ones(1, 2)
        w = L.tensor([[1.0, 2.0], [3.0, 4.0]])
        tied = L.func.functional_call(m, {"a.weight": w, "scale": L.full((2,), 2.0)}, (x,))
        untied = L.func.functional_call(m, {"a.weight": w}, (x,), tie_weights=False)
        return tied.detach(), untied.detach(), m.a.weight.detach().clone()

    got = tree_numpy(run(ember))
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert_close(got[0], 2 * (w @ (w @ np.ones(2)))[None])
    # untied: b keeps the module's own (tied-to-a) weight, only a's is replaced
    assert_close(got[1], (got[2] @ (w @ np.ones(2)))[None], rtol=1e-6)
    if torch is not None:
        assert_tree_close(got[0], tree_numpy(run(torch))[0])


def test_vmap_chunk_size_accepted_and_same_result():
    x = ember.randn(7, 3)
    a = F.vmap(lambda v: (v * v).sum(), chunk_size=2)(x)
    assert_close(a.numpy(), (x * x).sum(1).numpy(), rtol=1e-6)
