"""vmap: batching rules against a Python loop and torch.func.vmap; in_dims/out_dims, nesting,
randomness, per-example gradients, custom Functions, errors; and that it really batches."""

import numpy as np
import pytest
from oracle import assert_close, assert_tree_close, both, custom_function, torch, tree_numpy

import ember
import ember.func as F

RNG = np.random.default_rng(0)


def loop(fn, *xs, in_dims=0):
    """What vmap must equal: fn per example, stacked."""
    dims = in_dims if isinstance(in_dims, tuple) else (in_dims,) * len(xs)
    n = [x.shape[d] for x, d in zip(xs, dims) if d is not None][0]
    outs = [fn(*[x.select(d, i) if d is not None else x for x, d in zip(xs, dims)])
            for i in range(n)]
    if isinstance(outs[0], tuple):
        return tuple(ember.stack([o[j] for o in outs]) for j in range(len(outs[0])))
    return ember.stack(outs)


CASES = {
    "elementwise_broadcast": (lambda L: lambda x, w: L.tanh(x * w + 1) / (w.exp() + 1),
                              [(5, 3), (3,)], (0, None)),
    "scalar_per_example": (lambda L: lambda x, w: (x * w).sum() + x[0], [(5, 3), (3,)], (0, None)),
    "rank_mismatch": (lambda L: lambda x, m: x + m, [(5,), (2, 3)], (0, None)),
    "sum_mean_dims": (lambda L: lambda x: (x.sum(0), x.mean(-1, keepdim=True), x.sum()),
                      [(4, 2, 3)], 0),
    "matmul_family": (lambda L: lambda x, m: (m @ x, x @ m.T @ m, L.mv(m, x), L.dot(x, x),
                                              L.outer(x, x)), [(6, 3), (2, 3)], (0, None)),
    "matmul_both_batched": (lambda L: lambda a, b: (a @ b, L.bmm(a[None], b[None]).squeeze(0)),
                            [(4, 2, 3), (4, 3, 5)], 0),
    "views": (lambda L: lambda x: (x.view(6), x.reshape(3, 2), x.t(), x.transpose(0, 1),
                                   x.unsqueeze(0), x.unsqueeze(-1).squeeze(-1), x.permute(1, 0),
                                   x.flatten(), x.expand(4, 2, 3)), [(5, 2, 3)], 0),
    "indexing": (lambda L: lambda x: (x[0], x[:, 1], x[..., ::2], x[None, 1:],
                                      x[L.tensor([1, 0, 1])]), [(4, 3, 3)], 0),
    "cat_stack": (lambda L: lambda x, y: (L.cat([x, y], 0), L.stack([x, y], 1),
                                          L.cat([x, x * 2], -1)), [(4, 3), (3,)], (0, None)),
    "in_dim_1_and_negative": (lambda L: lambda x, y: x * y, [(3, 7), (3, 7)], (1, -1)),
    "reductions_max": (lambda L: lambda x: (x.max(), x.max(0)[0], x.min(dim=1).values,
                                            x.argmax()), [(4, 2, 3)], 0),
    "non_op_functions": (lambda L: lambda x: (L.where(L.gt(x, 0), x, 0.0), L.argmax(x, dim=-1),
                                              x.eq(x[0]), L.isfinite(x).all(), x.argmin(),
                                              L.logical_and(x > 0, x < 1)), [(4, 2, 3)], 0),
    "compare_where": (lambda L: lambda x: (L.where(x > 0, x, x * 0.1), (x > 0).float(),
                                           x.clamp(min=-0.5)), [(4, 5)], 0),
}


@pytest.mark.parametrize("name", list(CASES))
def test_vmap_matches_loop_and_torch(name):
    make, shapes, in_dims = CASES[name]
    arrays = [RNG.standard_normal(s) for s in shapes]
    got = both(lambda L, *xs: L.func.vmap(make(L), in_dims=in_dims)(*xs), *arrays)
    ref = tree_numpy(loop(make(ember), *[ember.tensor(a) for a in arrays], in_dims=in_dims))
    assert_tree_close(got, ref)


