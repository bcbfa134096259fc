"""Interpreter, Transformer, replace_pattern and ShapeProp, from PyTorch's fx docs."""

import operator

import numpy as np
import pytest

import ember
import ember.fx as fx
from ember.fx.passes.shape_prop import ShapeProp

from fx_door import needs_door, needs_module_door


def _graph_cat_sum(w1_name="w1", w2_name="w2"):
    g = fx.Graph()
    a = g.placeholder(w1_name)
    b = g.placeholder(w2_name)
    n = g.call_function(ember.neg, (a,))
    c = g.call_function(ember.cat, ([n, b],))
    g.output(g.call_method("sum", (c,)))
    return g


def test_replace_pattern_on_built_graphs():
    g = fx.Graph()
    x, w1, w2 = g.placeholder("x"), g.placeholder("w1"), g.placeholder("w2")
    outs = []
    for _ in range(2):
        n = g.call_function(ember.neg, (w1,))
        c = g.call_function(ember.cat, ([n, w2],))
        s = g.call_method("sum", (c,))
        outs.append(g.call_function(ember.max, (s,)))
    g.output(g.call_function(operator.add, (g.call_function(operator.add, (x, outs[0])),
                                            outs[1])))
    gm = fx.GraphModule(ember.nn.Module(), g)
    rep = fx.Graph()
    a, b = rep.placeholder("w1"), rep.placeholder("w2")
    rep.output(rep.call_function(ember.stack, ([a, b],)))
    matches = fx.replace_pattern(gm, _graph_cat_sum("a1", "a2"), rep)
    assert len(matches) == 2
    assert "torch.stack([w1, w2])" in gm.code and "torch.cat" not in gm.code
    x, w1, w2 = ember.randn(3), ember.randn(3), ember.randn(3)
    expected = x + ember.max(ember.stack([w1, w2])) * 2
    np.testing.assert_allclose(gm(x, w1, w2).numpy(), expected.numpy(), rtol=1e-6)


def test_replace_pattern_skips_a_match_whose_inner_value_escapes():
    g = fx.Graph()
    w1, w2 = g.placeholder("w1"), g.placeholder("w2")
    n = g.call_function(ember.neg, (w1,))
    c = g.call_function(ember.cat, ([n, w2],))
    s = g.call_method("sum", (c,))
    g.output((s, n))  # `neg` is used outside the pattern: no match
    gm = fx.GraphModule(ember.nn.Module(), g)
    rep = fx.Graph()
    a, b = rep.placeholder("a"), rep.placeholder("b")
    rep.output(rep.call_function(ember.stack, ([a, b],)))
    assert fx.replace_pattern(gm, _graph_cat_sum(), rep) == []


@needs_door
def test_replace_pattern_doc_example():
    class M(ember.nn.Module):
        def forward(self, x, w1, w2):
            m1 = ember.cat([w1, w2]).sum()
            m2 = ember.cat([w1, w2]).sum()
            return x + ember.max(m1) + ember.max(m2)

    def pattern(w1, w2):
        return ember.cat([w1, w2]).sum()

    def replacement(w1, w2):
        return ember.stack([w1, w2])

    traced = fx.symbolic_trace(M())
    fx.replace_pattern(traced, pattern, replacement)
    assert traced.code.count("torch.stack([w1, w2])") == 2
    x, w1, w2 = ember.randn(2), ember.randn(2), ember.randn(2)
    expected = x + ember.max(ember.stack([w1, w2])) * 2
    np.testing.assert_allclose(traced(x, w1, w2).numpy(), expected.numpy(), rtol=1e-6)


class NegSigmSwapInterpreter(fx.Interpreter):
    def call_function(self, target, args, kwargs):
        if target == ember.sigmoid:
            return ember.neg(*args, **kwargs)
        return super().call_function(target, args, kwargs)

    def call_method(self, target, args, kwargs):
        if target == "neg":
            call_self, *args_tail = args
            return call_self.sigmoid(*args_tail, **kwargs)
        return super().call_method(target, args, kwargs)


def _doc_graph():
    g = fx.Graph()
    x = g.placeholder("x")
    s = g.call_function(ember.sigmoid, (x,))
    g.output(g.call_method("neg", (s,)))
    return fx.GraphModule(ember.nn.Module(), g)


def test_interpreter_doc_example_swaps_ops():
    x = ember.randn(3, 4)
    result = NegSigmSwapInterpreter(_doc_graph()).run(x)
    np.testing.assert_allclose(result.numpy(), ember.neg(x).sigmoid().numpy(), rtol=1e-6)


