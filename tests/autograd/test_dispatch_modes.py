"""The dispatch door: one thread-local stack of modes, no runtime patching, PyTorch's
``__torch_function__`` extension points."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from oracle import ember_env, run_example

import ember
from ember import nn
from ember.autograd import dispatch
from ember.autograd import engine as _engine
from ember.autograd import function as _function
from ember.overrides import TorchFunctionMode, resolve_name


def _snapshot():
    """Identity of everything reachable by name from the places a patch would go."""
    import ember.autograd
    import ember.func
    import ember.nn.functional

    snap = {}
    for mod in (ember, ember.autograd, ember.func, ember.nn.functional, _engine, _function,
                dispatch):
        for k, v in list(vars(mod).items()):
            if k in ("busy", "_modes_in_use", "_override_seen", "__warningregistry__"):
                continue  # the door's own hint counters (see dispatch.py), not names of ops
            snap[(mod.__name__, k)] = id(v)
    for cls in (ember.Tensor, _function.Node, nn.Module):
        for k, v in list(vars(cls).items()):
            snap[(cls.__name__, k)] = id(v)
    return snap


CustomReLU = run_example("seed_custom_relu")[0]["CustomReLU"]  # the seed tutorial's


def test_namespace_identical_before_during_and_after_vmap_trace_and_debug():
    before = _snapshot()
    seen = []

    def f(x):
        seen.append(_snapshot())
        return (ember.sin(x) > 0).float() + ember.randn(3) * 0 + x.argmax()

    ember.func.vmap(f, randomness="same")(ember.randn(4, 3))
    x = ember.randn(3, requires_grad=True)
    with ember.autograd.trace() as tr:
        seen.append(_snapshot())
        CustomReLU.apply(x).sum().backward()
    assert tr.names()[0] == "SumBackward0"
    ember.autograd.set_debug(True)
    try:
        seen.append(_snapshot())
        CustomReLU.apply(x).sum().backward()
    finally:
        ember.autograd.set_debug(False)
    after = _snapshot()
    for snap in seen + [after]:
        changed = sorted(k for k in set(before) | set(snap) if before.get(k) != snap.get(k))
        assert not changed, changed


def _in_thread(fn):
    out = []
    errors = []

    def run():
        try:
            out.append(fn())
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    if errors:
        raise errors[0]
    return out[0]


def test_grad_mode_and_inference_mode_are_per_thread():
    x = ember.ones(3, requires_grad=True)
    with ember.no_grad():
        assert _in_thread(lambda: (x * 2).requires_grad) is True
    with ember.inference_mode():
        assert _in_thread(lambda: ember.is_inference_mode_enabled()) is False
        assert _in_thread(lambda: ember.ones(2).is_inference()) is False
        assert ember.ones(2).is_inference()


def test_inference_mode_in_many_threads_marks_every_tensor():
    bad = []
    barrier = threading.Barrier(4)

    def worker():
        barrier.wait()
        for _ in range(300):
            with ember.inference_mode():
                if not ember.ones(2).is_inference():
                    bad.append(1)
            if ember.ones(2).is_inference():
                bad.append(2)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not bad


class _Recorder(dispatch.DispatchMode):
    def __init__(self):
        self.ops = []

    def __ember_apply__(self, op, args, kwargs):
        self.ops.append(getattr(op, "__name__", str(op)))
        return dispatch.below(self, op, args, kwargs)


def test_modes_are_per_thread_and_see_builtin_and_custom_ops_alike():
    x = ember.randn(3, requires_grad=True)
    with _Recorder() as rec:
        y = CustomReLU.apply(x * 2)
        other = _in_thread(lambda: [m for m in dispatch.active_modes()])
        _in_thread(lambda: (ember.ones(2) * 3).sum())
    assert other == []
    assert rec.ops[:2] == ["Mul", "CustomReLU"]
    assert "Sum" not in rec.ops  # the other thread's ops were not seen
    assert dispatch.active_modes() == ()
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2.0 * (x.detach().numpy() > 0))  # relu(2x)


def test_vmap_in_one_thread_does_not_batch_another_threads_ops():
    started = threading.Event()
    release = threading.Event()
    results = {}

    def f(v):
        started.set()
        release.wait(10)
        return v * 2

    def batched():
        results["vmap"] = ember.func.vmap(f)(ember.arange(6.0).reshape(3, 2))

    t = threading.Thread(target=batched)
    t.start()
    started.wait(10)
    try:
        results["plain"] = (ember.arange(4.0) > 1).sum()
    finally:
        release.set()
        t.join(30)
    assert results["plain"].item() == 2
    assert results["vmap"].tolist() == [[0.0, 2.0], [4.0, 6.0], [8.0, 10.0]]


def test_trace_in_one_thread_does_not_record_another():
    x = ember.randn(3, requires_grad=True)
    with ember.autograd.trace() as tr:
        _in_thread(lambda: (ember.randn(2, requires_grad=True) * 3).sum().backward())
    assert len(tr) == 0


class LoggingTensor(ember.Tensor):
    log = []

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        # as in PyTorch's docs (Extending torch with a Tensor wrapper type / subclassing)
        if func is not ember.Tensor.__repr__:
            LoggingTensor.log.append(func.__name__)
        if kwargs is None:
            kwargs = {}
        return super().__torch_function__(func, types, args, kwargs)


def test_tensor_subclass_torch_function_sees_operators_and_keeps_its_type():
    LoggingTensor.log.clear()
    t = ember.tensor([1.0, 2.0], requires_grad=True).as_subclass(LoggingTensor)
    u = t * 2 + 1
    assert type(u) is LoggingTensor
    assert LoggingTensor.log[:2] == ["__mul__", "__add__"]
    assert u.tolist() == [3.0, 5.0]


class _FunctionLog(TorchFunctionMode):
    def __init__(self):
        self.names = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.names.append(resolve_name(func))
        return func(*args, **(kwargs or {}))


def test_torch_function_mode_logs_operators_and_is_popped_while_handling():
    x = ember.ones(2)
    with _FunctionLog() as log:
        y = x + x
        z = y * 3
    assert log.names == ["torch.Tensor.__add__", "torch.Tensor.__mul__"]
    assert z.tolist() == [6.0, 6.0]
    assert dispatch.active_modes() == ()


def test_module_calls_reach_a_mode_and_nested_modules_too():
    class Calls(dispatch.DispatchMode):
        def __init__(self):
            self.seen = []

        def __ember_module_call__(self, module, forward, args, kwargs):
            self.seen.append(type(module).__name__)
            return forward(*args, **kwargs)

    m = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    with Calls() as c:
        m(ember.ones(1, 2))
    assert c.seen == ["Sequential", "Linear", "ReLU"]


def test_engine_modes_see_each_node_and_leaf():
    class Seen(dispatch.DispatchMode):
        def __init__(self):
            self.nodes, self.leaves = [], []

        def __ember_backward__(self, node, run, grads):
            self.nodes.append(node.name())
            return run(grads)

        def __ember_accumulate__(self, node, grad, run, store):
            self.leaves.append(store)
            return run()

    x = ember.randn(3, requires_grad=True)
    y = (x * 2).sum()
    with Seen() as s:
        y.backward()
    assert s.nodes == ["SumBackward0", "MulBackward0"]
    assert s.leaves == [True]
    np.testing.assert_allclose(x.grad.numpy(), 2.0)


def test_mode_stack_errors():
    m = _Recorder()
    with pytest.raises(RuntimeError, match="not active"):
        dispatch.pop(m)


def test_queue_callback_runs_when_the_backward_graph_is_done():
    from ember.autograd import Variable

    x = ember.ones(2, requires_grad=True)
    order = []

    def hook(t):
        order.append(("hook", t.grad.tolist()))
        Variable._execution_engine.queue_callback(lambda: order.append(("final", x.grad.tolist())))

    x.register_post_accumulate_grad_hook(hook)
    (x * 2).sum().backward()
    assert order == [("hook", [2.0, 2.0]), ("final", [2.0, 2.0])]
    with pytest.raises(RuntimeError, match="only be installed during backward"):
        Variable._execution_engine.queue_callback(lambda: None)


_FRESH = r"""
import ember
from ember.autograd import dispatch
import ember.nn.functional as F

