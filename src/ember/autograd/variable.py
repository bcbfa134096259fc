"""``Variable``: PyTorch's pre-0.4 wrapper, kept (as PyTorch keeps it) so old code runs.

``Variable(t, requires_grad=True)`` returns a plain Tensor: a detached alias of ``t`` (same
memory) with ``requires_grad`` set. ``isinstance(x, Variable)`` is true for every tensor.
``volatile=True`` only warns, as in PyTorch.

Example::

    from ember.autograd import Variable
    x = Variable(ember.ones(2), requires_grad=True)
    type(x)           # ember.Tensor
    (x * 3).sum().backward(); x.grad   # tensor([3., 3.])
"""

from __future__ import annotations

import warnings

__all__ = ["Variable"]


class VariableMeta(type):
    def __instancecheck__(cls, other):
        from ..tensor import Tensor

        return isinstance(other, Tensor)


class _ExecutionEngine:
    """``Variable._execution_engine``: the backward engine's Python face."""

    @staticmethod
    def queue_callback(callback):
        from .engine import queue_callback

        queue_callback(callback)

    @staticmethod
    def run_backward(tensors, grad_tensors, keep_graph, create_graph, inputs=(),
                     allow_unreachable=True, accumulate_grad=True):
        from . import backward, grad

        if accumulate_grad:
            return backward(tensors, grad_tensors, retain_graph=keep_graph,
                            create_graph=create_graph, inputs=inputs or None)
        return grad(tensors, inputs, grad_tensors, retain_graph=keep_graph,
                    create_graph=create_graph, allow_unused=allow_unreachable)


class Variable(metaclass=VariableMeta):
    """``Variable(data=None, requires_grad=False, volatile=False)``: a Tensor (see module)."""

    _execution_engine = _ExecutionEngine()

    def __new__(cls, data=None, requires_grad=False, volatile=False, _grad_fn=None):
        from ..tensor import Tensor

        if data is None:
            import numpy as np

            from .. import dtypes as _dt

            data = Tensor._make(np.empty((0,), dtype=_dt.get_default_dtype().np))
        elif not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if volatile:
            warnings.warn(
                "volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                UserWarning,
                stacklevel=2,
            )
        out = data.detach()
        if type(out) is not Tensor:  # a Parameter's detach stays a plain Tensor in PyTorch
            out = Tensor._make(out._data)
        if requires_grad:
            if not (out.dtype.is_floating_point or out.dtype.is_complex):
                raise RuntimeError(
                    "Only Tensors of floating point and complex dtype can require gradients"
                )
            out.requires_grad_(True)
        return out
