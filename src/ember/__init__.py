"""ember: PyTorch's programming model (eager tensors, a dynamic autograd graph, custom
``autograd.Function``) in plain Python on NumPy. ``import ember as torch`` runs PyTorch code in
the supported subset unchanged.
"""

from __future__ import annotations

__version__ = "0.1.0"

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
from ._tensor_str import get_printoptions, set_printoptions  # noqa: E402,F401


def is_tensor(obj) -> bool:
    """True for an ember Tensor."""
    return isinstance(obj, Tensor)


def numel(input) -> int:
    return input.numel()


def is_floating_point(input) -> bool:
    return input.is_floating_point()


def is_complex(input) -> bool:
    return input.is_complex()


def _lazy(name):
    import importlib

    return importlib.import_module("." + name, __name__)


def __getattr__(name):
    if name in ("nn", "optim", "utils", "func", "linalg", "cuda", "testing"):
        return _lazy(name)
    raise AttributeError(f"module 'ember' has no attribute '{name}'")
