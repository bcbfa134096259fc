"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_`` (in place on ``.grad``)."""

from __future__ import annotations

import math
import warnings

from ...backend import xp_of
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm"]


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _norm_of(arr, norm_type):
    xp = xp_of(arr)
    if norm_type == math.inf:
        return xp.abs(arr).max() if arr.size else xp.asarray(0.0, arr.dtype)
    if norm_type == 0:
        return xp.asarray((arr != 0).sum(), arr.dtype)
    if norm_type == 2.0 and arr.dtype.kind == "f" and arr.dtype.itemsize >= 4 and \
            arr.flags.c_contiguous and arr.size:
        flat = arr.reshape(-1)  # one BLAS dot: no |x| and x**2 temporaries
        return xp.sqrt(xp.dot(flat, flat))
    return (xp.abs(arr) ** norm_type).sum() ** (1.0 / norm_type)


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach=None) -> Tensor:
    """The ``norm_type``-norm of all the tensors together (as if concatenated)."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    tensors = list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return Tensor._make(xp_of(None).asarray(0.0, "float32"))
    norms = [_norm_of(t._data, norm_type) for t in tensors]
    xp = xp_of(tensors[0]._data)
    stacked = xp.stack([xp.asarray(n) for n in norms])
    total = _norm_of(stacked, norm_type)
    total = xp.asarray(total, dtype=tensors[0]._data.dtype)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor._make(total)


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Scale all gradients in place so their joint norm is at most ``max_norm``; returns the
    norm before clipping.

    Example::

        loss.backward()
        ember.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    parameters = list(parameters)
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    if not grads:
        return total
    clip_coef = float(max_norm) / (total._data + 1e-6)
    xp = xp_of(total._data)
    coef = xp.minimum(clip_coef, 1.0)  # NaN stays NaN; no branch on the data (ember.compile)
    for g in grads:
        g._data *= xp.asarray(coef, dtype=g._data.dtype)
        g._vc[0] += 1
    return total


def clip_grad_norm(parameters, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Deprecated alias of ``clip_grad_norm_``."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient in place to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        xp = xp_of(g._data)
        xp.clip(g._data, -clip_value, clip_value, out=g._data)
        g._vc[0] += 1
