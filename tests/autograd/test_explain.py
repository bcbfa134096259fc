"""explain_grad, and the error messages that say what to do."""

import inspect
import os

import numpy as np
import pytest

import ember
from ember.autograd import explain_grad


def _x(n=3, grad=True):
    return ember.tensor(np.arange(1, n + 1, dtype=np.float32), requires_grad=grad)


def test_has_grad():
    x = _x()
    (x * x).sum().backward()
    msg = explain_grad(x)
    assert msg.startswith(".grad is set on this leaf tensor float32[3]")
    assert f"{np.linalg.norm([2, 4, 6]):.4g}" in msg


def test_non_leaf_without_retain_grad():
    x = _x()
    h = x * 2
    h.exp().sum().backward()
    msg = explain_grad(h)
    assert "not a leaf (it was computed by MulBackward0)" in msg and "retain_grad()" in msg
    h2 = x * 3
    h2.retain_grad()
    assert "retain_grad() was called" in explain_grad(h2)
    h2.sum().backward()
    assert explain_grad(h2).startswith(".grad is set on this non-leaf (retain_grad)")


def test_non_leaf_site_under_trace():
    x = _x()
    with ember.autograd.trace():
        h = x * 2
    assert "computed by MulBackward0 at test_explain.py:" in explain_grad(h)


def test_replaced_by_a_copy():
    w = ember.tensor([1.0, 2.0], requires_grad=True).double()
    (w * 2).sum().backward()
    msg = explain_grad(w)
    assert "a copy of one: ToCopyBackward0 <- leaf float32[2]" in msg
    assert ".requires_grad_()" in msg


def test_requires_grad_false_no_grad_and_detached():
    x = _x()
    with ember.no_grad():
        y = x * 2
    assert "requires_grad is False" in explain_grad(y)
    assert "no_grad()" in explain_grad(y)
    d = x.detach()
    out = (d * x).sum()
    msg = explain_grad(d, output=out)
    assert "detach()" in msg and "MulBackward0, as a constant: detached on the path" in msg
    assert "requires_grad is False" in explain_grad(_x(grad=False))


def test_leaf_never_used_in_a_graph():
    w = _x()
    with ember.no_grad():
        loss = (w * 2).sum()
    msg = explain_grad(w)
    assert "never been used by an op that recorded a graph" in msg
    other = _x()
    out = (w.detach() * other).sum()
    out.backward(retain_graph=True)  # the graph must still hold its saved tensors
    msg = explain_grad(w, output=out)
    assert "MulBackward0 used a detached alias of it" in msg
    assert loss is not None


def test_not_reached_by_last_backward():
    a, b = _x(), _x()
    ya = (a * a).sum()
    yb = (b * b).sum()
    ya.backward()
    assert "the last backward did not reach it" in explain_grad(b)
    assert "not in the graph of output" in explain_grad(b, output=ya)
    assert "in the graph of output, but no backward has reached it" in explain_grad(b, yb)


def test_not_reached_names_the_last_backward():
    ember.autograd.set_debug(True)
    try:
        a, b = _x(), _x()
        ya = (a * a).sum()
        (b * b).sum()
        ya.backward()
        line = inspect.currentframe().f_lineno - 1
        msg = explain_grad(b)
    finally:
        ember.autograd.set_debug(False)
    assert f"the last backward (called at test_explain.py:{line}) did not reach it" in msg
    assert "the last backward did not reach it" in explain_grad(b)  # forgotten when off


def test_zeroed_by_optimizer():
    optim = pytest.importorskip("ember.optim")
    w = _x()
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    opt.zero_grad()
    assert w.grad is None
    msg = explain_grad(w)
    assert "set to None by SGD.zero_grad()" in msg


def test_type_error():
    with pytest.raises(TypeError):
        explain_grad(np.zeros(2))


# ----------------------------------------------------------------------------- errors
class TwoInputsOneGrad(ember.autograd.Function):
    @staticmethod
    def forward(ctx, input, weight):
        ctx.save_for_backward(input)
        return input.clamp(min=0) * weight

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * (input > 0)


def test_wrong_number_of_gradients_message():
    x, w = _x(), _x()
    with pytest.raises(RuntimeError) as e:
        TwoInputsOneGrad.apply(x, w).sum().backward()
    msg = str(e.value)
    assert ("returned an incorrect number of gradients (expected 2, got 1)") in msg
    assert ("TwoInputsOneGradBackward returned 1 gradient but forward(ctx, input, weight) has "
            "2 inputs: return grad_input, grad_weight (None for inputs that need no gradient)"
            ) in msg


def test_wrong_number_matches_pytorch_phrase():
    torch = pytest.importorskip("torch")

    class T(torch.autograd.Function):
        forward = staticmethod(TwoInputsOneGrad.forward.__func__
                               if hasattr(TwoInputsOneGrad.forward, "__func__")
                               else TwoInputsOneGrad.forward)
        backward = staticmethod(TwoInputsOneGrad.backward)

    with pytest.raises(RuntimeError) as e:
        T.apply(torch.ones(3, requires_grad=True), torch.ones(3, requires_grad=True)).sum() \
            .backward()
    assert "returned an incorrect number of gradients (expected 2, got 1)" in str(e.value)


class RowSum(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x, bias):
        ctx.n = x.shape[0]
        return x + bias.unsqueeze(1)

    @staticmethod
    def backward(ctx, g):
        return g, g  # bias's gradient must be summed over dim 1


def test_shape_mismatch_names_the_reduction():
    x = ember.ones(4, 3, requires_grad=True)
    b = ember.ones(4, requires_grad=True)
    with pytest.raises(RuntimeError) as e:
        RowSum.apply(x, b).sum().backward()
    msg = str(e.value)
    assert "returned an invalid gradient at index 1 - got [4, 3] but expected shape " \
           "compatible with [4]" in msg
    assert "input 1 ('bias')" in msg and "grad.sum(dim=1)" in msg


def test_shape_hint_cases():
    from ember.autograd.explain import shape_hint

    node = RowSum.apply(ember.ones(4, 3, requires_grad=True), ember.ones(4)).grad_fn
    assert "transpose" in shape_hint(node, 0, (3, 4), (4, 3))
    assert "expand" in shape_hint(node, 0, (3,), (4, 3))
    assert "grad.sum(dim=(0, 2)).reshape([5, 1])" in shape_hint(node, 0, (2, 5, 3), (5, 1))


def test_module_files_exist():
    import ember.autograd as A

    for name in ("graph", "trace", "debug", "explain"):
        assert os.path.exists(os.path.join(os.path.dirname(A.__file__), name + ".py"))
