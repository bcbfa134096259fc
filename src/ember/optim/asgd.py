"""ASGD: SGD with Polyak-Ruppert iterate averaging (the average is kept in ``state['ax']``)."""

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

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """Averaged SGD, PyTorch's formulas::

        p *= 1 - lambd * eta;  p -= eta * g;  ax += (p - ax) * mu  (ax = p while mu == 1)
        eta = lr / (1 + lambd * lr * t) ** alpha;  mu = 1 / max(1, t - t0)

    Args: ``lr=1e-2``, ``lambd=1e-4``, ``alpha=0.75``, ``t0=1e6``, ``weight_decay=0``,
    ``maximize=False``. State: ``'step'``, ``'eta'``, ``'mu'`` (0-d float32), ``'ax'``.

    Example::

        opt = ember.optim.ASGD(model.parameters(), lr=0.01)
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        lambd=1e-4,
        alpha=0.75,
        t0=1e6,
        weight_decay=0,
        foreach=None,
        maximize=False,
        differentiable=False,
        capturable=False,
    ):
        _check_lr(lr)
        _check_nonnegative(weight_decay=weight_decay)
        defaults = _defaults(
            lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, p, st, group):
        st["step"] = self._step_tensor()
        st["eta"] = self._step_tensor(_to_float(group["lr"]))
        st["mu"] = self._step_tensor(1.0)
        st["ax"] = _zeros_like(p._data)

    def step(self, closure=None):
        """One ASGD step; ``closure`` is optional."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            lr, lambd, alpha, t0 = (
                _to_float(group["lr"]),
                group["lambd"],
                group["alpha"],
                group["t0"],
            )
            for param, g, st, step in self._updates(group, group["weight_decay"]):
                ax = _real(st["ax"]._data)
                xp = xp_of(param)
                eta = float(st["eta"]._data)
                param *= 1 - lambd * eta
                t1 = self._tmp(param, 1)
                xp.multiply(g, -eta, out=t1)
                param += t1
                mu = st["mu"]._data
                if float(mu) != 1:
                    xp.subtract(param, ax, out=t1)
                    t1 *= mu.astype(t1.dtype)
                    ax += t1
                else:
                    ax[...] = param
                st["eta"]._data[...] = lr / ((1 + lambd * lr * step) ** alpha)
                mu[...] = 1 / max(1, step - t0)
        return loss
