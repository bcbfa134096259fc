"""Function and method builders: one entry per op name -> the ONNX nodes computing it.

Each builder is ``fn(b, args, kwargs, value)``: ``b`` the Builder, ``args``/``kwargs`` the
call's arguments as exporter values (``T``, ``DynInt``, ``Shape`` or Python), ``value`` the
example result (its dtype and shape guide casts and axes). It returns output name(s). The
same table serves ``torch.relu``, ``F.relu``, ``x.relu()`` and ``operator.*`` (keyed by name).
"""

from __future__ import annotations

import math

import numpy as np

import ember

from ._export import DynInt, Shape, T, np_dtype, onnx_dtype

FUNCTION_BUILDERS: dict = {}
INT64_MAX = np.iinfo(np.int64).max


def builder(*names):
    def deco(fn):
        for n in names:
            FUNCTION_BUILDERS[n] = fn
        return fn

    return deco


def arg(args, kwargs, i, name, default=None):
    if len(args) > i:
        return args[i]
    return kwargs.get(name, default)


def out_dtype(value):
    return value.dtype if isinstance(value, ember.Tensor) else ember.int64


def rank(v):
    return v.rank if isinstance(v, T) else 0


def axes_const(b, axes):
    return b.const(list(axes), np.int64)


def _elementwise(op_type, compare=False):
    def build(b, args, kwargs, value):
        a, c = args[0], arg(args, kwargs, 1, "other")
        if compare:
            ts = [x for x in (a, c) if isinstance(x, T)]
            dt = ts[0].dtype if ts else ember.int64
        else:
            dt = out_dtype(value)
        return b.op(op_type, [b.tensor(a, dt), b.tensor(c, dt)])

    return build


for _names, _op in ((("add", "__add__", "iadd"), "Add"), (("sub", "subtract", "isub"), "Sub"),
                    (("mul", "multiply", "imul"), "Mul"), (("truediv", "div", "divide"), "Div"),
                    (("pow",), "Pow"), (("matmul", "bmm", "mm"), "MatMul"),
                    (("maximum",), "Max"), (("minimum",), "Min")):
    builder(*_names)(_elementwise(_op))
for _names, _op in ((("eq",), "Equal"), (("lt", "less"), "Less"), (("gt", "greater"), "Greater"),
                    (("le", "less_equal"), "LessOrEqual"), (("ge", "greater_equal"),
                                                           "GreaterOrEqual")):
    builder(*_names)(_elementwise(_op, compare=True))


@builder("ne", "not_equal")
def _ne(b, args, kwargs, value):
    return b.op("Not", [_elementwise("Equal", compare=True)(b, args, kwargs, value)])


@builder("floordiv", "floor_divide")
def _floordiv(b, args, kwargs, value):
    dt = out_dtype(value)
    q = b.op("Div", [b.tensor(args[0], dt), b.tensor(args[1], dt)])
    return q if not dt.is_floating_point else b.op("Floor", [q])


@builder("rsub")
def _rsub(b, args, kwargs, value):
    dt = out_dtype(value)
    return b.op("Sub", [b.tensor(args[1], dt), b.tensor(args[0], dt)])


def _unary(op_type):
    def build(b, args, kwargs, value):
        return b.op(op_type, [b.tensor(args[0], out_dtype(value))])

    return build


for _names, _op in ((("relu", "relu_"), "Relu"), (("tanh",), "Tanh"), (("sigmoid",), "Sigmoid"),
                    (("exp",), "Exp"), (("log",), "Log"), (("sqrt",), "Sqrt"), (("neg",), "Neg"),
                    (("abs",), "Abs"), (("erf",), "Erf"), (("sin",), "Sin"), (("cos",), "Cos"),
                    (("floor",), "Floor"), (("ceil",), "Ceil"), (("reciprocal",), "Reciprocal"),
                    (("contiguous", "clone", "detach"), "Identity"), (("logical_not",), "Not")):
    builder(*_names)(_unary(_op))


@builder("rsqrt")
def _rsqrt(b, args, kwargs, value):
    return b.op("Reciprocal", [b.op("Sqrt", [b.tensor(args[0])])])


@builder("silu")
def _silu(b, args, kwargs, value):
    x = b.tensor(args[0])
    return b.op("Mul", [x, b.op("Sigmoid", [x])])


@builder("leaky_relu")
def _leaky_relu(b, args, kwargs, value):
    return b.op("LeakyRelu", [b.tensor(args[0])], alpha=float(arg(args, kwargs, 1,
                                                                 "negative_slope", 0.01)))


@builder("elu")
def _elu(b, args, kwargs, value):
    return b.op("Elu", [b.tensor(args[0])], alpha=float(arg(args, kwargs, 1, "alpha", 1.0)))


