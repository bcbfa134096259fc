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
import re

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


# PyTorch's name of an int-list argument that ember's signature spells otherwise
_VARARG_NAMES = {"repeat": "repeats", "expand": "size", "view": "size"}


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
    """``{alias: parameter}`` for the public entry ``namespace.name`` of ``fn`` (None: none);
    ``{name: n}`` for the variadic int list after the first ``n`` positional arguments."""
    params = _params(fn)
    if not params or any(p.kind is p.VAR_KEYWORD for p in params):
        return None  # **kwargs takes any keyword: the entry could not tell an alias apart
    out = {}
    for i, p in enumerate(params):
        if p.kind is p.VAR_POSITIONAL:  # PyTorch's int lists may be given by keyword too
            out[p.name] = i
            if name in _VARARG_NAMES:
                out[_VARARG_NAMES[name]] = i
    if namespace == "Tensor":
        params = params[1:]  # self
    own = {p.name for p in params}
    for p in params if _builtin(namespace, name) else ():
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name in _NUMPY_NAMES:
            for a in _NUMPY_NAMES[p.name]:
                if a not in own:
                    out[a] = p.name
    return out or None


# ------------------------------------------------------------------ int tuples of nd ops
_WORDS = {1: "one", 2: "two", 3: "three"}
_ND = re.compile(r"^(conv_transpose|conv|avg_pool|max_pool|lp_pool|adaptive_avg_pool|"
                 r"adaptive_max_pool)([123])d(_with_indices)?$")
_INT_TUPLES = ("kernel_size", "stride", "padding", "dilation", "output_size", "output_padding")


def _ints(v):
    """``v`` as a tuple of its elements (an int: one element), or None when it is not an int
    sequence this layer judges (a string padding such as 'same', a tensor)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return (v,)
    if isinstance(v, (tuple, list)):
        return tuple(v)
    return None


def _conv_rule(family, n, arg):
    def rule(v, vals, input):
        t = _ints(v)
        if t is None:
            return
        if len(t) not in (1, n):
            raise RuntimeError(
                f"expected {arg} to be a single integer value or a list of {n} values to match "
                f"the convolution dimensions, but got {arg}={list(t)}")
        t = t * n if len(t) == 1 else t
        if arg == "stride" and any(e is not None and e <= 0 for e in t):
            raise RuntimeError("non-positive stride is not supported")
        if arg in ("padding", "output_padding") and any(e is not None and e < 0 for e in t):
            raise RuntimeError(f"negative {arg} is not supported")
        if arg == "dilation" and any(e is not None and e <= 0 for e in t):
            if family == "conv":
                shown = [1, *t] if n == 1 else list(t)
                raise RuntimeError(f"dilation should be greater than zero, but got {shown}")
            names = ("dilation_depth", "dilation_height", "dilation_width")
            vals = (1, *t) if n == 1 else t
            raise RuntimeError("dilation should be greater than zero, but got " + ", ".join(
                f"{k}: {e}" for k, e in zip(names[3 - len(vals):], vals)))
    return rule


def _pool_length(op, n, arg, t):
    """PyTorch's message for a wrong-length int tuple of a pool (None: the length is fine)."""
    k = len(t)
    if n == 1:
        ok = k == 1 or (arg == "stride" and k == 0)
        if ok:
            return None
        if op == "max_pool1d":
            what = {"kernel_size": "an int, list of ints or tuple of ints",
                    "dilation": "an int, list of ints or tuple of ints",
                    "stride": "None, an int, list of ints, or tuple of ints",
                    "padding": "an int, list of ints, or tuple of ints"}[arg]
            return f"max_pool1d() {arg} must be {what} of size 1 but got size {k}"
        return f"{op}() argument '{arg}' should contain one int (got {k})"
    if k in (1, n) or (arg == "stride" and k == 0):
        return None
    either = "" if op == "avg_pool3d" else "either "
    if arg == "dilation":
        return f"{op}: dilation must be either a single int, or a tuple of {_WORDS[n]} ints"
    if arg == "stride":
        return f"{op}: stride must {either}be omitted, a single int, or a tuple of {_WORDS[n]} ints"
    return f"{op}: {arg} must {either}be a single int, or a tuple of {_WORDS[n]} ints"


