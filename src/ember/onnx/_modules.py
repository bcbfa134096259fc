"""Module builders: ember modules exported whole (``fn(b, module, qualname, args, kwargs)``).

A module listed here is recorded as one ``call_module`` node while capturing and translated
from its attributes, its parameters becoming initializers named by their state_dict keys
(``fc1.weight``), as PyTorch's exporter names them. Modules not listed are traced through.
"""

from __future__ import annotations

import numpy as np


from ._export import T, np_dtype
from ._ops import attention, gelu, linear

MODULE_BUILDERS: dict = {}


def module(*names):
    def deco(fn):
        for n in names:
            MODULE_BUILDERS[n] = fn
        return fn

    return deco


def _p(b, mod, qual, name):
    t = getattr(mod, name)
    return None if t is None else T(b.param(t, f"{qual}.{name}"), t.shape, t.dtype)


def _ntuple(v, n):
    return list(v) if isinstance(v, (tuple, list)) else [v] * n


@module("Linear")
def _linear(b, mod, qual, args, kwargs):
    return linear(b, args[0], _p(b, mod, qual, "weight"), _p(b, mod, qual, "bias"))


@module("Identity", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout")
def _identity(b, mod, qual, args, kwargs):
    if mod.training and type(mod).__name__ != "Identity":
        from . import UnsupportedOperatorError

        raise UnsupportedOperatorError("Dropout in training mode does not export to ONNX")
    return b.op("Identity", [b.tensor(args[0])])


def _simple(op_type, **attrs):
    def build(b, mod, qual, args, kwargs):
        return b.op(op_type, [b.tensor(args[0])],
                    **{k: (getattr(mod, v) if isinstance(v, str) else v)
                       for k, v in attrs.items()})

    return build


module("ReLU")(_simple("Relu"))
module("Tanh")(_simple("Tanh"))
module("Sigmoid")(_simple("Sigmoid"))
module("Softmax")(_simple("Softmax", axis="dim"))
module("LogSoftmax")(_simple("LogSoftmax", axis="dim"))


@module("LeakyReLU")
def _leaky(b, mod, qual, args, kwargs):
    return b.op("LeakyRelu", [b.tensor(args[0])], alpha=float(mod.negative_slope))


@module("ELU")
def _elu(b, mod, qual, args, kwargs):
    return b.op("Elu", [b.tensor(args[0])], alpha=float(mod.alpha))


@module("GELU")
def _gelu(b, mod, qual, args, kwargs):
    return gelu(b, b.tensor(args[0]), mod.approximate, args[0].dtype)


@module("SiLU")
def _silu(b, mod, qual, args, kwargs):
    x = b.tensor(args[0])
    return b.op("Mul", [x, b.op("Sigmoid", [x])])


@module("Flatten")
def _flatten(b, mod, qual, args, kwargs):
    from ._ops import FUNCTION_BUILDERS

    return FUNCTION_BUILDERS["flatten"](b, (args[0], mod.start_dim, mod.end_dim), {}, None)


@module("Conv1d", "Conv2d", "Conv3d")
def _conv(b, mod, qual, args, kwargs):
    if mod.padding_mode != "zeros":
        return _unsupported(mod, f"padding_mode={mod.padding_mode!r}")
    n = len(mod.kernel_size)
    k = list(mod.kernel_size)
    dil = _ntuple(mod.dilation, n)
    if isinstance(mod.padding, str):
        if mod.padding == "valid":
            pads = [0] * (2 * n)
        else:  # "same": PyTorch puts the odd extra padding at the end
            total = [d * (kk - 1) for d, kk in zip(dil, k)]
            pads = [t // 2 for t in total] + [t - t // 2 for t in total]
    else:
        p = _ntuple(mod.padding, n)
        pads = p + p
    ins = [b.tensor(args[0]), _p(b, mod, qual, "weight").name]
    if mod.bias is not None:
        ins.append(_p(b, mod, qual, "bias").name)
    return b.op("Conv", ins, kernel_shape=k, strides=_ntuple(mod.stride, n), pads=pads,
                dilations=dil, group=int(mod.groups))


@module("BatchNorm1d", "BatchNorm2d", "BatchNorm3d")
def _batchnorm(b, mod, qual, args, kwargs):
    x = args[0]
    c = mod.num_features
    dt = np_dtype(x.dtype)
    w = _p(b, mod, qual, "weight").name if mod.weight is not None else b.const(np.ones(c), dt)
    bias = _p(b, mod, qual, "bias").name if mod.bias is not None else b.const(np.zeros(c), dt)
    if mod.running_mean is None:
        return _unsupported(mod, "track_running_stats=False")
    mean = _p(b, mod, qual, "running_mean").name
    var = _p(b, mod, qual, "running_var").name
    return b.op("BatchNormalization", [x.name, w, bias, mean, var], epsilon=float(mod.eps))


@module("LayerNorm")
def _layernorm(b, mod, qual, args, kwargs):
    x = args[0]
    shape = tuple(mod.normalized_shape)
    dt = np_dtype(x.dtype)
    w = _p(b, mod, qual, "weight").name if mod.weight is not None else \
        b.const(np.ones(shape), dt)
    bias = _p(b, mod, qual, "bias").name if getattr(mod, "bias", None) is not None else \
        b.const(np.zeros(shape), dt)
    return b.op("LayerNormalization", [x.name, w, bias], axis=-len(shape),
                epsilon=float(mod.eps))


@module("Embedding")
def _embedding(b, mod, qual, args, kwargs):
    if mod.max_norm is not None:
        return _unsupported(mod, "max_norm")
    return b.op("Gather", [_p(b, mod, qual, "weight").name, b.tensor(args[0])], axis=0)


def _pool_common(mod, n):
    k = _ntuple(mod.kernel_size, n)
    s = _ntuple(mod.stride if mod.stride is not None else mod.kernel_size, n)
    p = _ntuple(mod.padding, n)
    return k, s, p + p


@module("MaxPool1d", "MaxPool2d", "MaxPool3d")
def _maxpool(b, mod, qual, args, kwargs):
    n = int(type(mod).__name__[-2])
    if getattr(mod, "return_indices", False):
        return _unsupported(mod, "return_indices=True")
    k, s, pads = _pool_common(mod, n)
    return b.op("MaxPool", [b.tensor(args[0])], kernel_shape=k, strides=s, pads=pads,
                dilations=_ntuple(mod.dilation, n), ceil_mode=int(mod.ceil_mode))


@module("AvgPool1d", "AvgPool2d", "AvgPool3d")
def _avgpool(b, mod, qual, args, kwargs):
    n = int(type(mod).__name__[-2])
    if getattr(mod, "divisor_override", None):
        return _unsupported(mod, "divisor_override")
    k, s, pads = _pool_common(mod, n)
    return b.op("AveragePool", [b.tensor(args[0])], kernel_shape=k, strides=s, pads=pads,
                ceil_mode=int(mod.ceil_mode), count_include_pad=int(mod.count_include_pad))


@module("AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d")
def _adaptive_avg(b, mod, qual, args, kwargs):
    x = args[0]
    n = int(type(mod).__name__[-2])
    out = _ntuple(mod.output_size, n)
    spatial = list(x.shape[-n:])
    out = [s if o is None else o for o, s in zip(out, spatial)]
    if all(o == 1 for o in out):
        return b.op("GlobalAveragePool", [x.name])
    if any(s % o for s, o in zip(spatial, out)):
        return _unsupported(mod, f"output_size {tuple(out)} not dividing the input {spatial}")
    k = [s // o for s, o in zip(spatial, out)]
    return b.op("AveragePool", [x.name], kernel_shape=k, strides=k)


def _unsupported(mod, why):
    from . import UnsupportedOperatorError

    raise UnsupportedOperatorError(f"Exporting the module '{type(mod).__name__}' with {why} to "
                                   "ONNX is not supported.")


# -- recurrent layers: ONNX has LSTM/GRU/RNN ops (gate order differs from PyTorch's) ------------
def _reorder(w, kind, h):
    if kind == "LSTM":  # PyTorch i, f, g, o -> ONNX i, o, f, c
        return np.concatenate([w[0:h], w[3 * h:4 * h], w[h:2 * h], w[2 * h:3 * h]])
    if kind == "GRU":  # PyTorch r, z, n -> ONNX z, r, h
        return np.concatenate([w[h:2 * h], w[0:h], w[2 * h:3 * h]])
    return w


@module("LSTM", "GRU", "RNN")
def _rnn(b, mod, qual, args, kwargs):
    kind = type(mod).__name__
    if getattr(mod, "proj_size", 0):
        return _unsupported(mod, "proj_size")
    x = args[0]
    hx = args[1] if len(args) > 1 else kwargs.get("hx")
    h = mod.hidden_size
    dirs = 2 if mod.bidirectional else 1
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[kind]
    dt = np_dtype(x.dtype)
    unbatched = x.rank == 2
    name = x.name
    if unbatched:
        name = b.op("Unsqueeze", [name, b.const([1], np.int64)])
    elif mod.batch_first:
        name = b.op("Transpose", [name], perm=[1, 0, 2])
    h0 = c0 = None
    if hx is not None:
        h0, c0 = (hx if kind == "LSTM" else (hx, None))
        h0 = b.tensor(h0)
        c0 = b.tensor(c0) if c0 is not None else None
        if unbatched:
            h0 = b.op("Unsqueeze", [h0, b.const([1], np.int64)])
            c0 = b.op("Unsqueeze", [c0, b.const([1], np.int64)]) if c0 is not None else None
    hs, cs = [], []
    for layer in range(mod.num_layers):
        sfx = [f"_l{layer}", f"_l{layer}_reverse"][:dirs]
        def npw(n):
            return getattr(mod, n).detach().numpy()
        w = np.stack([_reorder(npw("weight_ih" + s), kind, h) for s in sfx]).astype(dt)
        r = np.stack([_reorder(npw("weight_hh" + s), kind, h) for s in sfx]).astype(dt)
        if mod.bias:
            bias = np.stack([np.concatenate([_reorder(npw("bias_ih" + s), kind, h),
                                             _reorder(npw("bias_hh" + s), kind, h)])
                             for s in sfx]).astype(dt)
        else:
            bias = np.zeros((dirs, 2 * gates * h), dt)
        ins = [name, b.initializer(w, f"{qual}.W_l{layer}"), b.initializer(r, f"{qual}.R_l{layer}"),
               b.initializer(bias, f"{qual}.B_l{layer}"), ""]
        sl = [b.const([layer * dirs], np.int64), b.const([(layer + 1) * dirs], np.int64)]
        ins.append(b.op("Slice", [h0] + sl) if h0 is not None else "")
        if kind == "LSTM":
            ins.append(b.op("Slice", [c0] + sl) if c0 is not None else "")
        attrs = dict(hidden_size=h, direction="bidirectional" if dirs == 2 else "forward")
        if kind == "GRU":
            attrs["linear_before_reset"] = 1
        if kind == "RNN":
            attrs["activations"] = ["Tanh" if mod.nonlinearity == "tanh" else "Relu"] * dirs
        while ins and ins[-1] == "":
            ins.pop()
        outs = b.op(kind, ins, n_out=3 if kind == "LSTM" else 2, **attrs)
        y = outs[0]
        hs.append(outs[1])
        if kind == "LSTM":
            cs.append(outs[2])
        # Y is (seq, dirs, batch, hidden) -> (seq, batch, dirs * hidden)
        y = b.op("Transpose", [y], perm=[0, 2, 1, 3])
        name = b.op("Reshape", [y, b.const([0, 0, -1], np.int64)])
    h_n = hs[0] if len(hs) == 1 else b.op("Concat", hs, axis=0)
    c_n = (cs[0] if len(cs) == 1 else b.op("Concat", cs, axis=0)) if cs else None
    if unbatched:
        ax = b.const([1], np.int64)
        name = b.op("Squeeze", [name, ax])
        h_n = b.op("Squeeze", [h_n, ax])
        c_n = b.op("Squeeze", [c_n, ax]) if c_n is not None else None
    elif mod.batch_first:
        name = b.op("Transpose", [name], perm=[1, 0, 2])
    return (name, (h_n, c_n)) if kind == "LSTM" else (name, h_n)


@module("MultiheadAttention")
def _mha(b, mod, qual, args, kwargs):
    names = ["query", "key", "value", "key_padding_mask", "need_weights", "attn_mask",
             "average_attn_weights", "is_causal"]
    defaults = [None, None, None, None, True, None, True, False]
    a = {n: (args[i] if i < len(args) else kwargs.get(n, d))
         for i, (n, d) in enumerate(zip(names, defaults))}
    if not mod._qkv_same_embed_dim or a["key_padding_mask"] is not None:
        return _unsupported(mod, "separate key/value dims or key_padding_mask")
    q, k, v = a["query"], a["key"], a["value"]
    e, heads = mod.embed_dim, mod.num_heads
    hd = e // heads
    dt = q.dtype
    w = mod.in_proj_weight.detach().numpy()
    bias = mod.in_proj_bias.detach().numpy() if mod.in_proj_bias is not None else None
    batched = q.rank == 3

    def proj(x, i):
        xn = x.name
        if batched and not mod.batch_first:
            xn = b.op("Transpose", [xn], perm=[1, 0, 2])  # (L, N, E) -> (N, L, E)
        if not batched:
            xn = b.op("Unsqueeze", [xn, b.const([0], np.int64)])
        wi = b.initializer(np.ascontiguousarray(w[i * e:(i + 1) * e].T), f"{qual}.in_proj_{i}")
        y = b.op("MatMul", [xn, wi])
        if bias is not None:
            y = b.op("Add", [y, b.initializer(bias[i * e:(i + 1) * e], f"{qual}.in_bias_{i}")])
        y = b.op("Reshape", [y, b.const([0, 0, heads, hd], np.int64)])
        return T(b.op("Transpose", [y], perm=[0, 2, 1, 3]), (0, heads, 0, hd), dt)

    qh, kh, vh = proj(q, 0), proj(k, 1), proj(v, 2)
    mask = a["attn_mask"]
    out, p = attention(b, qh, kh, vh, mask, bool(a["is_causal"]) and mask is None, None, dt,
                       want_weights=True)
    out = b.op("Reshape", [b.op("Transpose", [out], perm=[0, 2, 1, 3]),
                           b.const([0, 0, e], np.int64)])
    ow = mod.out_proj.weight.detach().numpy()
    out = b.op("MatMul", [out, b.initializer(np.ascontiguousarray(ow.T),
                                             f"{qual}.out_proj.weight_T")])
    if mod.out_proj.bias is not None:
        out = b.op("Add", [out, b.param(mod.out_proj.bias, f"{qual}.out_proj.bias")])
    if not batched:
        out = b.op("Squeeze", [out, b.const([0], np.int64)])
    elif not mod.batch_first:
        out = b.op("Transpose", [out], perm=[1, 0, 2])
    weights = None
    if a["need_weights"]:
        weights = p
        if a["average_attn_weights"]:
            weights = b.op("ReduceMean", [p], axes=[1], keepdims=0) if b.opset < 18 else \
                b.op("ReduceMean", [p, b.const([1], np.int64)], keepdims=0)
        if not batched:
            weights = b.op("Squeeze", [weights, b.const([0], np.int64)])
    return out, weights


