"""ember.autograd.trace(): the record of every node a backward ran."""

import inspect

import numpy as np
import pytest
from oracle import custom_function, run_example

import ember
from ember.autograd import dispatch

CustomReLU = run_example("seed_custom_relu")[0]["CustomReLU"]  # the seed tutorial's, as written


def _line():
    return inspect.currentframe().f_back.f_lineno


def params(lib, seed=0):
    rng = np.random.default_rng(seed)

    def p(*s):
        return lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)

    return p(4, 3), p(3, 5), p(5), p(5, 2)


def mlp_loss(x, W1, b1, W2):
    h = (x @ W1 + b1).tanh()
    return ((h @ W2 - 1) ** 2).mean() + (h * h).sum()


def torch_order(torch):
    """The order PyTorch runs the nodes of the same program (pre-hooks on every node)."""
    loss = mlp_loss(*params(torch))
    seen, stack, ran = set(), [loss.grad_fn], []
    while stack:
        n = stack.pop()
        if n is None or n in seen:
            continue
        seen.add(n)
        n.register_prehook(lambda g, n=n: ran.append(n.name().replace("torch::autograd::", "")))
        stack.extend(m for m, _ in n.next_functions)
    loss.backward()
    return ran


def test_order_and_grads_match_pytorch():
    torch = pytest.importorskip("torch")
    ps = params(ember)
    with ember.autograd.trace(params=dict(zip(["x", "W1", "b1", "W2"], ps))) as tr:
        loss = mlp_loss(*ps)
        loss.backward()
    assert tr.names() == torch_order(torch)
    tps = params(torch)
    mlp_loss(*tps).backward()
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-6)
    # each leaf's record: the gradient that arrived, and the .grad it produced
    leaves = [r for r in tr if r.leaf is not None]
    assert sorted(r.leaf["name"] for r in leaves) == ["W1", "W2", "b1", "x"]
    for r, p in zip(leaves, [None] * 4):
        p = {"x": ps[0], "W1": ps[1], "b1": ps[2], "W2": ps[3]}[r.leaf["name"]]
        assert r.leaf["action"] == "set"
        assert r.leaf["grad_norm"] == pytest.approx(float(np.linalg.norm(p.grad.numpy())),
                                                    rel=1e-6)
        assert r.grad_outputs[0][0] == tuple(p.shape)
    # the root got the seed gradient 1
    assert tr[0].grad_outputs == [((), "float32", 1.0)]
    assert "backward 0 called at test_trace.py:" in tr.table()


def test_custom_function_record():
    x = ember.tensor([-1.0, 2.0, -3.0, 4.0, 0.5], requires_grad=True)
    with ember.autograd.trace() as tr:
        out = CustomReLU.apply(x); line = _line()  # noqa: E702
        loss = out.sum()
        loss.backward()
    assert tr.names() == ["SumBackward0", "CustomReLUBackward", "AccumulateGrad"]
    rec = tr[1]
    assert rec.forward_site[0] == __file__ and rec.forward_site[1] == line
    assert rec.forward_source.startswith("out = CustomReLU.apply(x)")
    assert rec.saved_read == [(0, "float32[5]")]
    assert rec.grad_outputs == [((5,), "float32", pytest.approx(np.sqrt(5)))]
    (i, (shape, dtype, norm)), = rec.grad_inputs
    assert (i, shape, dtype) == (0, (5,), "float32")
    assert norm == pytest.approx(np.sqrt(3))  # three positive inputs pass the gradient
    assert rec.freed and not tr[0].saved_read
    assert tr[2].leaf["grad_norm"] == pytest.approx(np.sqrt(3))
    table = tr.table()
    assert "CustomReLUBackward" in table and f"test_trace.py:{line}" in table
    assert ".grad of float32[5] set" in table
    assert isinstance(tr.records[1].as_dict(), dict)


