"""The window functions of signal processing: hann, hamming, blackman, bartlett, kaiser
(``ember.hann_window(8)`` ...), computed in float64 and cast to the requested float dtype."""

from __future__ import annotations

import math

from .. import dtypes as _dt
from ..backend import numpy as _np
from .factories import _placed, tensor


def _window(name, window_length, periodic, dtype, requires_grad, fn):
    dtype = dtype or _dt.get_default_dtype()
    if not dtype.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length="
                           f"{window_length}")
    if window_length == 0:
        return tensor([], dtype=dtype, requires_grad=requires_grad)
    if window_length == 1:
        return tensor([1.0], dtype=dtype, requires_grad=requires_grad)
    n = window_length + 1 if periodic else window_length
    k = _np.arange(n, dtype=_np.float64)
    w = fn(k, n - 1)
    if periodic:
        w = w[:-1]
    return tensor(w.astype(dtype.np), dtype=dtype, requires_grad=requires_grad)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                requires_grad=False):
    """``0.5 - 0.5 cos(2 pi n / (N - 1))``; ``periodic`` drops the last of N + 1 points."""
    return _placed(_window("hann_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: 0.5 - 0.5 * _np.cos(2 * math.pi * k / m)), device)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, requires_grad=False):
    """``alpha - beta cos(2 pi n / (N - 1))``."""
    return _placed(_window("hamming_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: alpha - beta * _np.cos(2 * math.pi * k / m)), device)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``."""
    return _placed(_window("blackman_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: 0.42 - 0.5 * _np.cos(2 * math.pi * k / m)
                   + 0.08 * _np.cos(4 * math.pi * k / m)), device)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """The triangular window ``1 - |2 n / (N - 1) - 1|``."""
    return _placed(_window("bartlett_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: 1 - _np.abs(2 * k / m - 1)), device)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, requires_grad=False):
    """``I0(beta sqrt(1 - (2 n / (N - 1) - 1)**2)) / I0(beta)``."""
    return _placed(_window("kaiser_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: _np.i0(beta * _np.sqrt(_np.clip(1 - (2 * k / m - 1) ** 2, 0,
                                                                None))) / _np.i0(beta)), device)
