"""The top-level aliases PyTorch exports for convenience and for old code: the function forms
of in-place methods (``torch.relu_(x)``), the ``nn.functional`` ops under their ATen names and
argument orders (``torch.conv2d``, ``torch.batch_norm(input, weight, bias, ...)``, losses with
an integer ``reduction``), the ``*_copy`` variants of view ops, and small functions
(``detach``, ``fill``, ``ravel``...). Every alias routes to an existing op; none adds maths.
"""

from __future__ import annotations

import builtins

__all__: list[str] = []  # filled below

# function forms of in-place Tensor methods: ``torch.NAME(input, *args) == input.NAME(*args)``
INPLACE_METHOD_FUNCTIONS = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_",
    "arctan_", "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_",
    "clamp_max_", "clamp_min_", "clip_", "conj_physical_", "cos_", "cosh_", "deg2rad_",
    "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_",
    "gcd_", "i0_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_",
    "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_", "relu_", "resize_as_",
    "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_",
    "tanh_", "trunc_", "xlogy_", "zero_", "index_put_",
)


def _method_function(name):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``torch.{name}(input, ...)`` is ``input.{name}(...)``."
    return fn


for _n in INPLACE_METHOD_FUNCTIONS:
    globals()[_n] = _method_function(_n)
    __all__.append(_n)


# ------------------------------------------------------------------- nn.functional under torch.*
def _F():
    from .nn import functional

    return functional


def _nn_alias(name, target=None):
    target = target or name

    def fn(*args, **kwargs):
        return getattr(_F(), target)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``torch.{name}``: ``torch.nn.functional.{target}`` (same arguments)."
    return fn


SAME_AS_FUNCTIONAL = (
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "max_pool2d", "max_pool3d", "avg_pool1d", "adaptive_avg_pool1d", "layer_norm", "group_norm",
    "pixel_shuffle", "pixel_unshuffle", "bilinear", "hardshrink", "pdist",
)
for _n in SAME_AS_FUNCTIONAL:
    globals()[_n] = _nn_alias(_n)
    __all__.append(_n)

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(r):
    """ATen's losses take ``reduction`` as an int (0 none, 1 mean, 2 sum); accept names too.
    Left out, PyTorch 2.13's top-level losses do not reduce (0), unlike ``nn.functional``'s."""
    if isinstance(r, str):
        return r
    if r not in _REDUCTIONS:
        raise ValueError(f"{r} is not a valid value for reduction")
    return _REDUCTIONS[r]


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """``torch.max_pool1d``: ``F.max_pool1d`` (an empty ``stride`` means the kernel size)."""
    return _F().max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode=False):
    """``(values, indices)`` of a 1-d max pooling."""
    return _F().max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode,
                           return_indices=True)


def adaptive_max_pool1d(input, output_size):
    """``(values, indices)`` of a 1-d adaptive max pooling (PyTorch returns both here)."""
    return _F().adaptive_max_pool1d(input, output_size, return_indices=True)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled=True):
    """ATen's argument order: ``weight, bias`` before the running statistics."""
    return _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                           eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum,
                  eps, cudnn_enabled=True):
    """ATen's argument order: ``weight, bias`` before the running statistics."""
    return _F().instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                              momentum, eps)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """ATen's order: the table first; ``padding_idx=-1`` means none."""
    return _F().embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                          scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def kl_div(input, target, reduction=0, *, log_target=False):
    return _F().kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    return _F().binary_cross_entropy_with_logits(input, target, weight,
                                                 reduction=_reduction(reduction),
                                                 pos_weight=pos_weight)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    return _F().cosine_embedding_loss(input1, input2, target, margin,
                                      reduction=_reduction(reduction))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    return _F().margin_ranking_loss(input1, input2, target, margin,
                                    reduction=_reduction(reduction))


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    return _F().hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        reduction=0):
    return _F().triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                    reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return _F().poisson_nll_loss(input, target, log_input, full, eps=eps,
                                 reduction=_reduction(reduction))


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _F().rrelu(input, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _F().rrelu(input, lower, upper, training, inplace=True)


def celu_(input, alpha=1.0):
    return _F().celu(input, alpha, inplace=True)


def selu_(input):
    return _F().selu(input, inplace=True)


def threshold_(input, threshold, value):
    return _F().threshold(input, threshold, value, inplace=True)


def dropout_(input, p, train):
    return _F().dropout(input, p, train, inplace=True)


def alpha_dropout(input, p, train):
    return _F().alpha_dropout(input, p, train)


def alpha_dropout_(input, p, train):
    return _F().alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout(input, p, train):
    return _F().feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input, p, train):
    return _F().feature_alpha_dropout(input, p, train, inplace=True)


def _feature_mask(input, p):
    from .ops.factories import full
    from .ops.random import bernoulli

    shape = list(input.shape[:2]) + [1] * (input.dim() - 2)
    keep = bernoulli(full(shape, 1 - p, dtype=input.dtype))
    return keep / (1 - p) if p < 1 else keep


def feature_dropout(input, p, train):
    """Dropout of whole channels (dim 1): each ``input[n, c]`` is zeroed with probability
    ``p``, the rest scaled by ``1 / (1 - p)``."""
    if not train or p == 0:
        return input
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return input * _feature_mask(input, p)


def feature_dropout_(input, p, train):
    if not train or p == 0:
        return input
    return input.mul_(_feature_mask(input, p))


