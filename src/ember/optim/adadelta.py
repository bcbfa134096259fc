"""Adadelta: step sizes from running averages of squared gradients and squared updates."""

from __future__ import annotations

from ..backend import xp_of
from .optimizer import (
    Optimizer,
    _addcmul_sq_,
    _check_lr,
    _check_nonnegative,
    _defaults,
    _eval_closure,
    _state_arrays,
    _to_float,
)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta, PyTorch's formulas::

        v = rho * v + (1 - rho) * g * g;  delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta;  p -= lr * delta

    Args: ``lr=1.0``, ``rho=0.9``, ``eps=1e-6``, ``weight_decay=0``, ``maximize=False``.
    State: ``'step'``, ``'square_avg'``, ``'acc_delta'``.

    Example::

        opt = ember.optim.Adadelta(model.parameters())
    """

    def __init__(
        self,
        params,
        lr=1.0,
        rho=0.9,
        eps=1e-6,
        weight_decay=0,
        foreach=None,
        *,
        capturable=False,
        maximize=False,
        differentiable=False,
    ):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonnegative(eps=eps, weight_decay=weight_decay)
        defaults = _defaults(
            lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
            capturable=capturable, foreach=foreach, differentiable=differentiable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, p, st, group):
        self._init_step_and_zeros(p, st, "square_avg", "acc_delta")

    def step(self, closure=None):
        """One Adadelta step; ``closure`` is optional."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            lr, rho, eps = _to_float(group["lr"]), group["rho"], group["eps"]
            for param, g, st, _ in self._updates(group, group["weight_decay"]):
                square_avg, acc_delta = _state_arrays(st, "square_avg", "acc_delta")
                xp = xp_of(param)
                t1, t2, t3 = self._tmp(param, 1), self._tmp(param, 2), self._tmp(param, 3)
                square_avg *= rho
                _addcmul_sq_(square_avg, g, 1 - rho, t3)
                xp.add(square_avg, eps, out=t1)
                xp.sqrt(t1, out=t1)  # std
                xp.add(acc_delta, eps, out=t2)
                xp.sqrt(t2, out=t2)
                t2 /= t1
                t2 *= g  # delta
                acc_delta *= rho
                _addcmul_sq_(acc_delta, t2, 1 - rho, t3)
                t2 *= lr
                param -= t2
        return loss
