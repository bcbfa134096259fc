"""Debug mode: custom Functions gradient-checked on first use, saved-intermediate trap,
file:line of in-place ops and of the backward that freed a graph; off by default."""

import inspect
import subprocess
import sys
import warnings

import numpy as np
import pytest
from oracle import custom_function, ember_env, run_example

import ember
from ember.autograd import dispatch
from ember.autograd.debug import GradientCheckError


@pytest.fixture
def debug():
    ember.autograd.set_debug(True)
    try:
        yield
    finally:
        ember.autograd.set_debug(False)


def _line():
    return inspect.currentframe().f_back.f_lineno


def _x(n=5, seed=0):
    rng = np.random.default_rng(seed)
    return ember.tensor(rng.standard_normal(n).astype(np.float32), requires_grad=True)


CustomReLU = run_example("seed_custom_relu")[0]["CustomReLU"]  # the seed tutorial's, as written


class MulGood(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, scale=1.0):
        ctx.save_for_backward(x, w)
        ctx.scale = scale
        return x * w * scale

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return g * w * ctx.scale, g * x * ctx.scale, None


class MulWrongW(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return x * w

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return g * w, g * w  # the second should be g * x


ExpSavesOutput = custom_function("ExpSavesOutput", lambda x: x.exp(), lambda y, g: g * y,
                                 saves="output")


class ExpTimesTwo(ember.autograd.Function):
    """Saves exp(x), an intermediate that is neither input nor output: the trap."""

    @staticmethod
    def forward(ctx, x):
        e = x.exp()
        ctx.save_for_backward(e)
        return e * 2

    @staticmethod
    def backward(ctx, g):
        (e,) = ctx.saved_tensors
        return g * e * 2


class ScaleInPlace(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.mul_(3)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        return g * 3


SquareNewStyle = custom_function("SquareNewStyle", lambda x: x * x, lambda x, g: 2 * g * x,
                                 saves="inputs", setup_context=True)


def test_off_by_default():
    assert not ember.autograd.is_debug_enabled()
    assert not (dispatch.busy and dispatch.tls.bump)  # no version-bump watcher on the stack


def test_env_var_turns_it_on():
    env = ember_env(EMBER_DEBUG="1")
    out = subprocess.run([sys.executable, "-c", "import ember; from ember.autograd import "
                          "dispatch as D; print(ember.autograd.is_debug_enabled(), "
                          "bool(D.busy and D.tls.bump))"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True"]


def test_catches_wrong_backward(debug):
    x, w = _x(), _x(seed=1)
    with pytest.raises(GradientCheckError) as e:
        MulWrongW.apply(x, w)
    msg = str(e.value)
    assert "MulWrongW" in msg and "input 1 ('w')" in msg and "abs error" in msg
    assert isinstance(e.value, RuntimeError)


def test_wrong_backward_not_checked_when_off():
    x, w = _x(), _x(seed=1)
    MulWrongW.apply(x, w).sum().backward()  # silently wrong: nothing checks it
    np.testing.assert_allclose(w.grad.numpy(), w.detach().numpy())


@pytest.mark.parametrize("fn, args", [
    (CustomReLU, lambda: (_x(),)),
    (MulGood, lambda: (_x(), _x(seed=1), 2.5)),
    (ExpSavesOutput, lambda: (_x(),)),
    (SquareNewStyle, lambda: (_x(),)),
])
def test_correct_functions_pass(debug, fn, args):
    a = args()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn.apply(*a)
    out.sum().backward()
    assert a[0].grad is not None


def test_checked_once_per_class(debug, monkeypatch):
    calls = []
    from ember.autograd import debug as D

    orig = D._directional_check
    monkeypatch.setattr(D, "_directional_check", lambda *a: calls.append(a[0]) or orig(*a))
    for _ in range(3):
        CustomReLU.apply(_x())
    assert calls == [CustomReLU]


def test_mark_dirty_function(debug):
    x = _x()
    y = x * 1.0
    out = ScaleInPlace.apply(y)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(5, 3.0))


def test_saved_intermediate_warns_and_blocks_double_backward(debug):
    x = _x()
    with pytest.warns(UserWarning, match="ExpTimesTwo.forward saves saved_tensors\\[0\\]"):
        y = ExpTimesTwo.apply(x)
    # first order is right
    (g,) = ember.autograd.grad(y.sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 2 * np.exp(x.detach().numpy()), rtol=1e-5)
    with pytest.raises(RuntimeError, match="differentiating twice through ExpTimesTwo.*Fix"):
        g.sum().backward()
    # the guard stays on for later applies of the class
    y2 = ExpTimesTwo.apply(x)
    (g2,) = ember.autograd.grad(y2.sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="ExpTimesTwo"):
        g2.sum().backward()


def test_correct_function_double_backward_in_debug(debug):
    torch = pytest.importorskip("torch")
    x = _x()
    (g,) = ember.autograd.grad(ExpSavesOutput.apply(x).sum(), x, create_graph=True)
    g.sum().backward()
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    (tg,) = torch.autograd.grad(tx.exp().sum(), tx, create_graph=True)
    tg.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5)


def test_inplace_error_names_the_line(debug):
    a = _x()
    s = a.sigmoid()
    y = s.exp() * 2
    s.mul_(2); line = _line()  # noqa: E702
    with pytest.raises(RuntimeError) as e:
        y.sum().backward()
    msg = str(e.value)
    assert msg.startswith("one of the variables needed for gradient computation has been "
                          "modified by an inplace operation")
    assert f"{__file__}:{line}: `s.mul_(2)" in msg


def test_inplace_error_setitem_and_fast_path(debug):
    a = _x()
    w = ember.ones(5)
    y = a * w          # saves w, which needs no grad
    w[0] = 5.0; line = _line()  # noqa: E702
    with pytest.raises(RuntimeError, match=f"test_debug_mode.py:{line}"):
        y.sum().backward()
    w2 = ember.ones(5)
    y2 = a * w2
    w2.add_(1); line2 = _line()  # noqa: E702
    with pytest.raises(RuntimeError, match=f"test_debug_mode.py:{line2}"):
        y2.sum().backward()


def test_inplace_error_without_debug_says_how():
    a = _x()
    s = a.sigmoid()
    y = s.exp() * 2
    s.mul_(2)
    with pytest.raises(RuntimeError, match="set_debug\\(True\\).*name the file:line"):
        y.sum().backward()
    assert len(s._vc) == 1  # nothing was recorded


def test_second_backward_names_the_first(debug):
    x = _x()
    loss = (x.exp() * x).sum()
    loss.backward(); line = _line()  # noqa: E702
    with pytest.raises(RuntimeError) as e:
        loss.backward()
    msg = str(e.value)
    assert msg.startswith("Trying to backward through the graph a second time")
    assert f"freed by the backward call at {__file__}:{line}: `loss.backward()" in msg


def test_second_backward_without_debug():
    x = _x()
    loss = (x.exp() * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="second time.*earlier backward call"):
        loss.backward()


def test_debug_mode_gives_same_gradients(debug):
    rng = np.random.default_rng(3)
    W = ember.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    x = ember.tensor(rng.standard_normal((2, 3)).astype(np.float32))
    CustomReLU.apply(x @ W).tanh().sum().backward()
    g_debug = W.grad.numpy().copy()
    ember.autograd.set_debug(False)
    W.grad = None
    CustomReLU.apply(x @ W).tanh().sum().backward()
    np.testing.assert_array_equal(W.grad.numpy(), g_debug)


class Float32Only(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        if x.dtype != ember.float32:
            raise TypeError("float32 only")
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2


def test_forward_that_refuses_float64_warns(debug):
    x = _x()
    with pytest.warns(UserWarning, match="could not gradient-check Float32Only"):
        y = Float32Only.apply(x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(5, 2.0))


# the seed's CustomReLU with its mask inverted
BadReLU = custom_function("BadReLU", lambda x: x.clamp(min=0),
                          lambda x, g: g.masked_fill(x > 0, 0), saves="inputs")


def test_kink_is_not_a_false_alarm(debug):
    # relu at exactly 0 has no derivative: the check cannot judge there, and must not fail
    x = ember.tensor([-2.0, -0.5, 0.0, 1.5, 3.0], requires_grad=True)
    CustomReLU.apply(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0, 1.0, 1.0]
    # a wrong backward seen first at a kink is caught at a later apply
    zeros = ember.tensor([0.0, 0.0, 1.0], requires_grad=True)
    BadReLU.apply(zeros)
    with pytest.raises(GradientCheckError, match="BadReLU"):
        BadReLU.apply(_x())
