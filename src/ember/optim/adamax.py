"""Adamax: Adam with the infinity norm of past gradients in place of the second moment."""

from __future__ import annotations

from ..backend import xp_of
from .adam import _check_adam_args
from .optimizer import (
    Optimizer,
    _bump,
    _check_common,
    _eval_closure,
    _grad_array,
    _lerp_,
    _real,
    _to_float,
    _zeros_like,
)

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
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        _check_common(defaults)
        super().__init__(params, defaults)

    def _init_state(self, p, st, group):
        st["step"] = self._step_tensor()
        st["exp_avg"] = _zeros_like(p._data)
        st["exp_inf"] = _zeros_like(p._data)

    def step(self, closure=None):
        """One Adamax step; ``closure`` is optional."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            eps, lr = group["eps"], _to_float(group["lr"])
            for p, st in self._params_with_grad(group):
                g = _grad_array(self, p, 0, group["maximize"], group["weight_decay"])
                step_t = st["step"]._data
                step_t += 1
                param, g = _real(p._data), _real(g)
                exp_avg, exp_inf = _real(st["exp_avg"]._data), _real(st["exp_inf"]._data)
                xp = xp_of(param)
                t1 = self._tmp(param, 1)
                _lerp_(exp_avg, g, 1 - beta1, t1)
                exp_inf *= beta2
                xp.abs(g, out=t1)
                t1 += eps
                xp.maximum(exp_inf, t1, out=exp_inf)
                clr = lr / (1 - beta1 ** float(step_t))
                xp.multiply(exp_avg, -clr, out=t1)
                t1 /= exp_inf
                param += t1
                _bump(p)
        return loss