def gelu(b, x, approximate, dt):
    if b.opset >= 20:
        return b.op("Gelu", [x], approximate=approximate)
    npdt = np_dtype(dt)
    half = b.const(0.5, npdt)
    one = b.const(1.0, npdt)
    if approximate == "tanh":
        x3 = b.op("Mul", [b.op("Mul", [x, x]), x])
        inner = b.op("Add", [x, b.op("Mul", [x3, b.const(0.044715, npdt)])])
        t = b.op("Tanh", [b.op("Mul", [inner, b.const(math.sqrt(2 / math.pi), npdt)])])
    else:
        t = b.op("Erf", [b.op("Div", [x, b.const(math.sqrt(2.0), npdt)])])
    return b.op("Mul", [b.op("Mul", [x, half]), b.op("Add", [one, t])])


@builder("gelu")
def _gelu(b, args, kwargs, value):
    return gelu(b, b.tensor(args[0]), arg(args, kwargs, 1, "approximate", "none"), value.dtype)


def _dim(d, r):
    return d + r if d < 0 else d


@builder("softmax")
def _softmax(b, args, kwargs, value):
    return b.op("Softmax", [b.tensor(args[0], value.dtype)],
                axis=int(arg(args, kwargs, 1, "dim")))


@builder("log_softmax")
def _log_softmax(b, args, kwargs, value):
    return b.op("LogSoftmax", [b.tensor(args[0], value.dtype)],
                axis=int(arg(args, kwargs, 1, "dim")))


@builder("dropout", "dropout1d", "dropout2d", "alpha_dropout")
def _dropout(b, args, kwargs, value):
    if arg(args, kwargs, 2, "training", True):
        return NotImplemented  # only eval-mode dropout (the identity) exports
    return b.op("Identity", [b.tensor(args[0])])


@builder("linear")
def _linear(b, args, kwargs, value):
    x, w, bias = args[0], args[1], arg(args, kwargs, 2, "bias")
    return linear(b, x, w, bias)


def linear(b, x, w, bias):
    wt = b.init_values.get(w.name)
    wname = b.initializer(np.ascontiguousarray(wt.T), w.name + "_T") if wt is not None else \
        b.op("Transpose", [w.name], perm=[1, 0])
    if isinstance(x, T) and x.rank == 2 and bias is not None:
        return b.op("Gemm", [x.name, wname, b.tensor(bias)])
    y = b.op("MatMul", [b.tensor(x), wname])
    return y if bias is None else b.op("Add", [y, b.tensor(bias)])


@builder("transpose", "swapaxes", "swapdims")
def _transpose(b, args, kwargs, value):
    x = args[0]
    d0, d1 = _dim(args[1], x.rank), _dim(args[2], x.rank)
    perm = list(range(x.rank))
    perm[d0], perm[d1] = perm[d1], perm[d0]
    return b.op("Transpose", [x.name], perm=perm)


@builder("t")
def _t(b, args, kwargs, value):
    x = args[0]
    return b.op("Transpose", [x.name], perm=list(reversed(range(x.rank))))


@builder("permute")
def _permute(b, args, kwargs, value):
    x = args[0]
    dims = args[1] if len(args) == 2 and isinstance(args[1], (tuple, list)) else args[1:]
    dims = dims or kwargs.get("dims")
    return b.op("Transpose", [x.name], perm=[_dim(d, x.rank) for d in dims])


def _sizes(args, kwargs, name="shape"):
    if len(args) == 2 and isinstance(args[1], (tuple, list, Shape)):
        return args[1]
    if len(args) == 1:
        return kwargs.get(name, kwargs.get("size"))
    return list(args[1:])


@builder("view", "reshape")
def _reshape(b, args, kwargs, value):
    sizes = _sizes(args, kwargs)
    if isinstance(sizes, tuple) and len(sizes) == 1 and isinstance(sizes[0], ember.dtype):
        return NotImplemented
    return b.op("Reshape", [b.tensor(args[0]), b.ints(sizes)])


@builder("expand")
def _expand(b, args, kwargs, value):
    sizes = _sizes(args, kwargs, "size")
    sizes = [1 if (isinstance(s, int) and s == -1) else s for s in sizes] \
        if not isinstance(sizes, Shape) else sizes
    return b.op("Expand", [b.tensor(args[0]), b.ints(sizes)])


@builder("flatten")
def _flatten(b, args, kwargs, value):
    x = args[0]
    start = _dim(arg(args, kwargs, 1, "start_dim", 0), x.rank)
    end = _dim(arg(args, kwargs, 2, "end_dim", -1), x.rank)
    shape = b.op("Shape", [x.name])
    parts = []
    if start > 0:
        parts.append(b.op("Slice", [shape, b.const([0], np.int64), b.const([start], np.int64)]))
    parts.append(b.const([-1], np.int64))
    if end < x.rank - 1:
        parts.append(b.op("Slice", [shape, b.const([end + 1], np.int64),
                                    b.const([x.rank], np.int64)]))
    return b.op("Reshape", [x.name, b.op("Concat", parts, axis=0)])


