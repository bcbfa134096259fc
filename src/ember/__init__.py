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
from .ops.factories import (  # noqa: F401
    arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, logspace,
    ones, ones_like, scalar_tensor, tensor, zeros, zeros_like
)
from .ops.random import (  # noqa: F401
    default_generator, Generator, get_rng_state, initial_seed, manual_seed, rand, rand_like,
    randint, randint_like, randn, randn_like, randperm, seed, set_rng_state
)
from .ops.pointwise.activation import relu, sigmoid  # noqa: F401
from .ops.pointwise.arithmetic import (  # noqa: F401
    add, div, divide, mul, multiply, neg, negative, pow, rsub, sub, subtract, true_divide
)
from .ops.pointwise.bitwise import bitwise_and, bitwise_not, bitwise_or, bitwise_xor  # noqa: F401
from .ops.pointwise.clamp import clamp, clip, maximum, minimum, where  # noqa: F401
from .ops.pointwise.compare import (  # noqa: F401
    allclose, eq, equal, ge, greater, greater_equal, gt, isclose, isfinite, isinf, isnan, le, less,
    less_equal, logical_and, logical_not, logical_or, logical_xor, lt, ne, not_equal
)
from .ops.pointwise.division import floor_divide, remainder  # noqa: F401
from .ops.pointwise.exp_log import exp, log, sqrt  # noqa: F401
from .ops.pointwise.rounding import abs, absolute, sign, trunc  # noqa: F401
from .ops.pointwise.trig import cos, sin, tanh  # noqa: F401
from .ops.index.masked import masked_fill  # noqa: F401
from .ops.index.subscript import nonzero  # noqa: F401
from .ops.linalg.products import bmm, dot, ger, matmul, mm, mv, outer  # noqa: F401
from .ops.reduce.minmax import argmax, argmin, max, min  # noqa: F401
from .ops.reduce.sum_prod import all, any, mean, sum  # noqa: F401
from .ops.shape.join import cat as _cat, stack as _stack
from .ops.shape.split import unbind as _unbind
from .ops.shape.views import (
    broadcast_shapes as _broadcast_shapes, broadcast_tensors as _broadcast_tensors,
    broadcast_to as _broadcast_to, clone as _clone, flatten as _flatten, narrow as _narrow,
    permute as _permute, reshape as _reshape, select as _select, squeeze as _squeeze, t as _t,
    transpose as _transpose, unsqueeze as _unsqueeze
)

