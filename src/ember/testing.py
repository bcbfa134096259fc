"""``torch.testing``: ``assert_close`` (PyTorch's per-dtype tolerances and its messages),
the deprecated ``assert_allclose``, and ``make_tensor``.

Example::

    torch.testing.assert_close(torch.tensor([1., 2.]), torch.tensor([1., 2.]))
    torch.testing.assert_close(torch.tensor([1.]), torch.tensor([1.5]))
    # AssertionError: Tensor-likes are not close!
    #
    # Mismatched elements: 1 / 1 (100.0%)
    # Greatest absolute difference: 0.5 at index (0,) (up to 1e-05 allowed)
    # Greatest relative difference: 0.3333333432674408 at index (0,) (up to 1.3e-06 allowed)
"""

from __future__ import annotations

import builtins
import collections.abc as _abc
import math
import warnings

from . import dtypes as _dt
from .backend import numpy as _np  # Python data -> arrays; the comparison runs on host arrays

__all__ = ["assert_allclose", "assert_close", "make_tensor"]

# PyTorch's default (rtol, atol) for assert_close, by dtype; any other dtype compares exactly
_DEFAULT_TOLERANCES = {
    "float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7),
}


class _Mismatch(Exception):
    """Carries the failure message and type up through nested sequences and mappings."""

    def __init__(self, exc_type, msg):
        super().__init__(msg)
        self.exc_type = exc_type
        self.msg = msg
        self.path = []  # the item keys from the outermost container in


def _tensor_cls():
    from .tensor import Tensor

    return Tensor


