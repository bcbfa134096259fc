"""``once_differentiable``: a custom Function's ``backward`` that is not itself
differentiable runs without recording, and differentiating through it a second time raises
(PyTorch's ``DelayedError`` node, built by :class:`_DelayedError`; debug mode uses it too)."""

from __future__ import annotations

import functools

from . import function as _fn
from .grad_mode import _state


def once_differentiable(fn):
    """Decorate a ``backward`` that is not itself differentiable: run it without recording,
    and make a second differentiation through it raise a clear error."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from .grad_mode import no_grad

        with no_grad():
            outputs = fn(ctx, *args)
        if not _state.enabled:
            return outputs
        requires_grad = any(isinstance(a, _fn.Tensor) and a.requires_grad for a in args)
        if not requires_grad:
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        err_fn = _DelayedError.make(
            "trying to differentiate twice a function that was marked with "
            "@once_differentiable", [a for a in args if isinstance(a, _fn.Tensor)]
        )
        res = tuple(err_fn(o) if isinstance(o, _fn.Tensor) else o for o in outs)
        return res[0] if single else res

    return wrapper


class _DelayedError:
    """Builds a Function whose backward raises ``msg`` (PyTorch's DelayedError node)."""

    @staticmethod
    def make(msg, inputs):
        class Error(_fn.Function):
            _builtin = True
            _node_name = "Error"

            @staticmethod
            def forward(ctx, x, *rest):
                return x._alias()

            @staticmethod
            def backward(ctx, *grads):
                raise RuntimeError(msg)

        return lambda o: Error.apply(o, *inputs)