@builder("unsqueeze")
def _unsqueeze(b, args, kwargs, value):
    x = args[0]
    d = arg(args, kwargs, 1, "dim")
    return b.op("Unsqueeze", [b.tensor(x), axes_const(b, [_dim(d, rank(x) + 1)])])


@builder("squeeze")
def _squeeze(b, args, kwargs, value):
    x = args[0]
    d = arg(args, kwargs, 1, "dim")
    if d is None:
        return b.op("Squeeze", [x.name])
    ds = d if isinstance(d, (tuple, list)) else [d]
    ds = [_dim(i, x.rank) for i in ds if x.shape[_dim(i, x.rank)] == 1]
    return b.op("Squeeze", [x.name, axes_const(b, ds)]) if ds else b.op("Identity", [x.name])


@builder("cat", "concat", "concatenate")
def _cat(b, args, kwargs, value):
    dt = value.dtype
    xs = [b.tensor(t, dt) for t in args[0]]
    return b.op("Concat", xs, axis=int(arg(args, kwargs, 1, "dim", 0)))


@builder("stack")
def _stack(b, args, kwargs, value):
    d = _dim(arg(args, kwargs, 1, "dim", 0), value.dim())
    xs = [b.op("Unsqueeze", [b.tensor(t, value.dtype), axes_const(b, [d])]) for t in args[0]]
    return b.op("Concat", xs, axis=d)


@builder("split", "chunk")
def _split(b, args, kwargs, value):
    x = args[0]
    d = _dim(arg(args, kwargs, 2, "dim", 0), x.rank)
    sizes = [int(v.shape[d]) for v in value]
    outs = b.op("Split", [x.name, b.const(sizes, np.int64)], n_out=len(sizes), axis=d)
    return tuple([outs] if len(sizes) == 1 else outs)


@builder("getitem")
def _getitem(b, args, kwargs, value):
    x, key = args
    if isinstance(x, (tuple, list)):
        return x[key]
    if isinstance(x, Shape):
        if isinstance(key, int):
            return b.op("Gather", [x.name, b.const(key, np.int64)], axis=0)
        if isinstance(key, slice) and key.step in (None, 1):
            start = 0 if key.start is None else key.start
            stop = INT64_MAX if key.stop is None else key.stop
            return b.op("Slice", [x.name, b.ints([start]), b.ints([stop])])
        return NotImplemented
    return index(b, x, key)


def index(b, x, key):
    key = key if isinstance(key, tuple) else (key,)
    if any(isinstance(k, (T, list)) for k in key):
        return NotImplemented  # advanced (tensor) indexing
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
    name, cur = x.name, 0
    for k in key:
        if k is Ellipsis:
            cur += x.rank - n_real
        elif k is None:
            name = b.op("Unsqueeze", [name, axes_const(b, [cur])])
            cur += 1
        elif isinstance(k, (int, DynInt)):
            idx = b.const(k, np.int64) if isinstance(k, int) else k.name
            name = b.op("Gather", [name, idx], axis=cur)
        elif isinstance(k, slice):
            if k == slice(None):
                cur += 1
                continue
            start = 0 if k.start is None else k.start
            stop = INT64_MAX if k.stop is None else k.stop
            step = 1 if k.step is None else k.step
            name = b.op("Slice", [name, b.ints([start]), b.ints([stop]), axes_const(b, [cur]),
                                  b.ints([step])])
            cur += 1
        else:
            return NotImplemented
    return name


@builder("getattr")
def _getattr(b, args, kwargs, value):
    x, attr = args
    if attr == "shape" and isinstance(x, T):
        return Shape(b.op("Shape", [x.name]), x.shape)
    if attr == "ndim" and isinstance(x, T):
        return x.rank
    if attr == "T" and isinstance(x, T):
        return b.op("Transpose", [x.name], perm=list(reversed(range(x.rank))))
    return NotImplemented


@builder("size")
def _size(b, args, kwargs, value):
    x = args[0]
    d = arg(args, kwargs, 1, "dim")
    shape = b.op("Shape", [x.name])
    if d is None:
        return Shape(shape, x.shape)
    return DynInt(b.op("Gather", [shape, b.const(_dim(d, x.rank), np.int64)], axis=0),
                  x.shape[d])


@builder("dim")
def _dimfn(b, args, kwargs, value):
    return args[0].rank


@builder("masked_fill")
def _masked_fill(b, args, kwargs, value):
    x, mask, v = args[0], arg(args, kwargs, 1, "mask"), arg(args, kwargs, 2, "value")
    cond = b.tensor(mask, ember.bool)
    return b.op("Where", [cond, b.tensor(v, x.dtype), x.name])


