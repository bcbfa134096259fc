"""The autograd graph: grad_fn class names, next_functions, saved attributes of built-in
nodes, AccumulateGrad (as PyTorch 2.13 names and exposes them)."""

import math

import pytest
from oracle import gfn, leaf, same


def test_rsub_grad_fn_name():
    same(lambda t: gfn(1 - leaf(t, [1.0])), "RsubBackward1")


def test_masked_fill_grad_fn_name():
    same(
        lambda t: gfn(leaf(t, [1.0, 2.0]).masked_fill(t.tensor([True, False]), 0.0)),
        "MaskedFillBackward0",
    )


@pytest.mark.xfail(strict=True, reason="unbind outputs are SelectBackward0, not UnbindBackward0")
def test_unbind_grad_fn_name_and_output_nr():
    def fn(t):
        _, b = leaf(t, [1.0, 2.0]).unbind()
        n = (b * 2).grad_fn.next_functions[0]
        return [gfn(b), type(n[0]).__name__, n[1]]

    same(fn, ["UnbindBackward0", "UnbindBackward0", 1])


def test_none_index_grad_fn_name():
    same(lambda t: gfn(leaf(t, [1.0, 2.0])[None]), "UnsqueezeBackward0")


def test_core_grad_fn_names():
    def fn(t):
        x = leaf(t, [1.0, 2.0, 3.0])
        m = leaf(t, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        ys = [
            x * 2,
            x + x,
            x - 1,
            x / 2,
            -x,
            x**2,
            x**x,
            2**x,
            x.sum(),
            m.sum(0),
            x.mean(),
            m.mean(1),
            x[0],
            x[1:],
            x[[0, 1]],
            m.view(6),
            m.reshape(3, 2),
            x.expand(2, 3),
            m.t(),
            m.T,
            m.mm(m.t()),
            m @ x,
            x.clone(),
            x.exp(),
            x.relu(),
            x.sigmoid(),
            x.tanh(),
            x.max(),
            x.unsqueeze(0),
            t.cat([x, x]),
            t.stack([x, x]),
            x.double(),
            m.permute(1, 0),
            m.flatten(),
        ]
        return [gfn(y) for y in ys]

    same(
        fn,
        [
            "MulBackward0",
            "AddBackward0",
            "SubBackward0",
            "DivBackward0",
            "NegBackward0",
            "PowBackward0",
            "PowBackward1",
            "PowBackward2",
            "SumBackward0",
            "SumBackward1",
            "MeanBackward0",
            "MeanBackward1",
            "SelectBackward0",
            "SliceBackward0",
            "IndexBackward0",
            "ViewBackward0",
            "ViewBackward0",
            "ExpandBackward0",
            "TBackward0",
            "PermuteBackward0",
            "MmBackward0",
            "MvBackward0",
            "CloneBackward0",
            "ExpBackward0",
            "ReluBackward0",
            "SigmoidBackward0",
            "TanhBackward0",
            "MaxBackward1",
            "UnsqueezeBackward0",
            "CatBackward0",
            "StackBackward0",
            "ToCopyBackward0",
            "PermuteBackward0",
            "ViewBackward0",
        ],
    )


def test_next_functions_structure():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        w = t.tensor([1.0, 2.0])
        y = x * w + w
        n = y.grad_fn
        inner = n.next_functions[0][0]
        return [
            [(None if f is None else type(f).__name__, i) for f, i in n.next_functions],
            [(None if f is None else type(f).__name__, i) for f, i in inner.next_functions],
            inner.next_functions[0][0].variable is x,
        ]

    same(fn, [[("MulBackward0", 0), (None, 0)], [("AccumulateGrad", 0), (None, 0)], True])


def test_fill_grad_fn_names():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        a = x * 1
        a.fill_(2.0)
        b = x * 1
        b.fill_(x[0])
        return [gfn(a), gfn(b)]

    same(fn, ["FillBackward2", "FillBackward3"])


def test_builtin_node_saved_attributes():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        y = x * x
        r = [
            y.grad_fn._saved_self is x,
            y.grad_fn._saved_other is x,
            x.exp().grad_fn._saved_result.tolist(),
            x.pow(3).grad_fn._saved_exponent,
        ]
        y.sum().backward()
        try:
            _ = y.grad_fn._saved_self
        except RuntimeError as e:
            r.append("backward through the graph a second time" in str(e))
        return r

    same(fn, [True, True, [math.e, math.e**2], 3, True])


def test_builtin_node_saved_attribute_not_kept_is_none():
    def fn(t):
        g = (leaf(t, [1.0, 2.0]) * 2.0).grad_fn  # x's gradient reads only the scalar
        r = [g._saved_self is None, hasattr(g, "_saved_foo")]
        try:
            g._saved_foo
        except AttributeError as e:
            r.append(str(e))
        return r

    same(fn, [True, False, "'MulBackward0' object has no attribute '_saved_foo'"])


def test_accumulate_grad_node_name():
    def fn(t):
        acc = (leaf(t, [1.0]) * 2).grad_fn.next_functions[0][0]
        return [type(acc).__name__, acc.name()]

    same(fn, ["AccumulateGrad", "torch::autograd::AccumulateGrad"])


def test_leaf_edge_follows_data_replacement_and_keeps_no_old_array():
    """A leaf's edge is cached on its AccumulateGrad for the array it describes: replacing
    the leaf's data (``.data =``, ``module.to``) gives the next op a new edge (new shape and
    dtype, right gradient) and leaves the old array to be freed."""
    def fn(t):
        x = t.ones(3, requires_grad=True)
        (x * 2).sum().backward()
        x.data = t.ones(2, 2)
        x.grad = None
        (x * 3).sum().backward()
        r = [x.grad.tolist()]
        x.data = t.ones(2, 2, dtype=t.float64)
        x.grad = None
        (x * 3).sum().backward()
        return r + [str(x.grad.dtype)]

    same(fn, [[[3.0, 3.0], [3.0, 3.0]], "torch.float64"])

    import gc
    import weakref

    import ember

    x = ember.ones(3, requires_grad=True)
    (x * 2).sum().backward()
    old = weakref.ref(x._data)
    x.data = ember.ones(2, 2)
    gc.collect()
    assert old() is None
    lin = ember.nn.Linear(2, 2)
    lin(ember.ones(1, 2)).sum().backward()
    old_w = weakref.ref(lin.weight._data)
    lin.double()
    gc.collect()
    assert old_w() is None


def test_bfloat16_results_join_the_graph():
    """bfloat16 (ml_dtypes' type, NumPy kind 'V') takes part in autograd like the other
    floating dtypes: its results record, gradients arrive in bfloat16 (values exact here)."""
    import ember

    if ember.bfloat16 is None:
        pytest.skip("bfloat16 needs ml_dtypes")

    def fn(t):
        x = t.tensor([1.5, -2.0, 0.25]).to(t.bfloat16).requires_grad_()
        y = (x * 2 + x * x - x).sum()
        y.backward()
        z = x.float() * 3  # back to float32: the gradient returns to bfloat16
        z.sum().backward()
        return [str(y.dtype), y.requires_grad, str(x.grad.dtype), x.grad.float().tolist()]

    same(fn, ["torch.bfloat16", True, "torch.bfloat16", [7.0, 0.0, 4.5]])


@pytest.mark.parametrize("name", ["exp_tanh", "sigmoid", "matmul", "linear", "mean", "sum"])
def test_bfloat16_ops_keep_bfloat16_and_match(name):
    """bfloat16 in, bfloat16 out and bfloat16 gradients, within bfloat16's rounding of
    PyTorch's values (of float32 math when PyTorch is absent)."""
    import numpy as np

    import ember
    from oracle import torch

    if ember.bfloat16 is None:
        pytest.skip("bfloat16 needs ml_dtypes")
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((3, 4)).astype(np.float32)
    w0 = rng.standard_normal((5, 4)).astype(np.float32)
    fns = {
        "exp_tanh": lambda L, x, w: (L.exp(x) + L.tanh(x)).sum(),
        "sigmoid": lambda L, x, w: (L.sigmoid(x) * x).sum(),
        "matmul": lambda L, x, w: (x @ w.t()).sum(),
        "linear": lambda L, x, w: L.nn.functional.linear(x, w).pow(2).sum(),
        "mean": lambda L, x, w: x.mean() + x.mean(1).sum(),
        "sum": lambda L, x, w: (x * w[:3]).sum(1).sum(),
    }

    def run(L, dtype):
        x = L.tensor(x0).to(dtype).requires_grad_()
        w = L.tensor(w0).to(dtype).requires_grad_()
        y = fns[name](L, x, w)
        y.backward()
        gw = w.grad if w.grad is not None else L.zeros(5, 4)
        return y, x.grad, gw

    y, gx, gw = run(ember, ember.bfloat16)
    assert (y.dtype, gx.dtype) == (ember.bfloat16, ember.bfloat16)
    if torch is not None:
        want = [t.detach().float().numpy() for t in run(torch, torch.bfloat16)]
    else:
        want = [t.detach().float().numpy() for t in run(ember, ember.float32)]
    for got, exp in zip((y, gx, gw), want):
        np.testing.assert_allclose(got.detach().float().numpy(), exp, rtol=3e-2, atol=3e-2)


def test_number_operand_saved_as_wrapped_tensor():
    """PyTorch wraps a number operand of mul/div in a 0-d tensor (float64, int64 or bool), and
    its node's ``_saved_other`` reads that tensor; pow's exponent stays a number."""
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        r = []
        for y in (x * 2.0, x * 3, x / 4, 2.5 * x, x * True):
            o = y.grad_fn._saved_other
            r.append([type(y.grad_fn).__name__, str(o.dtype), o.item(), y.grad_fn._saved_self])
        r.append(x.pow(3).grad_fn._saved_exponent)
        return r

    same(fn, [["MulBackward0", "torch.float64", 2.0, None],
              ["MulBackward0", "torch.int64", 3, None],
              ["DivBackward0", "torch.int64", 4, None],
              ["MulBackward0", "torch.float64", 2.5, None],
              ["MulBackward0", "torch.bool", True, None], 3])
