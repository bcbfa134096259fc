"""Forward-mode AD: dual_level, make_dual, unpack_dual; tangents through built-in ops (the
double-vjp rule) and custom Functions' jvp; against torch and the reverse-mode Jacobian."""

import numpy as np
import pytest
from oracle import assert_close, to_numpy, torch

import ember
import ember.autograd.forward_ad as fwAD

RNG = np.random.default_rng(0)
X = RNG.standard_normal(4)
T = RNG.standard_normal(4)
M = RNG.standard_normal((3, 4))


def jvp_of(L, f, primals, tangents):
    fw = L.autograd.forward_ad
    with fw.dual_level():
        duals = [fw.make_dual(p, t) for p, t in zip(primals, tangents)]
        out = f(*duals)
        outs = out if isinstance(out, tuple) else (out,)
        res = []
        for o in outs:
            p, t = fw.unpack_dual(o)
            res.append((to_numpy(p), None if t is None else to_numpy(t)))
        return res


FUNCS = {
    "elementwise": lambda L: lambda x: L.sin(x) * L.exp(x) / (1 + x ** 2),
    "matmul_reduce": lambda L: lambda x: ((L.tensor(M) @ x).tanh().sum(), (x * x).mean()),
    "shape_ops": lambda L: lambda x: (x.view(2, 2).t().reshape(4)[1:] * 2, L.stack([x, x]).sum(0),
                                      L.cat([x, x[:2]]), x.unsqueeze(0).expand(3, 4)),
    "max_where_relu": lambda L: lambda x: (x.max(), L.where(x > 0, x, 0.5 * x), L.relu(x),
                                           x.abs(), x.clamp(-0.2, 0.2)),
    "sigmoid_log_sqrt": lambda L: lambda x: (L.sigmoid(x), L.log(x * x + 1), L.sqrt(x * x + 1)),
}


@pytest.mark.parametrize("name", list(FUNCS))
def test_tangents_match_jacobian_and_torch(name):
    e = jvp_of(ember, FUNCS[name](ember), [ember.tensor(X)], [ember.tensor(T)])
    # reference 1: the reverse-mode Jacobian times the tangent
    f = FUNCS[name](ember)
    outs = f(ember.tensor(X))
    outs = outs if isinstance(outs, tuple) else (outs,)
    for k, (p, t) in enumerate(e):
        J = ember.autograd.functional.jacobian(
            lambda v: (f(v) if isinstance(f(v), tuple) else (f(v),))[k], ember.tensor(X))
        assert_close(p, outs[k].numpy())
        assert_close(t, (J.numpy().reshape(-1, 4) @ T).reshape(p.shape), rtol=1e-8, atol=1e-12)
    if torch is not None:
        tr = jvp_of(torch, FUNCS[name](torch), [torch.tensor(X)], [torch.tensor(T)])
        for (pe, te), (pt, tt) in zip(e, tr):
            assert_close(pe, pt)
            assert_close(te, tt, rtol=1e-8, atol=1e-12)


def test_api_repr_and_errors():
    with fwAD.dual_level() as level:
        assert level == 0
        x = fwAD.make_dual(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 0.0]))
        assert repr(x) == "tensor([1., 2.], tangent=tensor([1., 0.]))"
        y = x * 3
        u = fwAD.unpack_dual(y)
        assert type(u).__name__ == "UnpackedDualTensor" and u._fields == ("primal", "tangent")
        assert u.primal.tolist() == [3.0, 6.0] and u.tangent.tolist() == [3.0, 0.0]
        assert fwAD.unpack_dual(ember.ones(2)).tangent is None
        with pytest.raises(RuntimeError, match="Trying to set a forward gradient that has a "
                                               "different size"):
            fwAD.make_dual(ember.ones(2), ember.ones(3))
        with pytest.raises(ValueError, match="Expected primal to be floating point or complex"):
            fwAD.make_dual(ember.ones(2, dtype=ember.int64), ember.ones(2, dtype=ember.int64))
        with pytest.raises(RuntimeError, match="Nested forward mode AD is not supported"):
            fwAD.enter_dual_level()
    # leaving the level drops the tangents
    assert fwAD.unpack_dual(y).tangent is None
    assert repr(x) == "tensor([1., 2.])"
    with pytest.raises(RuntimeError, match="no level exists"):
        fwAD.make_dual(ember.ones(2), ember.ones(2))


