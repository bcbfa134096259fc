"""Tensor methods: the functions of ``ember.ops`` bound to ``Tensor``, the in-place variants,
and dtype conversion. Nothing here is maths; it only routes to the ops."""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.function import _NULL_CTX, Function
from ..autograd import function as _af  # explainability (E): in-place sites
from ..device import device as _device
from . import creation, elementwise as E, indexing, linalg, reduction as R, shape as S
from . import indexing_ext as IX, linalg_ext as LX, shape_ext as SX  # C2
from . import nn_ops as NN  # nn primitives (A1)
from ._util import Tensor, _state, broadcast_error, make, pair, shape_of, xp_of
from ..autograd.grad_mode import check_inference_inplace
from .inplace import check_leaf, check_write, inplace


# ------------------------------------------------------------------------------- dtype casts
class ToCopy(Function):
    """y = x cast to another dtype;  dy/dx = grad cast back"""

    _builtin = True
    _node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.dtype = x.dtype
        return make(x._data.astype(np_dtype))

    @staticmethod
    def backward(ctx, grad_output):
        if not ctx.dtype.is_floating_point and not ctx.dtype.is_complex:
            return None, None
        return grad_output.to(ctx.dtype), None


def _parse_to(args, kwargs):
    dtype = kwargs.get("dtype")
    dev = kwargs.get("device")
    for a in args:
        if isinstance(a, _dt.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
            dev = a.device
        elif isinstance(a, (str, _device)):
            dev = a
    return dtype, dev


def to(self, *args, **kwargs):
    """Convert dtype and/or device: ``x.to(ember.float64)``, ``x.to('cpu')``, ``x.to(other)``.

    Returns ``self`` when nothing changes (``copy=True`` forces a copy)."""
    dtype, dev = _parse_to(args, kwargs)
    if dev is not None:
        from ..backend import xp_for_device

        xp_for_device(_device(dev) if isinstance(dev, str) else dev)
    copy = kwargs.get("copy", False)
    if dtype is None or dtype.np == self._data.dtype:
        return self.clone() if copy else self
    if self._requires_grad and not (dtype.is_floating_point or dtype.is_complex):
        return make(self._data.astype(dtype.np))
    return ToCopy.apply(self, dtype.np)


def _caster(dtype_name):
    def cast(self, memory_format=None):
        return to(self, getattr(_dt, dtype_name))

    cast.__name__ = dtype_name
    return cast


def type_(self, dtype=None, non_blocking=False, **kwargs):
    """With no argument the type name (``'torch.FloatTensor'``); else a cast."""
    names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
             "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
             "complex64": "ComplexFloat", "complex128": "ComplexDouble", "bfloat16": "BFloat16"}
    if dtype is None:
        return f"torch.{names[self.dtype.name]}Tensor"
    from .._legacy_types import legacy_dtype  # FloatTensor, 'torch.FloatTensor'

    dtype = legacy_dtype(dtype) or dtype
    if isinstance(dtype, str):
        rev = {f"torch.{v}Tensor": k for k, v in names.items()}
        dtype = getattr(_dt, rev[dtype])
    return to(self, dtype)


def type_as(self, other):
    return to(self, other.dtype)


def cpu(self, memory_format=None):
    return self


def cuda(self, device=None, non_blocking=False):
    from ..backend import xp_for_device

    xp_for_device(_device("cuda"))
    return self


# ------------------------------------------------------------------------------- in-place
def _other_data(self, other):
    if isinstance(other, Tensor):
        od = other._data
        if od.dtype != self._data.dtype:
            rt = _dt.result_type_of(self, other)
            if not _dt.can_cast(rt, self.dtype):
                check_write(self, make(xp_of(od).zeros(self._data.shape, rt.np))._data)
        return od
    if isinstance(other, (int, float, bool, complex)):
        rt = _dt.result_type_of(self, other)
        if rt.np != self._data.dtype and not _dt.can_cast(rt, self.dtype):
            check_write(self, xp_of(self._data).zeros(self._data.shape, rt.np))
        return other
    raise TypeError(f"unsupported operand type: {type(other).__name__}")


def _int_true_div_error(self, other):
    """``int_tensor /= x``: true division gives floats, which PyTorch will not write back."""
    rt = _dt.result_type_of(self, other)
    if rt.np.kind not in "fc":
        rt = _dt.get_default_dtype()
    check_write(self, xp_of(self._data).zeros(self._data.shape, rt.np))


