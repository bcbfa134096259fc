"""ember: PyTorch's programming model (eager tensors, a dynamic autograd graph, custom
``autograd.Function``) in plain Python on NumPy. ``import ember as torch`` runs PyTorch code in
the supported subset unchanged.
"""

from __future__ import annotations

__version__ = "0.1.0"

import warnings as _warnings

# PyTorch computes 1/0, log(0), exp(1000) and 0/0 silently (inf, -inf, nan); NumPy warns. Its
# floating-point warnings are silenced where ember's own code raises them, and nowhere else:
# the user's NumPy code keeps its warnings.
_warnings.filterwarnings(
    "ignore", r"(divide by zero|invalid value|overflow|underflow) encountered", RuntimeWarning,
    r"ember(\.|$)",
)

from .dtypes import (  # noqa: F401
    bfloat16, bool, cdouble, cfloat, complex64, complex128, double, dtype, finfo, float,
    float16, float32, float64, get_default_dtype, half, iinfo, int, int8, int16, int32, int64,
    long, promote_types, result_type, can_cast, set_default_dtype, short, uint8,
)
from .device import device  # noqa: F401
from .tensor import Size, Tensor  # noqa: F401
from . import autograd  # noqa: F401
from .autograd import (  # noqa: F401
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
    set_grad_enabled,
)
from .ops.creation import (  # noqa: F401
    Generator, arange, as_tensor, default_generator, empty, empty_like, eye, from_numpy, full,
    full_like, get_rng_state, initial_seed, linspace, logspace, manual_seed, ones, ones_like,
    rand, rand_like, randint, randint_like, randn, randn_like, randperm, scalar_tensor, seed,
    set_rng_state, tensor, zeros, zeros_like,
)
from .ops.elementwise import (  # noqa: F401
    abs, absolute, add, allclose, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, clamp, clip,
    cos, div, divide, eq, equal, exp, floor_divide, ge, greater, greater_equal, gt, isclose,
    isfinite, isinf, isnan, le, less, less_equal, log, logical_and, logical_not, logical_or,
    logical_xor, lt, maximum, minimum, mul, multiply, ne, neg, negative, not_equal, pow, relu,
    remainder, rsub, sigmoid, sign, sin, sqrt, sub, subtract, tanh, true_divide, trunc, where,
)
from .ops.indexing import masked_fill, nonzero  # noqa: F401
from .ops.linalg import bmm, dot, ger, matmul, mm, mv, outer  # noqa: F401
from .ops.reduction import all, any, argmax, argmin, max, mean, min, sum  # noqa: F401
from .ops import shape as _shape  # noqa: E402