broadcast_shapes = _broadcast_shapes
broadcast_tensors = _broadcast_tensors
broadcast_to = _broadcast_to
cat = concat = concatenate = _cat
clone = _clone
flatten = _flatten
narrow = _narrow
permute = _permute
reshape = _reshape
select = _select
squeeze = _squeeze
stack = _stack
swapaxes = swapdims = transpose = _transpose
t = _t
unbind = _unbind
unsqueeze = _unsqueeze
# linear algebra, shape and indexing
from .ops.linalg.diagonal import cross, diag, diag_embed, diagonal, kron, trace  # noqa: E402,F401
from .ops.linalg.products import addbmm, addmm, addmv, addr, baddbmm, einsum, tensordot, vdot  # noqa: E402,F401
from .ops.linalg.decompositions import (  # noqa: E402,F401
    cholesky_legacy as cholesky, qr_legacy as qr, svd_legacy as svd
)
from .ops.linalg.products import chain_matmul, inner  # noqa: E402,F401
from .ops.linalg.solve import (  # noqa: E402,F401
    _slogdet_torch as slogdet, det, inverse, logdet, lstsq_removed as lstsq, matrix_power,
    matrix_rank_removed as matrix_rank, pinverse, solve_removed as solve
)
from .ops.shape.join import (  # noqa: E402,F401
    atleast_1d, atleast_2d, atleast_3d, column_stack, dstack, hstack, row_stack, vstack
)
from .ops.shape.rearrange import (  # noqa: E402,F401
    flip, fliplr, flipud, moveaxis, movedim, repeat_interleave, roll, rot90, tile, unflatten
)
from .ops.shape.split import chunk, dsplit, hsplit, split, split_with_sizes, tensor_split, vsplit  # noqa: E402,F401
from .ops.index.gather_scatter import gather, index_select, scatter, scatter_add, scatter_reduce  # noqa: E402,F401
from .ops.index.index_add import index_add, index_copy, index_fill  # noqa: E402,F401
from .ops.index.masked import masked_scatter, masked_select  # noqa: E402,F401
from .ops.index.sort import (  # noqa: E402,F401
    argsort, argwhere, bucketize, kthvalue, msort, nonzero, searchsorted, sort, topk
)
from .ops.index.take_put import index_put, index_put_, put, take, take_along_dim  # noqa: E402,F401
from . import linalg  # noqa: E402,F401
from .ops.nn.functional_forms import (  # noqa: E402,F401
    celu, cosine_similarity, dropout, pairwise_distance, prelu, selu, threshold
)
from .ops.nn.softmax import log_softmax, softmax  # noqa: E402,F401
# elementwise, reductions and factories
from .ops.pointwise.complex import conj, imag, real  # noqa: E402,F401
from .ops.pointwise.exp_log import exp2, expm1, log10, log1p, log2, reciprocal, rsqrt, square  # noqa: E402,F401
from .ops.pointwise.rounding import ceil, fix, floor, frac, round, sgn, sign, trunc  # noqa: E402,F401
from .ops.pointwise.special import digamma, erf, erfc, erfinv, lgamma, logit, polygamma  # noqa: E402,F401
from .ops.pointwise.trig import (  # noqa: E402,F401
    acos, acosh, arccos, arccosh, arcsin, arcsinh, arctan, arctanh, asin, asinh, atan, atanh, cosh,
    sinh, tan
)
from .ops.pointwise.arithmetic import addcdiv, addcmul, float_power, lerp  # noqa: E402,F401
from .ops.pointwise.bitwise import bitwise_left_shift, bitwise_right_shift  # noqa: E402,F401
from .ops.pointwise.clamp import clamp_max, clamp_min, fmax, fmin, nan_to_num  # noqa: E402,F401
from .ops.pointwise.compare import isneginf, isposinf, isreal  # noqa: E402,F401
from .ops.pointwise.division import fmod  # noqa: E402,F401
from .ops.pointwise.trig import arctan2, atan2, hypot  # noqa: E402,F401
from .ops.reduce.minmax import amax, amin, aminmax  # noqa: E402,F401
from .ops.reduce.moments import std, std_mean, var, var_mean  # noqa: E402,F401
from .ops.reduce.norm import norm  # noqa: E402,F401
from .ops.reduce.sum_prod import count_nonzero, logsumexp, nanmean, nansum, prod  # noqa: E402,F401
from .ops.reduce.counting import bincount, histc, unique, unique_consecutive  # noqa: E402,F401
from .ops.reduce.order_stats import median, mode, nanmedian, nanquantile, quantile  # noqa: E402,F401
from .ops.reduce.scans import cummax, cummin, cumprod, cumsum, logcumsumexp  # noqa: E402,F401
from .ops.factories import meshgrid  # noqa: E402,F401
from .ops.linalg.triangles import tril, tril_indices, triu, triu_indices  # noqa: E402,F401
from .ops.random import bernoulli, multinomial, normal, poisson  # noqa: E402,F401
from ._tensor_str import get_printoptions, set_printoptions  # noqa: E402,F401
# API breadth: settings, predicates, legacy types, more maths, aliases (ordinary PyTorch code)
from ._api_misc import *  # noqa: E402,F401,F403
from ._legacy_types import *  # noqa: E402,F401,F403
from ._api_aliases import *  # noqa: E402,F401,F403
from .ops.pointwise.arithmetic import positive  # noqa: E402,F401,F403
from .ops.pointwise.bitwise import gcd, lcm  # noqa: E402,F401,F403
from .ops.pointwise.complex import angle  # noqa: E402,F401,F403
from .ops.pointwise.exp_log import logaddexp, logaddexp2  # noqa: E402,F401,F403
from .ops.pointwise.rounding import copysign, frexp, heaviside, ldexp, nextafter, signbit  # noqa: E402,F401,F403
from .ops.pointwise.special import i0, i1, mvlgamma, xlog1py, xlogy  # noqa: E402,F401,F403
from .ops.pointwise.trig import deg2rad, rad2deg, sinc  # noqa: E402,F401,F403
from .ops.index.sort import nonzero_static, unravel_index  # noqa: E402,F401,F403
from .ops.index.view_scatter import diagonal_scatter, select_scatter, slice_scatter  # noqa: E402,F401,F403
from .ops.linalg.decompositions import adjoint, cholesky_inverse, cholesky_solve, matrix_exp  # noqa: E402,F401,F403
from .ops.linalg.diagonal import diagflat  # noqa: E402,F401,F403
from .ops.linalg.norms import renorm  # noqa: E402,F401,F403
from .ops.nn.distance import cdist, dist  # noqa: E402,F401,F403
from .ops.pointwise.compare import isin  # noqa: E402,F401,F403
from .ops.reduce.counting import histogram  # noqa: E402,F401,F403
from .ops.reduce.moments import corrcoef, cov  # noqa: E402,F401,F403
from .ops.reduce.scans import cumulative_trapezoid, diff, trapezoid, trapz  # noqa: E402,F401,F403
from .ops.shape.join import block_diag, cartesian_prod, combinations, vander  # noqa: E402,F401,F403
from .ops.shape.views import as_strided  # noqa: E402,F401,F403
from .ops.factories import (  # noqa: E402,F401,F403
    asarray, empty_permuted, empty_strided, from_dlpack, frombuffer, range
)
from .ops.windows import (  # noqa: E402,F401,F403
    bartlett_window, blackman_window, hamming_window, hann_window, kaiser_window
)
from .ops.pointwise.complex import complex, polar, view_as_complex, view_as_real  # noqa: E402,F401,F403
from .ops.random import binomial  # noqa: E402,F401,F403
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

# every op above becomes a public entry of the dispatch door (ops/_public.py)
from .ops._public import publish as _publish  # noqa: E402

_publish(globals(), __name__)
