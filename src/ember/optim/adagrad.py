"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""

from __future__ import annotations

from ..backend import xp_of
from .optimizer import (
    Optimizer,
    _check_lr,
    _check_nonnegative,
    _defaults,
    _eval_closure,
    _real,
    _to_float,
    _zeros_like,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad, PyTorch's formulas::

        clr = lr / (1 + (t - 1) * lr_decay);  s += g * g;  p -= clr * g / (sqrt(s) + eps)

    Args: ``lr=1e-2``, ``lr_decay=0``, ``weight_decay=0``, ``initial_accumulator_value=0``,
    ``eps=1e-10``, ``maximize=False``. State (created for every parameter at construction, as
    in PyTorch): ``'step'``, ``'sum'``.

    Example::

        opt = ember.optim.Adagrad(model.parameters(), lr=0.01)
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0,
        weight_decay=0,
        initial_accumulator_value=0,
        eps=1e-10,
        foreach=None,
        *,
        maximize=False,
        differentiable=False,
        fused=None,
    ):
        _check_lr(lr)
        _check_nonnegative(
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        defaults = _defaults(
            lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, foreach=foreach,
            maximize=maximize, differentiable=differentiable, fused=fused,
        )  # fmt: skip
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state[p], group)

    def _init_state(self, p, state, group):
        state["step"] = self._step_tensor()
        v = self.defaults["initial_accumulator_value"]
        if p.is_complex():
            v = complex(v, v)
        state["sum"] = _zeros_like(p._data, v)

    def step(self, closure=None):
        """One Adagrad step; ``closure`` is optional."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            lr, lr_decay, eps = _to_float(group["lr"]), group["lr_decay"], group["eps"]
            for param, g, st, step in self._updates(group, group["weight_decay"]):
                clr = lr / (1 + (step - 1) * lr_decay)
                state_sum = _real(st["sum"]._data)
                xp = xp_of(param)
                t1, t2 = self._tmp(param, 1), self._tmp(param, 2)
                xp.multiply(g, g, out=t1)
                state_sum += t1
                xp.sqrt(state_sum, out=t1)
                t1 += eps
                xp.multiply(g, -clr, out=t2)
                t2 /= t1
                param += t2
        return loss