def test_out_dims_nested_in_dims_and_pytrees():
    x = RNG.standard_normal((4, 3))
    y = RNG.standard_normal((3, 4))

    def run(L, x, y):
        f = lambda d, t: (d["a"] * t[0], d["a"].sum() + t[1])
        return L.func.vmap(f, in_dims=({"a": 0}, (1, None)), out_dims=(1, 0))(
            {"a": x}, (y, L.tensor(2.0, dtype=L.float64)))

    a, b = both(run, x, y)
    assert a.shape == (3, 4) and b.shape == (4,)


def test_unbatched_output_is_broadcast_and_out_dims_none():
    x = ember.tensor(RNG.standard_normal((4, 3)))
    out = F.vmap(lambda v: ember.ones(2))(x)
    assert out.shape == (4, 2)
    c, v = F.vmap(lambda v: (ember.ones(2), v * 2), out_dims=(None, 0))(x)
    assert c.shape == (2,) and v.shape == (4, 3)


def test_nested_vmap():
    x = RNG.standard_normal((3, 4, 5))
    y = RNG.standard_normal((4, 5))

    def run(L, x, y):
        inner = L.func.vmap(lambda a, b: (a * b).sum() + a @ b, in_dims=(0, 0))
        return L.func.vmap(inner, in_dims=(0, None))(x, y)

    got = both(run, x, y)
    ref = np.einsum("ijk,jk->ij", x, y) * 2
    assert_close(got, ref)
    # the outer level's tensors used inside the inner vmap unbatched there
    got2 = both(lambda L, x, y: L.func.vmap(
        lambda a: L.func.vmap(lambda b: (a * b).sum(), in_dims=0)(y))(x.sum(1)), x, y)
    assert got2.shape == (3, 4)


def test_per_example_gradients_match_loop_and_torch():
    rng = np.random.default_rng(5)
    params = {"w1": rng.standard_normal((8, 4)), "b1": rng.standard_normal(8),
              "w2": rng.standard_normal((2, 8)), "b2": rng.standard_normal(2)}
    x, y = rng.standard_normal((16, 4)), rng.standard_normal((16, 2))

    def loss(L):
        def f(p, xi, yi):
            h = L.tanh(xi @ p["w1"].T + p["b1"])
            return ((h @ p["w2"].T + p["b2"] - yi) ** 2).mean()

        return f

    def run(L):
        p = {k: L.tensor(v) for k, v in params.items()}
        return L.func.vmap(L.func.grad(loss(L)), in_dims=(None, 0, 0))(p, L.tensor(x),
                                                                         L.tensor(y))

    got = tree_numpy(run(ember))
    p = {k: ember.tensor(v) for k, v in params.items()}
    g = F.grad(loss(ember))
    for i in range(16):
        gi = g(p, ember.tensor(x[i]), ember.tensor(y[i]))
        for k in params:
            assert_close(got[k][i], gi[k].numpy(), rtol=1e-10, atol=1e-12)
    if torch is not None:
        assert_tree_close(got, tree_numpy(run(torch)))


def test_vmap_of_jacrev_and_hessian():
    x = RNG.standard_normal((5, 3))
    both(lambda L, x: L.func.vmap(L.func.jacrev(L.sin))(x), x)
    both(lambda L, x: L.func.vmap(L.func.hessian(lambda v: (v ** 3).sum() * v[0]))(x), x)
    both(lambda L, x: L.func.vmap(lambda v: L.func.jvp(L.tanh, (v,), (L.ones_like(v),)))(x), x)


def test_it_really_batches():
    """An op runs once per vmap call, not once per example."""
    from ember.ops.pointwise.trig import Tanh

    calls = []
    orig = Tanh.forward

    def counting(ctx, x):
        calls.append(x.shape)
        return orig(ctx, x)

    Tanh.forward = staticmethod(counting)
    try:
        F.vmap(lambda v: ember.tanh(v).sum())(ember.randn(50, 3))
    finally:
        Tanh.forward = staticmethod(orig)
    assert calls == [(50, 3)]


def test_randomness_modes():
    x = ember.zeros(6, 2)
    with pytest.raises(RuntimeError, match="vmap: called random operation while in randomness "
                                           "error mode"):
        F.vmap(lambda v: v + ember.randn(2))(x)
    diff = F.vmap(lambda v: v + ember.randn(2), randomness="different")(x)
    same = F.vmap(lambda v: v + ember.rand(2), randomness="same")(x)
    assert diff.shape == same.shape == (6, 2)
    assert len({tuple(r) for r in diff.tolist()}) == 6
    assert len({tuple(r) for r in same.tolist()}) == 1
    with pytest.raises(RuntimeError, match="Only allowed values for randomness"):
        F.vmap(lambda v: v, randomness="sometimes")


