"""Tensor methods whose form differs from the function's: in-place variants (``x.clamp_()``,
``x.eq_()``, ``x.addmm_()`` ...), methods with ``self`` in another place (``x.where(c, y)``),
dtype casts and ``new_*`` factories. The table that attaches them is ``tensor_methods``."""

from __future__ import annotations

from .._api_aliases import conj_physical
from ..autograd.grad_mode import _state
from ..backend import numpy as _np
from ..tensor import Tensor
from ._util import _scalar_like
from .factories import full, tensor
from .inplace import check_write, inplace
from .pointwise.arithmetic import Addcdiv, Addcmul, Lerp, LerpTensor, Pow, div
from .pointwise.bitwise import bitwise_not
from .pointwise.clamp import Clamp, ClampMax, ClampMin, ClampTensor, NanToNum, where
from .pointwise.division import FloorDivide, Fmod, Remainder
from .pointwise.rounding import Copysign, Round, RoundDecimals, ldexp
from .pointwise.special import Logit, Polygamma, Xlogy, mvlgamma, polygamma
from .reduce.moments import std, var
from .reduce.scans import cumprod, cumsum


# --------------------------------------------------------------- in-place and argument-order forms
def _ip(cls):
    """``x.op_()``: the op written into x (PyTorch's dtype checks; graph kept)."""
    from .inplace import inplace

    def method(self, *args):
        return inplace(self, cls, *args)

    return method


def _write_back(self, res):
    """Write a non-differentiable result (comparison, logic, bit op) into ``self`` in place."""
    from .inplace import check_write

    if res._data.dtype != self._data.dtype and res._data.dtype.kind in "fc" and \
            self._data.dtype.kind not in "fc":
        check_write(self, res._data)
    try:
        self._data[...] = res._data
    except ValueError:
        check_write(self, res._data)
        raise
    self._vc[0] += 1
    return self


def _ip_nodiff(fn):
    def method(self, *args, **kwargs):
        return _write_back(self, fn(self, *args, **kwargs))

    return method


def requires_grad_(self, requires_grad=True):
    return Tensor.requires_grad_(self, requires_grad)


# ----------------------------------------------------------------------------- new_* factories
def _new_device(self, device):
    """``new_*`` results go to ``self``'s device unless ``device=`` says otherwise."""
    if device is not None:
        return device
    return "cpu" if self._data.__class__ is _np.ndarray else self.device


