"""Saved-tensor hooks (src/ember/autograd/saved_hooks.py): pack/unpack, nesting,
what each op saves, save_on_cpu, in-place changes detected through hooks."""

import numpy as np
import pytest
from oracle import assert_close, torch

import ember
from ember.autograd.saved_hooks import disable_saved_tensors_hooks, save_on_cpu, saved_tensors_hooks


def _count_saved(L, hooks):
    n = []
    x = L.tensor([1.0, 2.0], requires_grad=True)
    with hooks(lambda t: n.append(tuple(t.shape)) or t, lambda t: t):
        y = (L.tanh(x) * x).exp().sum()
    y.backward()
    return n, x.grad.numpy()


def test_saved_tensors_hooks_pack_and_unpack_and_innermost_wins():
    log = []
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with saved_tensors_hooks(lambda t: log.append("outer") or ("outer", t), lambda p: p[1]):
        with saved_tensors_hooks(lambda t: log.append("pack") or ("inner", t * 1),
                                 lambda p: log.append("unpack") or p[1]):
            y = (x * x).sum()
        z = x.exp().sum()
    assert log == ["pack", "pack", "outer"]
    (g,) = ember.autograd.grad(y, x)
    assert log.count("unpack") == 2
    assert_close(g.numpy(), [2.0, 4.0])
    (gz,) = ember.autograd.grad(z, x)
    assert_close(gz.numpy(), np.exp([1.0, 2.0]))
    with pytest.raises(TypeError, match="unpack_hook expected to be a Tensor"):
        with saved_tensors_hooks(lambda t: t, lambda p: 3):
            w = (x * x).sum()
        w.backward()


def test_saved_tensors_hooks_see_what_each_op_saves():
    n, g = _count_saved(ember, saved_tensors_hooks)
    # tanh saves its output, mul both operands, exp its output
    assert n == [(2,), (2,), (2,), (2,)]
    xv = np.array([1.0, 2.0])
    assert_close(g, np.exp(np.tanh(xv) * xv) * ((1 - np.tanh(xv) ** 2) * xv + np.tanh(xv)))
    if torch is not None:
        tn, tg = _count_saved(torch, torch.autograd.graph.saved_tensors_hooks)
        assert n == tn
        assert_close(g, tg)


def test_inplace_change_detected_through_hooks_and_save_on_cpu():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with save_on_cpu():
        a = x * 1
        y = (a * a).sum()
    y.backward()
    assert_close(x.grad.numpy(), [2.0, 4.0])
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        a = x * 1
        y = (a * a).sum()
    a.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    with disable_saved_tensors_hooks("no hooks here"):
        with pytest.raises(RuntimeError, match="no hooks here"):
            with saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
