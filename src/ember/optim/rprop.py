"""Rprop: resilient backpropagation, per-coordinate step sizes adapted from gradient signs."""

from __future__ import annotations

from ..backend import xp_of
from .optimizer import (
    Optimizer,
    _check_lr,
    _defaults,
    _eval_closure,
    _state_arrays,
    _to_float,
    _zeros_like,
)

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop, PyTorch's formulas::

        s = sign(g * g_prev) mapped to (etaplus, etaminus, 1) for (+, -, 0)
        step_size = clamp(step_size * s, *step_sizes);  g[s == etaminus] = 0
        p -= sign(g) * step_size;  g_prev = g

    Args: ``lr=1e-2`` (the initial step size), ``etas=(0.5, 1.2)``,
    ``step_sizes=(1e-6, 50)``, ``maximize=False``. State: ``'step'``, ``'prev'``,
    ``'step_size'``.

    Example::

        opt = ember.optim.Rprop(model.parameters())
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        etas=(0.5, 1.2),
        step_sizes=(1e-6, 50),
        *,
        capturable=False,
        foreach=None,
        maximize=False,
        differentiable=False,
    ):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = _defaults(
            lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
            differentiable=differentiable, capturable=capturable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, p, st, group):
        lr = _to_float(group["lr"])
        st["step"] = self._step_tensor()
        st["prev"] = _zeros_like(p._data)
        st["step_size"] = _zeros_like(p._data, complex(lr, lr) if p.is_complex() else lr)

    def step(self, closure=None):
        """One Rprop step; ``closure`` is optional."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            for param, g, st, _ in self._updates(group, 0):
                xp = xp_of(g)
                g = xp.array(g)  # a copy (it is zeroed below); 0-d stays an array
                prev, step_size = _state_arrays(st, "prev", "step_size")
                sign = xp.asarray(xp.sign(g * prev))
                sign[sign > 0] = etaplus
                sign[sign < 0] = etaminus
                sign[sign == 0] = 1
                step_size *= sign
                xp.clip(step_size, step_size_min, step_size_max, out=step_size)
                g[sign == etaminus] = 0
                sg = xp.asarray(xp.sign(g))
                sg *= -1
                sg *= step_size
                param += sg
                prev[...] = g
        return loss