def _pool_rule(family, n, arg):
    op = f"{'avg_pool' if family == 'lp_pool' else family}{n}d"  # lp_pool runs avg_pool

    def rule(v, vals, input):
        t = _ints(v)
        if t is None:
            return
        if (family == "lp_pool" and n > 1 and arg == "kernel_size" and
                isinstance(v, (tuple, list)) and len(t) != n):
            # PyTorch's lp_pool2d/3d unpack the pair/triple in Python
            raise ValueError(f"too many values to unpack (expected {n})" if len(t) > n else
                             f"not enough values to unpack (expected {n}, got {len(t)})")
        msg = _pool_length(op, n, arg, t)
        if msg is not None:
            raise RuntimeError(msg)
        if op == "max_pool1d":
            if arg == "padding" and t[0] < 0:
                raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {t[0]}")
            if arg != "padding" and t and t[0] <= 0:
                raise RuntimeError(f"max_pool1d() {arg} must be greater than zero, but got "
                                   f"{t[0]}")
            return
        if arg == "padding" and any(e < 0 for e in t):
            raise RuntimeError(f"pad must be non-negative, but got pad: {min(t)}")
        stride = _ints(vals.get("stride"))
        if arg == "kernel_size" and any(e <= 0 for e in t):
            if not stride:  # the stride defaults to the kernel size
                raise RuntimeError("stride should not be zero")
            t = t * n if len(t) == 1 else t
            shown = (1, *t) if n == 1 else t
            raise RuntimeError("kernel size should be greater than zero, but got " + " ".join(
                f"k{a}: {e}" for a, e in zip("THW"[3 - len(shown):], shown)))
        if arg == "stride" and 0 in t:
            raise RuntimeError("stride should not be zero")
        if arg == "dilation" and any(e <= 0 for e in t):
            t = t * n if len(t) == 1 else t
            shown = " ".join(f"dilation{a}: {e}" for a, e in zip("THW"[3 - n:], t))
            raise RuntimeError(f"dilation should be greater than zero, but got {shown}")
    return rule


def _adaptive_rule(family, n, arg):
    op = f"{family}{n}d"

    def rule(v, vals, input):
        t = _ints(v)
        if t is None:
            return
        if len(t) != n and not (len(t) == 1 and isinstance(v, int)):
            if n == 1:
                raise RuntimeError(f"{op}() argument 'output_size' should contain one int "
                                   f"(got {len(t)})")
            if family == "adaptive_avg_pool":
                raise RuntimeError(f"{op}: output_size must be {n}")
            raise RuntimeError(f"{op}(): internal error: output_size.size() must be {n}")
        t = t * n if len(t) == 1 else t
        if any(e is not None and e < 0 for e in t):
            if family == "adaptive_avg_pool":
                shown = (1, *t) if n == 1 else t
                body = ", ".join(str(e) for e in shown[:2]) + "".join(f",{e}" for e in shown[2:])
                raise RuntimeError(f"adaptive_avg_pool{max(n, 2)}d: elements of output_size must "
                                   f"be greater than or equal to 0 but received {{{body}}}")
            lead = list(getattr(input, "shape", ()))[:-n]
            size = lead + ([1] if n == 1 else []) + [e for e in t]
            bad = next(e for e in t if e is not None and e < 0)
            raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {size}")
    return rule


def _fold_rule(family, n, arg):
    def rule(v, vals, input):
        t = _ints(v)
        if t is None:
            return
        if len(t) != 2 and not isinstance(v, int):
            raise RuntimeError(f"It is expected {arg} equals to 2, but got size {len(t)}")
        h, w = t * 2 if len(t) == 1 else t
        if arg == "padding" and (h < 0 or w < 0):
            raise RuntimeError(f"padding should be non-negative, but got pad_height: {h} "
                               f"pad_width: {w}")
        if arg in ("kernel_size", "stride", "dilation") and (h <= 0 or w <= 0):
            what = {"kernel_size": ("kernel size", "kernel"), "stride": ("stride", "stride"),
                    "dilation": ("dilation", "dilation")}[arg]
            raise RuntimeError(f"{what[0]} should be greater than zero, but got {what[1]}_height:"
                               f" {h} {what[1]}_width: {w}")
    return rule