def _custom(L, with_jvp=True):
    class Square(L.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.save_for_forward(x)
            ctx.k = k
            return x * x * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x * ctx.k, None

        if with_jvp:
            @staticmethod
            def jvp(ctx, t, _):
                (x,) = ctx.saved_tensors
                return t * 2 * x * ctx.k

    return Square


def _exp_saving_output(L):
    class Exp(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)  # its own output: kept without the node until read
            ctx.save_for_forward(x)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            assert y.grad_fn is not None  # the saved output comes back on its node
            return g * y

        @staticmethod
        def jvp(ctx, t):
            (x,) = ctx.saved_tensors  # what save_for_forward kept, as given (not the output)
            assert type(x.grad_fn).__name__ != "ExpBackward"
            return t * x.exp()

    return Exp


def test_custom_function_saving_its_output_jvp_then_backward():
    def run(L):
        x = L.tensor(X, requires_grad=True)
        with L.autograd.forward_ad.dual_level():
            y = _exp_saving_output(L).apply(L.autograd.forward_ad.make_dual(x, L.tensor(T)))
            tan = to_numpy(L.autograd.forward_ad.unpack_dual(y).tangent)
        y.sum().backward()
        return tan, to_numpy(x.grad)

    e = run(ember)
    assert_close(e[0], np.exp(X) * T)
    assert_close(e[1], np.exp(X))
    if torch is not None:
        t = run(torch)
        assert_close(e[0], t[0])
        assert_close(e[1], t[1])


def test_custom_function_jvp_and_missing_jvp():
    e = jvp_of(ember, lambda x: _custom(ember).apply(x, 3.0), [ember.tensor(X)],
               [ember.tensor(T)])
    assert_close(e[0][1], 6 * X * T)
    if torch is not None:
        t = jvp_of(torch, lambda x: _custom(torch).apply(x, 3.0), [torch.tensor(X)],
                   [torch.tensor(T)])
        assert_close(e[0][1], t[0][1])
    with fwAD.dual_level():
        x = fwAD.make_dual(ember.tensor(X), ember.tensor(T))
        with pytest.raises(NotImplementedError, match="You must implement the jvp function for "
                                                      "custom autograd.Function"):
            _custom(ember, with_jvp=False).apply(x, 1.0)


def test_forward_over_reverse_and_grad_of_tangent():
    # Hessian-vector product: the tangent of a gradient (forward over reverse)
    x = ember.tensor(X, requires_grad=True)
    with fwAD.dual_level():
        xd = fwAD.make_dual(x, ember.tensor(T))
        y = (xd ** 3).sum()
        (g,) = ember.autograd.grad(y, xd, create_graph=True)
        hv = fwAD.unpack_dual(g).tangent
    assert_close(hv.detach().numpy(), 6 * X * T)
    # the tangent is differentiable w.r.t. the primal (reverse over forward)
    with fwAD.dual_level():
        xd = fwAD.make_dual(x, ember.tensor(T))
        t = fwAD.unpack_dual((xd.sin() * xd).sum()).tangent
    (gt,) = ember.autograd.grad(t, x)
    assert_close(gt.numpy(), (2 * np.cos(X) - X * np.sin(X)) * T)


def test_jacobian_forward_mode_uses_duals():
    J = ember.autograd.functional.jacobian(lambda v: ember.tensor(M) @ v.tanh(), ember.tensor(X),
                                           vectorize=True, strategy="forward-mode")
    assert_close(J.numpy(), M * (1 - np.tanh(X) ** 2))


def test_inplace_ops_carry_tangents():
    def run(L):
        fw = L.autograd.forward_ad
        with fw.dual_level():
            x = fw.make_dual(L.tensor([1.0, 2.0]), L.tensor([1.0, -1.0]))
            y = x * 1
            y.mul_(3)
            y.add_(x)
            z = L.zeros(2)
            z.copy_(x.sin())
            return [to_numpy(fw.unpack_dual(t).tangent) for t in (y, z)]

    got = run(ember)
    assert_close(got[0], [4.0, -4.0])
    assert_close(got[1], np.cos([1.0, 2.0]) * [1.0, -1.0])
    if torch is not None:
        for a, b in zip(got, run(torch)):
            assert_close(a, b)


def test_custom_jvp_keeps_the_backward_version_checks():
    """After a custom Function's jvp read ``save_for_forward`` tensors, its node checks the
    versions of what ``save_for_backward`` kept: a saved input changed in place is an error
    at backward, as in PyTorch."""
    libs = [ember] + ([torch] if torch is not None else [])
    for L in libs:
        class Sq(L.autograd.Function):
            @staticmethod
            def forward(ctx, x, w):
                ctx.save_for_backward(x, w)
                ctx.save_for_forward(x)
                return x * x * w

            @staticmethod
            def backward(ctx, g):
                x, w = ctx.saved_tensors
                return 2 * x * w * g, x * x * g

            @staticmethod
            def jvp(ctx, tx, tw):
                (x,) = ctx.saved_tensors
                return 2 * x * tx

        fw = L.autograd.forward_ad
        w = L.randn(3, requires_grad=True) * 1
        with fw.dual_level():
            y = Sq.apply(fw.make_dual(L.randn(3, requires_grad=True) * 1, L.ones(3)), w)
        w.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()
