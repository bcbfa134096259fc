"""ember.autograd.graph: text tree, DOT, SVG, notebook object, saved-memory report."""

import re
import shutil

import numpy as np
import pytest
from needs import unavailable
from oracle import run_example

import ember
from ember.autograd import graph as G

CustomReLU = run_example("seed_custom_relu")[0]["CustomReLU"]  # the seed tutorial's, as written


def _t(shape, seed=0, grad=True):
    rng = np.random.default_rng(seed)
    return ember.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=grad)


def mlp(lib=ember):
    rng = np.random.default_rng(0)

    def p(*s):
        return lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)

    x, W1, b1, W2 = p(4, 3), p(3, 5), p(5), p(5, 2)
    h = (x @ W1 + b1).tanh()
    loss = ((h @ W2 - 1) ** 2).mean()
    return loss, {"x": x, "W1": W1, "b1": b1, "W2": W2}


def _names(fn, torch_names=False):
    out, seen, stack = [], set(), [fn]
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        out.append(n.name().replace("torch::autograd::", ""))
        stack.extend(m for m, _ in n.next_functions)
    return sorted(out)


def test_custom_function_tree():
    x = _t(5)
    y = CustomReLU.apply(x).sum()
    text = G.render(y, params={"input_tensor": x})
    lines = text.splitlines()
    assert lines[0] == "SumBackward0 #0"
    assert lines[1] == "└─ CustomReLUBackward #1"
    assert lines[2] == "   ╎ saved[0]: float32[5] 20 B  (input 0)"
    assert lines[3] == "   └─ AccumulateGrad #2  leaf float32[5] 'input_tensor'"
    assert len(lines) == 4


def test_mlp_nodes_match_pytorch():
    torch = pytest.importorskip("torch")
    loss, params = mlp()
    tloss, _ = mlp(torch)
    text = G.render(loss, params=params)
    names = re.findall(r"(\w+) #\d+(?! \(shared)", text)
    assert sorted(names) == _names(tloss.grad_fn)
    for k, v in params.items():
        assert f"leaf {v._data.dtype}{list(v.shape)} '{k}'".replace("'", "'") in text.replace(
            "[4, 3]", "[4, 3]")


def test_shared_subgraph_printed_once():
    x, w = _t(3, 1), _t(3, 2)
    h = x * w
    y = (h.tanh() + h * 2).sum()
    text = G.render(y)
    mul_ids = re.findall(r"MulBackward0 #(\d+)", text)
    # h's node: defined once, referenced once; the `* 2` node is another MulBackward0
    assert len(mul_ids) == 3
    shared = re.findall(r"(\w+) #(\d+) \(shared, see above\)", text)
    assert len(shared) == 1
    name, k = shared[0]
    assert name == "MulBackward0"
    assert text.count(f"MulBackward0 #{k}\n") == 1  # the definition line (with children)
    # the saved tensors of h's node are listed once, and the leaves appear once each
    assert text.count("AccumulateGrad") == 2
    assert "saved[1]: 2 (python scalar)" in text
    assert "(output 0)" in text  # tanh saves its output


def test_inplace_graph_and_freed():
    x = _t(4)
    a = x * 2
    a.add_(1)
    a[1:3].mul_(3)  # in-place on a view: CopySlices rewrites a's history
    y = (a * a).sum()
    text = G.render(y)
    assert "CopySlices" in text
    assert "AddBackward0" in text
    y.backward()
    after = G.render(y)
    assert "freed by backward" in after
    assert "saved[" not in after
    np.testing.assert_allclose(x.grad.numpy(), _ref_inplace_grad(x), rtol=1e-5)


def _ref_inplace_grad(x):
    v = x.detach().numpy().astype(np.float64)
    m = np.array([1, 3, 3, 1.0])
    a = (2 * v + 1) * m
    return 2 * a * m * 2


def test_dot_structure():
    loss, params = mlp()
    dot = G.to_dot(loss, params=params)
    nodes = G.nodes_of(loss)
    decl = re.findall(r"^  (n\d+) \[label=", dot, re.MULTILINE)
    assert len(decl) == len(nodes)
    edges = re.findall(r"^  n\d+ -> n\d+ \[label", dot, re.MULTILINE)
    assert len(edges) == sum(1 for n in nodes for e in n._next if e is not None)
    saved = re.findall(r"^  n\d+s\d+ \[label", dot, re.MULTILINE)
    n_saved = sum(1 for n in nodes if n._saved not in (None, ember.autograd.function.FREED)
                  for s in n._saved if isinstance(s, ember.Tensor))
    assert len(saved) == n_saved > 0
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    assert "'W1'" in dot


