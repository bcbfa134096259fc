"""Adam (and, with ``decoupled_weight_decay=True``, AdamW)."""

from __future__ import annotations

from ..backend import xp_of
from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    _addcmul_sq_,
    _check_lr,
    _check_nonnegative,
    _defaults,
    _eval_closure,
    _lerp_,
    _state_arrays,
    _to_float,
    _zeros_like,
)

__all__ = ["Adam"]


def _check_adam_args(lr, betas, eps, weight_decay):
    """The Adam family's (Adam, AdamW, Adamax, NAdam, RAdam) checks, in PyTorch's order."""
    _check_lr(lr)
    _check_nonnegative(eps=eps)
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    _check_nonnegative(weight_decay=weight_decay)


def _update_moments_(exp_avg, exp_avg_sq, g, beta1, beta2, tmp):
    """Adam's moment estimates, in place: ``m = lerp(m, g, 1 - beta1)`` and
    ``v = beta2 * v + (1 - beta2) * g * g``."""
    _lerp_(exp_avg, g, 1 - beta1, tmp)
    exp_avg_sq *= beta2
    _addcmul_sq_(exp_avg_sq, g, 1 - beta2, tmp)


class Adam(Optimizer):
    """Adam, PyTorch's formulas::

        g = grad (+ weight_decay * p, or p *= 1 - lr * weight_decay when decoupled)
        m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
        p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    With ``amsgrad`` the running maximum of ``v`` replaces ``v`` in the denominator.
    Args: ``lr=1e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``, ``weight_decay=0``,
    ``amsgrad=False``, ``maximize=False``, ``decoupled_weight_decay=False``.
    State: ``'step'`` (0-d float32 tensor), ``'exp_avg'``, ``'exp_avg_sq'``
    (+ ``'max_exp_avg_sq'``).

    Example::

        opt = ember.optim.Adam(model.parameters(), lr=1e-3)
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
        fused=None,
        decoupled_weight_decay=False,
    ):
        _check_adam_args(lr, betas, eps, weight_decay)
        if not (
            (isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = _defaults(
            lr=lr, betas=tuple(_to_float(b) for b in betas), eps=eps, weight_decay=weight_decay,
            amsgrad=amsgrad, maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable, fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )  # fmt: skip
        super().__init__(params, defaults)
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def __setstate__(self, state):
        super().__setstate__(state)
        self._setdefault_group_options(
            amsgrad=False, maximize=False, foreach=None, capturable=False, differentiable=False,
            decoupled_weight_decay=False, fused=None,
        )  # fmt: skip
        for group in self.param_groups:
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) != 0 and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = self._step_tensor(float(p_state["step"]))

    def _init_state(self, p, st, group):
        self._init_step_and_zeros(p, st, "exp_avg", "exp_avg_sq")
        if group["amsgrad"]:
            st["max_exp_avg_sq"] = _zeros_like(p._data)

    def step(self, closure=None):
        """One Adam step; ``closure`` (re-evaluating the loss) is optional."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr = _to_float(group["lr"])
            weight_decay = group["weight_decay"]
            eps = group["eps"]
            amsgrad = group["amsgrad"]
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
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2**0.5
                if amsgrad:
                    (mx,) = _state_arrays(st, "max_exp_avg_sq")
                    xp.maximum(mx, exp_avg_sq, out=mx)
                    xp.sqrt(mx, out=t1)
                else:
                    xp.sqrt(exp_avg_sq, out=t1)
                t1 /= bias_correction2_sqrt
                t1 += eps
                xp.multiply(exp_avg, -step_size, out=t2)
                t2 /= t1
                param += t2
        return loss
