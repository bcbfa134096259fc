"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from ..backend import xp_of
from .optimizer import (
    Optimizer,
    _addcmul_sq_,
    _check_lr,
    _check_nonnegative,
    _defaults,
    _eval_closure,
    _lerp_,
    _real,
    _to_float,
    _zeros_like,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, PyTorch's formulas::

        v = alpha * v + (1 - alpha) * g * g;  centered: ga = lerp(ga, g, 1 - alpha), v~ = v - ga**2
        d = sqrt(v~) + eps;  momentum: b = momentum * b + g / d, p -= lr * b;  else p -= lr * g / d

    Args: ``lr=1e-2``, ``alpha=0.99``, ``eps=1e-8``, ``weight_decay=0``, ``momentum=0``,
    ``centered=False``, ``maximize=False``. State: ``'step'``, ``'square_avg'``
    (+ ``'momentum_buffer'``, ``'grad_avg'``).

    Example::

        opt = ember.optim.RMSprop(model.parameters(), lr=0.01)
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0,
        momentum=0,
        centered=False,
        capturable=False,
        foreach=None,
        maximize=False,
        differentiable=False,
    ):
        _check_lr(lr)
        _check_nonnegative(eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = _defaults(
            lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
            weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
            differentiable=differentiable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, p, st, group):
        self._init_step_and_zeros(p, st, "square_avg")
        if group["momentum"] > 0:
            st["momentum_buffer"] = _zeros_like(p._data)
        if group["centered"]:
            st["grad_avg"] = _zeros_like(p._data)

    def step(self, closure=None):
        """One RMSprop step; ``closure`` is optional."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            lr, alpha, eps = _to_float(group["lr"]), group["alpha"], group["eps"]
            momentum, centered = group["momentum"], group["centered"]
            for param, g, st, _ in self._updates(group, group["weight_decay"]):
                square_avg = _real(st["square_avg"]._data)
                xp = xp_of(param)
                t1, t2 = self._tmp(param, 1), self._tmp(param, 2)
                square_avg *= alpha
                _addcmul_sq_(square_avg, g, 1 - alpha, t1)
                if centered:
                    grad_avg = _real(st["grad_avg"]._data)
                    _lerp_(grad_avg, g, 1 - alpha, t1)
                    xp.multiply(grad_avg, -1, out=t1)
                    t1 *= grad_avg
                    t1 += square_avg
                    xp.sqrt(t1, out=t1)
                else:
                    xp.sqrt(square_avg, out=t1)
                t1 += eps
                if momentum > 0:
                    buf = _real(st["momentum_buffer"]._data)
                    buf *= momentum
                    xp.divide(g, t1, out=t2)
                    buf += t2
                    xp.multiply(buf, lr, out=t2)
                    param -= t2
                else:
                    xp.multiply(g, -lr, out=t2)
                    t2 /= t1
                    param += t2
        return loss
