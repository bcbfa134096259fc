"""PyTorch's profiler names for ember's public calls: ``x * y`` is ``aten::mul``,
``F.cross_entropy`` is ``aten::cross_entropy_loss``, a custom Function is its class name."""

from __future__ import annotations

import re

__all__ = ["apply_name", "op_name"]

# Tensor operators and the public names whose ATen operator is spelt differently
_ATEN = {
    "__add__": "add", "__radd__": "add", "__iadd__": "add_",
    "__sub__": "sub", "__rsub__": "rsub", "__isub__": "sub_",
    "__mul__": "mul", "__rmul__": "mul", "__imul__": "mul_",
    "__truediv__": "div", "__rtruediv__": "div", "__itruediv__": "div_",
    "__floordiv__": "floor_divide", "__rfloordiv__": "floor_divide",
    "__ifloordiv__": "floor_divide_",
    "__mod__": "remainder", "__rmod__": "remainder", "__imod__": "remainder_",
    "__pow__": "pow", "__rpow__": "pow", "__ipow__": "pow_",
    "__matmul__": "matmul", "__rmatmul__": "matmul",
    "__neg__": "neg", "__pos__": "positive", "__abs__": "abs", "__invert__": "bitwise_not",
    "__and__": "bitwise_and", "__rand__": "bitwise_and", "__iand__": "bitwise_and_",
    "__or__": "bitwise_or", "__ror__": "bitwise_or", "__ior__": "bitwise_or_",
    "__xor__": "bitwise_xor", "__rxor__": "bitwise_xor", "__ixor__": "bitwise_xor_",
    "__lshift__": "__lshift__", "__rshift__": "__rshift__",
    "__lt__": "lt", "__le__": "le", "__gt__": "gt", "__ge__": "ge", "__eq__": "eq",
    "__ne__": "ne",
    "__getitem__": "index", "__setitem__": "index_put_",
    "cross_entropy": "cross_entropy_loss",
    "true_divide": "div", "divide": "div", "multiply": "mul", "subtract": "sub",
    "absolute": "abs", "negative": "neg", "greater": "gt", "less": "lt",
    "greater_equal": "ge", "less_equal": "le", "not_equal": "ne",
    "clip": "clamp", "clip_": "clamp_", "arccos": "acos", "arcsin": "asin", "arctan": "atan",
    "arctan2": "atan2", "concat": "cat", "concatenate": "cat",
}


def op_name(func) -> str:
    """The range name PyTorch's profiler gives the call ``func``."""
    owner = getattr(func, "__self__", None)
    if isinstance(owner, type) and getattr(func, "__name__", "") == "apply":
        return owner.__name__  # Function.apply: PyTorch records the Function's class name
    name = getattr(func, "__name__", None) or type(func).__name__
    name = _ATEN.get(name, name)
    mod = getattr(func, "__module__", "") or ""
    if mod.endswith(".linalg") and not name.startswith("linalg_"):
        name = "linalg_" + name
    elif mod.endswith(".special") and not name.startswith("special_"):
        name = "special_" + name
    elif mod.endswith(".fft") and not name.startswith("fft_"):
        name = "fft_" + name
    return "aten::" + name


# node names whose op PyTorch's profiler calls otherwise
_NODE_OPS = {"CopySlices": "copy_", "TBackward0": "t", "AsStridedBackward0": "as_strided",
             "CloneBackward0": "clone", "Error": "detach"}
_SNAKE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def apply_name(op) -> str:
    """The range name of a graph-level op: a Function class or a primitive function."""
    if isinstance(op, type):
        if not getattr(op, "_builtin", False):
            return op.__name__  # a custom Function: PyTorch records its class name
        node = op._backward_cls.__name__
        base = _NODE_OPS.get(node)
        if base is None:
            stem = re.sub(r"Backward\d*$", "", node)
            base = _ATEN.get(stem.lower(), _SNAKE.sub("_", stem).lower())
        return "aten::" + base
    return op_name(op)