broadcast_shapes = _shape.broadcast_shapes
broadcast_tensors = _shape.broadcast_tensors
broadcast_to = _shape.broadcast_to
cat = concat = concatenate = _shape.cat
clone = _shape.clone
flatten = _shape.flatten
narrow = _shape.narrow
permute = _shape.permute
reshape = _shape.reshape
select = _shape.select
squeeze = _shape.squeeze
stack = _shape.stack
swapaxes = swapdims = transpose = _shape.transpose
t = _shape.t
unbind = _shape.unbind
unsqueeze = _shape.unsqueeze
# linalg/shape/indexing (C2)
from .ops.linalg import (  # noqa: E402,F401
    addbmm, addmm, addmv, addr, baddbmm, cross, diag, diag_embed, diagonal, einsum, kron,
    tensordot, trace, vdot,
)
from .ops.linalg_ext import (  # noqa: E402,F401
    chain_matmul, det, inner, inverse, logdet, matrix_power, pinverse,
    cholesky_legacy as cholesky, qr_legacy as qr, svd_legacy as svd, _slogdet_torch as slogdet,
    lstsq_removed as lstsq, matrix_rank_removed as matrix_rank, solve_removed as solve,
)
from .ops.shape_ext import (  # noqa: E402,F401
    atleast_1d, atleast_2d, atleast_3d, chunk, column_stack, dsplit, dstack, flip, fliplr,
    flipud, hsplit, hstack, moveaxis, movedim, repeat_interleave, roll, rot90, row_stack, split,
    split_with_sizes, tensor_split, tile, unflatten, vsplit, vstack,
)
from .ops.indexing_ext import (  # noqa: E402,F401
    argsort, argwhere, bucketize, gather, index_add, index_copy, index_fill, index_put,
    index_put_, index_select, kthvalue, masked_scatter, masked_select, msort, nonzero, put,
    scatter, scatter_add, scatter_reduce, searchsorted, sort, take, take_along_dim, topk,
)
from . import linalg  # noqa: E402,F401
from .ops.nn_ops import (  # noqa: E402,F401  (A1)
    celu, cosine_similarity, dropout, log_softmax, pairwise_distance, prelu, selu, softmax,
    threshold,
)
# elementwise/reductions/creation (C1)
from .ops.math_ext import (  # noqa: E402,F401
    acos, acosh, arccos, arccosh, arcsin, arcsinh, arctan, arctanh, asin, asinh, atan, atanh,
    ceil, conj, cosh, digamma, erf, erfc, erfinv, exp2, expm1, fix, floor, frac, imag, lgamma,
    log10, log1p, log2, logit, polygamma, real, reciprocal, round, rsqrt, sgn, sign, sinh, square,
    tan, trunc,
)
from .ops.elementwise import (  # noqa: E402,F401
    addcdiv, addcmul, arctan2, atan2, bitwise_left_shift, bitwise_right_shift, clamp_max,
    clamp_min, float_power, fmax, fmin, fmod, hypot, isneginf, isposinf, isreal, lerp,
    nan_to_num,
)
from .ops.reduction import (  # noqa: E402,F401
    amax, amin, aminmax, count_nonzero, logsumexp, nanmean, nansum, norm, prod, std, std_mean,
    var, var_mean,
)
from .ops.reduction_ext import (  # noqa: E402,F401
    bincount, cummax, cummin, cumprod, cumsum, histc, logcumsumexp, median, mode, nanmedian,
    nanquantile, quantile, unique, unique_consecutive,
)
from .ops.creation import (  # noqa: E402,F401
    bernoulli, meshgrid, multinomial, normal, poisson, tril, tril_indices, triu, triu_indices,
)
from ._tensor_str import get_printoptions, set_printoptions  # noqa: E402,F401
# API breadth: settings, predicates, legacy types, more maths, aliases (ordinary PyTorch code)
from ._api_misc import *  # noqa: E402,F401,F403
from ._legacy_types import *  # noqa: E402,F401,F403
from ._api_aliases import *  # noqa: E402,F401,F403
from .ops.math_more import *  # noqa: E402,F401,F403
from .ops.compose_more import *  # noqa: E402,F401,F403
from .ops.creation_more import *  # noqa: E402,F401,F403
from .ops import methods_more as _methods_more  # noqa: E402,F401  (attaches Tensor methods)
from .autograd.anomaly_mode import (  # noqa: E402,F401
    is_anomaly_check_nan_enabled, is_anomaly_enabled, set_detect_anomaly as set_anomaly_enabled,
)
from .backend import CudaNotCompiledError as _CudaNotCompiledError  # noqa: E402,F401
from .cuda import OutOfMemoryError  # noqa: E402,F401
from .func import vmap  # noqa: E402,F401


def is_tensor(obj) -> bool:
    """True for an ember Tensor."""
    return isinstance(obj, Tensor)


def numel(input) -> int:
    return input.numel()


def is_floating_point(input) -> bool:
    return input.is_floating_point()


def is_complex(input) -> bool:
    return input.is_complex()


from .serialization import load, save  # noqa: E402,F401


def _lazy(name):
    import importlib

    try:
        return importlib.import_module("." + name, __name__)
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{name}":
            raise  # a real import error inside the submodule
        raise AttributeError(f"module 'ember' has no attribute '{name}'") from None


def __getattr__(name):
    if name in ("nn", "optim", "utils", "func", "linalg", "cuda", "testing", "backends",
                "accelerator", "distributions", "special", "random", "cpu", "version", "amp",
                "overrides", "_C", "fx", "onnx", "profiler", "distributed"):
        return _lazy(name)
    if name == "autocast":
        return _lazy("amp").autocast
    raise AttributeError(f"module 'ember' has no attribute '{name}'")


# issue 10 names
from .torch_alias import install_as_torch  # noqa: E402,F401