def test_hooks_shared_inputs_inplace_and_accumulation():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = ember.tensor([0.5, -1.0, 2.0], requires_grad=True)

    def double(g):
        return g * 2

    def seen_leaf(g):
        return None

    def post_acc(t):
        pass

    x.register_hook(seen_leaf)
    w.register_post_accumulate_grad_hook(post_acc)
    h = x * w          # used twice below: a shared input
    h.register_hook(double)
    a = h * 1.0
    a.add_(1)          # in-place on an intermediate
    y = (a * h).sum()
    y.grad_fn.register_prehook(lambda g: None)
    with ember.autograd.trace() as tr:
        y.backward(retain_graph=True)
        y.backward()
    names = tr.names()
    assert names.count("AccumulateGrad") == 4 and names.count("SumBackward0") == 2
    h_rec = [r for r in tr if r.name == "MulBackward0" and r.node is h.grad_fn]
    assert len(h_rec) == 2 and "tensor[0].test_hooks_shared_inputs_inplace_and_accumulation." \
        "<locals>.double" in h_rec[0].hooks
    assert any(h.startswith("pre:") for h in tr[0].hooks)
    leaf = [r for r in tr if r.leaf is not None]
    assert [r.leaf["action"] for r in leaf] == ["set", "set", "accumulated", "accumulated"]
    assert any("seen_leaf" in h for r in leaf for h in r.hooks)
    assert any("post_accumulate:" in h and "post_acc" in h for r in leaf for h in r.hooks)
    assert {r.backward for r in tr} == {0, 1}
    assert not any(r.freed for r in tr if r.backward == 0)
    assert any(r.freed for r in tr if r.backward == 1)
    # the same gradients as without a trace
    x2 = x.detach().requires_grad_()
    w2 = w.detach().requires_grad_()
    h2 = x2 * w2
    h2.register_hook(double)
    a2 = h2 * 1.0
    a2.add_(1)
    (a2 * h2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x2.grad.numpy())
    np.testing.assert_allclose(w.grad.numpy(), 2 * w2.grad.numpy())


def test_autograd_grad_and_restores_state():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    before = ember.autograd.function.Node.saved_tensors
    with ember.autograd.trace() as tr:
        (g,) = ember.autograd.grad((x ** 3).sum(), x)
    assert tr[-1].leaf["action"] == "returned"
    np.testing.assert_allclose(g.numpy(), [3.0, 12.0])
    assert x.grad is None
    assert not (dispatch.busy and dispatch.tls.bump)  # no version-bump watcher left on
    assert ember.autograd.function.Node.saved_tensors is before
    y = (x * x).sum()
    assert "_forward_cls" not in y.grad_fn.__dict__
    assert "_ember_site" not in y.grad_fn.__dict__  # no site capture outside a trace


def test_trace_of_graph_built_outside_block():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2).sum()
    with ember.autograd.trace() as tr:
        y.backward()
    assert tr[1].forward_site is None and tr[1].forward_source == ""
    assert tr.table().splitlines()[3].split()[:3] == ["1", "MulBackward0", "-"]
    assert len(tr) == 4 and repr(tr).startswith("<Trace of 4 nodes")


def test_error_inside_trace_restores():
    def boom(g):
        raise ValueError("boom")

    Bad = custom_function("Bad", lambda x: x * 2, boom)

    x = ember.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError), ember.autograd.trace():
        Bad.apply(x).sum().backward()
    assert not (dispatch.busy and dispatch.tls.bump)  # no version-bump watcher left on
    assert ember.autograd.engine._accumulate.__name__ == "_accumulate"


def test_backward_with_inputs_runs_only_needed_nodes():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = ember.tensor([3.0, 4.0], requires_grad=True)
    y = (a.exp() * 2).sum() + (b * b).sum()
    with ember.autograd.trace() as tr:
        y.backward(inputs=[b])
    assert a.grad is None
    np.testing.assert_allclose(b.grad.numpy(), [6.0, 8.0])
    assert "ExpBackward0" not in tr.names()
    assert tr.names()[-1] == "AccumulateGrad" and tr[-1].leaf["action"] == "set"
    assert all("_forward_cls" not in n.__dict__ for n in ember.autograd.graph.nodes_of(y))