def _tolerances(dtypes, rtol, atol):
    if (rtol is None) ^ (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    if rtol is not None:
        return rtol, atol
    pairs = [_DEFAULT_TOLERANCES.get(d, (0.0, 0.0)) for d in dtypes]
    return builtins.max(p[0] for p in pairs), builtins.max(p[1] for p in pairs)


def _diff_msg(kind, diff, idx, tol):
    msg = f"{kind.title()} difference: {diff}" if idx is None else \
        f"Greatest {kind} difference: {diff} at index {idx}"
    if tol > 0:
        msg += f" (up to {tol} allowed)"
    return msg


def _mismatch_msg(default_identifier, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol):
    equality = rtol == 0 and atol == 0
    msg = f"{default_identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += f"{extra.strip()}\n"
    msg += _diff_msg("absolute", abs_diff, abs_idx, atol) + "\n"
    msg += _diff_msg("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_msg(actual, expected, rtol, atol):
    abs_diff = builtins.abs(actual - expected)
    rel_diff = math.inf if expected == 0 else abs_diff / builtins.abs(expected)
    return _mismatch_msg("Scalars", f"Expected {expected} but got {actual}.", abs_diff, None,
                         atol, rel_diff, None, rtol)


def _isclose(a, b, rtol, atol, equal_nan):
    with _np.errstate(invalid="ignore", over="ignore"):
        if a.dtype.kind in "biu" and b.dtype.kind in "biu":
            return a == b if rtol == 0 and atol == 0 else _np.isclose(a, b, rtol, atol)
        return _np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def _compare_tensors(actual, expected, rtol, atol, equal_nan, check_dtype, check_stride):
    if tuple(actual.shape) != tuple(expected.shape):
        raise _Mismatch(AssertionError, f"The values for attribute 'shape' do not match: "
                                        f"{actual.shape} != {expected.shape}.")
    if check_dtype and actual.dtype != expected.dtype:
        raise _Mismatch(AssertionError, f"The values for attribute 'dtype' do not match: "
                                        f"{actual.dtype} != {expected.dtype}.")
    if check_stride and actual.stride() != expected.stride():
        raise _Mismatch(AssertionError, f"The values for attribute 'stride()' do not match: "
                                        f"{actual.stride()} != {expected.stride()}.")
    rtol, atol = _tolerances([actual.dtype.name, expected.dtype.name], rtol, atol)
    a = _np.asarray(actual.detach()._data)
    b = _np.asarray(expected.detach()._data)
    if a.dtype != b.dtype:  # check_dtype=False: compare in the promoted dtype
        common = _dt.promote_types(actual.dtype, expected.dtype).np
        a, b = a.astype(common), b.astype(common)
    if a.dtype.kind == "b":
        a, b = a.astype(_np.int64), b.astype(_np.int64)
    matches = _isclose(a, b, rtol, atol, equal_nan)
    if matches.all():
        return
    if a.ndim == 0:
        raise _Mismatch(AssertionError, _scalar_msg(a.item(), b.item(), rtol, atol))
    total = matches.size
    bad = total - int(matches.sum())
    extra = f"Mismatched elements: {bad} / {total} ({bad / total:.1%})"
    af, bf, mf = a.reshape(-1), b.reshape(-1), matches.reshape(-1)
    integral = af.dtype.kind in "iu"
    if integral:
        af, bf = af.astype(_np.int64), bf.astype(_np.int64)
    with _np.errstate(divide="ignore", invalid="ignore"):
        abs_diff = _np.abs(af - bf)
        abs_diff[mf] = 0
        if integral:  # int / int is true division in the default float dtype in PyTorch
            ft = _dt.get_default_dtype().np
            rel_diff = abs_diff.astype(ft) / _np.abs(bf).astype(ft)
        else:
            rel_diff = abs_diff / _np.abs(bf)
        rel_diff[mf] = 0
    ia, ir = _argmax_nan(abs_diff), _argmax_nan(rel_diff)
    raise _Mismatch(AssertionError, _mismatch_msg(
        "Tensor-likes", extra, abs_diff[ia].item(), _idx(ia, a.shape), atol,
        rel_diff[ir].item(), _idx(ir, a.shape), rtol))


def _idx(flat, shape):
    return tuple(int(i) for i in _np.unravel_index(flat, shape))


def _argmax_nan(x):
    """torch.max's index: the first NaN if there is one, else the first maximum."""
    nan = _np.isnan(x)
    return int(nan.argmax()) if nan.any() else int(x.argmax())


def _item(actual, expected, key, *args):
    try:
        _compare(actual, expected, *args)
    except _Mismatch as m:
        m.path.insert(0, key)
        raise


def _compare(actual, expected, rtol, atol, equal_nan, check_dtype, check_stride):
    Tensor = _tensor_cls()
    ndarray = _np.ndarray
    if isinstance(actual, Tensor) and isinstance(expected, Tensor):
        return _compare_tensors(actual, expected, rtol, atol, equal_nan, check_dtype,
                                check_stride)
    if isinstance(actual, ndarray) and isinstance(expected, ndarray):
        from .ops.factories import from_numpy

        return _compare_tensors(from_numpy(actual), from_numpy(expected), rtol, atol,
                                equal_nan, check_dtype, check_stride)
    if isinstance(actual, bool) and isinstance(expected, bool):
        if actual is not expected:
            raise _Mismatch(AssertionError, f"Booleans mismatch: {actual} is not {expected}")
        return
    num = (int, float, complex)
    if isinstance(actual, num) and isinstance(expected, num) and not isinstance(
            actual, bool) and not isinstance(expected, bool):
        kinds = [{int: "int64", float: "float64", complex: "complex128"}[type(x)]
                 for x in (actual, expected)]
        if check_dtype and type(actual) is not type(expected):
            raise _Mismatch(AssertionError, f"The values for attribute 'dtype' do not match: "
                                            f"{type(actual)} != {type(expected)}.")
        r, a = _tolerances(kinds, rtol, atol)
        close = actual == expected or (equal_nan and _isnan(actual) and _isnan(expected)) or \
            builtins.abs(actual - expected) <= a + r * builtins.abs(expected)
        if not close:
            raise _Mismatch(AssertionError, _scalar_msg(actual, expected, r, a))
        return
    if isinstance(actual, _abc.Mapping) and isinstance(expected, _abc.Mapping):
        ka, ke = set(actual), set(expected)
        if ka != ke:
            missing = sorted(ke - ka, key=repr)
            extra = sorted(ka - ke, key=repr)
            msg = "The keys of the mappings do not match:\n"
            if missing:
                msg += f"Missing keys in the actual mapping: {missing}\n"
            if extra:
                msg += f"Additional keys in the actual mapping: {extra}\n"
            raise _Mismatch(AssertionError, msg.strip())
        for k in sorted(ke, key=repr):
            _item(actual[k], expected[k], repr(k), rtol, atol, equal_nan, check_dtype,
                  check_stride)
        return
    seq = _abc.Sequence
    if isinstance(actual, seq) and isinstance(expected, seq) and not isinstance(
            actual, str) and not isinstance(expected, str):
        if len(actual) != len(expected):
            raise _Mismatch(AssertionError, f"The length of the sequences mismatch: "
                                            f"{len(actual)} != {len(expected)}")
        for i, (x, y) in enumerate(zip(actual, expected)):
            _item(x, y, str(i), rtol, atol, equal_nan, check_dtype, check_stride)
        return
    raise _Mismatch(TypeError, f"No comparison pair was able to handle inputs of type "
                               f"{type(actual)} and {type(expected)}.")


def _isnan(x):
    return isinstance(x, float) and math.isnan(x) or isinstance(x, complex) and (
        math.isnan(x.real) or math.isnan(x.imag))


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Assert that ``actual`` and ``expected`` are close: ``|a - e| <= atol + rtol * |e|``
    elementwise, with PyTorch's default tolerances for the dtype (float32: rtol 1.3e-6, atol
    1e-5; float64: 1e-7, 1e-7; integers and bool: exact). Tensors, NumPy arrays, Python numbers
    and (nested) sequences and mappings of them are accepted, as in PyTorch; shapes and (with
    ``check_dtype``) dtypes must agree. Raises ``AssertionError`` with PyTorch's message, or
    ``msg`` (a string, or a callable given the generated message).

    Example: ``assert_close(torch.tensor([1.]), torch.tensor([1. + 1e-7]))`` passes."""
    try:
        _compare(actual, expected, rtol, atol, equal_nan, check_dtype, check_stride)
    except _Mismatch as m:
        text = m.msg
        if m.path:
            text += "\n\nThe failure occurred for item " + "".join(f"[{k}]" for k in m.path)
        if msg is not None:
            text = msg(text) if callable(msg) else msg
        raise m.exc_type(text) from None


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """Deprecated in PyTorch (use ``assert_close``): ``expected`` is converted to a tensor of
    ``actual``'s dtype and compared with the older, looser tolerances (float32: rtol 1e-4,
    atol 1e-5; float64: 1e-5, 1e-8; float16: 1e-3, 1e-3)."""
    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed "
                  "in a future release. Please use `torch.testing.assert_close()` instead.",
                  FutureWarning, stacklevel=2)
    from .ops.factories import tensor

    Tensor = _tensor_cls()
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        rtol, atol = {"float16": (1e-3, 1e-3), "float32": (1e-4, 1e-5),
                      "float64": (1e-5, 1e-8)}.get(
            _dt.promote_types(actual.dtype, expected.dtype).name, (0.0, 0.0))
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=False,
                 msg=msg or None)


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad=False,
                noncontiguous=False, exclude_zero=False, memory_format=None):
    """A random tensor for tests, with PyTorch's default ranges: floating and complex values
    uniform in ``[-9, 9)``, integers in ``[-9, 10)`` (``[0, 10)`` for uint8), bools 0/1.
    ``noncontiguous`` is accepted; ember returns the values contiguously."""
    from .ops.factories import tensor
    from .ops.random import default_generator

    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = tuple(shape[0])
    rng = default_generator._rng
    name = dtype.name
    if name == "bool":
        arr = rng.integers(0, 2, size=shape).astype(bool)
    elif dtype.is_floating_point or dtype.is_complex:
        lo = -9.0 if low is None else low
        hi = 9.0 if high is None else high
        arr = lo + (hi - lo) * rng.random(shape)
        if dtype.is_complex:
            arr = arr + 1j * (lo + (hi - lo) * rng.random(shape))
        if exclude_zero:
            arr[arr == 0] = _np.finfo(_np.float32).eps
    else:
        lo = (0 if name == "uint8" else -9) if low is None else int(math.ceil(low))
        hi = 10 if high is None else int(math.ceil(high))
        arr = rng.integers(lo, hi, size=shape)
        if exclude_zero:
            arr[arr == 0] = 1
    return tensor(_np.asarray(arr), dtype=dtype, requires_grad=requires_grad)