def _interpolate_rule(family, n, arg):
    def rule(v, vals, input):
        shape = getattr(input, "shape", None)
        if shape is None or len(shape) < 3 or isinstance(v, bool):
            return
        spatial = list(shape[2:])
        k = len(spatial)
        if isinstance(v, (tuple, list)) and len(v) != k:
            if arg == "size":
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {v}. Please "
                    "provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                    "(o1, o2, ...,oK) format.")
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {spatial} and scale_factor of shape {v}. "
                "Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor "
                "in (s1, s2, ...,sK) format.")
        if not isinstance(v, (int, float, tuple, list)):
            return
        vs = list(v) if isinstance(v, (tuple, list)) else [v] * k
        if not all(isinstance(e, (int, float)) for e in vs):
            return
        out = vs if arg == "size" else [int(s * f // 1) for s, f in zip(spatial, vs)]
        if any(e <= 0 for e in out):
            names = "DHW"[3 - k:] if k <= 3 else None
            if names is None:
                return
            ins = ", ".join(f"{a}: {e}" for a, e in zip(names, spatial))
            outs = ", ".join(f"{a}: {e}" for a, e in zip(names, out))
            sep = " and output" if k == 1 else " output"
            raise RuntimeError("Input and output sizes should be greater than 0, but got input "
                               f"({ins}){sep} ({outs})")
    return rule


def _nd_rules(name, params):
    m = _ND.match(name)
    if m is not None:
        family, n = m.group(1), int(m.group(2))
        make = (_conv_rule if family.startswith("conv") else
                _adaptive_rule if family.startswith("adaptive") else _pool_rule)
        return {a: make(family, n, a) for a in _INT_TUPLES if a in params}
    if name in ("fold", "unfold"):
        return {a: _fold_rule(name, 2, a) for a in _INT_TUPLES if a in params}
    if name in ("interpolate", "upsample"):
        return {a: _interpolate_rule(name, 0, a) for a in ("size", "scale_factor")
                if a in params}
    return {}


# ------------------------------------------------------------------------------ dims
# Ops whose body does not range-check these dims itself (the others wrap theirs as they use
# them): the entry checks them, as PyTorch's maybe_wrap_dim, in the namespaces given.
_DIM_OPS = {
    "squeeze": ("dim",), "squeeze_": ("dim",), "softmax": ("dim",), "log_softmax": ("dim",),
    "softmin": ("dim",), "gumbel_softmax": ("dim",), "flatten": ("start_dim", "end_dim"),
    "vector_norm": ("dim",), "matrix_norm": ("dim",),
}
_DIM_OPS_LINALG = {"norm": ("dim",)}


def wrap_dim(d, ndim):
    """``d`` in ``[-n, n)`` (n = max(ndim, 1)) as a non-negative int; IndexError otherwise."""
    n = ndim if ndim > 0 else 1
    if d < -n or d >= n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
    return d + n if d < 0 else d


def dim_list(dims, ndim):
    """A list of dims wrapped once, each at most once (PyTorch's dim_list_to_bitset)."""
    seen = []
    for d in dims:
        w = wrap_dim(d, ndim)
        if w in seen:
            raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
        seen.append(w)
    return seen


def _dim_rule(name, arg):
    def rule(v, vals, input):
        nd = getattr(input, "ndim", None)
        if nd is None or isinstance(v, bool):
            return
        if isinstance(v, int):
            wrap_dim(v, nd)
        elif isinstance(v, (tuple, list)) and all(isinstance(d, int) for d in v):
            if name == "matrix_norm":
                if nd < 2:
                    return  # the op's own message (A must have at least 2 dimensions)
                w = tuple(wrap_dim(d, nd) for d in v)
                if len(w) == 2 and w[0] == w[1]:
                    raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got {w}")
                return
            dim_list(v, nd)
    return rule


# ----------------------------------------------------------------------------- dtypes
# The dtypes a factory (or a reduction's ``dtype=``) refuses in PyTorch: its kernel is not
# built for them (NotImplementedError "<kernel>" not implemented for '<Type>') or it says why.
_INTS = ("uint8", "int8", "int16", "int32", "int64")
_CPLX = ("complex64", "complex128")
_NOT_IMPLEMENTED = {
    "arange": ("arange_cpu", ("bool",) + _CPLX), "range": ("range_cpu", ("bool",) + _CPLX),
    "linspace": ("linspace_cpu", ("bool",)), "logspace": ("logspace_cpu", ("bool",)),
    "rand": ("check_uniform_bounds", ("bool",) + _INTS),
    "rand_like": ("check_uniform_bounds", ("bool",) + _INTS),
    "randn": ("normal_kernel_cpu", ("bool",) + _INTS),
    "randn_like": ("normal_kernel_cpu", ("bool",) + _INTS),
    "normal": ("normal_kernel_cpu", ("bool",) + _INTS),
    "randperm": ("randperm", ("bool",) + _CPLX),
    "tril_indices": ("tril_indices", ("bool", "uint8", "int8", "int16", "float16", "bfloat16",
                                      "float32", "float64") + _CPLX),
    "triu_indices": ("triu_indices", ("bool", "uint8", "int8", "int16", "float16", "bfloat16",
                                      "float32", "float64") + _CPLX),
    "cumsum": ("cumsum_out_cpu", ("bool",)),
    **{w: ("arange_cpu", _CPLX) for w in ("hann_window", "hamming_window", "blackman_window",
                                          "bartlett_window", "kaiser_window")},
}


def _dtype_rule(name):
    from ..dtypes import _TYPE_NAMES

    kernel, refused = _NOT_IMPLEMENTED.get(name, (None, ()))

    def rule(v, vals, input):
        dn = getattr(v, "name", None)
        if dn is None:
            return
        if dn in refused:
            raise NotImplementedError(f'"{kernel}" not implemented for \'{_TYPE_NAMES[dn]}\'')
        if name in ("randint", "randint_like"):
            if dn == "bool":
                raise RuntimeError("to - 1 is out of bounds for bool")
            if dn in _CPLX:
                raise RuntimeError("check_random_bounds handles only integral, floating-point "
                                   "and boolean types")
        if name in ("mean", "nanmean") and (dn == "bool" or dn in _INTS):
            raise RuntimeError(f"{name}(): could not infer output dtype. Optional dtype must be "
                               f"either a floating point or complex dtype. Got: "
                               f"{_TYPE_NAMES[dn]}")
    return rule


_DTYPE_OPS = frozenset(_NOT_IMPLEMENTED) | {"randint", "randint_like", "mean", "nanmean"}


def _rules(namespace, name, params):
    """{parameter: rule} of the public entry ``namespace.name``."""
    rules = _nd_rules(name, params)
    dims = _DIM_OPS.get(name) or (_DIM_OPS_LINALG.get(name) if namespace == "ember.linalg"
                                  else None)
    for a in dims or ():
        if a in params:
            rules[a] = _dim_rule(name, a)
    if name in _DTYPE_OPS and "dtype" in params:
        rules["dtype"] = _dtype_rule(name)
    return rules


# ------------------------------------------------------------------------- the checks
def checks(fn, namespace, name):
    """The argument check of the public entry ``namespace.name`` (None: none): a function of
    ``(args, kwargs)`` that raises PyTorch's error for an argument PyTorch refuses."""
    params = _params(fn)
    if not params:
        return None
    if namespace == "Tensor":
        params = params[1:]
        offset = 1
    else:
        offset = 0
    pos = {p.name: i + offset for i, p in enumerate(params)
           if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)}
    names = {p.name for p in params}
    rules = [(a, pos.get(a), r) for a, r in _rules(namespace, name, names).items()]
    if not rules:
        return None
    first = params[0].name if offset == 0 else None

    def check(args, kwargs):
        vals = {}
        for arg, i, _ in rules:
            v = args[i] if i is not None and i < len(args) else kwargs.get(arg)
            vals[arg] = v
        input = args[0] if args else kwargs.get(first)
        for arg, _, rule in rules:
            v = vals[arg]
            if v is not None:
                rule(v, vals, input)
    return check
