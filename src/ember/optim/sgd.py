"""SGD, optionally with momentum (heavy-ball or Nesterov), dampening and weight decay."""

from __future__ import annotations

from ..backend import xp_of
from ..tensor import Tensor
from .optimizer import Optimizer, _bump, _defaults, _eval_closure, _grad_array, _to_float

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's formulas::

        g = grad (+ weight_decay * p);  b = momentum * b + (1 - dampening) * g  (b = g at first)
        g = g + momentum * b if nesterov else b;   p -= lr * g

    Args: ``params``, ``lr=1e-3``, ``momentum=0``, ``dampening=0``, ``weight_decay=0``,
    ``nesterov=False``, ``maximize=False`` (``foreach``, ``fused`` accepted; the maths is the
    same). State: ``'momentum_buffer'`` per parameter when ``momentum != 0``.

    Example::

        opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0,
        dampening=0,
        weight_decay=0,
        nesterov=False,
        *,
        maximize=False,
        foreach=None,
        differentiable=False,
        fused=None,
    ):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = _defaults(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
            nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
            fused=fused,
        )  # fmt: skip
        super().__init__(params, defaults)
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def __setstate__(self, state):
        super().__setstate__(state)
        self._setdefault_group_options(
            nesterov=False, maximize=False, foreach=None, differentiable=False, fused=False
        )

    def step(self, closure=None):
        """One SGD step; ``closure`` (re-evaluating the loss) is optional."""
        loss = _eval_closure(closure)
        state = self.state
        for group in self.param_groups:
            lr = _to_float(group["lr"])
            momentum = group["momentum"]
            dampening = group["dampening"]
            nesterov = group["nesterov"]
            maximize = group["maximize"]
            weight_decay = group["weight_decay"]
            for p in group["params"]:
                if p._grad is None:
                    continue
                g = _grad_array(self, p, 0, maximize, weight_decay)
                xp = xp_of(g)
                if momentum != 0:
                    st = state[p]
                    buf_t = st.get("momentum_buffer")
                    if buf_t is None:
                        buf_t = Tensor._make(g.copy())
                        st["momentum_buffer"] = buf_t
                        buf = buf_t._data
                    else:
                        buf = buf_t._data
                        buf *= momentum
                        if dampening == 0:
                            buf += g
                        else:
                            tmp = self._tmp(g, 1)
                            xp.multiply(g, 1 - dampening, out=tmp)
                            buf += tmp
                        buf_t._vc[0] += 1
                    if nesterov:
                        tmp = self._tmp(g, 1)
                        xp.multiply(buf, momentum, out=tmp)
                        tmp += g
                        g = tmp
                    else:
                        g = buf
                tmp = self._tmp(g, 2)
                xp.multiply(g, lr, out=tmp)
                p._data -= tmp
                _bump(p)
        return loss