def _fast(ufunc_name, op_cls):
    """An in-place arithmetic method: a ufunc with ``out=`` when nothing is recorded."""
    true_div = ufunc_name == "true_divide"

    def method(self, other, *, alpha=1):
        if alpha != 1:
            other = other * alpha
        recording = _state.enabled and (
            self._requires_grad or (isinstance(other, Tensor) and other._requires_grad)
        )
        if recording or _af._hook is not None:  # (a transform is on: forward AD tangents)
            return inplace(self, op_cls, other)
        if self._vc.__class__ is not list:
            check_inference_inplace(self)
        d = self._data
        od = _other_data(self, other)
        if not d.flags.writeable:
            check_write(self, d)
        if true_div and d.dtype.kind in "biu":
            _int_true_div_error(self, other)
        try:
            getattr(xp_of(d), ufunc_name)(d, od, out=d, casting="unsafe")
        except ValueError:
            try:
                res = getattr(xp_of(d), ufunc_name)(d, od)
            except ValueError:
                raise broadcast_error(d.shape, shape_of(other)) from None
            check_write(self, res)
            raise
        self._vc[0] += 1
        if _af._watch:
            _af._watch_bump(self)
        return self

    method.__name__ = ufunc_name + "_"
    return method


def _inplace_of(fn_cls):
    def method(self, *args):
        return inplace(self, fn_cls, *args)

    return method


class Fill(Function):
    """y = a tensor of x's shape filled with value;  dy/dx = 0, dy/dvalue = sum(grad)"""

    _builtin = True
    _node_name = "FillBackward2"  # PyTorch's overload numbers: fill_(Scalar) 2, fill_(Tensor) 3

    @staticmethod
    def forward(ctx, x, value):
        if value.__class__ is Tensor:
            v = value._data
            if ctx is not _NULL_CTX:
                ctx.__class__ = _FillTensorNode
        else:
            v = value
        return make(xp_of(x._data).full(x._data.shape, v, x._data.dtype))

    @staticmethod
    def backward(ctx, grad_output):
        # x's gradient is zeros, not None: its earlier history still receives (zero) gradients
        gx = make(xp_of(grad_output._data).zeros_like(grad_output._data)) \
            if ctx.needs_input_grad[0] else None
        return gx, (grad_output.sum() if ctx.needs_input_grad[1] else None)


class FillTensor(Fill):
    _node_name = "FillBackward3"


_FillTensorNode = FillTensor._backward_cls


class Zero(Fill):
    _node_name = "ZeroBackward0"


