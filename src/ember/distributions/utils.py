"""Helpers shared by the distributions (``torch.distributions.utils``)."""

from __future__ import annotations

import numbers

from .. import dtypes as _dt
from ..tensor import Tensor

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs",
           "probs_to_logits"]

euler_constant = 0.57721566490153286060  # Euler-Mascheroni constant


def _batch_shape(broadcast, *params):
    """A distribution's batch shape: ``Size()`` when every parameter is a Python number, else
    the shape of ``broadcast`` (the parameters broadcast together)."""
    from ..tensor import Size

    if all(isinstance(p, numbers.Number) for p in params):
        return Size()
    return broadcast.size()


def broadcast_all(*values):
    """Broadcast tensors and numbers to one shape; numbers become tensors of the tensors'
    dtype (the default dtype when all are numbers), as PyTorch does.

    Example::

        loc, scale = broadcast_all(ember.zeros(3), 1.0)   # both of shape (3,)
    """
    from .. import broadcast_tensors, tensor

    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        dtype, device = _dt.get_default_dtype(), None
        for v in values:
            if isinstance(v, Tensor):
                dtype, device = v.dtype, v.device
                break
        values = [v if isinstance(v, Tensor) else tensor(v, dtype=dtype, device=device)
                  for v in values]
    return tuple(broadcast_tensors(*values))


def _standard_normal(shape, dtype, device=None):
    from .. import randn

    return randn(tuple(shape), dtype=dtype, device=device)


def _sum_rightmost(value, dim):
    """Sum out the ``dim`` rightmost dimensions of ``value``."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[: value.dim() - dim]) + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    """Probabilities from logits: ``sigmoid`` when ``is_binary`` else ``softmax`` over the
    last dimension."""
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(-1)


def clamp_probs(probs):
    """Clamp probabilities to ``[eps, 1 - eps]`` (eps of their dtype), keeping logs finite."""
    from .. import finfo

    eps = finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Logits from probabilities: ``log(p) - log1p(-p)`` when ``is_binary``, else ``log(p)``
    (probabilities clamped first, as PyTorch does)."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ps_clamped.log() - (-ps_clamped).log1p()
    return ps_clamped.log()


class lazy_property:
    """A property computed on first access and then cached on the instance (as PyTorch's
    ``lazy_property``; accessed on the class it returns itself)."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        from ..autograd.grad_mode import enable_grad

        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value