@builder("where")
def _where(b, args, kwargs, value):
    c, x, y = args
    return b.op("Where", [b.tensor(c, ember.bool), b.tensor(x, value.dtype),
                          b.tensor(y, value.dtype)])


def _reduce(op_type):
    def build(b, args, kwargs, value):
        x = args[0]
        dim = arg(args, kwargs, 1, "dim")
        keep = int(bool(arg(args, kwargs, 2, "keepdim", False)))
        ins = [b.tensor(x, value.dtype)]
        if dim is not None:
            dims = list(dim) if isinstance(dim, (tuple, list)) else [dim]
            if op_type == "ReduceSum" or b.opset >= 18:
                ins.append(axes_const(b, dims))
                return b.op(op_type, ins, keepdims=keep)
            return b.op(op_type, ins, keepdims=keep, axes=dims)
        return b.op(op_type, ins, keepdims=0)

    return build


builder("mean")(_reduce("ReduceMean"))
builder("sum")(_reduce("ReduceSum"))
builder("amax")(_reduce("ReduceMax"))


@builder("float", "double", "long", "int", "bool", "half", "to", "type_as", "type")
def _cast(b, args, kwargs, value):
    return b.op("Cast", [b.tensor(args[0])], to=onnx_dtype(value.dtype))


@builder("arange")
def _arange(b, args, kwargs, value):
    nums = [a for a in args if not isinstance(a, ember.dtype)]
    start, end, step = (0, nums[0], 1) if len(nums) == 1 else (
        (nums[0], nums[1], 1) if len(nums) == 2 else nums[:3])
    start, end, step = kwargs.get("start", start), kwargs.get("end", end), kwargs.get("step",
                                                                                      step)
    dt = ember.int64
    r = b.op("Range", [b.tensor(start, dt), b.tensor(end, dt), b.tensor(step, dt)])
    return b.op("Cast", [r], to=onnx_dtype(value.dtype))


@builder("zeros", "ones")
def _fill(b, args, kwargs, value):
    sizes = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list, Shape)) else args
    from onnx import helper

    fill = 0.0 if not value.any().item() else 1.0
    tensor = helper.make_tensor("value", onnx_dtype(value.dtype), [1], [fill])
    return b.op("ConstantOfShape", [b.ints(sizes)], value=tensor)


@builder("scaled_dot_product_attention")
def _sdpa(b, args, kwargs, value):
    q, k, v = args[:3]
    mask = arg(args, kwargs, 3, "attn_mask")
    causal = arg(args, kwargs, 5, "is_causal", False)
    scale = arg(args, kwargs, 6, "scale")
    return attention(b, q, k, v, mask, causal, scale, q.dtype)[0]


def attention(b, q, k, v, mask, causal, scale, dt, want_weights=False):
    """softmax(q k^T * scale + mask) v on the last two axes (q, k, v: T)."""
    npdt = np_dtype(dt)
    e = q.shape[-1]
    scale = 1.0 / math.sqrt(e) if scale is None else scale
    kt = b.op("Transpose", [k.name], perm=list(range(k.rank - 2)) + [k.rank - 1, k.rank - 2])
    s = b.op("Mul", [b.op("MatMul", [q.name, kt]), b.const(scale, npdt)])
    if causal:
        sq = b.op("Shape", [q.name])
        sk = b.op("Shape", [k.name])
        lq = b.op("Slice", [sq, b.const([-2], np.int64), b.const([-1], np.int64)])
        lk = b.op("Slice", [sk, b.const([-2], np.int64), b.const([-1], np.int64)])
        from onnx import helper

        ones = b.op("ConstantOfShape", [b.op("Concat", [lq, lk], axis=0)],
                    value=helper.make_tensor("value", onnx_dtype(ember.bool), [1], [True]))
        tri = b.op("Trilu", [b.op("Cast", [ones], to=onnx_dtype(ember.int64))], upper=0)
        keep = b.op("Cast", [tri], to=onnx_dtype(ember.bool))
        s = b.op("Where", [keep, s, b.const(-np.inf, npdt)])
    if mask is not None:
        if isinstance(mask, T) and str(mask.dtype) == "torch.bool":
            s = b.op("Where", [mask.name, s, b.const(-np.inf, npdt)])
        else:
            s = b.op("Add", [s, b.tensor(mask, dt)])
    p = b.op("Softmax", [s], axis=-1)
    return b.op("MatMul", [p, v.name]), p


def _trilu(upper):
    def build(b, args, kwargs, value):
        k = arg(args, kwargs, 1, "diagonal", 0)
        return b.op("Trilu", [b.tensor(args[0]), b.tensor(k, ember.int64)], upper=upper)

    return build


builder("tril")(_trilu(0))
builder("triu")(_trilu(1))
