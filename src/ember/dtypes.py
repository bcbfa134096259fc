"""dtype objects and PyTorch's type-promotion rules.

A ``dtype`` wraps a NumPy dtype and carries PyTorch's name and properties. Promotion follows
PyTorch, not NumPy: a Python float with an int64 tensor gives the default float dtype, and 0-d
tensors and Python scalars only win when they are of a higher category (bool < int < float <
complex) than every dimensioned tensor.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "dtype", "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
    "float32", "float64", "complex64", "complex128", "half", "float", "double", "short", "int",
    "long", "cfloat", "cdouble", "get_default_dtype", "set_default_dtype", "promote_types",
    "result_type", "can_cast", "finfo", "iinfo",
]

_builtin_bool, _builtin_int, _builtin_float, _builtin_complex = bool, int, float, complex
_builtin_type = type


class dtype:
    """A tensor element type, printed as ``torch.float32``.

    Example: ``ember.float32.is_floating_point`` is ``True``; ``ember.int64.itemsize`` is 8.
    """

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize", "_cat")

    def __init__(self, name, np_dtype, cat):
        self.name = name
        self.np = np.dtype(np_dtype)
        self._cat = cat  # 0 bool, 1 integer, 2 floating, 3 complex
        self.is_floating_point = cat == 2
        self.is_complex = cat == 3
        self.is_signed = name not in ("uint8", "bool")
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self):
        """The complex dtype of this real dtype (float16: complex64, as ember has no
        complex32)."""
        if self._cat == 3:
            return self
        if self._cat != 2:
            raise RuntimeError(f"Unknown Complex ScalarType for {_TYPE_NAMES[self.name]}")
        return complex128 if self.name == "float64" else complex64


_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
               "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
               "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


try:  # bfloat16 for NumPy comes from ml_dtypes when installed; otherwise it is not offered.
    import ml_dtypes as _ml

    _bf16 = _ml.bfloat16
except ImportError:  # pragma: no cover - depends on the environment
    _bf16 = None

bool = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)
complex64 = dtype("complex64", np.complex64, 3)
complex128 = dtype("complex128", np.complex128, 3)
bfloat16 = dtype("bfloat16", _bf16, 2) if _bf16 is not None else None
half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128

_ALL = [d for d in (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
                    complex64, complex128) if d is not None]
_FROM_NP = {d.np: d for d in _ALL}
_NAMES = {d.name: d for d in _ALL}


def _by_name(name):
    return _NAMES[name]


def from_numpy_dtype(np_dtype) -> dtype:
    """The ember dtype of a NumPy dtype (TypeError for one PyTorch has no equivalent of)."""
    d = _FROM_NP.get(np_dtype)
    if d is None:
        d = _FROM_NP.get(np.dtype(np_dtype))
        if d is None:
            raise TypeError(
                f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. The only "
                "supported types are: float64, float32, float16, complex64, complex128, int64, "
                "int32, int16, int8, uint8, and bool."
            )
    return d


class _Defaults:
    dtype = float32


_defaults = _Defaults()


def get_default_dtype() -> dtype:
    """The dtype of tensors made from Python floats (float32 unless changed)."""
    return _defaults.dtype


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype (float32 or float64, as PyTorch allows; float16 too)."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _defaults.dtype = d


def promote_types(a: dtype, b: dtype) -> dtype:
    """PyTorch's promotion of two dtypes (int with float gives the float, whatever its size)."""
    if a is b:
        return a
    if a._cat != b._cat:
        hi, lo = (a, b) if a._cat > b._cat else (b, a)
        if hi._cat == 3 and lo._cat == 2:
            return complex128 if (lo is float64 or hi is complex128) else complex64
        return hi
    if a._cat == 2 and {a.name, b.name} == {"float16", "bfloat16"}:
        return float32
    return _FROM_NP[np.promote_types(a.np, b.np)]


def _scalar_dtype(x) -> dtype:
    if isinstance(x, _builtin_bool):
        return bool
    if isinstance(x, _builtin_int):
        return int64
    if isinstance(x, _builtin_float):
        return _defaults.dtype
    if isinstance(x, _builtin_complex):
        return complex128 if _defaults.dtype is float64 else complex64
    if isinstance(x, np.generic):  # PyTorch treats NumPy scalars as Python scalars
        k = x.dtype.kind
        return bool if k == "b" else int64 if k in "iu" else _defaults.dtype if k == "f" else \
            (complex128 if _defaults.dtype is float64 else complex64)
    raise TypeError(f"unsupported operand type: {type(x).__name__}")


def _combine(higher, lower):
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._cat == 3:
        return higher
    if lower._cat == 3:
        return higher.to_complex() if higher._cat == 2 else lower
    if higher._cat == 2:
        return higher
    if higher is bool or lower._cat == 2:
        return promote_types(higher, lower)
    return higher


def result_type_of(*operands) -> dtype:
    """The dtype PyTorch gives an op on these operands (Tensors, Python or NumPy scalars)."""
    dim_r = zero_r = wrapped_r = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if isinstance(d, dtype):
            if x.ndim > 0:
                dim_r = d if dim_r is None else promote_types(dim_r, d)
            else:
                zero_r = d if zero_r is None else promote_types(zero_r, d)
        elif x is not None:
            s = _scalar_dtype(x)
            wrapped_r = s if wrapped_r is None else promote_types(wrapped_r, s)
    return _combine(dim_r, _combine(zero_r, wrapped_r))


def result_type(tensor1, tensor2) -> dtype:
    """``torch.result_type``: the dtype an arithmetic op on the two operands would give."""
    return result_type_of(tensor1, tensor2)


def can_cast(from_: dtype, to: dtype) -> bool:
    """PyTorch's in-place casting rule: no float to integer, complex to real, or to bool."""
    if from_._cat == 3 and to._cat != 3:
        return False
    if from_._cat == 2 and to._cat < 2:
        return False
    if from_ is not bool and to is bool:
        return False
    return True


class finfo:
    """Machine limits of a floating dtype: ``bits``, ``eps``, ``max``, ``min``, ``tiny``
    (= ``smallest_normal``), ``resolution`` and ``dtype`` (its name), as ``torch.finfo``.

    Example: ``ember.finfo(ember.float16).max`` is ``65504.0``."""

    def __init__(self, type=None):
        type = type or _defaults.dtype
        if not isinstance(type, dtype):
            raise TypeError(f"finfo(): argument 'type' must be torch.dtype, not "
                            f"{_builtin_type(type).__name__}")
        if not (type.is_floating_point or type.is_complex):
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        real = type.to_real()
        info = np.finfo(real.np)
        self.bits = _builtin_int(info.bits)
        self.eps = _builtin_float(info.eps)
        self.max = _builtin_float(info.max)
        self.min = _builtin_float(info.min)
        self.tiny = self.smallest_normal = _builtin_float(info.smallest_normal)
        self.resolution = _builtin_float(10.0 ** -_builtin_int(info.precision))
        self.dtype = real.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype: ``bits``, ``max``, ``min`` and ``dtype``, as ``torch.iinfo``.

    Example: ``ember.iinfo(ember.int8).min`` is ``-128``."""

    def __init__(self, type):
        if not isinstance(type, dtype):
            raise TypeError(f"iinfo(): argument 'type' must be torch.dtype, not "
                            f"{_builtin_type(type).__name__}")
        if type is bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type.is_floating_point or type.is_complex:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                            "to handle 'torch.iinfo'")
        info = np.iinfo(type.np)
        self.bits = type.itemsize * 8
        self.max = _builtin_int(info.max)
        self.min = _builtin_int(info.min)
        self.dtype = type.name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
