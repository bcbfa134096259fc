"""NAdam: Adam with Nesterov momentum and PyTorch's momentum-decay schedule."""

from __future__ import annotations

from ..backend import xp_of
from .adam import _check_adam_args, _update_moments_
from .optimizer import (
    Optimizer,
    _defaults,
    _eval_closure,
    _state_arrays,
    _to_float,
    _zeros_like,
)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam, PyTorch's formulas::

        mu_t = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay));  prod *= mu_t
        m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
        d = sqrt(v / (1 - beta2**t)) + eps
        p -= lr * (1 - mu_t) / (1 - prod) * g / d + lr * mu_{t+1} / (1 - prod * mu_{t+1}) * m / d

    Args: ``lr=2e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``, ``weight_decay=0``,
    ``momentum_decay=4e-3``, ``decoupled_weight_decay=False``, ``maximize=False``.
    State: ``'step'``, ``'mu_product'`` (0-d float32 tensors), ``'exp_avg'``, ``'exp_avg_sq'``.

    Example::

        opt = ember.optim.NAdam(model.parameters())
    """

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        momentum_decay=4e-3,
        decoupled_weight_decay=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
    ):
        _check_adam_args(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = _defaults(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
            capturable=capturable, differentiable=differentiable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, p, st, group):
        st["step"] = self._step_tensor()
        st["mu_product"] = self._step_tensor(1.0)
        for key in ("exp_avg", "exp_avg_sq"):
            st[key] = _zeros_like(p._data)

    def step(self, closure=None):
        """One NAdam step; ``closure`` is optional."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps = _to_float(group["lr"]), group["eps"]
            weight_decay, momentum_decay = group["weight_decay"], group["momentum_decay"]
            decoupled = group["decoupled_weight_decay"]
            coupled_weight_decay = 0 if decoupled else weight_decay
            for param, g, st, step in self._updates(group, coupled_weight_decay):
                bias_correction2 = 1 - beta2**step
                if weight_decay != 0 and decoupled:
                    param *= 1 - lr * weight_decay
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                mu_product = st["mu_product"]._data
                mu_product *= mu  # a float32 product, as PyTorch's 0-d tensor
                exp_avg, exp_avg_sq = _state_arrays(st, "exp_avg", "exp_avg_sq")
                xp = xp_of(param)
                t1, t2 = self._tmp(param, 1), self._tmp(param, 2)
                _update_moments_(exp_avg, exp_avg_sq, g, beta1, beta2, t1)
                xp.divide(exp_avg_sq, bias_correction2, out=t1)
                xp.sqrt(t1, out=t1)
                t1 += eps
                mp = float(mu_product)
                mu_product_next = mp * mu_next
                xp.multiply(g, -lr * (1.0 - mu) / (1.0 - mp), out=t2)
                t2 /= t1
                param += t2
                xp.multiply(exp_avg, (-lr * mu_next) / (1.0 - mu_product_next), out=t2)
                t2 /= t1
                param += t2
        return loss
