"""RAdam: Adam with the variance of the adaptive learning rate rectified."""

from __future__ import annotations

from ..backend import xp_of
from .adam import _check_adam_args, _update_moments_
from .optimizer import Optimizer, _defaults, _eval_closure, _state_arrays, _to_float

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam, PyTorch's formulas::

        m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
        rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)
        rho_t > 5:  p -= m / (1 - beta1**t) * lr * sqrt(1 - beta2**t) / (sqrt(v) + eps) * r_t
        otherwise:  p -= m / (1 - beta1**t) * lr

    Args: ``lr=1e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``, ``weight_decay=0``,
    ``decoupled_weight_decay=False``, ``maximize=False``.
    State: ``'step'``, ``'exp_avg'``, ``'exp_avg_sq'``.

    Example::

        opt = ember.optim.RAdam(model.parameters())
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        decoupled_weight_decay=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
    ):
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = _defaults(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
            foreach=foreach, capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
            differentiable=differentiable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, p, st, group):
        self._init_step_and_zeros(p, st, "exp_avg", "exp_avg_sq")

    def step(self, closure=None):
        """One RAdam step; ``closure`` is optional."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, weight_decay = _to_float(group["lr"]), group["eps"], group["weight_decay"]
            decoupled = group["decoupled_weight_decay"]
            coupled_weight_decay = 0 if decoupled else weight_decay
            for param, g, st, step in self._updates(group, coupled_weight_decay):
                if weight_decay != 0 and decoupled:
                    param *= 1 - lr * weight_decay
                exp_avg, exp_avg_sq = _state_arrays(st, "exp_avg", "exp_avg_sq")
                xp = xp_of(param)
                t1, t2 = self._tmp(param, 1), self._tmp(param, 2)
                _update_moments_(exp_avg, exp_avg_sq, g, beta1, beta2, t1)
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                xp.divide(exp_avg, bias_correction1, out=t1)
                t1 *= lr
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
                if rho_t > 5.0:
                    xp.sqrt(exp_avg_sq, out=t2)
                    t2 += eps
                    xp.divide(bias_correction2**0.5, t2, out=t2)
                    t1 *= t2
                    rect = (
                        (rho_t - 4)
                        * (rho_t - 2)
                        * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                    ) ** 0.5
                    t1 *= rect
                param -= t1
        return loss
