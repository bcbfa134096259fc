"""Adamax: Adam with the infinity norm of past gradients in place of the second moment."""

from __future__ import annotations

from ..backend import xp_of
from .adam import _check_adam_args
from .optimizer import Optimizer, _defaults, _eval_closure, _lerp_, _state_arrays, _to_float

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax, PyTorch's formulas::

        m = lerp(m, g, 1 - beta1);  u = max(beta2 * u, |g| + eps)
        p -= lr / (1 - beta1**t) * m / u

    Args: ``lr=2e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``, ``weight_decay=0``,
    ``maximize=False``. State: ``'step'``, ``'exp_avg'``, ``'exp_inf'``.

    Example::

        opt = ember.optim.Adamax(model.parameters())
    """

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        foreach=None,
        *,
        maximize=False,
        differentiable=False,
        capturable=False,
    ):
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = _defaults(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, p, st, group):
        self._init_step_and_zeros(p, st, "exp_avg", "exp_inf")

    def step(self, closure=None):
        """One Adamax step; ``closure`` is optional."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            eps, lr = group["eps"], _to_float(group["lr"])
            for param, g, st, step in self._updates(group, group["weight_decay"]):
                exp_avg, exp_inf = _state_arrays(st, "exp_avg", "exp_inf")
                xp = xp_of(param)
                t1 = self._tmp(param, 1)
                _lerp_(exp_avg, g, 1 - beta1, t1)
                exp_inf *= beta2
                xp.abs(g, out=t1)
                t1 += eps
                xp.maximum(exp_inf, t1, out=exp_inf)
                clr = lr / (1 - beta1**step)
                xp.multiply(exp_avg, -clr, out=t1)
                t1 /= exp_inf
                param += t1
        return loss