def test_transformer_doc_example_builds_new_module():
    class NegSigmSwapXformer(fx.Transformer):
        def call_function(self, target, args, kwargs):
            if target == ember.sigmoid:
                return self.tracer.create_proxy("call_function", ember.neg, args, kwargs)
            return super().call_function(target, args, kwargs)

        def call_method(self, target, args, kwargs):
            if target == "neg":
                return self.tracer.create_proxy("call_method", "sigmoid", args, kwargs)
            return super().call_method(target, args, kwargs)

    gm = _doc_graph()
    transformed = NegSigmSwapXformer(gm).transform()
    x = ember.randn(3, 4)
    np.testing.assert_allclose(transformed(x).numpy(), ember.neg(x).sigmoid().numpy(),
                               rtol=1e-6)
    assert "torch.neg(x)" in transformed.code and ".sigmoid()" in transformed.code


def test_interpreter_counts_and_garbage_collects():
    class Counting(fx.Interpreter):
        def __init__(self, gm):
            super().__init__(gm)
            self.seen = []

        def run_node(self, n):
            self.seen.append(n.op)
            return super().run_node(n)

    interp = Counting(_doc_graph())
    interp.run(ember.ones(2))
    assert interp.seen == ["placeholder", "call_function", "call_method", "output"]
    assert len(interp.env) == 1  # only the output is kept once values are dead


def test_interpreter_reports_the_failing_node():
    g = fx.Graph()
    x = g.placeholder("x")
    g.output(g.call_method("view", (x, 7)))
    with pytest.raises(RuntimeError, match="While executing %view"):
        fx.Interpreter(fx.GraphModule(ember.nn.Module(), g)).run(ember.ones(3))


def test_shape_prop_records_tensor_meta():
    root = ember.nn.Module()
    root.lin = ember.nn.Linear(4, 5)
    g = fx.Graph()
    x = g.placeholder("x")
    h = g.call_module("lin", (x,))
    g.output(g.call_function(ember.relu, (h,)))
    gm = fx.GraphModule(root, g)
    ShapeProp(gm).propagate(ember.randn(3, 4))
    metas = {n.name: n.meta["tensor_meta"] for n in gm.graph.nodes if "tensor_meta" in n.meta}
    assert tuple(metas["x"].shape) == (3, 4)
    assert tuple(metas["lin"].shape) == (3, 5) and metas["lin"].dtype == ember.float32
    assert metas["lin"].requires_grad is True


@needs_door
def test_doc_direct_graph_manipulation_add_to_mul():
    class M(ember.nn.Module):
        def forward(self, x, y):
            return ember.add(x, y) + y

    def transform(m):
        gm = fx.symbolic_trace(m)
        for node in gm.graph.nodes:
            if node.op == "call_function" and node.target == ember.add:
                node.target = ember.mul
        gm.graph.lint()
        gm.recompile()
        return gm

    gm = transform(M())
    x, y = ember.randn(3), ember.randn(3)
    assert ember.allclose(gm(x, y), x * y + y)
    assert "torch.mul(x, y)" in gm.code


@needs_door
def test_doc_proxy_retracing_decomposition():
    F = ember.nn.functional

    def relu_decomposition(x):
        return (x > 0) * x

    decomposition_rules = {F.relu: relu_decomposition}

    def decompose(model, tracer_class=fx.Tracer):
        graph = tracer_class().trace(model)
        new_graph = fx.Graph()
        env = {}
        tracer = fx.proxy.GraphAppendingTracer(new_graph)
        for node in graph.nodes:
            if node.op == "call_function" and node.target in decomposition_rules:
                proxy_args = [fx.Proxy(env[x.name], tracer) if isinstance(x, fx.Node) else x
                              for x in node.args]
                env[node.name] = decomposition_rules[node.target](*proxy_args).node
            else:
                env[node.name] = new_graph.node_copy(node, lambda x: env[x.name])
        return fx.GraphModule(model, new_graph)

    class M(ember.nn.Module):
        def forward(self, x):
            return F.relu(x) * 2

    gm = decompose(M())
    assert "relu" not in gm.code and "gt = x > 0" in gm.code
    x = ember.randn(5)
    assert ember.allclose(gm(x), F.relu(x) * 2)


@needs_module_door
def test_doc_shape_prop_on_traced_module():
    class TwoLayerNet(ember.nn.Module):
        def __init__(self, d_in, h, d_out):
            super().__init__()
            self.linear1 = ember.nn.Linear(d_in, h)
            self.linear2 = ember.nn.Linear(h, d_out)

        def forward(self, x):
            return self.linear2(self.linear1(x).clamp(min=0))

    gm = fx.symbolic_trace(TwoLayerNet(10, 5, 2))
    ShapeProp(gm).propagate(ember.randn(4, 10))
    shapes = [(n.name, tuple(n.meta["tensor_meta"].shape)) for n in gm.graph.nodes
              if n.op != "output"]
    assert shapes == [("x", (4, 10)), ("linear1", (4, 5)), ("clamp", (4, 5)),
                      ("linear2", (4, 2))]
