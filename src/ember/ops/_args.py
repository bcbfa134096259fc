"""Argument parsing of the public entries, as PyTorch's argument parser does it (issue 10,
class 1), in one place: ``ops/_public.py`` asks :func:`aliases` and :func:`checks` once per
entry, when it is made, and the entry applies them on each call.

* Keyword aliases: PyTorch's built-in (C++-parsed) ops accept NumPy's spellings, ``axis`` for
  ``dim``, ``keepdims`` for ``keepdim``, ``x``/``a``/``x1`` for ``input`` and ``x2`` for
  ``other`` (``x.sum(axis=1)``, ``torch.max(a=t, axis=0)``, ``torch.add(x1=a, x2=b)``). Its
  Python-level functions (``torch.functional``, the Python methods of ``torch.Tensor``, most of
  ``torch.nn.functional``) do not, and neither do ember's.
* Checks: the arguments a family of ops refuses as PyTorch does (the int tuples of the 1d/2d/3d
  convolutions, pools and resamplers, out-of-range ``dim``\\s, the dtypes a factory refuses).
"""

from __future__ import annotations

import inspect

# PyTorch's python_arg_parser: numpy_compatibility_arg_names
_NUMPY_NAMES = {"dim": ("axis",), "keepdim": ("keepdims",), "input": ("x", "a", "x1"),
                "other": ("x2",)}
# torch.functional.__all__: Python functions of the torch namespace (no aliases)
_PY_FUNCTIONS = frozenset({
    "atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_shapes",
    "broadcast_tensors", "cartesian_prod", "cdist", "chain_matmul", "einsum", "istft", "lu",
    "meshgrid", "norm", "pca_lowrank", "split", "stft", "svd_lowrank", "tensordot", "unique",
    "unique_consecutive", "unravel_index",
})
# Python methods of torch.Tensor (torch/_tensor.py)
_PY_METHODS = frozenset({
    "backward", "dim_order", "eig", "index", "is_shared", "istft", "lstsq", "lu", "norm",
    "register_hook", "resize", "resize_as", "share_memory_", "solve", "split", "stft", "storage",
    "unflatten", "unique", "unique_consecutive",
})
# torch.nn.functional's built-in (C++-parsed) functions
_BUILTIN_F = frozenset({
    "adaptive_avg_pool1d", "avg_pool1d", "avg_pool2d", "avg_pool3d", "bilinear", "celu_",
    "channel_shuffle", "conv1d", "conv2d", "conv3d", "conv_tbc", "conv_transpose1d",
    "conv_transpose2d", "conv_transpose3d", "cosine_similarity", "elu_", "gelu", "hardshrink",
    "hardtanh_", "leaky_relu_", "linear", "logsigmoid", "native_channel_shuffle", "one_hot",
    "pairwise_distance", "pdist", "pixel_shuffle", "pixel_unshuffle", "prelu", "relu_", "rrelu_",
    "scaled_dot_product_attention", "selu_", "softplus", "softshrink", "threshold_",
})


def _builtin(namespace, name):
    if namespace == "Tensor":
        return name not in _PY_METHODS
    if namespace == "ember.nn.functional":
        return name in _BUILTIN_F
    if namespace == "ember":
        return name not in _PY_FUNCTIONS
    return True  # torch.linalg, torch.special: all built-in


def _params(fn):
    try:
        return list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None


def aliases(fn, namespace, name):
    """``{alias: parameter}`` for the public entry ``namespace.name`` of ``fn`` (None: none)."""
    if not _builtin(namespace, name):
        return None
    params = _params(fn)
    if not params or any(p.kind is p.VAR_KEYWORD for p in params):
        return None  # **kwargs takes any keyword: the entry could not tell an alias apart
    if namespace == "Tensor":
        params = params[1:]  # self
    own = {p.name for p in params}
    out = {}
    for p in params:
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name in _NUMPY_NAMES:
            for a in _NUMPY_NAMES[p.name]:
                if a not in own:
                    out[a] = p.name
    return out or None


def checks(fn, namespace, name):
    """The argument check of the public entry ``namespace.name`` (None: none)."""
    return None