class Copy(Function):
    """y = src broadcast to x's shape and cast to its dtype;  dy/dx = 0, dy/dsrc = grad"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, src):
        d = x._data
        out = xp_of(d).empty_like(d)
        try:
            out[...] = src._data
        except ValueError:
            raise RuntimeError(
                f"The size of tensor a ({d.shape[-1] if d.ndim else 1}) must match the size of "
                f"tensor b ({src._data.shape[-1] if src._data.ndim else 1}) at non-singleton "
                f"dimension {max(d.ndim - 1, 0)}"
            ) from None
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        return None, grad_output


def zero_(self):
    """Fill with zeros, in place."""
    if self._vc.__class__ is not list:
        check_inference_inplace(self)
    if _state.enabled and self._requires_grad:
        return inplace(self, Zero, 0)
    self._data[...] = 0
    self._vc[0] += 1
    if _af._watch:
        _af._watch_bump(self)
    return self


def fill_(self, value):
    if self._vc.__class__ is not list:
        check_inference_inplace(self)
    if _state.enabled and (self._requires_grad or (isinstance(value, Tensor)
                                                   and value._requires_grad)):
        return inplace(self, Fill, value)
    self._data[...] = value._data if isinstance(value, Tensor) else value
    self._vc[0] += 1
    if _af._watch:
        _af._watch_bump(self)
    return self


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast to this dtype) into this tensor, in place."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    if self._vc.__class__ is not list:
        check_inference_inplace(self)
    if _state.enabled and (self._requires_grad or src._requires_grad) or _af._hook is not None:
        return inplace(self, Copy, src)
    try:
        self._data[...] = src._data
    except ValueError as e:
        if "read-only" in str(e):
            check_write(self, self._data)
        raise RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
            f"{list(src._data.shape)}"
        ) from None
    self._vc[0] += 1
    if _af._watch:
        _af._watch_bump(self)
    return self


def clamp_(self, min=None, max=None):
    return inplace(self, E.Clamp, min, max)


def masked_fill_(self, mask, value):
    res_cls = _MaskedFill
    return inplace(self, res_cls, mask, value)


class _MaskedFill(Function):
    """y = x with value where mask;  dy/dx = grad where not mask"""

    _builtin = True
    _node_name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx, x, mask, value):
        m = mask._data
        if m.dtype != bool:
            raise RuntimeError(
                f"masked_fill_ only supports boolean masks, but got mask with dtype "
                f"{mask.dtype.name}"
            )
        v = value._data if isinstance(value, Tensor) else value
        ctx.save_for_backward(mask)
        return make(xp_of(x._data).where(m, xp_of(x._data).asarray(v, x._data.dtype), x._data))

    @staticmethod
    def backward(ctx, grad_output):
        (mask,) = ctx.saved_tensors
        gv = None
        if ctx.needs_input_grad[2]:
            gv = E.where(mask, grad_output, 0.0).sum()
        return E.where(mask, 0.0, grad_output), None, gv


def requires_grad_(self, requires_grad=True):
    return Tensor.requires_grad_(self, requires_grad)


# ----------------------------------------------------------------------------- new_* factories
def _new_factory(fn):
    def method(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        return fn(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    return method


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    return creation.tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    return creation.full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _max_min(name):
    np_name = "max" if name == "max" else "min"

    def f(self, dim=None, keepdim=False):
        from .reduction import max as rmax, min as rmin

        return (rmax if name == "max" else rmin)(self, dim, keepdim)

    f.__name__ = np_name
    return f


def _prop(fn):
    return property(fn)


def _c1_methods():
    # elementwise/reductions (C1)
    from .math_ext import methods_table

    return methods_table()


_METHODS = {
    # nn primitives (A1)
    "softmax": NN.softmax_method, "log_softmax": NN.log_softmax_method,
    # arithmetic and math
    "add": E.add, "sub": E.sub, "subtract": E.sub, "mul": E.mul, "multiply": E.mul,
    "div": E.div, "divide": E.div, "true_divide": E.div, "neg": E.neg, "negative": E.neg,
    "pow": E.pow, "exp": E.exp, "log": E.log, "tanh": E.tanh, "sigmoid": E.sigmoid,
    "relu": E.relu, "abs": E.abs, "absolute": E.abs, "sqrt": E.sqrt, "sin": E.sin, "cos": E.cos,
    "clamp": E.clamp, "clip": E.clamp, "sign": E.sign, "where": lambda self, c, o: E.where(c, self, o),
    "floor_divide": E.floor_divide, "remainder": E.remainder, "trunc": E.trunc,
    "maximum": E.maximum, "minimum": E.minimum,
    # comparisons and logic
    "eq": E.eq, "ne": E.ne, "lt": E.lt, "le": E.le, "gt": E.gt, "ge": E.ge,
    "less": E.lt, "less_equal": E.le, "greater": E.gt, "greater_equal": E.ge, "not_equal": E.ne,
    "logical_not": E.logical_not, "logical_and": E.logical_and, "logical_or": E.logical_or,
    "logical_xor": E.logical_xor, "bitwise_not": E.bitwise_not, "bitwise_and": E.bitwise_and,
    "bitwise_or": E.bitwise_or, "bitwise_xor": E.bitwise_xor,
    "isnan": E.isnan, "isinf": E.isinf, "isfinite": E.isfinite, "equal": E.equal,
    "allclose": E.allclose, "isclose": E.isclose,
    # linear algebra
    "matmul": linalg.matmul, "mm": linalg.mm, "mv": linalg.mv, "dot": linalg.dot,
    "bmm": linalg.bmm, "outer": linalg.outer, "ger": linalg.outer,
    # reductions
    "sum": R.sum, "mean": R.mean, "argmax": R.argmax, "argmin": R.argmin, "all": R.all, "any": R.any, "sum_to_size": R.sum_to_size,
    # shape
    "view": S.view, "reshape": S.reshape, "expand": S.expand, "expand_as": S.expand_as,
    "broadcast_to": S.broadcast_to, "permute": S.permute, "transpose": S.transpose,
    "swapaxes": S.transpose, "swapdims": S.transpose, "t": S.t, "squeeze": S.squeeze,
    "unsqueeze": S.unsqueeze, "flatten": S.flatten, "clone": S.clone,
    "contiguous": S.contiguous, "narrow": S.narrow, "select": S.select, "unbind": S.unbind,
    "view_as": lambda self, other: S.view(self, other._data.shape),
    "reshape_as": lambda self, other: S.reshape(self, other._data.shape),
    "masked_fill": indexing.masked_fill, "nonzero": indexing.nonzero,
    # dtype and device
    "to": to, "type": type_, "type_as": type_as, "cpu": cpu, "cuda": cuda,
    "float": _caster("float32"), "double": _caster("float64"), "half": _caster("float16"),
    "long": _caster("int64"), "int": _caster("int32"), "short": _caster("int16"),
    "bool": _caster("bool"), "byte": _caster("uint8"), "char": _caster("int8"),
    # in place
    "add_": _fast("add", E.Add), "sub_": _fast("subtract", E.Sub),
    "mul_": _fast("multiply", E.Mul), "div_": _fast("true_divide", E.Div),
    "zero_": zero_, "fill_": fill_, "copy_": copy_, "clamp_": clamp_, "clip_": clamp_,
    "relu_": _inplace_of(E.Relu), "exp_": _inplace_of(E.Exp), "log_": _inplace_of(E.Log),
    "tanh_": _inplace_of(E.Tanh), "sigmoid_": _inplace_of(E.Sigmoid),
    "neg_": _inplace_of(E.Neg), "abs_": _inplace_of(E.Abs), "sqrt_": _inplace_of(E.Sqrt),
    "sin_": _inplace_of(E.Sin), "cos_": _inplace_of(E.Cos), "pow_": _inplace_of(E.Pow),
    "masked_fill_": masked_fill_,
    # factories
    "new_zeros": _new_factory(creation.zeros), "new_ones": _new_factory(creation.ones),
    "new_empty": _new_factory(creation.empty), "new_tensor": new_tensor, "new_full": new_full,
    "max": _max_min("max"), "min": _max_min("min"),
    # elementwise/reductions (C1): the table lives in math_ext (methods_table), one entry a name
    **_c1_methods(),
    # linalg/shape/indexing (C2)
    "vdot": linalg.vdot, "inner": LX.inner, "addmm": linalg.addmm, "addmv": linalg.addmv,
    "baddbmm": linalg.baddbmm, "addbmm": linalg.addbmm, "addr": linalg.addr,
    "kron": linalg.kron, "trace": linalg.trace, "diag": linalg.diag,
    "diag_embed": linalg.diag_embed, "diagonal": linalg.diagonal, "cross": linalg.cross,
    "det": LX.det, "logdet": LX.logdet, "slogdet": LX._slogdet_torch, "inverse": LX.inverse,
    "pinverse": LX.pinverse, "cholesky": LX.cholesky_legacy, "qr": LX.qr_legacy,
    "svd": LX.svd_legacy, "matrix_power": LX.matrix_power, "solve": LX.solve_removed,
    "lstsq": LX.lstsq_removed,
    "unflatten": SX.unflatten, "repeat": SX.repeat, "repeat_interleave": SX.repeat_interleave,
    "tile": SX.tile, "flip": SX.flip, "fliplr": SX.fliplr, "flipud": SX.flipud,
    "roll": SX.roll, "rot90": SX.rot90, "chunk": SX.chunk, "split": SX.split,
    "split_with_sizes": SX.split_with_sizes, "tensor_split": SX.tensor_split,
    "hsplit": SX.hsplit, "vsplit": SX.vsplit, "dsplit": SX.dsplit, "movedim": SX.movedim,
    "moveaxis": SX.movedim, "is_contiguous": SX.is_contiguous, "stride": SX.stride,
    "storage_offset": SX.storage_offset, "_is_view": SX._is_view, "unfold": SX.unfold,
    "squeeze_": SX.squeeze_, "unsqueeze_": SX.unsqueeze_, "t_": SX.t_,
    "transpose_": SX.transpose_, "swapaxes_": SX.transpose_, "swapdims_": SX.transpose_,
    "mT": property(SX.mT), "mH": property(SX.mH), "T": property(SX.T), "H": property(SX.H),
    "index_select": IX.index_select, "gather": IX.gather, "scatter": IX.scatter,
    "scatter_add": IX.scatter_add, "scatter_reduce": IX.scatter_reduce,
    "index_add": IX.index_add, "index_copy": IX.index_copy, "index_fill": IX.index_fill,
    "index_put": IX.index_put, "masked_select": IX.masked_select,
    "masked_scatter": IX.masked_scatter, "take": IX.take, "take_along_dim": IX.take_along_dim,
    "put": IX.put, "nonzero": IX.nonzero, "argwhere": IX.argwhere, "sort": IX.sort,
    "argsort": IX.argsort, "msort": IX.msort, "topk": IX.topk, "kthvalue": IX.kthvalue,
    "scatter_": IX.scatter_, "scatter_add_": IX.scatter_add_,
    "scatter_reduce_": IX.scatter_reduce_, "index_add_": IX.index_add_,
    "index_copy_": IX.index_copy_, "index_fill_": IX.index_fill_,
    "index_put_": IX.index_put_, "masked_scatter_": IX.masked_scatter_, "put_": IX.put_,
}

for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)

