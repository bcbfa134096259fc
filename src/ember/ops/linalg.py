"""Matrix products: matmul (with PyTorch's 1-D and batch rules), mm, mv, dot, bmm."""

from __future__ import annotations

from ..autograd.function import Function
from ._util import Tensor, make, pair, xp_of


def _type_name(t):
    return {"float32": "float", "float64": "double", "int64": "long", "float16": "c10::Half",
            "int32": "int"}.get(t._data.dtype.name, t._data.dtype.name)


class MatMul(Function):
    """y = a @ b;  dy/da = g @ b^T, dy/db = a^T @ g (batch dims summed by the engine)"""

    _builtin = True
    _node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = a._data, b._data
        ctx.save_for_backward(a, b)
        return make(xp_of(ad).matmul(ad, bd))

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = grad_output.matmul(b.mT)
        if ctx.needs_input_grad[1]:
            gb = a.mT.matmul(grad_output)
        return ga, gb


class BMM(MatMul):
    _node_name = "BmmBackward0"


class UnsafeMatMul(MatMul):
    _node_name = "UnsafeViewBackward0"


def _check_dtypes(a, b, name):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_type_name(a)} != "
            f"{_type_name(b)}"
        )


def matmul(input, other):
    """Matrix product with NumPy/PyTorch rules: 1-D operands are vectors, leading dims batch."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError("matmul(): argument 'other' (position 1) must be Tensor")
    a, b = input._data, other._data
    _check_dtypes(input, other, "matmul")
    na, nb = a.ndim, b.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D"
        )
    if na == 1 and nb == 1:
        return dot(input, other)
    if na == 2 and nb == 2:
        return mm(input, other)
    if na == 1:
        return matmul(input.unsqueeze(0), other).squeeze(-2)
    if nb == 1:
        if na == 2:
            return mv(input, other)
        return matmul(input, other.unsqueeze(-1)).squeeze(-1)
    ka, kb = a.shape[-1], b.shape[-2]
    if ka != kb:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{b.shape[0]}, "
            f"{ka}] but got: [{b.shape[0]}, {kb}]."
        )
    return UnsafeMatMul.apply(input, other)


def mm(input, mat2):
    """Product of two 2-D matrices."""
    a, b = input._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
            f"{b.shape[0]}x{b.shape[1]})"
        )
    _check_dtypes(input, mat2, "mm")
    return MatMul.apply(input, mat2)


def bmm(input, mat2):
    a, b = input._data, mat2._data
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if a.ndim != 3 else
                           "batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
            f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        )
    _check_dtypes(input, mat2, "bmm")
    return BMM.apply(input, mat2)


class MV(Function):
    """y = A v;  dy/dA = g v^T, dy/dv = A^T g"""

    _builtin = True
    _node_name = "MvBackward0"

    @staticmethod
    def forward(ctx, m, v):
        ctx.save_for_backward(m, v)
        return make(m._data @ v._data)

    @staticmethod
    def backward(ctx, grad_output):
        m, v = ctx.saved_tensors
        gm = grad_output.unsqueeze(1) * v.unsqueeze(0) if ctx.needs_input_grad[0] else None
        gv = m.t().mv(grad_output) if ctx.needs_input_grad[1] else None
        return gm, gv


def mv(input, vec):
    m, v = input._data, vec._data
    if m.ndim != 2 or v.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {v.ndim}, {m.ndim}, {v.ndim}"
        )
    if m.shape[1] != v.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({m.shape[0]}), mat ({m.shape[0]}x{m.shape[1]}), vec "
            f"({v.shape[0]})"
        )
    _check_dtypes(input, vec, "mv")
    return MV.apply(input, vec)


class Dot(Function):
    """y = sum(a * b);  dy/da = g b, dy/db = g a"""

    _builtin = True
    _node_name = "DotBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return make(xp_of(a._data).dot(a._data, b._data))

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        return (grad_output * b if ctx.needs_input_grad[0] else None,
                grad_output * a if ctx.needs_input_grad[1] else None)


def dot(input, tensor):
    a, b = input._data, tensor._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors"
        )
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same "
            "number of elements, but got {} and {} elements respectively".format(
                a.shape[0], b.shape[0], a.shape[0], b.shape[0])
        )
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found {input.dtype.name.capitalize()} "
            f"and {tensor.dtype.name.capitalize()}"
        )
    return Dot.apply(input, tensor)


def outer(input, vec2):
    return input.unsqueeze(1) * vec2.unsqueeze(0)


ger = outer