def test_errors():
    x = ember.ones(2)
    with pytest.raises(ValueError, match="vmap: Expected all tensors to have the same size in the "
                                         r"mapped dimension, got sizes \[2, 3\]"):
        F.vmap(lambda a, b: a + b)(ember.ones(2), ember.ones(3))
    with pytest.raises(ValueError, match="expected `in_dims` to be int or a"):
        F.vmap(lambda v: v, in_dims=[0])(x)
    with pytest.raises(ValueError, match="in_dims is not compatible with the structure"):
        F.vmap(lambda v: v, in_dims=(0, 0))(x)
    with pytest.raises(ValueError, match="must only return Tensors, got type <class 'int'>"):
        F.vmap(lambda v: 3)(x)
    with pytest.raises(ValueError, match="expected in_dim to satisfy -1 <= in_dim < 1"):
        F.vmap(lambda v: v, in_dims=1)(x)
    with pytest.raises(ValueError, match="We cannot vmap over non-Tensor arguments"):
        F.vmap(lambda v, n: v, in_dims=(0, 0))(x, 3)
    with pytest.raises(RuntimeError, match="calling .item\\(\\) on a Tensor"):
        F.vmap(lambda v: v.item())(x)
    with pytest.raises(RuntimeError, match="data-dependent control flow"):
        F.vmap(lambda v: v if v > 0 else -v)(x)


def _custom_classes(L):
    """A Function with its own vmap rule, one with a generated rule, and one with neither."""
    with_vmap = custom_function("WithVmap", lambda x: x * 3, lambda g: g * 3, L,
                                setup_context=True,
                                vmap=lambda info, in_dims, x: (x * 3, in_dims[0]))
    generated = custom_function("Generated", lambda x: x.sin(), lambda x, g: g * x.cos(), L,
                                saves="inputs", setup_context=True, generate_vmap_rule=True)
    no_rule = custom_function("NoRule", lambda x: x * 1, lambda g: g, L, setup_context=True)
    return with_vmap, generated, no_rule


def test_custom_functions_under_vmap():
    x = RNG.standard_normal((4, 3))

    def run(L, x):
        wv, gen, _ = _custom_classes(L)
        return (L.func.vmap(wv.apply)(x), L.func.vmap(gen.apply)(x),
                L.func.vmap(L.func.grad(lambda v: gen.apply(v).sum()))(x))

    a, b, c = both(run, x)
    assert_close(a, 3 * x)
    assert_close(b, np.sin(x))
    assert_close(c, np.cos(x))
    _, _, no_rule = _custom_classes(ember)
    with pytest.raises(RuntimeError, match="you must either override the vmap staticmethod or set "
                                           "generate_vmap_rule=True"):
        F.vmap(no_rule.apply)(ember.tensor(x))


def test_per_example_gradients_of_nn_module_match_torch():
    rng = np.random.default_rng(7)
    weights = None

    def run(L):
        nonlocal weights
        model = L.nn.Sequential(L.nn.Linear(4, 8), L.nn.GELU(), L.nn.Linear(8, 3))
        if weights is None:
            weights = [rng.standard_normal(tuple(p.shape)) for p in model.parameters()]
        with L.no_grad():
            for p, w in zip(model.parameters(), weights):
                p.copy_(L.tensor(w, dtype=L.float64))
        model = model.double()
        x = L.tensor(np.linspace(-1, 1, 24).reshape(6, 4))
        y = L.tensor([0, 2, 1, 1, 0, 2])
        t = L.tensor(np.linspace(0, 1, 18).reshape(6, 3))
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, xi, yi, ti):
            out = L.func.functional_call(model, p, (xi.unsqueeze(0),))
            return (L.nn.functional.cross_entropy(out, yi.unsqueeze(0))
                    + L.nn.functional.mse_loss(out, ti[None]) + L.softmax(out, -1)[0, 0])

        return L.func.vmap(L.func.grad(loss), in_dims=(None, 0, 0, 0))(params, x, y, t)

    got = tree_numpy(run(ember))
    assert got["0.weight"].shape == (6, 8, 4)
    if torch is not None:
        assert_tree_close(got, tree_numpy(run(torch)))


