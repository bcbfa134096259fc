"""Every Tensor method that is an op, in one table (alphabetical), attached to ``Tensor`` in one
loop. The functions live with their op family; methods whose form differs from the function's
are in ``method_forms``. Each becomes its own public entry of the dispatch door
(``Tensor.<name>``, ``_public.method``)."""

from __future__ import annotations

from ..tensor import Tensor
from . import _public
from .conversion import HOST_METHODS, _caster, cpu, cuda, to, type_, type_as
from .factories import empty, ones, zeros
from .index.gather_scatter import (
    gather, index_select, scatter, scatter_, scatter_add, scatter_add_, scatter_reduce,
    scatter_reduce_
)
from .index.index_add import index_add, index_add_, index_copy, index_copy_, index_fill, index_fill_
from .index.masked import masked_fill, masked_fill_, masked_scatter, masked_select
from .index.sort import (
    argsort, argwhere, kthvalue, msort, nonzero as _nonzero, nonzero_static, sort, topk
)
from .index.take_put import index_put, index_put_, masked_scatter_, put, put_, take, take_along_dim
from .index.view_scatter import diagonal_scatter, select_scatter, slice_scatter
from .inplace import _fast, copy_, fill_, zero_
from .linalg.decompositions import (
    adjoint, cholesky_inverse, cholesky_legacy, cholesky_solve, matrix_exp, qr_legacy, svd_legacy
)
from .linalg.diagonal import cross, diag, diag_embed, diagflat, diagonal, kron, trace
from .linalg.norms import renorm
from .linalg.products import (
    addbmm, addmm, addmv, addr, baddbmm, bmm, dot, inner, matmul, mm, mv, outer, vdot
)
from .linalg.solve import (
    _slogdet_torch, det, inverse, logdet, lstsq_removed, matrix_power, pinverse, solve_removed
)
from .linalg.triangles import tril, tril_, triu, triu_
from .nn.distance import dist
from .nn.softmax import log_softmax_method, softmax_method
from .pointwise.activation import Relu, relu, Sigmoid, sigmoid
from .pointwise.arithmetic import (
    Add, add, addcdiv, addcmul, Div, div, float_power, lerp, Mul, mul, Neg, neg, positive, Pow,
    pow, Sub, sub
)
from .pointwise.bitwise import (
    bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor,
    gcd, lcm
)
from .pointwise.clamp import clamp, clamp_max, clamp_min, fmax, fmin, maximum, minimum, nan_to_num
from .pointwise.compare import (
    allclose, eq, equal, ge, gt, isclose, isfinite, isinf, isnan, isneginf, isposinf, isreal, le,
    logical_and, logical_not, logical_or, logical_xor, lt, ne
)
from .pointwise.complex import angle, conj, imag, real
from .pointwise.division import floor_divide, fmod, remainder
from .pointwise.exp_log import (
    Exp, exp, Exp2, exp2, Expm1, expm1, Log, log, Log10, log10, Log1p, log1p, Log2, log2,
    logaddexp, logaddexp2, Reciprocal, reciprocal, Rsqrt, rsqrt, Sqrt, sqrt, square
)
from .pointwise.rounding import (
    Abs, abs, Ceil, ceil, copysign, Floor, floor, Frac, frac, frexp, Heaviside, heaviside, ldexp,
    Nextafter, nextafter, round, Sgn, sgn, Sign, sign, signbit, Trunc, trunc
)
from .pointwise.special import (
    Digamma, digamma, Erf, erf, Erfc, erfc, Erfinv, erfinv, I0, i0, Lgamma, lgamma, logit,
    mvlgamma, xlogy
)
from .pointwise.trig import (
    Acos, acos, Acosh, acosh, Asin, asin, Asinh, asinh, Atan, atan, Atan2, atan2, Atanh, atanh,
    Cos, cos, Cosh, cosh, deg2rad, Hypot, hypot, rad2deg, Sin, sin, Sinc, sinc, Sinh, sinh, Tan,
    tan, Tanh, tanh
)
from .random import (
    bernoulli, bernoulli_, cauchy_, exponential_, geometric_, log_normal_, multinomial, normal_,
    random_, uniform_
)
from .reduce.counting import bincount, histc, histogram, unique, unique_consecutive
from .reduce.minmax import amax, amin, aminmax, argmax, argmin
from .reduce.moments import corrcoef, cov
from .reduce.norm import norm
from .reduce.order_stats import median, mode, nanmedian, nanquantile, quantile
from .reduce.scans import cummax, cummin, cumprod, cumsum, diff, logcumsumexp
from .reduce.sum_prod import (
    all, any as _any, count_nonzero, logsumexp, mean, nanmean, nansum, prod, sum, sum_to_size
)
from .shape.layout import (
    _is_view, H, is_contiguous, mH, mT, squeeze_, storage_offset, stride, T, t_, transpose_,
    unsqueeze_
)
from .shape.rearrange import (
    flip, fliplr, flipud, movedim, repeat, repeat_interleave, roll, rot90, tile, unflatten, unfold
)
from .shape.split import (
    chunk, dsplit, hsplit, split, split_with_sizes, tensor_split, unbind, vsplit
)
from .shape.views import (
    as_strided, broadcast_to, clone, contiguous, expand, expand_as, flatten, narrow, permute,
    reshape, select, squeeze, t, transpose, unsqueeze, view
)
from .storage import (
    _false, apply_, data_ptr, dim_order, fill_diagonal_, get_device, is_nonzero, is_same_size,
    is_pinned, is_set_to, is_shared, is_signed, map_, new, new_empty_strided, pin_memory, resize_,
    resize_as_,
    share_memory_, to_dense
)
from .._api_aliases import conj_physical, unsafe_chunk, unsafe_split, unsafe_split_with_sizes
from .method_forms import (
    _composite_inplace, _conj_physical_, _copysign_, _divide_, _hardshrink, _inplace_fn,
    _int_inplace, _ip, _ip_nodiff, _ldexp_, _max_min, _mvlgamma_, _new_factory, _prelu, _xlogy_,
    addcdiv_, addcmul_, caster, clamp_, clamp_max_, clamp_min_, cumprod_, cumsum_, float_power_,
    floor_divide_, fmod_, invert, lerp_, logit_, nan_to_num_, new_full, new_tensor, polygamma_,
    polygamma_m, remainder_, round_, rshift, shift, square_, std_m, var_m, where_m
)