assert not dispatch.busy  # idle: the entries call their function at once

class Probe:  # not a Tensor: met for the first time as an argument
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return ("seen", func.__qualname__, len(args), sorted(kwargs or {}))

x = ember.ones(2)
print(ember.relu(Probe()))
print(dispatch.busy)
print(ember.add(x, other=Probe()))
print(x.add(Probe(), alpha=2))
print(ember.cat([x, Probe()]))
print(F.conv2d(Probe(), x, padding=(1, 1, 1)))
print(ember.sum(Probe(), axis=0))
"""


def test_every_public_entry_dispatches_an_override_type_met_first_in_a_fresh_process():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _FRESH], env=ember_env(), capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert out == [
        "('seen', 'relu', 1, [])", "True", "('seen', 'add', 1, ['other'])",
        "('seen', 'Tensor.add', 2, ['alpha'])", "('seen', 'cat', 1, [])",
        "('seen', 'conv2d', 2, ['padding'])", "('seen', 'sum', 1, ['dim'])",
    ]


def test_public_entries_are_distinct_per_namespace_and_named_as_pytorch():
    assert ember.neg is not ember.Tensor.neg
    assert ember.Tensor.neg.__qualname__ == "Tensor.neg"
    assert ember.Tensor.absolute.__name__ == "absolute"
    assert resolve_name(ember.Tensor.neg) == "torch.Tensor.neg"
    assert resolve_name(ember.neg) == "torch.neg"
    assert resolve_name(ember.nn.functional.conv2d) == "torch.nn.functional.conv2d"
    assert resolve_name(ember.linalg.inv) == "torch.linalg.inv"
    assert ember.cat is ember.concat  # names bound to one function share one entry
    for f in (ember.add, ember.Tensor.exp, ember.nn.functional.relu, ember.linalg.norm,
              ember.special.expit):
        assert f.__ember_public__ and f.__ember_impl__ is f.__wrapped__
    # graph-level primitives keep their kind under the public entry
    assert ember.eq.__ember_impl__.__ember_kind__ == "elementwise"
    assert ember.randn.__ember_impl__.__ember_kind__ == "random"
    assert ember.argmax.__ember_impl__.__ember_kind__ == "per_example"
