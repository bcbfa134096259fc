"""The linear layer's op: ``y = x W^T + b`` as one Function (PyTorch's AddmmBackward0)."""

from __future__ import annotations

from ...autograd.function import Function, Node
from ...backend import xp_of
from ...tensor import Tensor
from .._util import _scalar_type_name as _type_name, make
from ..linalg.products import MatMul


# ---------------------------------------------------------------------------------- linear
class Addmm(Function):
    """y = x @ w^T + b (2-D x);  dy/dx = g @ w, dy/dw = g^T @ x, dy/db = sum_rows(g)"""

    _builtin = True
    _edges = (2, 0, 1)
    _node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, w, b):
        xd, wd = x._data, w._data
        xp = xp_of(xd)
        if 4 * xd.shape[0] <= wd.shape[0] and xd.dtype.kind == "f":
            # few rows, many outputs: OpenBLAS runs w @ x^T ~10% faster than x @ w^T (the
            # same products and sums); the bias add makes the C-ordered result in one pass
            out = xp.empty((xd.shape[0], wd.shape[0]), xd.dtype)
            xp.add(xp.matmul(wd, xd.T).T, b._data, out=out)
        else:
            out = xp.matmul(xd, wd.T)
            out += b._data
        ctx.save_for_backward(x, w)
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = MatMul.apply(grad_output, w) if need_x else None
        gw = MatMul.apply(grad_output.t(), x) if need_w else None
        gb = grad_output.sum(0) if need_b else None
        return gx, gw, gb


def _addmm_next_functions(node):
    """PyTorch's linear is ``addmm(bias, input, weight.t())``, so its node's last edge is the
    weight's ``TBackward0``. ember fuses the transpose; for the printed graph a ``TBackward0``
    node over the weight's edge stands in for it (made once, when asked; backward never
    visits it)."""
    b, x, w = Node.next_functions.fget(node)
    if w[0] is not None:
        t = node.__dict__.get("_t_node")
        if t is None:
            from ..shape.views import T

            t = node._t_node = object.__new__(T._backward_cls)
            Node.__init__(t)
            t._next = (node._next[1],)
            t.d = (0, 1)
        w = (t, 0)
    return b, x, w


Addmm._backward_cls.next_functions = property(_addmm_next_functions)


def linear(input: Tensor, weight: Tensor, bias=None) -> Tensor:
    """y = input @ weight^T + bias, over the last dimension of ``input``."""
    xd, wd = input._data, weight._data
    if wd.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {wd.ndim}D")
    if wd.ndim != 2 or xd.ndim == 0:
        if xd.ndim == 0:
            raise RuntimeError(
                "both arguments to linear need to be at least 1D, but they are 0D and "
                f"{wd.ndim}D"
            )
        return _linear_general(input, weight, bias)
    k = xd.shape[-1]
    if k != wd.shape[1]:
        rows = 1
        for s in xd.shape[:-1]:
            rows *= s
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and {wd.shape[1]}x"
            f"{wd.shape[0]})"
        )
    if xd.dtype != wd.dtype or (bias is not None and bias._data.dtype != xd.dtype):
        other = wd if xd.dtype != wd.dtype else bias._data
        raise RuntimeError(
            "mat1 and mat2 must have the same dtype, but got "
            f"{_type_name(input)} and {_type_name(make(other))}"
        )
    if xd.ndim == 2:
        if bias is None:
            return MatMul.apply(input, weight.t())
        return Addmm.apply(input, weight, bias)
    lead = xd.shape[:-1]
    x2 = input.reshape(-1, k)
    if bias is None:
        out = MatMul.apply(x2, weight.t())
    else:
        out = Addmm.apply(x2, weight, bias)
    return out.view(*lead, wd.shape[0])


def _linear_general(input, weight, bias):
    from ..linalg.products import matmul

    out = matmul(input, weight.t() if weight.dim() == 2 else weight)
    return out if bias is None else out + bias
