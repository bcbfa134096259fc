"""Floating-point operation counts for ``profile(with_flops=True)``, for the ops PyTorch's
profiler counts: matrix products (``2 * M * N * K``), convolutions (two per multiply-add of
the kernel over the output), and elementwise ``add``/``mul`` (one per output element).

Counted from the shapes of the op's arguments and result, so no op needs to report anything.
"""

from __future__ import annotations

import math

__all__ = ["flops_of"]

_MATMUL = ("aten::mm", "aten::addmm", "aten::matmul", "aten::bmm", "aten::baddbmm")
_ELEMENTWISE = ("aten::add", "aten::mul", "aten::add_", "aten::mul_")


def _shape(t):
    d = getattr(t, "_data", None)
    return tuple(d.shape) if d is not None else None


def _numel(shape) -> int:
    return math.prod(shape) if shape else 1


def flops_of(name, args, out) -> int:
    """FLOPs of one call of op ``name`` on ``args`` giving ``out`` (0 when not counted)."""
    res = out[0] if isinstance(out, (tuple, list)) and out else out
    out_shape = _shape(res)
    if out_shape is None:
        return 0
    shapes = [_shape(a) for a in args]
    if name in _MATMUL:
        # the first tensor argument is the left operand (ember's addmm takes x, w, b): its
        # last dimension is the one summed over
        left = next((s for s in shapes if s is not None), None)
        if not left:
            return 0
        return 2 * _numel(out_shape) * left[-1]
    if name == "aten::convolution":
        # input, weight, ...: weight is [C_out, C_in / groups, *kernel]
        w = shapes[1] if len(shapes) > 1 else None
        if not w:
            return 0
        return 2 * _numel(out_shape) * _numel(w[1:])
    if name in _ELEMENTWISE:
        return _numel(out_shape)
    return 0
