"""Tensor printing in PyTorch's exact format: 4 decimals, integer-valued floats as ``1.``,
scientific notation when the magnitudes call for it, aligned columns, summarised with ``...``
above 1000 elements, and the ``dtype=`` / ``grad_fn=`` / ``requires_grad=`` suffixes."""

from __future__ import annotations

import math

import numpy as _np  # printing works on host copies of the values


class _PrintOptions:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


PRINT_OPTS = _PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set how tensors print (``profile`` is 'default', 'short' or 'full'), as in PyTorch."""
    if profile is not None:
        if profile == "default":
            PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, 1000
            PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
        elif profile == "short":
            PRINT_OPTS.precision, PRINT_OPTS.threshold = 2, 1000
            PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 2, 80
        elif profile == "full":
            PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, math.inf
            PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    return {k: getattr(PRINT_OPTS, k) for k in
            ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")}


class _Formatter:
    def __init__(self, values, floating):
        self.floating_dtype = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        p = PRINT_OPTS.precision
        flat = values.reshape(-1)
        if not floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
        else:
            nz = flat[_np.isfinite(flat) & (flat != 0)]
            if nz.size == 0:
                return
            absv = _np.abs(nz).astype(_np.float64)
            nz_min, nz_max = float(absv.min()), float(absv.max())
            vals = nz.tolist()
            for v in vals:
                if v != math.ceil(v):
                    self.int_mode = False
                    break
            # PyTorch 2.13: the forced sci_mode also decides the widths
            if PRINT_OPTS.sci_mode is None:
                self.sci_mode = nz_max / nz_min > 1000.0 or nz_max > 1.0e8 or nz_min < 1.0e-4
            else:
                self.sci_mode = PRINT_OPTS.sci_mode
            if self.sci_mode:
                for v in vals:
                    self.max_width = max(self.max_width, len(f"{v:.{p}e}"))
            elif self.int_mode:
                for v in vals:
                    self.max_width = max(self.max_width, len(f"{v:.0f}") + 1)
            else:
                for v in vals:
                    self.max_width = max(self.max_width, len(f"{v:.{p}f}"))

    def width(self):
        return self.max_width

    def format(self, value):
        p = PRINT_OPTS.precision
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{p}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _summarized(a):
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return _np.concatenate((a[:e], a[-e:])) if a.shape[0] > 2 * e else a
    if not e:
        return _np.empty((0,) * a.ndim, a.dtype)
    if a.shape[0] > 2 * e:
        parts = [a[i] for i in range(e)] + [a[i] for i in range(a.shape[0] - e, a.shape[0])]
    else:
        parts = list(a)
    return _np.stack([_summarized(x) for x in parts])


def _vector_str(a, indent, summarize, fmt):
    element_length = fmt.width() + 2
    per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / element_length)))
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        data = ([fmt.format(v) for v in a[:e].tolist()] + [" ..."]
                + [fmt.format(v) for v in a[-e:].tolist()])
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(a, indent, summarize, fmt):
    dim = a.ndim
    if dim == 0:
        return fmt.format(a.item())
    if dim == 1:
        return _vector_str(a, indent, summarize, fmt)
    e = PRINT_OPTS.edgeitems
    if summarize and a.shape[0] > 2 * e:
        slices = ([_tensor_str_with_formatter(a[i], indent + 1, summarize, fmt) for i in range(e)]
                  + ["..."]
                  + [_tensor_str_with_formatter(a[i], indent + 1, summarize, fmt)
                     for i in range(a.shape[0] - e, a.shape[0])])
    else:
        slices = [_tensor_str_with_formatter(a[i], indent + 1, summarize, fmt)
                  for i in range(a.shape[0])]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _host(a):
    return a.get() if hasattr(a, "get") and not isinstance(a, _np.ndarray) else _np.asarray(a)


def tensor_contents(t, indent):
    a = _host(t._data)
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    kind = a.dtype.kind
    floating = kind == "f" or a.dtype.name == "bfloat16"  # ml_dtypes' bfloat16 has kind "V"
    if a.dtype.name in ("float16", "bfloat16"):
        a = a.astype(_np.float32)
    if kind == "c":
        return _complex_str(a, indent, summarize)
    fmt = _Formatter(_summarized(a) if summarize else a, floating)
    return _tensor_str_with_formatter(a, indent, summarize, fmt)


def _complex_str(a, indent, summarize):
    real = _Formatter(_summarized(a.real) if summarize else a.real, True)
    imag = _Formatter(_summarized(a.imag) if summarize else a.imag, True)

    class _C:
        def width(self):
            # PyTorch's element length: real width + 2 (", ") + imag width + 1 ("j")
            return real.width() + imag.width() + 1

        def format(self, v):
            im = imag.format(v.imag).lstrip()
            sign = "+" if not im.startswith("-") else "-"
            return real.format(v.real) + sign + im.lstrip("-") + "j"

    return _tensor_str_with_formatter(a, indent, summarize, _C())


def _add_suffixes(tensor_str, suffixes, indent):
    parts = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        n = len(suffix)
        if last_line_len + n + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + n
        else:
            parts.append(", " + suffix)
            last_line_len += n + 2
    parts.append(")")
    return "".join(parts)


def _str(t, tensor_contents=None):
    from .dtypes import get_default_dtype, bool as _bool, int64, complex64, complex128, float64

    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    dev = t.device
    if dev.type != "cpu":
        suffixes.append(f"device='{dev}'")
    dtype = t.dtype
    default = get_default_dtype()
    default_complex = complex128 if default is float64 else complex64
    if t._data.size == 0:
        if t._data.ndim != 1:
            suffixes.append("size=" + str(tuple(t._data.shape)))
        if dtype is not default:
            suffixes.append("dtype=" + str(dtype))
        body = tensor_contents if tensor_contents is not None else "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(t._data.shape)))
        if dtype not in (default, default_complex, int64, _bool):
            suffixes.append("dtype=" + str(dtype))
        body = tensor_contents if tensor_contents is not None else globals()["tensor_contents"](
            t, indent)
    fn = t._grad_fn
    if fn is not None:
        suffixes.append(f"grad_fn=<{type(fn).__name__}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    tangent = getattr(t, "_fw_tangent", None)
    if tangent is not None:
        suffixes.append(f"tangent={tangent!r}")
    return _add_suffixes(prefix + body, suffixes, indent)
