"""Matrix products: matmul, mm, bmm, mv, dot, vdot, outer, inner, addmm/addmv/addbmm/baddbmm/
addr, einsum, tensordot, multi_dot, vecdot, chain_matmul."""

from __future__ import annotations

from ...autograd.function import _NULL_CTX, Function
from ...backend import NUMPY as _NUMPY
from ...backend import threads as _threads
from ...backend import xp_of
from ...tensor import _ndarray
from ...tensor import Tensor
from .._util import make, quiet_retry


def _type_name(t):
    return {"float32": "float", "float64": "double", "int64": "long", "float16": "c10::Half",
            "int32": "int"}.get(t._data.dtype.name, t._data.dtype.name)


_np_empty, _np_matmul, _np_result_type = _NUMPY.xp.empty, _NUMPY.xp.matmul, _NUMPY.xp.result_type


class MatMul(Function):
    """y = a @ b;  dy/da = g @ b^T, dy/db = a^T @ g (batch dims summed by the engine)"""

    _builtin = True
    _saved_names = ('self', 'mat2')
    _edges = (0, 1)
    _node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = a._data, b._data
        if ctx is not _NULL_CTX:  # each operand only when the other's gradient is wanted
            nxt = ctx._next
            ctx.save_for_backward(a if nxt[1] is not None else None,
                                  b if nxt[0] is not None else None)
        try:
            if ad.ndim > 2 and bd.ndim > 2:
                out = _batched_on_threads(ad, bd)
                if out is not None:
                    return make(out)
            out = xp_of(ad).matmul(ad, bd)
        except RuntimeWarning:  # inf * 0 with warnings as errors (free otherwise)
            out = quiet_retry(xp_of(ad).matmul, ad, bd)
        if out.dtype != ad.dtype and ad.dtype.name == "bfloat16":  # ml_dtypes' matmul gives
            out = out.astype(ad.dtype)  # float32: PyTorch rounds its float32 sums once
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = grad_output.matmul(b.mT)
        if ctx.needs_input_grad[1]:
            gb = a.mT.matmul(grad_output)
        return ga, gb


def _batched_on_threads(a, b):
    """``a @ b`` for stacks of small matrices split over the intra-op threads by the leading
    batch dim (NumPy runs one small GEMM per matrix on one thread, and BLAS does not thread
    GEMMs that small; each thread takes whole matrices, so the values are one call's): None
    when it should be one call. ~1.7x on minGPT's attention products at 2 threads."""
    if a.__class__ is not _ndarray or b.__class__ is not _ndarray or \
            a.shape[:-2] != b.shape[:-2] or a.shape[0] < 2 or not a.size or not b.size:
        return None
    n = a.shape[0]
    work = (a.size // a.shape[-1]) * b.shape[-1] * a.shape[-1] // 8  # multiply-adds / 8
    if _threads.chunks_for(work) <= 1:
        return None
    out = _np_empty(a.shape[:-1] + b.shape[-1:], _np_result_type(a, b))

    def part(lo, hi):
        _np_matmul(a[lo:hi], b[lo:hi], out=out[lo:hi])

    _threads.parallel_ranges(part, n)
    return out


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


def _write_out(res, out, a, b, name):
    from .._util import write_out

    return write_out(res, out, a, b, name=name)


def matmul(input, other, *, out=None):
    """Matrix product with NumPy/PyTorch rules: 1-D operands are vectors, leading dims batch."""
    if out is not None:
        return _write_out(matmul(input, other), out, input, other, "matmul")
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
    ba, bb = a.shape[:-2], b.shape[:-2]
    if any(x != y and 1 not in (x, y) for x, y in zip(ba[::-1], bb[::-1])):
        from .._util import broadcast_error

        raise broadcast_error(ba, bb)  # batch dims that do not broadcast: PyTorch's message
    return UnsafeMatMul.apply(input, other)


def mm(input, mat2, *, out=None):
    """Product of two 2-D matrices."""
    if out is not None:
        return _write_out(mm(input, mat2), out, input, mat2, "mm")
    a, b = input._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
            f"{b.shape[0]}x{b.shape[1]})"
        )
    _check_dtypes(input, mat2, "mm")
    return MatMul.apply(input, mat2)


def bmm(input, mat2, *, out=None):
    if out is not None:
        return _write_out(bmm(input, mat2), out, input, mat2, "bmm")
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
    _edges = (0, 1)
    _node_name = "MvBackward0"

    @staticmethod
    def forward(ctx, m, v):
        if ctx is not _NULL_CTX:  # each operand only when the other's gradient is wanted
            nxt = ctx._next
            ctx.save_for_backward(m if nxt[1] is not None else None,
                                  v if nxt[0] is not None else None)
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
    _edges = (0, 1)
    _node_name = "DotBackward0"

    @staticmethod
    def forward(ctx, a, b):
        if ctx is not _NULL_CTX:  # each operand only when the other's gradient is wanted
            nxt = ctx._next
            ctx.save_for_backward(a if nxt[1] is not None else None,
                                  b if nxt[0] is not None else None)
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
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have the same "
            f"number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively"
        )
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found {input.dtype.name.capitalize()} "
            f"and {tensor.dtype.name.capitalize()}"
        )
    return Dot.apply(input, tensor)


