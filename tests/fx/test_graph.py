"""Graph, Node, codegen and GraphModule on hand-built graphs, compared with torch.fx."""

import copy
import operator
import pickle

import numpy as np
import pytest

import ember
import ember.fx as efx

torch = pytest.importorskip("torch", reason="PyTorch is the reference for fx's printed forms")
import torch.fx as tfx  # noqa: E402


def build(fx, lib):
    """The same program built node by node in torch.fx or ember.fx."""
    g = fx.Graph()
    x = g.placeholder("x")
    g.placeholder("y", default_value=None)
    c = g.call_function(lib.cat, ([x, x],), {"dim": 0})
    s = g.call_method("sum", (c,), {"dim": 1, "keepdim": True})
    m = g.call_function(lib.max, (s,))
    a = g.call_function(operator.add, (m, 2))
    sh = g.call_function(getattr, (x, "shape"))
    gi = g.call_function(operator.getitem, (sh, 0))
    f = g.call_method("float", (x,))
    n = g.call_function(operator.neg, (f,))
    sl = g.call_function(operator.getitem, (n, (slice(None), slice(0, 2))))
    r = g.call_function(lib.nn.functional.relu, (sl,), {"inplace": False})
    mm = g.call_function(operator.matmul, (r, r))
    g.call_function(operator.sub, (1.0, mm))  # unused: freed right away in the code
    g.output({"a": a, "b": (gi, mm)})
    return g


def test_graph_prints_and_generates_code_as_pytorch():
    eg, tg = build(efx, ember), build(tfx, torch)
    assert str(eg) == str(tg).replace("builtins.getattr", "builtins.getattr")
    egm = efx.GraphModule(ember.nn.Module(), eg)
    tgm = tfx.GraphModule(torch.nn.Module(), tg)
    assert egm.code == tgm.code
    assert [n.name for n in eg.nodes] == [n.name for n in tg.nodes]


def test_graph_module_runs_generated_code():
    gm = efx.GraphModule(ember.nn.Module(), build(efx, ember))
    x = ember.arange(6.0).reshape(2, 3)
    out = gm(x)
    assert out["b"][0] == 2
    xx = -x[:, 0:2]
    mm = ember.relu(xx) @ ember.relu(xx)
    np.testing.assert_allclose(out["b"][1].numpy(), mm.numpy())
    assert out["a"].item() == ember.cat([x, x]).sum(dim=1).max().item() + 2


def test_print_tabular_matches_pytorch(capsys):
    pytest.importorskip("tabulate", reason="PyTorch's print_tabular needs tabulate")
    eg, tg = build(efx, ember), build(tfx, torch)
    eg.print_tabular()
    e = capsys.readouterr().out
    tg.print_tabular()
    t = capsys.readouterr().out

    def norm(s):  # function reprs differ by address and by builtin-vs-function
        import re

        return [re.sub(r"<[^>]*>", "<fn>", line).rstrip() for line in s.splitlines()]

    assert len(norm(e)) == len(norm(t))
    assert [line.split()[:2] for line in norm(e)] == [line.split()[:2] for line in norm(t)]


def test_names_avoid_builtins_and_count_like_pytorch():
    for fx, lib in ((efx, ember), (tfx, torch)):
        g = fx.Graph()
        x = g.placeholder("x")
        names = [g.call_function(lib.max, (x,)).name, g.call_function(lib.max, (x,)).name,
                 g.call_method("float", (x,)).name, g.call_module("seq.0", (x,)).name,
                 g.call_function(operator.add, (x, x)).name,
                 g.call_function(operator.add, (x, x)).name]
        if fx is efx:
            ember_names = names
        else:
            assert ember_names == names == ["max_1", "max_2", "float_1", "seq_0", "add",
                                            "add_1"]


