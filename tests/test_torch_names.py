"""Names real PyTorch programs use (issue 10, class 9): ``torch.autograd.Variable``, the
``torch.serialization`` allow-list API, the module paths of nn classes that pickled models
refer to, and a custom Function's node naming."""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import re
import warnings

import numpy as np
import pytest

import ember
from ember.autograd import Variable
from oracle import requires_torch

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def test_variable_returns_a_tensor_as_pytorch():
    t = ember.ones(2)
    v = Variable(t, requires_grad=True)
    assert type(v) is ember.Tensor and v is not t and v.requires_grad and v.is_leaf
    assert isinstance(t, Variable) and isinstance(v, Variable) and not isinstance(1.0, Variable)
    (v * 3).sum().backward()
    assert v.grad.tolist() == [3.0, 3.0] and t.grad is None
    with ember.no_grad():
        v.add_(1)  # the same memory, as PyTorch's Variable(t) shares t's storage
    assert t.tolist() == [2.0, 2.0]
    assert Variable(t, True).requires_grad
    assert type(Variable(ember.nn.Parameter(ember.ones(1)))) is ember.Tensor
    y = ember.ones(2, requires_grad=True) * 2
    z = Variable(y)
    assert not z.requires_grad and z.grad_fn is None
    assert Variable().shape == (0,)
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got int"):
        Variable(3)
    with pytest.raises(RuntimeError, match="floating point and complex"):
        Variable(ember.ones(2, dtype=ember.int64), requires_grad=True)
    with pytest.warns(UserWarning, match="volatile was removed and now has no effect"):
        assert not Variable(t, volatile=True).requires_grad
    with pytest.raises(TypeError):
        Variable(t, requires_grad=True, foo=1)
    assert ember.autograd.variable.Variable is Variable


def test_serialization_allow_list_names():
    ser = ember.serialization
    for name in ("add_safe_globals", "safe_globals", "get_safe_globals", "clear_safe_globals",
                 "get_unsafe_globals_in_checkpoint", "DEFAULT_PROTOCOL", "load", "save"):
        assert hasattr(ser, name), name


@requires_torch
def test_every_torch_nn_module_path_of_an_ember_class_exists():
    """For every class PyTorch defines in torch.nn.modules.<m> that ember has under
    ember.nn, ember.nn.modules.<m>.<Class> exists and is that class."""
    import torch.nn.modules as tm

    missing = []
    for info in pkgutil.iter_modules(tm.__path__):
        tmod = importlib.import_module(f"torch.nn.modules.{info.name}")
        for name, obj in vars(tmod).items():
            if not (inspect.isclass(obj) and obj.__module__ == tmod.__name__):
                continue
            ours = getattr(ember.nn, name, None)
            if ours is None:
                continue
            try:
                emod = importlib.import_module(f"ember.nn.modules.{info.name}")
            except ModuleNotFoundError:
                missing.append(f"ember.nn.modules.{info.name}")
                continue
            if getattr(emod, name, None) is not ours:
                missing.append(f"ember.nn.modules.{info.name}.{name}")
    assert missing == []
    from ember.nn.modules.activation import MultiheadAttention
    from ember.nn.modules.batchnorm import _BatchNorm
    from ember.nn.modules.linear import NonDynamicallyQuantizableLinear
    from ember.nn.modules.utils import _pair, _single, _triple

    assert MultiheadAttention is ember.nn.MultiheadAttention
    assert isinstance(ember.nn.BatchNorm1d(2), _BatchNorm)
    assert type(ember.nn.MultiheadAttention(4, 2).out_proj) is NonDynamicallyQuantizableLinear
    assert (_single(2), _pair(3), _triple((1, 2, 3)), _pair([4, 5])) == (
        (2,), (3, 3), (1, 2, 3), (4, 5))


@requires_torch
def test_whole_pytorch_model_pickle_loads_into_ember():
    """torch.save(model) pickles classes by their torch.nn.modules paths; with
    weights_only=False (a trusted file) ember rebuilds its own modules from them."""
    tm = torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(), torch.nn.Flatten(),
        torch.nn.Linear(8, 4), torch.nn.LayerNorm(4), torch.nn.Dropout(0.1))
    buf = io.BytesIO()
    torch.save(tm, buf)
    with pytest.raises(Exception, match="Weights only load failed"):
        ember.load(io.BytesIO(buf.getvalue()))
    em = ember.load(io.BytesIO(buf.getvalue()), weights_only=False)
    assert type(em) is ember.nn.Sequential and type(em[1]) is ember.nn.BatchNorm2d
    x = np.random.default_rng(0).random((2, 1, 4, 4)).astype(np.float32)
    tm.eval(), em.eval()
    np.testing.assert_allclose(em(ember.tensor(x)).detach().numpy(),
                               tm(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


class MyFn(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2


def test_custom_function_node_repr_has_its_module_path():
    # PyTorch 2.13: <torch.autograd.function.MyFnBackward object at 0x7f...>
    y = MyFn.apply(ember.ones(2, requires_grad=True))
    assert re.fullmatch(r"<torch\.autograd\.function\.MyFnBackward object at 0x[0-9a-f]+>",
                        repr(y.grad_fn)), repr(y.grad_fn)
    assert str(y.grad_fn) == repr(y.grad_fn)
    assert "grad_fn=<MyFnBackward>" in repr(y)  # the tensor's repr keeps the short name
    assert re.fullmatch(r"<MulBackward0 object at 0x[0-9a-f]+>", repr((y * 2).grad_fn))


def test_instantiating_a_function_warns_as_pytorch():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MyFn()
    assert [(w.category, str(w.message), w.filename) for w in caught] == [(
        DeprecationWarning,
        f"{MyFn} should not be instantiated. Methods on autograd functions are all static, so "
        "you should invoke them on the class itself. Instantiating an autograd function will "
        "raise an error in a future version of PyTorch.",
        __file__,
    )]


def test_applying_a_function_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = MyFn.apply(ember.ones(2, requires_grad=True))
        y.sum().backward()