def _new_factory(fn):
    def method(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        return fn(*size, dtype=dtype or self.dtype, device=_new_device(self, device),
                  requires_grad=requires_grad)

    return method


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    return tensor(data, dtype=dtype or self.dtype, device=_new_device(self, device),
                  requires_grad=requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    return full(size, fill_value, dtype=dtype or self.dtype, device=_new_device(self, device),
                requires_grad=requires_grad)


def _max_min(name):
    np_name = "max" if name == "max" else "min"

    def f(self, dim=None, keepdim=False):
        from .reduce.minmax import max as rmax
        from .reduce.minmax import min as rmin

        return (rmax if name == "max" else rmin)(self, dim, keepdim)

    f.__name__ = np_name
    return f


def _composite_inplace(fn):
    """An in-place method from an out-of-place composite op: the op runs on a clone (so the
    nodes it records never save ``self``), and the result is copied in (one CopyBackwards)."""

    def method(self, *args, **kwargs):
        from .inplace import Copy

        recording = _state.enabled and (self._requires_grad or any(
            isinstance(a, Tensor) and a._requires_grad for a in args))
        src = fn(self.clone() if recording else self, *args, **kwargs)
        check_write(self, src._data)
        return inplace(self, Copy, src)

    method.__name__ = fn.__name__ + "_"
    return method


def _inplace_fn(cls):
    def method(self, *args):
        return inplace(self, cls, *args)

    return method


def _xlogy_(self, other):
    if not isinstance(other, Tensor):
        other = _scalar_like(other, self)
    return inplace(self, Xlogy, other)


def _copysign_(self, other):
    return inplace(self, Copysign, other)


def _int_inplace(fn):
    def method(self, other):
        res = fn(self, other)
        check_write(self, res._data)
        self._data[...] = res._data
        self._vc[0] += 1
        return self

    return method


def clamp_(self, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return inplace(self, ClampTensor, min, max)
    return inplace(self, Clamp, min, max)


def clamp_min_(self, min):
    if isinstance(min, Tensor):
        return inplace(self, ClampTensor, min, None)
    return inplace(self, ClampMin, min)


def clamp_max_(self, max):
    if isinstance(max, Tensor):
        return inplace(self, ClampTensor, None, max)
    return inplace(self, ClampMax, max)


def round_(self, *, decimals=0):
    if decimals == 0:
        return inplace(self, Round)
    return inplace(self, RoundDecimals, int(decimals))


def lerp_(self, end, weight):
    return inplace(self, LerpTensor if isinstance(weight, Tensor) else Lerp, end, weight)


def addcmul_(self, tensor1, tensor2, *, value=1):
    return inplace(self, Addcmul, tensor1, tensor2, value)


def addcdiv_(self, tensor1, tensor2, *, value=1):
    return inplace(self, Addcdiv, tensor1, tensor2, value)


def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
    return inplace(self, NanToNum, nan, posinf, neginf)


def logit_(self, eps=None):
    return inplace(self, Logit, eps)


def polygamma_(self, n):
    return inplace(self, Polygamma, int(n))


def square_(self):
    return inplace(self, Pow, 2)


def float_power_(self, exponent):
    cplx = isinstance(exponent, complex) or (isinstance(exponent, Tensor)
                                             and exponent.is_complex())
    want = "complex128" if cplx or self.is_complex() else "float64"
    if self._data.dtype.name != want:
        raise RuntimeError(f"the base given to float_power_ has dtype {self.dtype} but the "
                           f"operation's result requires dtype torch.{want}")
    return inplace(self, Pow, exponent)


def remainder_(self, other):
    return inplace(self, Remainder, other)


def fmod_(self, other):
    return inplace(self, Fmod, other)


def floor_divide_(self, other):
    return inplace(self, FloorDivide, other)


def polygamma_m(self, n):
    return polygamma(n, self)


def cumsum_(self, dim, *, dtype=None):
    return self.copy_(cumsum(self, dim, dtype=dtype))


def cumprod_(self, dim, *, dtype=None):
    return self.copy_(cumprod(self, dim, dtype=dtype))


def where_m(self, condition, other):
    return where(condition, self, other)


def std_m(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return std(self, dim, unbiased, keepdim, correction=correction)


def var_m(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var(self, dim, unbiased, keepdim, correction=correction)


def shift(fn):
    return lambda self, other: fn(self, other)


def rshift(fn):
    def r(self, other):  # the functional takes the Python number first, as PyTorch's does
        return fn(other, self)

    return r


def caster(name):
    def cast(self, memory_format=None):
        from .. import dtypes as _dt

        dt = getattr(_dt, name)
        if dt is None:
            raise TypeError(f"ember.{name} needs the optional ml_dtypes package "
                            "(pip install ember[bf16])")
        return self.to(dt)

    cast.__name__ = name
    return cast


def invert(self):
    if self._data.dtype.kind in "fc":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(self)


def _hardshrink(self, lambd=0.5):
    from .pointwise.activation import hardshrink

    return hardshrink(self, lambd)


def _prelu(self, weight):
    from .nn.functional_forms import prelu

    return prelu(self, weight)


def _divide_(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return self.div_(other)
    return _composite_inplace(lambda s, o: div(s, o, rounding_mode=rounding_mode))(
        self, other)


def _conj_physical_(self):
    if not self.is_complex():
        return self
    return _composite_inplace(conj_physical)(self)


def _mvlgamma_(self, p):
    return _composite_inplace(mvlgamma)(self, p)


def _ldexp_(self, other):
    return _composite_inplace(ldexp)(self, other)