def test_inplace_and_setitem_inside_vmap():
    x = RNG.standard_normal((4, 3))

    def run(L, x):
        def f(v):
            y = v.clone()
            y.mul_(2)
            y[0] = 5.0
            y[1:] += v[1:]
            y[2] = v[0]
            return y

        return L.func.vmap(f)(x)

    got = both(run, x)
    ref = 2 * x + np.concatenate([np.zeros((4, 1)), x[:, 1:]], 1)
    ref[:, 0] = 5.0
    ref[:, 2] = x[:, 0]
    assert_close(got, ref)


def test_vmap_of_vjp_fn_gives_the_jacobian():
    x = RNG.standard_normal(3)

    def run(L, x):
        _, fn = L.func.vjp(lambda v: L.sin(v) * v.sum(), x)
        return L.func.vmap(fn)(L.eye(3, dtype=L.float64))

    (jt,) = both(run, x)
    J = ember.autograd.functional.jacobian(lambda v: ember.sin(v) * v.sum(), ember.tensor(x))
    assert_close(jt, J.numpy())


def test_generated_vmap_rule_uses_the_custom_backward():
    """A straight-through estimator: its backward is not the derivative of its forward, so
    the per-example gradient must come from the custom backward run under vmap."""
    x = RNG.standard_normal((5, 3))
    w = RNG.standard_normal(3)

    def run(L, x, w):
        class STE(L.autograd.Function):
            generate_vmap_rule = True

            @staticmethod
            def forward(v):
                return v.round(), v * 2

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(inputs[0])

            @staticmethod
            def backward(ctx, g, g2):
                (v,) = ctx.saved_tensors
                return g * 2 * v.sign() + g2 * 3

        def f(w, v):
            a, b = STE.apply(v * w)
            return (a * a).sum() + b.sum()

        per = L.func.vmap(L.func.grad(f), in_dims=(None, 0))(w, x)
        xr = x.clone().requires_grad_(True)
        a, b = L.func.vmap(STE.apply)(xr)
        (a.sum() + b.sum()).backward()
        return per, xr.grad

    per, g = both(run, x, w)
    vw = x * w
    assert_close(per, (2 * np.round(vw) * 2 * np.sign(vw) + 3) * x)
    assert_close(g, 2 * np.sign(x) + 3)


@pytest.mark.parametrize("sa,sb,expand_b", [
    ((5, 1, 3), (3, 4), False), ((5, 2, 3), (5, 3, 4), True), ((5, 2, 3), (1, 3, 4), False),
    ((5, 3, 1), (5, 1, 4), False), ((2, 5, 2, 3), (5, 3, 4), True), ((2, 3), (5, 3, 4), False),
    ((5, 2, 3), (5, 3, 4), False),
])
def test_batched_matmul_fast_paths_equal_numpy(sa, sb, expand_b):
    from ember.func._batched import _fast_matmul

    a = RNG.standard_normal(sa)
    b = RNG.standard_normal(sb)
    if expand_b:  # a stride-0 stack, as vmap's broadcast weights are
        b = np.broadcast_to(b[:1], b.shape)
    assert_close(_fast_matmul(np, a, b), np.matmul(a, b), rtol=1e-12, atol=1e-12)


def test_common_model_ops_have_batching_rules(fallbacks):
    """Per-example gradients of a usual model hit no per-example fallback."""
    nn = ember.nn
    model = nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.Linear(8, 8), nn.Tanh(), nn.SiLU(),
                          nn.Linear(8, 3), nn.LogSoftmax(-1))
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss(p, xi, yi):
        out = F.functional_call(model, p, (xi.unsqueeze(0),))
        return (nn.functional.mse_loss(out, yi[None]) + ember.softmax(out, -1).sum()
                + out.var() + nn.functional.leaky_relu(out).sum())

    g = F.vmap(F.grad(loss), in_dims=(None, 0, 0))(params, ember.randn(5, 4), ember.randn(5, 3))
    assert g["0.weight"].shape == (5, 8, 4)
    assert fallbacks == []