def channel_shuffle(input, groups):
    """Split the channels (dim 1) into ``groups`` and interleave them."""
    if input.dim() < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but "
                           f"got input with sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    n, c = input.shape[0], input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")
    rest = list(input.shape[2:])
    x = input.reshape(n, groups, c // groups, *rest).transpose(1, 2)
    return x.reshape(n, c, *rest)


native_channel_shuffle = channel_shuffle


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``input / sqrt(mean(input**2 over the last dims) + eps) * weight`` (``eps`` defaults to
    the dtype's machine epsilon, as in PyTorch)."""
    from .dtypes import finfo

    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.dim() - len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(str(s) for s in shape)}], but got input of size"
                           f"{list(input.shape)}")
    eps = finfo(input.dtype).eps if eps is None else eps
    dims = tuple(builtins.range(-len(shape), 0))
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out * weight if weight is not None else out


def constant_pad_nd(input, pad, value=0):
    return _F().pad(input, pad, mode="constant", value=value)


__all__ += [
    "adaptive_max_pool1d",
    "alpha_dropout",
    "alpha_dropout_",
    "batch_norm",
    "binary_cross_entropy_with_logits",
    "celu_",
    "channel_shuffle",
    "constant_pad_nd",
    "cosine_embedding_loss",
    "dropout_",
    "embedding",
    "feature_alpha_dropout",
    "feature_alpha_dropout_",
    "feature_dropout",
    "feature_dropout_",
    "hinge_embedding_loss",
    "instance_norm",
    "kl_div",
    "margin_ranking_loss",
    "max_pool1d",
    "max_pool1d_with_indices",
    "native_channel_shuffle",
    "poisson_nll_loss",
    "rms_norm",
    "rrelu",
    "rrelu_",
    "selu_",
    "threshold_",
    "triplet_margin_loss",
]


# ------------------------------------------------------------------------------ small functions
def detach(input):
    """``input.detach()``."""
    return input.detach()


def fill(input, value):
    """A new tensor of ``input``'s shape and dtype filled with ``value`` (differentiable in a
    tensor ``value``)."""
    from .ops.inplace import Fill

    return Fill.apply(input, value)


def ravel(input):
    """``input`` flattened to 1-d (a view when possible)."""
    return input.reshape(-1)


def unsafe_chunk(input, chunks, dim=0):
    return input.chunk(chunks, dim)


def unsafe_split(input, split_size_or_sections, dim=0):
    return input.split(split_size_or_sections, dim)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return input.split_with_sizes(split_sizes, dim)


def resolve_conj(input):
    """``input``: ember materialises conjugation, so there is never a lazy bit to resolve."""
    return input


def resolve_neg(input):
    """``input``: ember materialises negation."""
    return input


def conj_physical(input, *, out=None):
    """The complex conjugate, computed (for real tensors ``input`` itself)."""
    res = input.conj() if input.is_complex() else input
    return res if out is None else out.copy_(res)


__all__ += [
    "conj_physical",
    "detach",
    "fill",
    "ravel",
    "resolve_conj",
    "resolve_neg",
    "unsafe_chunk",
    "unsafe_split",
    "unsafe_split_with_sizes",
]


# ------------------------------------------------------------------------ *_copy of view ops
def _copy_variant(name, call):
    def fn(input, *args, out=None, **kwargs):
        res = call(input, *args, **kwargs)
        if isinstance(res, (tuple, list)):
            return [r.clone() for r in res]
        res = res.clone()
        return res if out is None else out.copy_(res)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``torch.{name}``: like the view op, but a new tensor (its own memory)."
    return fn


def _view_copy_table():
    import ember

    return {
        "alias_copy": lambda x: x,
        "detach_copy": lambda x: x.detach(),
        "expand_copy": lambda x, size, *, implicit=False: x.expand(*size),
        "permute_copy": lambda x, dims: x.permute(*dims),
        "view_copy": lambda x, size: x.view(size),
        "t_copy": lambda x: x.t(),
        "transpose_copy": lambda x, dim0, dim1: x.transpose(dim0, dim1),
        "squeeze_copy": lambda x, *dim: x.squeeze(*dim),
        "unsqueeze_copy": lambda x, dim: x.unsqueeze(dim),
        "diagonal_copy": lambda x, offset=0, dim1=0, dim2=1: x.diagonal(offset, dim1, dim2),
        "select_copy": lambda x, dim, index: x.select(dim, index),
        "slice_copy": lambda x, dim=0, start=None, end=None, step=1:
            x[(builtins.slice(None),) * (dim % builtins.max(x.dim(), 1))
              + (builtins.slice(start, end, step),)],
        "split_copy": lambda x, split_size, dim=0: x.split(split_size, dim),
        "split_with_sizes_copy": lambda x, split_sizes, dim=0: x.split_with_sizes(split_sizes,
                                                                                   dim),
        "unbind_copy": lambda x, dim=0: x.unbind(dim),
        "narrow_copy": lambda x, dim, start, length: x.narrow(dim, start, length),
        "unfold_copy": lambda x, dimension, size, step: x.unfold(dimension, size, step),
        "as_strided_copy": lambda x, size, stride, storage_offset=None:
            ember.as_strided(x, size, stride, storage_offset),
        "view_as_real_copy": lambda x: ember.view_as_real(x),
        "view_as_complex_copy": lambda x: ember.view_as_complex(x),
    }


VIEW_COPY_NAMES = (
    "alias_copy", "detach_copy", "expand_copy", "permute_copy", "view_copy", "t_copy",
    "transpose_copy", "squeeze_copy", "unsqueeze_copy", "diagonal_copy", "select_copy",
    "slice_copy", "split_copy", "split_with_sizes_copy", "unbind_copy", "narrow_copy",
    "unfold_copy", "as_strided_copy", "view_as_real_copy", "view_as_complex_copy",
)


def _lazy_copy(name):
    def call(x, *args, **kwargs):
        return _view_copy_table()[name](x, *args, **kwargs)

    return _copy_variant(name, call)


for _n in VIEW_COPY_NAMES:
    globals()[_n] = _lazy_copy(_n)
    __all__.append(_n)