def test_svg_with_graphviz():
    if shutil.which("dot") is None:
        unavailable("GRAPHVIZ", "Graphviz's dot is not installed (apt-get install graphviz)")
    loss, params = mlp()
    svg = G.to_svg(loss, params=params)
    assert "<svg" in svg and "MmBackward0" in svg
    g = G.Graph(loss, params=params)
    assert g._repr_svg_().startswith(svg[:20])
    assert "<svg" in g._repr_html_()


def test_notebook_object_without_graphviz(monkeypatch):
    monkeypatch.setattr(G.shutil, "which", lambda name: None)
    x = _t(3)
    g = G.Graph((x * x).sum())
    assert str(g) == G.render((x * x).sum())
    assert g._repr_svg_() is None
    assert g._repr_html_().startswith("<pre>") and "SumBackward0" in g._repr_html_()
    with pytest.raises(RuntimeError, match="Graphviz"):
        G.to_svg((x * x).sum())


def test_node_reexported():
    assert G.Node is ember.autograd.function.Node
    assert isinstance(_t(2).exp().grad_fn, G.Node)


def test_no_graph():
    assert "no graph" in G.render(_t(2, grad=False) * 2)


def test_saved_memory_counts_shared_buffer_once():
    x = _t(1000)
    y = (x * x).sum()  # x saved twice by one node
    m = G.saved_memory(y)
    assert m.total == 4000
    assert m.activations == 0  # x is a leaf
    h = x.exp()  # saves its output (4000 B)
    v = h[10:20]  # a view keeps its whole buffer alive
    z = (v * x[:10]).sum() + (h * 3).sum()
    m2 = G.saved_memory(z)
    # h's buffer (exp's output, saved by exp and by h * 3, and under v by the slice mul),
    # and x's buffer (under x[:10]): each counted once
    assert m2.total == 8000
    assert m2.activations == 4000
    counted = [it for _, items, _ in m2.nodes for it in items if it[4]]
    assert sum(it[2] for it in counted) == m2.total
    assert "total saved for backward: 7.8 KiB" in m2.table()


def test_saved_memory_mlp():
    loss, _params = mlp()
    m = G.saved_memory(loss)
    # hand count: mm(x,W1) saves x and W1; add saves none; tanh saves h (4x5); mm(h,W2)
    # saves h (same buffer) and W2; sub saves none; pow with a number exponent saves its input
    # (4x2) only (PyTorch's PowBackward0: self and the exponent); mean saves none
    expected = (12 + 15 + 20 + 10 + 8) * 4
    mm = [n for n in G.nodes_of(loss) if n.name() == "MmBackward0"]
    assert len(mm) == 2
    assert m.total == expected, m.table()
    assert m.activations == (20 + 8) * 4


def test_saved_memory_per_module():
    nn = pytest.importorskip("ember.nn")
    if not hasattr(nn, "Linear"):
        pytest.skip("nn.Linear not available")
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2))
    x = ember.randn(4, 3)
    with ember.autograd.trace():
        loss = model(x).pow(2).sum()
    m = G.saved_memory(loss, model=model)
    # Linear 0 saves x (4x3) and its weight (8x3); Tanh saves its output (4x8); Linear 2 saves
    # that same output (counted under Tanh, first seen there) and its weight (2x8)
    assert m.by_module == {"0": (12 + 24) * 4, "1": 32 * 4, "2": 16 * 4}, m.table()
    assert "under module 1: 128 B" in m.table()
    assert sum(m.by_module.values()) + 8 * 4 == m.total  # pow saves its input (4x2)
    text = G.render(loss, params=model)
    assert "'0.weight'" in text and "'2.bias'" in text


def test_deep_chain_renders_without_recursion_or_quadratic_width():
    x = _t(2)
    y = x
    for _ in range(3000):
        y = y.sin()
    text = G.render(y.sum())
    lines = text.splitlines()
    assert len(lines) == 1 + 3000 * 2 + 1  # sum; each sin and its saved input; leaf
    assert max(len(line) for line in lines) < 120
    assert lines[-1].endswith("AccumulateGrad #3001  leaf float32[2]")
    m = G.saved_memory(y.sum())
    assert (m.total, m.activations) == (3000 * 8, 2999 * 8)


def test_saved_tensors_hooks_are_shown_as_packed():
    hooks = pytest.importorskip("ember.autograd.saved_hooks")
    x = _t(4)
    with G.saved_tensors_hooks(lambda t: t * 1, lambda t: t):
        y = (x.exp() * x).sum()
    text = G.render(y)
    assert "saved[0]: packed by saved_tensors_hooks: float32[4] 16 B" in text
    assert G.saved_memory(y).total == 3 * 16  # three packed copies, each its own buffer
    assert hooks is not None