def test_erase_insert_replace_and_dce():
    g = efx.Graph()
    x = g.placeholder("x")
    a = g.call_function(ember.relu, (x,))
    b = g.call_function(ember.neg, (a,))
    dead = g.call_function(ember.exp, (x,))
    g.output(b)
    with pytest.raises(RuntimeError, match="still had 1 users"):
        g.erase_node(a)
    with g.inserting_after(a):
        t = g.call_function(ember.tanh, (a,))
    b.replace_input_with(a, t)
    assert list(a.users) == [t]
    assert [n.name for n in g.nodes] == ["x", "relu", "tanh", "neg", "exp", "output"]
    assert g.eliminate_dead_code() is True
    assert dead not in list(g.nodes)
    changed = t.replace_all_uses_with(a)
    assert changed == [b] and b.args == (a,)
    g.erase_node(t)
    g.lint()
    gm = efx.GraphModule(ember.nn.Module(), g)
    x = ember.tensor([-1.0, 2.0])
    assert ember.equal(gm(x), -ember.relu(x))


def test_lint_catches_use_before_definition():
    g = efx.Graph()
    x = g.placeholder("x")
    out = g.output(x)
    with g.inserting_before(x):
        r = g.call_function(ember.relu, (x,))
    out.args = (r,)
    with pytest.raises(RuntimeError, match="was used before it has been defined"):
        g.lint()


def test_get_attr_and_call_module_copy_from_root_and_train():
    root = ember.nn.Module()
    root.lin = ember.nn.Linear(3, 2)
    root.register_buffer("scale", ember.tensor(2.0))
    g = efx.Graph()
    x = g.placeholder("x")
    h = g.call_module("lin", (x,))
    s = g.get_attr("scale")
    g.output(g.call_function(operator.mul, (h, s)))
    gm = efx.GraphModule(root, g, class_name="Scaled")
    assert gm.lin is root.lin and "scale" in dict(gm.named_buffers())
    assert "class Scaled(torch.nn.Module)" in gm.print_readable(print_output=False)
    x = ember.randn(4, 3)
    gm(x).sum().backward()
    assert root.lin.weight.grad is not None
    np.testing.assert_allclose(root.lin.weight.grad.numpy(), 2 * x.sum(0).expand(2, 3).numpy(),
                               rtol=1e-6)
    assert repr(gm).startswith("Scaled(")


def test_graph_module_from_dict_and_missing_target():
    g = efx.Graph()
    x = g.placeholder("x")
    g.output(g.call_module("sub.act", (x,)))
    gm = efx.GraphModule({"sub.act": ember.nn.ReLU()}, g)
    assert isinstance(gm.sub.act, ember.nn.ReLU)
    with pytest.raises(RuntimeError, match="was not provided in ``root``"):
        efx.GraphModule({}, g)


def test_deepcopy_and_pickle_keep_behaviour():
    root = ember.nn.Module()
    root.lin = ember.nn.Linear(3, 3)
    g = efx.Graph()
    x = g.placeholder("x")
    g.output(g.call_function(ember.tanh, (g.call_module("lin", (x,)),)))
    gm = efx.GraphModule(root, g)
    x = ember.randn(2, 3)
    c = copy.deepcopy(gm)
    assert c.lin is not gm.lin and ember.allclose(c(x), gm(x))
    p = pickle.loads(pickle.dumps(gm))
    assert ember.allclose(p(x), gm(x)) and p.code == gm.code


def test_node_copy_graph_copy_and_map_arg():
    g = efx.graph.Graph() if hasattr(efx, "graph") else efx.Graph()
    x = g.placeholder("x")
    y = g.call_function(ember.relu, (x,), {})
    g.output((y, [y, 3]))
    g2 = copy.deepcopy(g)
    assert str(g2) == str(g)
    assert efx.node.map_arg((x, [y, 1], {"k": y}), lambda n: n.name) == \
        ("x", ["relu", 1], {"k": "relu"})
    assert y.all_input_nodes == [x] and x.next is y and y.prev is x