def outer(input, vec2):
    for name, t in (("self", input), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    return input.unsqueeze(1) * vec2.unsqueeze(0)


ger = outer


def vdot(input, other):
    """sum(conj(a) * b) of two 1-D tensors."""
    if input._data.dtype.kind == "c":
        input = input.conj()
    return dot(input, other)


# ------------------------------------------------------------------------------------ addmm
def _check_mm(a, b):
    if a._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")


def _scaled_sum(input, prod, beta, alpha):
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        return prod + input.detach() * 0 if input._data.shape != prod._data.shape else \
            prod + 0 * input.detach()
    if beta != 1:
        input = input * beta
    return input + prod


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2)."""
    return _scaled_sum(input, mm(mat1, mat2), beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat @ vec)."""
    return _scaled_sum(input, mv(mat, vec), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (batch1 @ batch2), batch by batch."""
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * sum_b (batch1[b] @ batch2[b])."""
    return _scaled_sum(input, bmm(batch1, batch2).sum(0), beta, alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * outer(vec1, vec2)."""
    return _scaled_sum(input, outer(vec1, vec2), beta, alpha)


# ------------------------------------------------------------------------------------ einsum
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Einsum(Function):
    """y = einsum(eq, *xs);  dy/dx_k = einsum of the gradient with the other operands, back
    to x_k's subscripts (identity operands rebuild repeated subscripts, ones vectors the
    summed-out ones)"""

    _builtin = True
    _edges = slice(1, None)
    _node_name = "EinsumBackward0"

    @staticmethod
    def forward(ctx, eq, *xs):
        arrays = [x._data for x in xs]
        xp = xp_of(arrays[0])
        ctx.eq = eq
        ctx.save_for_backward(*xs)
        out = _einsum_bmm(eq, arrays, xp) if len(arrays) == 2 else None
        if out is None:
            out = xp.einsum(eq, *arrays, optimize="greedy" if len(arrays) > 2 else False)
        return make(xp.asarray(out))

    @staticmethod
    def backward(ctx, grad_output):
        xs = ctx.saved_tensors
        lhs, rhs = ctx.eq.split("->")
        terms = lhs.split(",")
        grads = [None]
        for k, x in enumerate(xs):
            if not ctx.needs_input_grad[k + 1]:
                grads.append(None)
                continue
            target = terms[k]
            ops, subs = [grad_output], [rhs]
            for j, (t, o) in enumerate(zip(terms, xs)):
                if j != k:
                    ops.append(o)
                    subs.append(t)
            used = set(ctx.eq)
            free = iter(c for c in _LETTERS if c not in used)
            xp = xp_of(x._data)
            seen, new_target = set(), []
            for pos, c in enumerate(target):
                n = x._data.shape[pos]
                if c in seen:  # a repeated subscript: its diagonal, via an identity operand
                    c2 = next(free)
                    ops.append(make(xp.eye(n, dtype=x._data.dtype)))
                    subs.append(c + c2)
                    new_target.append(c2)
                    continue
                seen.add(c)
                new_target.append(c)
            present = set("".join(subs))
            for pos, c in enumerate(new_target):
                if c not in present:  # summed out in forward: its gradient is broadcast
                    ops.append(make(xp.ones(x._data.shape[pos], dtype=x._data.dtype)))
                    subs.append(c)
                    present.add(c)
            eq = ",".join(subs) + "->" + "".join(new_target)
            grads.append(Einsum.apply(eq, *ops))
        return tuple(grads)


def _einsum_bmm(eq, arrays, xp):
    """A two-operand contraction as one batched matmul (BLAS), which NumPy's einsum does not
    use for batched equations; None when a subscript repeats within an operand."""
    lhs, out = eq.split("->")
    ta, tb = lhs.split(",")
    a, b = arrays
    if len(set(ta)) != len(ta) or len(set(tb)) != len(tb) or a.dtype != b.dtype:
        return None
    # letters only in one operand and not in the output are summed out first
    sa = [i for i, c in enumerate(ta) if c not in tb and c not in out]
    sb = [i for i, c in enumerate(tb) if c not in ta and c not in out]
    if sa:
        a = a.sum(axis=tuple(sa))
        ta = "".join(c for i, c in enumerate(ta) if i not in sa)
    if sb:
        b = b.sum(axis=tuple(sb))
        tb = "".join(c for i, c in enumerate(tb) if i not in sb)
    batch = [c for c in out if c in ta and c in tb]
    left = [c for c in out if c in ta and c not in tb]
    right = [c for c in out if c in tb and c not in ta]
    contract = [c for c in ta if c in tb and c not in out]
    size = dict(zip(ta, a.shape))
    size.update(zip(tb, b.shape))

    def prod(cs):
        n = 1
        for c in cs:
            n *= size[c]
        return n

    a2 = a.transpose([ta.index(c) for c in batch + left + contract]).reshape(
        prod(batch), prod(left), prod(contract))
    b2 = b.transpose([tb.index(c) for c in batch + contract + right]).reshape(
        prod(batch), prod(contract), prod(right))
    try:
        res = xp.matmul(a2, b2)
    except RuntimeWarning:  # inf * 0 with warnings as errors (free otherwise)
        res = quiet_retry(xp.matmul, a2, b2)
    res = res.reshape([size[c] for c in batch + left + right])
    order = batch + left + right
    return res.transpose([order.index(c) for c in out])


def _sublist_to_eq(args):
    ops, subs = [], []
    it = list(args)
    out = None
    while it:
        op = it.pop(0)
        if not it:
            out = op
            break
        ops.append(op)
        subs.append("".join("..." if s is Ellipsis else _LETTERS[s] for s in it.pop(0)))
    eq = ",".join(subs)
    if out is not None:
        eq += "->" + "".join("..." if s is Ellipsis else _LETTERS[s] for s in out)
    return eq, ops


def einsum(*args):
    """Einstein summation: ``einsum('ij,jk->ik', a, b)`` is ``a @ b``. Size-1 dims broadcast;
    ``...`` stands for the remaining dims; the sublist form ``einsum(a, [0, 1], b, [1, 2])``
    works too."""
    from ..shape.views import expand

    if not isinstance(args[0], str):
        eq, operands = _sublist_to_eq(args)
    else:
        eq, operands = args[0], args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = tuple(operands[0])
    eq = eq.replace(" ", "")
    lhs, rhs = eq.split("->") if "->" in eq else (eq, None)
    terms = lhs.split(",")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    used = set(eq)
    free = [c for c in _LETTERS if c not in used]
    ell_n = 0
    for t, op in zip(terms, operands):
        if "..." in t:
            ell_n = max(ell_n, op._data.ndim - (len(t) - 3))
    ell = "".join(free[:ell_n])
    full = []
    for i, (t, op) in enumerate(zip(terms, operands)):
        if "..." in t:
            k = op._data.ndim - (len(t) - 3)
            if k < 0:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({len(t) - 3}) is more than the number of dimensions "
                                   f"({op._data.ndim}) for operand {i}")
            t = t.replace("...", ell[ell_n - k:] if k else "")
        elif len(t) != op._data.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(t)}) does not match "
                f"the number of dimensions ({op._data.ndim}) for operand {i} and no ellipsis "
                "was given"
            )
        full.append(t)
    sizes = {}
    for i, (t, op) in enumerate(zip(full, operands)):
        mine = {}
        for c, n in zip(t, op._data.shape):
            if c in mine and mine[c] != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but "
                                   f"the sizes don't match, {n} != {mine[c]}")
            mine[c] = n
            prev = sizes.get(c, 1)
            if n != 1 and prev != 1 and n != prev:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which "
                                   f"does not broadcast with previously seen size {prev}")
            sizes[c] = max(prev, n) if n != 1 and prev != 1 else (n if prev == 1 else prev)
    ops = []
    for t, op in zip(full, operands):
        target = tuple(sizes[c] for c in t)
        ops.append(op if target == op._data.shape else expand(op, target))
    if rhs is None:
        counts = {}
        for c in "".join(full):
            counts[c] = counts.get(c, 0) + 1
        rhs_full = ell + "".join(sorted(c for c in counts if counts[c] == 1 and c not in ell))
    else:
        rhs_full = rhs.replace("...", ell)
        for c in rhs_full:
            if c not in sizes:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
    return Einsum.apply(",".join(full) + "->" + rhs_full, *ops)


def tensordot(a, b, dims=2, out=None):
    """Contract ``a``'s dims ``dims[0]`` with ``b``'s ``dims[1]`` (an int n: a's last n with
    b's first n)."""
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(na - dims, na)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    da = [d % na if na else d for d in da]
    db = [d % nb if nb else d for d in db]
    sa = list(_LETTERS[:na])
    sb = list(_LETTERS[na:na + nb])
    for i, j in zip(da, db):
        if a._data.shape[i] != b._data.shape[j]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a._data.shape[i]} "
                f"in dim {i} and second has size {b._data.shape[j]} in dim {j}"
            )
        sb[j] = sa[i]
    out_s = [c for i, c in enumerate(sa) if i not in da] + \
        [c for j, c in enumerate(sb) if j not in db]
    return Einsum.apply("".join(sa) + "," + "".join(sb) + "->" + "".join(out_s), a, b)


# ------------------------------------------------------------------------------- small extras
def multi_dot(tensors, *, out=None):
    """The chained matrix product (first/last may be 1-D vectors)."""
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    res = ts[0]
    for t in ts[1:]:
        res = res @ t
    return res


def vecdot(x, y, *, dim=-1, out=None):
    """sum(conj(x) * y) over ``dim`` (broadcasting)."""
    if x._data.dtype.kind == "c":
        x = x.conj()
    return (x * y).sum(dim)


def inner(input, other, *, out=None):
    """sum over the last dims of ``input`` and ``other`` (a scalar product for 0-d inputs)."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other

    return tensordot(input, other, ([-1], [-1]))


def chain_matmul(*matrices, out=None):
    return multi_dot(matrices)
