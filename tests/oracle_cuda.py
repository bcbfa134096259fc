"""The simulated-cuda half of the oracle: with ``EMBER_SIMULATE_CUDA=1``, ``oracle.check`` also
runs ``fn`` on ember tensors built on "cuda" and requires that every output, gradient and
gradient of gradient comes back on "cuda" and equals the cpu run (the same ember code on NumPy).
A result that silently left the device, or an op that mixed host and device arrays, fails.

Example (run by ``oracle.check`` itself; nothing to call in a test)::

    EMBER_SIMULATE_CUDA=1 python -m pytest tests/ops
"""

from __future__ import annotations

import os

import numpy as np
import oracle  # its helpers, used at call time (oracle imports this module first)

import ember

ACTIVE = os.environ.get("EMBER_SIMULATE_CUDA", "") not in ("", "0")

# ember's functions that build a tensor from nothing but their arguments: in the cuda run the
# module handed to ``fn`` builds them on "cuda" (as ``with torch.device("cuda"):`` would for the
# test's own code), while ember's ops keep calling the real factories -- so an op that builds a
# helper tensor on the wrong device still fails here.
_FACTORIES = frozenset("""
    arange as_tensor asarray empty empty_strided eye full linspace logspace ones rand randint
    randn randperm range scalar_tensor tensor tril_indices triu_indices zeros
""".split())


class _OnDevice:
    """``ember`` with its factories defaulting to ``device`` (the ``L`` of a cuda run)."""

    def __init__(self, device):
        self._device = device

    def __getattr__(self, name):
        f = getattr(ember, name)
        if name not in _FACTORIES:
            return f
        dev = self._device

        def build(*args, **kwargs):
            kwargs.setdefault("device", dev)
            return f(*args, **kwargs)

        return build


def _host(t):
    return t.detach().cpu().numpy()


def _same(cpu, cuda, what, rtol, atol):
    if not isinstance(cpu, ember.Tensor):
        assert cpu == cuda, f"{what}: {cpu!r} on cpu, {cuda!r} on cuda"
        return
    assert isinstance(cuda, ember.Tensor), f"{what}: not a tensor on cuda"
    assert cuda.device.type == "cuda", f"{what} left the device: it is on {cuda.device}"
    assert cuda.dtype == cpu.dtype, f"{what}: dtype {cuda.dtype} on cuda, {cpu.dtype} on cpu"
    assert tuple(cuda.shape) == tuple(cpu.shape), f"{what}: shape {cuda.shape} != {cpu.shape}"
    np.testing.assert_allclose(_host(cuda), _host(cpu), rtol=rtol, atol=atol, equal_nan=True,
                               err_msg=f"{what}: cuda != cpu")


def _grads(outs, ins, requires_grad, cots, create_graph):
    diff = [t for t, rg in zip(ins, requires_grad) if rg]
    pairs = [(o, c) for o, c in zip(outs, cots)
             if isinstance(o, ember.Tensor) and o.requires_grad and c is not None]
    if not pairs or not diff:
        return diff, None
    dev = pairs[0][0].device
    gs = ember.autograd.grad([o for o, _ in pairs], diff,
                             [ember.tensor(c, device=dev).to(o.dtype) for o, c in pairs],
                             create_graph=create_graph, allow_unused=True)
    return diff, gs


def check_on_cuda(fn, arrays, requires_grad, cots, grad, gradgrad, rtol, atol):
    """``fn`` on cuda equals ``fn`` on cpu: outputs, gradients, gradients of gradients."""
    ins_c = oracle._make(ember, arrays, requires_grad, device="cpu")
    ins_g = oracle._make(ember, arrays, requires_grad, device="cuda")
    outs_c = oracle._outs(fn(ember, *ins_c))
    outs_g = oracle._outs(fn(_OnDevice("cuda"), *ins_g))
    assert len(outs_c) == len(outs_g)
    for i, (c, g) in enumerate(zip(outs_c, outs_g)):
        _same(c, g, f"output {i}", rtol, atol)
    if not grad:
        return
    diff_c, gc = _grads(outs_c, ins_c, requires_grad, cots, gradgrad)
    diff_g, gg = _grads(outs_g, ins_g, requires_grad, cots, gradgrad)
    if gc is None:
        return
    for k, (a, b) in enumerate(zip(gc, gg)):
        if a is None or b is None:
            assert a is None and b is None, f"grad {k}: None on one device only"
            continue
        _same(a, b, f"grad of input {k}", rtol, atol)
    if not gradgrad:
        return
    tc = [g for g in gc if g is not None and g.requires_grad]
    tg = [g for g in gg if g is not None and g.requires_grad]
    if not tc or len(tc) != len(tg):
        return
    ggc = ember.autograd.grad(sum((g * g).sum() for g in tc), diff_c, allow_unused=True)
    ggg = ember.autograd.grad(sum((g * g).sum() for g in tg), diff_g, allow_unused=True)
    for k, (a, b) in enumerate(zip(ggc, ggg)):
        if a is None or b is None:
            continue  # unused on both (or zero): the torch comparison covers None vs zero
        _same(a, b, f"grad of grad of input {k}", rtol * 10, atol * 10)
