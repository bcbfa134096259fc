"""Argument checks the layer functionals share: n-tuples of sizes, PyTorch's dtype names in
messages, same-dtype checks."""

from __future__ import annotations

import numbers




_TYPE_NAMES = {
    "float32": "Float",
    "float64": "Double",
    "float16": "Half",
    "int64": "Long",
    "int32": "Int",
    "bool": "Bool",
    "uint8": "Byte",
}


def _ntuple(v, n):
    if isinstance(v, numbers.Integral):
        return (int(v),) * n
    v = tuple(int(a) for a in v)
    if len(v) == 1 and n > 1:
        return v * n
    return v


def _type_name(t):
    return _TYPE_NAMES.get(t.dtype.name if hasattr(t.dtype, "name") else str(t.dtype), "Float")


def _check_same_type(input, *others):
    for o in others:
        if o is not None and o._data.dtype != input._data.dtype:
            raise RuntimeError(
                f"expected scalar type {_type_name(input)} but found {_type_name(o)}"
            )