METHODS = {
    "__iand__": _ip_nodiff(bitwise_and), "__ifloordiv__": floor_divide_,
    "__ilshift__": _ip_nodiff(bitwise_left_shift), "__imod__": remainder_, "__invert__": invert,
    "__ior__": _ip_nodiff(bitwise_or), "__irshift__": _ip_nodiff(bitwise_right_shift),
    "__ixor__": _ip_nodiff(bitwise_xor), "__lshift__": shift(bitwise_left_shift),
    "__rlshift__": rshift(bitwise_left_shift), "__rrshift__": rshift(bitwise_right_shift),
    "__rshift__": shift(bitwise_right_shift), "abs": abs, "abs_": _ip(Abs), "absolute": abs,
    "absolute_": _ip(Abs), "acos": acos, "acos_": _ip(Acos), "acosh": acosh, "acosh_": _ip(Acosh),
    "add": add, "add_": _fast("add", Add), "addbmm": addbmm, "addbmm_": _composite_inplace(addbmm),
    "addcdiv": addcdiv, "addcdiv_": addcdiv_, "addcmul": addcmul, "addcmul_": addcmul_,
    "addmm": addmm, "addmm_": _composite_inplace(addmm), "addmv": addmv,
    "addmv_": _composite_inplace(addmv), "addr": addr, "addr_": _composite_inplace(addr),
    "adjoint": adjoint, "all": all, "allclose": allclose, "amax": amax, "amin": amin,
    "aminmax": aminmax, "angle": angle, "any": _any, "apply_": apply_, "arccos": acos,
    "arccos_": _ip(Acos), "arccosh": acosh, "arccosh_": _ip(Acosh), "arcsin": asin,
    "arcsin_": _ip(Asin), "arcsinh": asinh, "arcsinh_": _ip(Asinh), "arctan": atan,
    "arctan2": atan2, "arctan2_": _ip(Atan2), "arctan_": _ip(Atan), "arctanh": atanh,
    "arctanh_": _ip(Atanh), "argmax": argmax, "argmin": argmin, "argsort": argsort,
    "argwhere": argwhere, "as_strided": as_strided, "asin": asin, "asin_": _ip(Asin),
    "asinh": asinh, "asinh_": _ip(Asinh), "atan": atan, "atan2": atan2, "atan2_": _ip(Atan2),
    "atan_": _ip(Atan), "atanh": atanh, "atanh_": _ip(Atanh), "baddbmm": baddbmm,
    "baddbmm_": _composite_inplace(baddbmm),
    "bernoulli": lambda self, p=None, *, generator=None: bernoulli(self, p,
                                                                               generator=generator),
    "bernoulli_": bernoulli_, "bfloat16": caster("bfloat16"), "bincount": bincount,
    "bitwise_and": bitwise_and, "bitwise_and_": _ip_nodiff(bitwise_and),
    "bitwise_left_shift": bitwise_left_shift, "bitwise_left_shift_": _ip_nodiff(bitwise_left_shift),
    "bitwise_not": bitwise_not, "bitwise_not_": _ip_nodiff(bitwise_not), "bitwise_or": bitwise_or,
    "bitwise_or_": _ip_nodiff(bitwise_or), "bitwise_right_shift": bitwise_right_shift,
    "bitwise_right_shift_": _ip_nodiff(bitwise_right_shift), "bitwise_xor": bitwise_xor,
    "bitwise_xor_": _ip_nodiff(bitwise_xor), "bmm": bmm, "bool": _caster("bool"),
    "broadcast_to": broadcast_to, "byte": _caster("uint8"), "cauchy_": cauchy_,
    "cdouble": caster("complex128"), "ceil": ceil, "ceil_": _ip(Ceil),
    "cfloat": caster("complex64"), "char": _caster("int8"), "cholesky": cholesky_legacy,
    "cholesky_inverse": cholesky_inverse, "cholesky_solve": cholesky_solve, "chunk": chunk,
    "clamp": clamp, "clamp_": clamp_, "clamp_max": clamp_max, "clamp_max_": clamp_max_,
    "clamp_min": clamp_min, "clamp_min_": clamp_min_, "clip": clamp, "clip_": clamp_,
    "clone": clone, "conj": conj, "conj_physical": conj_physical, "conj_physical_": _conj_physical_,
    "const_data_ptr": data_ptr, "contiguous": contiguous, "copy_": copy_, "copysign": copysign,
    "copysign_": _copysign_, "corrcoef": corrcoef, "cos": cos, "cos_": _ip(Cos), "cosh": cosh,
    "cosh_": _ip(Cosh), "count_nonzero": count_nonzero, "cov": cov, "cpu": cpu, "cross": cross,
    "cuda": cuda, "cummax": cummax, "cummin": cummin, "cumprod": cumprod, "cumprod_": cumprod_,
    "cumsum": cumsum, "cumsum_": cumsum_, "data_ptr": data_ptr, "deg2rad": deg2rad,
    "deg2rad_": _composite_inplace(deg2rad), "det": det, "diag": diag, "diag_embed": diag_embed,
    "diagflat": diagflat, "diagonal": diagonal, "diagonal_scatter": diagonal_scatter, "diff": diff,
    "digamma": digamma, "digamma_": _ip(Digamma), "dim_order": dim_order, "dist": dist, "div": div,
    "div_": _fast("true_divide", Div), "divide": div, "divide_": _divide_, "dot": dot,
    "double": _caster("float64"), "dsplit": dsplit, "eq": eq, "eq_": _ip_nodiff(eq), "equal": equal,
    "erf": erf, "erf_": _ip(Erf), "erfc": erfc, "erfc_": _ip(Erfc), "erfinv": erfinv,
    "erfinv_": _ip(Erfinv), "exp": exp, "exp2": exp2, "exp2_": _ip(Exp2), "exp_": _ip(Exp),
    "expand": expand, "expand_as": expand_as, "expm1": expm1, "expm1_": _ip(Expm1),
    "exponential_": exponential_, "fill_": fill_, "fill_diagonal_": fill_diagonal_, "fix": trunc,
    "fix_": _ip(Trunc), "flatten": flatten, "flip": flip, "fliplr": fliplr, "flipud": flipud,
    "float": _caster("float32"), "float_power": float_power, "float_power_": float_power_,
    "floor": floor, "floor_": _ip(Floor), "floor_divide": floor_divide,
    "floor_divide_": floor_divide_, "fmax": fmax, "fmin": fmin, "fmod": fmod, "fmod_": fmod_,
    "frac": frac, "frac_": _ip(Frac), "frexp": frexp, "gather": gather, "gcd": gcd,
    "gcd_": _int_inplace(gcd), "ge": ge, "ge_": _ip_nodiff(ge), "geometric_": geometric_,
    "ger": outer, "get_device": get_device, "greater": gt, "greater_": _ip_nodiff(gt),
    "greater_equal": ge, "greater_equal_": _ip_nodiff(ge), "gt": gt, "gt_": _ip_nodiff(gt),
    "H": property(H), "half": _caster("float16"), "hardshrink": _hardshrink, "heaviside": heaviside,
    "heaviside_": _inplace_fn(Heaviside), "histc": histc, "histogram": histogram, "hsplit": hsplit,
    "hypot": hypot, "hypot_": _ip(Hypot), "i0": i0, "i0_": _inplace_fn(I0), "imag": property(imag),
    "index_add": index_add, "index_add_": index_add_, "index_copy": index_copy,
    "index_copy_": index_copy_, "index_fill": index_fill, "index_fill_": index_fill_,
    "index_put": index_put, "index_put_": index_put_, "index_select": index_select, "inner": inner,
    "int": _caster("int32"), "inverse": inverse, "is_conj": _false, "is_contiguous": is_contiguous,
    "is_cpu": property(lambda self: self.device.type == "cpu"), "is_ipu": property(_false),
    "is_maia": property(_false), "is_meta": property(_false), "is_mkldnn": property(_false),
    "is_mps": property(_false), "is_mtia": property(_false), "is_neg": _false,
    "is_nested": property(_false), "is_nonzero": is_nonzero, "is_pinned": is_pinned,
    "is_quantized": property(_false), "is_same_size": is_same_size, "is_set_to": is_set_to,
    "is_shared": is_shared, "is_signed": is_signed, "is_sparse_csr": property(_false),
    "_is_view": _is_view, "is_vulkan": property(_false), "is_xla": property(_false),
    "is_xpu": property(_false), "isclose": isclose, "isfinite": isfinite, "isinf": isinf,
    "isnan": isnan, "isneginf": isneginf, "isposinf": isposinf, "isreal": isreal,
    "itemsize": property(lambda self: self._data.dtype.itemsize), "kron": kron,
    "kthvalue": kthvalue, "lcm": lcm, "lcm_": _int_inplace(lcm), "ldexp": ldexp, "ldexp_": _ldexp_,
    "le": le, "le_": _ip_nodiff(le), "lerp": lerp, "lerp_": lerp_, "less": lt,
    "less_": _ip_nodiff(lt), "less_equal": le, "less_equal_": _ip_nodiff(le), "lgamma": lgamma,
    "lgamma_": _ip(Lgamma), "log": log, "log10": log10, "log10_": _ip(Log10), "log1p": log1p,
    "log1p_": _ip(Log1p), "log2": log2, "log2_": _ip(Log2), "log_": _ip(Log),
    "log_normal_": log_normal_, "log_softmax": log_softmax_method, "logaddexp": logaddexp,
    "logaddexp2": logaddexp2, "logcumsumexp": logcumsumexp, "logdet": logdet,
    "logical_and": logical_and, "logical_and_": _ip_nodiff(logical_and), "logical_not": logical_not,
    "logical_not_": _ip_nodiff(logical_not), "logical_or": logical_or,
    "logical_or_": _ip_nodiff(logical_or), "logical_xor": logical_xor,
    "logical_xor_": _ip_nodiff(logical_xor), "logit": logit, "logit_": logit_,
    "logsumexp": logsumexp, "long": _caster("int64"), "lstsq": lstsq_removed, "lt": lt,
    "lt_": _ip_nodiff(lt), "map_": map_, "masked_fill": masked_fill, "masked_fill_": masked_fill_,
    "masked_scatter": masked_scatter, "masked_scatter_": masked_scatter_,
    "masked_select": masked_select, "matmul": matmul, "matrix_exp": matrix_exp,
    "matrix_power": matrix_power, "max": _max_min("max"), "maximum": maximum, "mean": mean,
    "median": median, "mH": property(mH), "min": _max_min("min"), "minimum": minimum, "mm": mm,
    "mode": mode, "moveaxis": movedim, "movedim": movedim, "msort": msort, "mT": property(mT),
    "mul": mul, "mul_": _fast("multiply", Mul), "multinomial": multinomial, "multiply": mul,
    "multiply_": lambda self, other: self.mul_(other), "mv": mv, "mvlgamma": mvlgamma,
    "mvlgamma_": _mvlgamma_, "nan_to_num": nan_to_num, "nan_to_num_": nan_to_num_,
    "nanmean": nanmean, "nanmedian": nanmedian, "nanquantile": nanquantile, "nansum": nansum,
    "narrow": narrow,
    "narrow_copy": lambda self, dim, start, length: self.narrow(dim, start, length).clone(),
    "nbytes": property(lambda self: self._data.dtype.itemsize * self._data.size), "ne": ne,
    "ne_": _ip_nodiff(ne), "neg": neg, "neg_": _ip(Neg), "negative": neg, "negative_": _ip(Neg),
    "new": new, "new_empty": _new_factory(empty), "new_empty_strided": new_empty_strided,
    "new_full": new_full, "new_ones": _new_factory(ones), "new_tensor": new_tensor,
    "new_zeros": _new_factory(zeros), "nextafter": nextafter, "nextafter_": _inplace_fn(Nextafter),
    "nonzero": _nonzero, "nonzero_static": nonzero_static, "norm": norm, "normal_": normal_,
    "not_equal": ne, "not_equal_": _ip_nodiff(ne), "outer": outer, "permute": permute,
    "pin_memory": pin_memory, "pinverse": pinverse, "polygamma": polygamma_m,
    "polygamma_": polygamma_, "positive": positive, "pow": pow, "pow_": _ip(Pow), "prelu": _prelu,
    "prod": prod, "put": put, "put_": put_, "qr": qr_legacy, "quantile": quantile,
    "rad2deg": rad2deg, "rad2deg_": _composite_inplace(rad2deg), "random_": random_,
    "ravel": lambda self: self.reshape(-1), "real": property(real), "reciprocal": reciprocal,
    "reciprocal_": _ip(Reciprocal), "relu": relu, "relu_": _ip(Relu), "remainder": remainder,
    "remainder_": remainder_, "renorm": renorm, "renorm_": _composite_inplace(renorm),
    "repeat": repeat, "repeat_interleave": repeat_interleave, "reshape": reshape,
    "reshape_as": lambda self, other: reshape(self, other._data.shape), "resize_": resize_,
    "resize_as_": resize_as_, "resolve_conj": lambda self: self, "resolve_neg": lambda self: self,
    "roll": roll, "rot90": rot90,
    "round": lambda self, *, decimals=0: round(self, decimals=decimals), "round_": round_,
    "rsqrt": rsqrt, "rsqrt_": _ip(Rsqrt), "scatter": scatter, "scatter_": scatter_,
    "scatter_add": scatter_add, "scatter_add_": scatter_add_, "scatter_reduce": scatter_reduce,
    "scatter_reduce_": scatter_reduce_, "select": select, "select_scatter": select_scatter,
    "sgn": sgn, "sgn_": _ip(Sgn), "share_memory_": share_memory_, "short": _caster("int16"),
    "sigmoid": sigmoid, "sigmoid_": _ip(Sigmoid), "sign": sign, "sign_": _ip(Sign),
    "signbit": signbit, "sin": sin, "sin_": _ip(Sin), "sinc": sinc, "sinc_": _inplace_fn(Sinc),
    "sinh": sinh, "sinh_": _ip(Sinh), "slice_scatter": slice_scatter, "slogdet": _slogdet_torch,
    "softmax": softmax_method, "solve": solve_removed, "sort": sort, "split": split,
    "split_with_sizes": split_with_sizes, "sqrt": sqrt, "sqrt_": _ip(Sqrt), "square": square,
    "square_": square_, "squeeze": squeeze, "squeeze_": squeeze_, "std": std_m,
    "storage_offset": storage_offset, "stride": stride, "sub": sub, "sub_": _fast("subtract", Sub),
    "subtract": sub, "subtract_": lambda self, other, *, alpha=1: self.sub_(other, alpha=alpha),
    "sum": sum, "sum_to_size": sum_to_size, "svd": svd_legacy, "swapaxes": transpose,
    "swapaxes_": transpose_, "swapdims": transpose, "swapdims_": transpose_, "T": property(T),
    "t": t, "t_": t_, "take": take, "take_along_dim": take_along_dim, "tan": tan, "tan_": _ip(Tan),
    "tanh": tanh, "tanh_": _ip(Tanh), "tensor_split": tensor_split, "tile": tile, "to": to,
    "to_dense": to_dense, "topk": topk, "trace": trace, "transpose": transpose,
    "transpose_": transpose_, "tril": tril, "tril_": tril_, "triu": triu, "triu_": triu_,
    "true_divide": div, "true_divide_": lambda self, other: self.div_(other), "trunc": trunc,
    "trunc_": _ip(Trunc), "type": type_, "type_as": type_as, "unbind": unbind,
    "unflatten": unflatten, "unfold": unfold, "uniform_": uniform_, "unique": unique,
    "unique_consecutive": unique_consecutive, "unsafe_chunk": unsafe_chunk,
    "unsafe_split": unsafe_split, "unsafe_split_with_sizes": unsafe_split_with_sizes,
    "unsqueeze": unsqueeze, "unsqueeze_": unsqueeze_, "var": var_m, "vdot": vdot, "view": view,
    "view_as": lambda self, other: view(self, other._data.shape), "vsplit": vsplit,
    "where": where_m, "xlogy": xlogy, "xlogy_": _xlogy_, "zero_": zero_,
}

METHODS.update(HOST_METHODS)

for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _public.method(_name, _fn))
