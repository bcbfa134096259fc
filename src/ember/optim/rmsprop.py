"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from ..backend import xp_of
from .optimizer import (
    Optimizer,
    _addcmul_sq_,
    _bump,
    _check_common,
    _check_lr,
    _eval_closure,
    _grad_array,
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
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        _check_common(defaults)
        super().__init__(params, defaults)

    def _init_state(self, p, st, group):
        st["step"] = self._step_tensor()
        st["square_avg"] = _zeros_like(p._data)
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
            for p, st in self._params_with_grad(group):
                g = _grad_array(self, p, 0, group["maximize"], group["weight_decay"])
                step_t = st["step"]._data
                step_t += 1
                param, g = _real(p._data), _real(g)
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
                _bump(p)
        return loss
