"""RAdam: Adam with the variance of the adaptive learning rate rectified."""

from __future__ import annotations

from ..backend import xp_of
from .adam import _check_adam_args
from .optimizer import (
    Optimizer,
    _addcmul_sq_,
    _bump,
    _check_common,
    _eval_closure,
    _grad_array,
    _lerp_,
    _real,
    _to_float,
    _zeros_like,
)

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
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        _check_common(defaults)
        super().__init__(params, defaults)

    def _init_state(self, p, st, group):
        st["step"] = self._step_tensor()
        st["exp_avg"] = _zeros_like(p._data)
        st["exp_avg_sq"] = _zeros_like(p._data)

    def step(self, closure=None):
        """One RAdam step; ``closure`` is optional."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, weight_decay = _to_float(group["lr"]), group["eps"], group["weight_decay"]
            decoupled = group["decoupled_weight_decay"]
            for p, st in self._params_with_grad(group):
                g = _grad_array(self, p, 0, group["maximize"], 0 if decoupled else weight_decay)
                step_t = st["step"]._data
                step_t += 1
                step = float(step_t)
                if weight_decay != 0 and decoupled:
                    p._data *= 1 - lr * weight_decay
                param, g = _real(p._data), _real(g)
                exp_avg, exp_avg_sq = _real(st["exp_avg"]._data), _real(st["exp_avg_sq"]._data)
                xp = xp_of(param)
                t1, t2 = self._tmp(param, 1), self._tmp(param, 2)
                _lerp_(exp_avg, g, 1 - beta1, t1)
                exp_avg_sq *= beta2
                _addcmul_sq_(exp_avg_sq, g, 1 - beta2, t1)
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
                _bump(p)
        return loss
