"""Differential probe of what programs *print*: the same snippet runs on ember and on PyTorch 2.13
and the printed strings are compared character for character.

Each case is ``fn(L)`` with ``L`` the library module (``ember`` or ``torch``); it returns the text a
program would print (``repr``/``str`` of tensors, grad_fn nodes, ``torch.Size``, named tuples,
``nn.Module`` and optimizer reprs, ``state_dict`` layouts, f-strings ...). Inputs are explicit lists
or fixed NumPy arrays, never random draws, so both libraries see the same numbers. Error cases
compare the exception type and the message. Everything here skips without PyTorch.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings

import numpy as np
import pytest

import ember
from oracle import requires_torch, torch

pytestmark = requires_torch

_RNG = np.random.default_rng(1234)
A34 = _RNG.standard_normal((3, 4))
A234 = _RNG.standard_normal((2, 3, 4))
A2123 = _RNG.standard_normal((2, 1, 2, 3))
A5 = _RNG.standard_normal(5)
A40 = _RNG.standard_normal(40)


def _printed(*objs):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        print(*objs)
    return buf.getvalue()


def _t(L, a, dtype=None, rg=False):
    dtype = getattr(L, dtype) if isinstance(dtype, str) else dtype
    return L.tensor(np.asarray(a).tolist(), dtype=dtype, requires_grad=rg)


# ------------------------------------------------------------------------- tensor reprs
TENSOR_CASES = {
    # every dtype, small
    "f16": lambda L: L.tensor([1.5, -2.25, 1e-3], dtype=L.float16),
    "f32": lambda L: _t(L, A34),
    "f64": lambda L: _t(L, A34, "float64"),
    "bf16": lambda L: L.tensor([1.5, -2.25, 3.0, 100.125], dtype=L.bfloat16),
    "bf16_0d": lambda L: L.tensor(0.1, dtype=L.bfloat16),
    "c64": lambda L: L.tensor([1 + 2j, -0.5 - 1.25j], dtype=L.complex64),
    "c128": lambda L: L.tensor([[1 + 2j, 3j], [0.125, -1e-3j]], dtype=L.complex128),
    "c64_0d": lambda L: L.tensor(2.5 - 1j, dtype=L.complex64),
    "i8": lambda L: L.tensor([-128, 0, 127], dtype=L.int8),
    "i16": lambda L: L.tensor([[-1, 2], [300, 4]], dtype=L.int16),
    "i32": lambda L: L.tensor([1, 2, 3], dtype=L.int32),
    "i64": lambda L: L.tensor([1, 2, 3]),
    "u8": lambda L: L.tensor([0, 255], dtype=L.uint8),
    "bool": lambda L: L.tensor([[True, False], [False, False]]),
    "bool_0d": lambda L: L.tensor(False),
    # 0-d and empty
    "0d_f32": lambda L: L.tensor(-0.5),
    "0d_f32_int": lambda L: L.tensor(7.0),
    "0d_i32": lambda L: L.tensor(7, dtype=L.int32),
    "0d_f64": lambda L: L.tensor(1e-8, dtype=L.float64),
    "0d_f16": lambda L: L.tensor(3.0, dtype=L.float16),
    "empty_f16": lambda L: L.zeros(0, dtype=L.float16),
    "empty_bool": lambda L: L.zeros(0, 2, dtype=L.bool),
    "empty_c64": lambda L: L.zeros(3, 0, dtype=L.complex64),
    "empty_i32_3d": lambda L: L.zeros(2, 0, 3, dtype=L.int32),
    "empty_rg": lambda L: L.zeros(0, requires_grad=True),
    # shapes
    "3d": lambda L: _t(L, A234),
    "4d": lambda L: _t(L, A2123),
    "4d_int": lambda L: L.arange(24).reshape(1, 2, 3, 4),
    "5d": lambda L: L.ones(1, 1, 1, 2, 2),
    # summarisation
    "summ_1001": lambda L: L.arange(1001.0),
    "summ_1000": lambda L: L.arange(1000),
    "summ_2d_rows": lambda L: L.arange(2000).reshape(1000, 2),
    "summ_2d_cols": lambda L: L.arange(2000).reshape(2, 1000),
    "summ_3d": lambda L: L.arange(4000.0).reshape(20, 10, 20) / 3,
    "summ_bool": lambda L: L.arange(1500).reshape(30, 50) % 2 == 0,
    "summ_c64": lambda L: L.arange(1200.0).to(L.complex64) * (1 + 1j),
    "summ_f64": lambda L: L.linspace(0, 1, 1200, dtype=L.float64),
    "summ_rg": lambda L: L.arange(1200.0).requires_grad_(),
    # magnitudes
    "sci_mix": lambda L: L.tensor([1e-5, 1e5]),
    "sci_mix3": lambda L: L.tensor([1e-5, 1.0, 1e5]),
    "no_sci_1e3": lambda L: L.tensor([0.01, 100.0]),
    "ints_as_float": lambda L: L.tensor([1.0, 2.0]),
    "ints_as_float_big": lambda L: L.tensor([1.0, 2e8]),
    "ints_as_float_1e16": lambda L: L.tensor([1.0, 1e16]),
    "all_zero": lambda L: L.zeros(2, 2),
    "all_zero_f64": lambda L: L.zeros(3, dtype=L.float64),
    "nan_inf": lambda L: L.tensor([[float("nan"), 1.0], [float("inf"), -float("inf")]]),
    "nan_only_ints": lambda L: L.tensor([float("nan"), 2.0, 3.0]),
    "inf_sci": lambda L: L.tensor([float("inf"), 1e-6, 1.0]),
    "neg_zero": lambda L: L.tensor([-0.0, 0.0]),
    "neg_zero_frac": lambda L: L.tensor([-0.0, 0.5]),
    "neg_small": lambda L: L.tensor([-1e-10, 1.0]),
    "neg_ints": lambda L: L.tensor([-1.0, -10.0, 100.0]),
    "f16_sci": lambda L: L.tensor([1e-4, 6e4], dtype=L.float16),
    "f64_precise": lambda L: L.tensor([1 / 3, 2 / 3], dtype=L.float64),
    "c_nan": lambda L: L.tensor([complex(float("nan"), 1), 1 + 1j]),
    "c_sci": lambda L: L.tensor([1e-6 + 1e6j]),
    "long_row": lambda L: _t(L, A40),
    "long_row_int": lambda L: L.arange(0, 4000, 97),
    "long_row_rg": lambda L: _t(L, A40, rg=True),
    "long_row_f64": lambda L: _t(L, A40, "float64"),
    # requires_grad and grad_fn suffixes
    "rg_f64": lambda L: L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True),
    "rg_0d": lambda L: L.tensor(2.0, requires_grad=True),
    "rg_f16": lambda L: L.tensor([1.0], dtype=L.float16, requires_grad=True),
    "gf_f64": lambda L: L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True).sum(),
    "param": lambda L: L.nn.Parameter(L.tensor([[1.0, 2.0]])),
    "param_f64": lambda L: L.nn.Parameter(L.tensor([1.5], dtype=L.float64)),
    "param_nograd": lambda L: L.nn.Parameter(L.tensor([1.5]), requires_grad=False),
    "param_int": lambda L: L.nn.Parameter(L.tensor([1, 2]), requires_grad=False),
    "param_0d": lambda L: L.nn.Parameter(L.tensor(3.0)),
    "detached": lambda L: (L.tensor([1.0], requires_grad=True) * 2).detach(),
    "no_grad": lambda L: _no_grad(L),
}


def _no_grad(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    with L.no_grad():
        return x * 2


_NO_BF16 = pytest.mark.skipif(
    ember.bfloat16 is None, reason="ember offers bfloat16 only with ml_dtypes installed"
)


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=_NO_BF16) if "bf16" in n else n for n in sorted(TENSOR_CASES)]
)
def test_tensor_repr(name):
    e, t = TENSOR_CASES[name](ember), TENSOR_CASES[name](torch)
    assert repr(e) == repr(t)
    assert str(e) == str(t)
    assert _printed(e) == _printed(t)


# ------------------------------------------------------------------------- grad_fn names
def _leaf(L, a=A34, dtype=None):
    return _t(L, a, dtype, rg=True)


GRAD_FN_CASES = {
    "AddBackward0": lambda L, x: x + x,
    "AddBackward0_scalar": lambda L, x: x + 1,
    "SubBackward0": lambda L, x: x - x * 2,
    "SubBackward0_scalar": lambda L, x: x - 1,
    "RsubBackward1": lambda L, x: 1 - x,
    "MulBackward0": lambda L, x: x * 3,
    "DivBackward0": lambda L, x: x / 3,
    "DivBackward0_t": lambda L, x: x / (x + 5),
    "RdivBackward": lambda L, x: 1 / (x + 5),
    "NegBackward0": lambda L, x: -x,
    "PowBackward0": lambda L, x: x**2,
    "PowBackward1": lambda L, x: x.abs() ** x,
    "RpowBackward": lambda L, x: 2**x,
    "SumBackward0": lambda L, x: x.sum(),
    "SumBackward1": lambda L, x: x.sum(0),
    "MeanBackward0": lambda L, x: x.mean(),
    "MeanBackward1": lambda L, x: x.mean(dim=1),
    "ViewBackward0": lambda L, x: x.view(12),
    "ReshapeAliasBackward": lambda L, x: x.reshape(4, 3),
    "ReshapeNonContig": lambda L, x: x.t().reshape(12),
    "FlattenBackward": lambda L, x: x.flatten(),
    "ExpandBackward0": lambda L, x: x[:1].expand(3, 4),
    "MmBackward0": lambda L, x: x.mm(x.t()),
    "MatmulBackward": lambda L, x: x @ x.t(),
    "MvBackward0": lambda L, x: x @ x[0],
    "DotBackward0": lambda L, x: x[0] @ x[1],
    "BmmBackward0": lambda L, x: x.unsqueeze(0).bmm(x.t().unsqueeze(0)),
    "TBackward0": lambda L, x: x.t(),
    "SelectBackward0": lambda L, x: x[0],
    "SelectBackward0_int": lambda L, x: x[1, 2],
    "SliceBackward0": lambda L, x: x[1:],
    "SliceBackward0_step": lambda L, x: x[:, ::2],
    "IndexBackward0": lambda L, x: x[[0, 2]],
    "IndexBackward0_mask": lambda L, x: x[x > 0],
    "CloneBackward0": lambda L, x: x.clone(),
    "CatBackward0": lambda L, x: L.cat([x, x]),
    "StackBackward0": lambda L, x: L.stack([x, x]),
    "SqueezeBackward0": lambda L, x: x[:1].squeeze(),
    "SqueezeBackward1": lambda L, x: x[:1].squeeze(0),
    "UnsqueezeBackward0": lambda L, x: x.unsqueeze(1),
    "PermuteBackward0": lambda L, x: x.permute(1, 0),
    "TransposeBackward0": lambda L, x: x.transpose(0, 1),
    "ReluBackward0": lambda L, x: x.relu(),
    "ReluBackward0_F": lambda L, x: L.nn.functional.relu(x),
    "SigmoidBackward0": lambda L, x: x.sigmoid(),
    "TanhBackward0": lambda L, x: x.tanh(),
    "ExpBackward0": lambda L, x: x.exp(),
    "LogBackward0": lambda L, x: x.abs().log(),
    "AbsBackward0": lambda L, x: x.abs(),
    "SqrtBackward0": lambda L, x: x.abs().sqrt(),
    "SinBackward0": lambda L, x: x.sin(),
    "CosBackward0": lambda L, x: x.cos(),
    "MaxBackward1": lambda L, x: x.max(),
    "MaxBackward0": lambda L, x: x.max(dim=0).values,
    "MinBackward1": lambda L, x: x.min(),
    "AmaxBackward0": lambda L, x: x.amax(1),
    "ClampBackward1": lambda L, x: x.clamp(-0.5, 0.5),
    "ClampMinBackward0": lambda L, x: x.clamp(min=0),
    "WhereBackward0": lambda L, x: L.where(x > 0, x, 0.0),
    "AddmmBackward0": lambda L, x: L.nn.functional.linear(x, x, x[:, 0]),
    "AddmmBackward0_param": lambda L, x: L.nn.functional.linear(
        x.detach(), L.nn.Parameter(x.detach()), L.nn.Parameter(x.detach()[:, 0])
    ),
    "LinearNoBias": lambda L, x: L.nn.functional.linear(x, x),
    "LogSoftmaxBackward0": lambda L, x: x.log_softmax(1),
    "SoftmaxBackward0": lambda L, x: x.softmax(-1),
    "NllLossBackward0": lambda L, x: L.nn.functional.nll_loss(x, L.tensor([0, 1, 3])),
    "CrossEntropy": lambda L, x: L.nn.functional.cross_entropy(x, L.tensor([0, 1, 3])),
    "MseLossBackward0": lambda L, x: L.nn.functional.mse_loss(x, x.detach() * 2),
    "L1LossBackward0": lambda L, x: L.nn.functional.l1_loss(x, x.detach() * 2),
    "BCEWithLogits": lambda L, x: L.nn.functional.binary_cross_entropy_with_logits(
        x, (x.detach() > 0).float()
    ),
    "BinaryCrossEntropyBackward0": lambda L, x: L.nn.functional.binary_cross_entropy(
        x.sigmoid(), (x.detach() > 0).float()
    ),
    "SplitBackward0": lambda L, x: x.split(2, dim=1)[0],
    "ChunkBackward": lambda L, x: x.chunk(2)[1],
    "UnbindBackward0": lambda L, x: x.unbind()[0],
    "ToCopyBackward0": lambda L, x: x.double(),
    "ContiguousNoop": lambda L, x: x.contiguous(),
    "ContiguousT": lambda L, x: x.t().contiguous(),
    "NormBackward": lambda L, x: x.norm(),
    "ProdBackward0": lambda L, x: x.prod(),
    "CumsumBackward0": lambda L, x: x.cumsum(0),
    "GatherBackward0": lambda L, x: x.gather(1, L.tensor([[0], [1], [2]])),
    "MaskedFillBackward": lambda L, x: x.masked_fill(x > 0, 0.0),
    "DropoutEval": lambda L, x: L.nn.functional.dropout(x, 0.5, training=False),
    "GeluBackward0": lambda L, x: L.nn.functional.gelu(x),
    "LeakyRelu": lambda L, x: L.nn.functional.leaky_relu(x),
    "Softplus": lambda L, x: L.nn.functional.softplus(x),
    "VarBackward": lambda L, x: x.var(),
    "StdBackward": lambda L, x: x.std(1),
    "LogsumexpBackward": lambda L, x: x.logsumexp(1),
    "RepeatBackward0": lambda L, x: x.repeat(2, 1),
    "FlipBackward0": lambda L, x: x.flip(0),
    "RollBackward0": lambda L, x: x.roll(1),
    "EinsumBmm": lambda L, x: L.einsum("ij,kj->ik", x, x),
    "LayerNorm": lambda L, x: L.nn.functional.layer_norm(x, (4,)),
    "AddcmulBackward": lambda L, x: L.addcmul(x, x, x),
    "LerpBackward": lambda L, x: L.lerp(x, x * 2, 0.5),
    "Atan2": lambda L, x: L.atan2(x, x + 5),
    "Conv2d": lambda L, x: L.nn.functional.conv2d(x.view(1, 1, 3, 4), x[0].view(1, 1, 2, 2)),
    "Conv2d_bias": lambda L, x: L.nn.functional.conv2d(
        x.view(1, 1, 3, 4), x[0].view(1, 1, 2, 2), x[1, :1]
    ),
    "MaxPool2d": lambda L, x: L.nn.functional.max_pool2d(x.view(1, 1, 3, 4), 2),
    "AvgPool2d": lambda L, x: L.nn.functional.avg_pool2d(x.view(1, 1, 3, 4), 2),
    "Embedding": lambda L, x: L.nn.functional.embedding(L.tensor([0, 2]), x),
    "inplace_mul": lambda L, x: _inplace(L, x),
    "sum_f64": lambda L, x: x.double().sum(),
}


def _inplace(L, x):
    y = x * 1
    y.mul_(2)
    return y


_GRAPH_SHAPE = {  # ember's graph has a different (shorter) chain of nodes than PyTorch's
    "EinsumBmm": "PyTorch decomposes einsum into permute/bmm/view nodes; ember keeps one "
    "EinsumBackward0",
    "ReshapeNonContig": "PyTorch's reshape of a non-contiguous tensor is clone + _unsafe_view "
    "(two nodes); ember's is one UnsafeViewBackward0 over the input",
    "SelectBackward0_int": "PyTorch indexes x[i, j] as two selects; ember as one",
}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=_GRAPH_SHAPE[n]))
        if n in _GRAPH_SHAPE
        else n
        for n in sorted(GRAD_FN_CASES)
    ],
)
def test_grad_fn_print(name):
    outs = []
    for L in (ember, torch):
        y = GRAD_FN_CASES[name](L, _leaf(L))
        fn = y.grad_fn
        if fn is None:  # an op that returns its input (contiguous, eval dropout)
            outs.append((repr(y), y is not None))
            continue
        nf = [(type(f).__name__ if f is not None else None, i) for f, i in fn.next_functions]
        outs.append((repr(y), str(fn).split(" object at")[0], type(fn).__name__, nf, fn.name()))
    assert outs[0] == outs[1]


def test_grad_fn_next_functions_print():
    outs = []
    for L in (ember, torch):
        w = L.tensor([[1.0, 2.0]], requires_grad=True)
        b = L.tensor([0.5], requires_grad=True)
        x = L.tensor([[3.0, 4.0]])
        loss = (L.nn.functional.linear(x, w, b) ** 2).mean()
        fn = loss.grad_fn
        chain = []
        while fn is not None:
            chain.append(type(fn).__name__)
            nxt = [f for f, _ in fn.next_functions if f is not None]
            chain.append([type(f).__name__ for f, _ in fn.next_functions])
            fn = nxt[0] if nxt and not hasattr(nxt[0], "variable") else None
        leaves = [
            f
            for f, _ in loss.grad_fn.next_functions[0][0].next_functions[0][0].next_functions
            if f is not None
        ]
        outs.append((chain, [repr(f.variable) for f in leaves if hasattr(f, "variable")]))
    assert outs[0] == outs[1]


# ------------------------------------------------------------------------- misc printed values
def _item_prints(L):
    x = L.tensor([0.1, 1 / 3, 2.675, 1e-8, 123456.789])
    return [repr(x[i].item()) for i in range(5)] + [str(x.sum().item()), str(x.tolist())]


def _fstrings(L):
    t = L.tensor(1 / 3)
    d = L.tensor(2.5, dtype=L.float64)
    i = L.tensor(7)
    return [
        f"{t:.4f}",
        f"{t}",
        format(t),
        f"{d:.2e}",
        f"{i:d}" if L is torch else f"{i:d}",
        f"{i}",
        f"{t.item():.3f}",
        "{:>8.3f}".format(t),
        f"{L.tensor(True)}",
    ]


def _named_tuples(L):
    x = L.tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 6.0]])
    return [
        repr(x.max(1)),
        repr(x.min(dim=0)),
        repr(L.sort(x, 1)),
        repr(x.topk(2)),
        repr(L.max(x, 1, keepdim=True)),
        repr(x.median(1)),
        repr(x.mode(1)),
        repr(L.var_mean(x, 1)),
        repr(L.std_mean(x)),
        str(x.kthvalue(2, 1)),
        repr(tuple(x.max(1))),
        repr(x.max(1).indices),
        repr(x.cummax(1)),
        repr(L.aminmax(x)),
        repr(type(x.max(1)).__name__),
        repr(L.linalg.slogdet(L.eye(2) * 2)),
        repr(L.unique(L.tensor([3, 1, 3]), return_counts=True)),
        repr(L.linalg.eigh(L.eye(2))),
    ]


def _sizes(L):
    x = L.zeros(2, 3, 4)
    return [
        repr(x.shape),
        str(x.size()),
        repr(x.size(1)),
        repr(x.shape[1:]),
        repr(L.Size([])),
        repr(L.zeros(()).shape),
        repr(x.dtype),
        str(x.dtype),
        repr(x.device),
        str(x.device),
        repr(L.float32),
        repr(L.int64),
        repr(L.bool),
        repr(L.float16),
        repr(L.complex64),
        repr(L.uint8),
        repr(L.double),
        repr(L.long),
        repr(L.half),
        repr(L.cfloat),
        repr(L.device("cpu")),
        repr(L.device("cuda", 0)),
        repr(L.device("cuda:1")),
        str(L.device("cuda", 0)),
        repr(x.stride()),
        repr(x.dim()),
        repr(x.numel()),
        repr(x.ndim),
        repr(x.is_leaf),
        repr(x.requires_grad),
        repr(x.grad),
        repr(L.get_default_dtype()),
        repr(x.shape == (2, 3, 4)),
        repr(x.layout),
        repr(x.element_size()),
        repr(x.T.shape if x.dim() == 2 else x.mT.shape),
        repr(L.Size([2, 3]) + (4,)),
        repr(x.shape.numel()),
        repr(L.finfo(L.float32)),
        repr(L.iinfo(L.int32)),
        repr(L.finfo(L.float32).eps),
        repr(L.finfo().tiny),
        repr(L.finfo(L.float16).max),
    ]


def _tolist(L):
    return [
        repr(L.tensor([0.1, 0.2]).tolist()),
        repr(L.tensor([[1, 2]]).tolist()),
        repr(L.tensor(2.5).tolist()),
        repr(L.tensor([True]).tolist()),
        repr(L.tensor([0.1], dtype=L.float64).tolist()),
        repr(L.tensor([1 + 2j]).tolist()),
        repr(L.tensor([0.1], dtype=L.float16).tolist()),
        repr(L.tensor([3], dtype=L.uint8).tolist()),
        repr(L.zeros(2, 0).tolist()),
        repr(L.tensor([1, 2], dtype=L.int8)[0].item()),
        repr(L.tensor(True).item()),
        repr(type(L.tensor(3).item()).__name__),
    ]


def _grads(L):
    x = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = (x**2).sum()
    before = repr(x.grad)
    y.backward()
    lin = L.nn.Linear(2, 1)
    with L.no_grad():
        lin.weight.copy_(L.tensor([[0.5, -0.5]]))
        lin.bias.fill_(0.25)
    lin(x).sum().backward()
    return [
        before,
        repr(x.grad),
        str(x.grad),
        repr(lin.weight.grad),
        repr(lin.bias.grad),
        repr(lin.weight),
        repr(lin.bias),
        str(lin.weight),
        repr(x.grad.requires_grad),
    ]


def _state_dict(L):
    L.manual_seed(0)
    m = L.nn.Sequential(
        L.nn.Linear(2, 3),
        L.nn.BatchNorm1d(3),
        L.nn.ReLU(),
        L.nn.Sequential(L.nn.Linear(3, 1, bias=False)),
    )
    sd = m.state_dict()
    out = [repr(list(sd.keys())), repr(type(sd).__name__)]
    for k, v in sd.items():
        out.append(f"{k} {tuple(v.shape)} {v.dtype} {v.requires_grad}")
    out.append(repr(sd["1.running_var"]))
    out.append(repr(sd["1.num_batches_tracked"]))
    out.append(repr([n for n, _ in m.named_parameters()]))
    out.append(repr([n for n, _ in m.named_buffers()]))
    out.append(repr([n for n, _ in m.named_modules()]))
    out.append(repr([n for n, _ in m.named_children()]))
    return out


def _optimizer_state(L):
    w = L.nn.Parameter(L.tensor([1.0, -2.0]))
    opt = L.optim.Adam([w], lr=0.1)
    (w**2).sum().backward()
    opt.step()
    sd = opt.state_dict()
    return [
        repr(sorted(sd.keys())),
        repr(sd["param_groups"]),
        repr(sorted(sd["state"][0])),
        repr(sd["state"][0]["step"]),
        repr(sd["state"][0]["exp_avg"]),
        repr(w),
        repr(opt.param_groups[0]["lr"]),
    ]


def _more_prints(L):
    x = L.tensor([[1.0, -2.0, 3.5], [0.25, 5.0, -6.0]])
    i = L.tensor([3, 1, 2])
    return [
        repr(x.argmax()),
        repr(x.argmax(1)),
        repr(x.sum(0, keepdim=True)),
        repr(x.T),
        repr(x.mT),
        repr(x.softmax(1)),
        repr(x.numpy()),
        repr(i.numpy()),
        x.type(),
        i.type(),
        repr(x.is_cuda),
        repr(x.mean()),
        repr(i.float().mean()),
        repr(x > 0),
        repr((x > 0).sum()),
        repr(x.abs().sqrt()),
        repr(x.exp()),
        repr(x.to(L.int32)),
        repr(x.long()),
        repr(x.half()),
        repr(x.double().sum()),
        repr(i / 2),
        repr(i // 2),
        repr(i * 1.5),
        repr(L.tensor(5) / 2),
        repr(L.arange(5)),
        repr(L.arange(0, 1, 0.25)),
        repr(L.linspace(0, 1, 5)),
        repr(L.eye(3)),
        repr(L.zeros(2, 3, dtype=L.long)),
        repr(L.full((2,), 7)),
        repr(L.full((2,), 7.0)),
        repr(L.tensor([]).sum()),
        repr(L.tensor([[]])),
        repr(L.ones(2, 1, 3)),
        repr(x.unsqueeze(0)),
        repr(x[:, :0]),
        repr(x.std()),
        repr(x.var(1)),
        repr(L.tensor(2**40)),
        repr(L.tensor(-(2**40) + 0.5)),
        repr(L.tensor([1e-3, 1e-2])),
        repr(L.tensor([1e3, 1e4, 1e5])),
        repr(L.tensor([123456789.0])),
        repr(L.tensor([0.1, 100000.0])),
        repr(L.tensor([1e-4, 1.0])),
        repr(L.tensor([9.99995e-5, 1.0])),
        repr(L.tensor(0.0)),
        repr(L.tensor(-0.0)),
        repr(L.tensor(1e-20)),
        repr(L.tensor(float("inf"))),
        repr(L.tensor([float("nan")], dtype=L.float64)),
        str(L.tensor([1, 2]).dtype),
        repr(L.tensor([1, 2]).dtype == L.int64),
        repr(x.chunk(2)),
        repr(x.split([1, 1])),
        repr(x.unbind(1)),
        repr(list(x.shape)),
        repr(tuple(x.size())),
        repr(L.tensor([True, False]).all()),
        repr(L.tensor([1, 2]).tolist() == [1, 2]),
        repr(x.max()),
        repr(x.min(1)[0]),
        repr(L.tensor(3.0) == 3),
        repr(L.tensor([1.0]) + L.tensor(1, dtype=L.int64)),
    ]


def _format_prints(L):
    return [
        f"{L.tensor(3)}",
        f"{L.tensor(3):5d}",
        f"{L.tensor(2.5):g}",
        f"{L.tensor(True)}",
        f"{L.tensor(1e-7):.2e}",
        f"{L.tensor([1.5, 2.5])}",
        f"{L.tensor(0.1, dtype=L.float64)}",
        f"{L.tensor(0.1)!r}",
        "{}".format(L.tensor([[1]])),
        f"{L.tensor(2.0, requires_grad=True):.1f}",
        "%.3f" % L.tensor(1 / 3),
        "%d" % L.tensor(7),
        str(float(L.tensor(0.1))),
        str(int(L.tensor(3.9))),
        repr(round(L.tensor(2.567).item(), 2)),
        repr(L.tensor(0.1).item() == 0.1),
        repr(L.tensor(0.1, dtype=L.float64).item()),
    ]


MISC_CASES = {
    "more": _more_prints,
    "format": _format_prints,
    "item": _item_prints,
    "fstrings": _fstrings,
    "named_tuples": _named_tuples,
    "sizes": _sizes,
    "tolist": _tolist,
    "grads": _grads,
    "state_dict": _state_dict,
    "optimizer_state": _optimizer_state,
}


@pytest.mark.parametrize("name", sorted(MISC_CASES))
def test_misc_prints(name):
    e, t = MISC_CASES[name](ember), MISC_CASES[name](torch)
    assert len(e) == len(t)
    for i, (a, b) in enumerate(zip(e, t)):
        assert a == b, f"item {i}"


# ------------------------------------------------------------------------- print options
PRINTOPT_CASES = [
    dict(precision=2),
    dict(precision=6),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(linewidth=30),
    dict(linewidth=200),
    dict(threshold=10),
    dict(edgeitems=2, threshold=5),
    dict(profile="short"),
    dict(profile="full"),
    dict(precision=1, sci_mode=False),
]
PRINTOPT_TENSORS = [
    lambda L: _t(L, A34),
    lambda L: L.tensor([1e-5, 1e5]),
    lambda L: L.arange(30.0) / 7,
    lambda L: L.arange(24).reshape(2, 3, 4),
    lambda L: L.tensor([1.0, 2.0]),
    lambda L: _t(L, A40, "float64"),
    lambda L: L.tensor([1 + 2j, 3.25 - 1j]),
    lambda L: L.tensor(1 / 3),
    lambda L: L.tensor([123456.789, 0.5]),
]


@pytest.fixture
def restore_printoptions():
    yield
    for L in (ember, torch):
        L.set_printoptions(profile="default")
        L.set_printoptions(sci_mode=None)


@pytest.mark.parametrize("opts", PRINTOPT_CASES, ids=str)
def test_printoptions(opts, restore_printoptions):
    for L in (ember, torch):
        L.set_printoptions(**opts)
    for i, make in enumerate(PRINTOPT_TENSORS):
        assert repr(make(ember)) == repr(make(torch)), i
    for L in (ember, torch):
        L.set_printoptions(profile="default")
        L.set_printoptions(sci_mode=None)
    for i, make in enumerate(PRINTOPT_TENSORS):
        assert repr(make(ember)) == repr(make(torch)), f"after reset {i}"


def test_printoptions_context_and_get(restore_printoptions):
    outs = []
    for L in (ember, torch):
        L.set_printoptions(precision=3, linewidth=50)
        o = L._tensor_str.PRINT_OPTS if hasattr(L, "_tensor_str") else None
        outs.append(
            (
                repr(L.tensor([1 / 3])),
                o.precision,
                o.linewidth,
                o.threshold,
                o.edgeitems,
                o.sci_mode,
            )
        )
        L.set_printoptions(profile="default")
        outs.append(repr(L.tensor([1 / 3])))
    assert outs[:2] == outs[2:]


# ------------------------------------------------------------------------- module reprs
def _models(L):
    nn = L.nn
    return {
        "mlp": nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 2)),
        "cnn": nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, (3, 5), stride=2, bias=False),
            nn.AdaptiveAvgPool2d((1, 1)),
            nn.Flatten(),
            nn.Linear(16, 10),
        ),
        "conv_variants": nn.ModuleList(
            [
                nn.Conv1d(2, 4, 3, dilation=2, groups=2),
                nn.Conv2d(3, 6, 1, padding="same"),
                nn.ConvTranspose2d(4, 2, 2, stride=2),
                nn.Conv2d(2, 2, 3, padding_mode="reflect", padding=1),
            ]
        ),
        "norms": nn.Sequential(
            nn.BatchNorm1d(5, momentum=None),
            nn.LayerNorm(5),
            nn.LayerNorm([2, 5], elementwise_affine=False),
            nn.GroupNorm(2, 4),
            nn.InstanceNorm1d(3),
            nn.BatchNorm2d(3, affine=False, track_running_stats=False),
        ),
        "rnn": nn.ModuleDict(
            {
                "lstm": nn.LSTM(10, 20, num_layers=2, batch_first=True),
                "gru": nn.GRU(4, 8, bidirectional=True),
                "rnn": nn.RNN(3, 5, nonlinearity="relu", dropout=0.5, num_layers=2),
                "cell": nn.LSTMCell(3, 4),
                "gcell": nn.GRUCell(2, 2, bias=False),
                "lstm1": nn.LSTM(2, 3),
            }
        ),
        "embedding": nn.Sequential(
            nn.Embedding(100, 16, padding_idx=0),
            nn.Embedding(10, 3, max_norm=1.0),
            nn.EmbeddingBag(10, 3, mode="sum"),
        ),
        "mha": nn.MultiheadAttention(16, 4),
        "mha_bf": nn.MultiheadAttention(8, 2, batch_first=True, dropout=0.1, bias=False),
        "transformer": nn.TransformerEncoderLayer(d_model=16, nhead=2, dim_feedforward=32),
        "encoder": nn.TransformerEncoder(
            nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2, enable_nested_tensor=False
        ),
        "decoder_layer": nn.TransformerDecoderLayer(8, 2, 16),
        "activations": nn.Sequential(
            nn.Sigmoid(),
            nn.Tanh(),
            nn.GELU(),
            nn.GELU(approximate="tanh"),
            nn.LeakyReLU(0.2),
            nn.Softmax(dim=1),
            nn.LogSoftmax(dim=-1),
            nn.ELU(),
            nn.SiLU(),
            nn.Softplus(),
            nn.Hardtanh(),
            nn.ReLU6(),
            nn.PReLU(),
            nn.Mish(),
            nn.Identity(),
            nn.Softmax(),
            nn.Threshold(0.1, 20),
            nn.CELU(),
            nn.SELU(),
            nn.Softsign(),
            nn.Tanhshrink(),
            nn.Hardswish(),
            nn.Hardsigmoid(),
            nn.LogSigmoid(),
            nn.Softmin(1),
            nn.GLU(),
            nn.Hardshrink(),
            nn.Softshrink(),
        ),
        "pools": nn.Sequential(
            nn.MaxPool1d(2),
            nn.AvgPool2d(3, stride=1, padding=1),
            nn.MaxPool2d(3, stride=2, return_indices=True),
            nn.AdaptiveMaxPool2d(4),
            nn.AdaptiveAvgPool1d(2),
            nn.AvgPool1d(2),
            nn.Upsample(scale_factor=2),
            nn.Upsample(size=(4, 4), mode="bilinear", align_corners=False),
            nn.ZeroPad2d(1),
            nn.ConstantPad1d(2, 3.5),
            nn.Unflatten(1, (2, 3)),
            nn.Flatten(0, -1),
            nn.PixelShuffle(2),
            nn.Dropout2d(),
            nn.AlphaDropout(0.2),
            nn.Dropout(p=0.5, inplace=True),
        ),
        "losses": nn.ModuleList(
            [
                nn.CrossEntropyLoss(),
                nn.MSELoss(reduction="sum"),
                nn.NLLLoss(),
                nn.BCEWithLogitsLoss(),
                nn.L1Loss(),
                nn.SmoothL1Loss(),
                nn.HuberLoss(),
                nn.KLDivLoss(),
                nn.BCELoss(),
                nn.CrossEntropyLoss(label_smoothing=0.1),
                nn.CosineSimilarity(),
                nn.PairwiseDistance(),
            ]
        ),
        "linear_variants": nn.Sequential(
            nn.Linear(3, 4, bias=False),
            nn.Bilinear(2, 3, 4),
            nn.Identity(54, unused="x"),
            nn.Linear(2, 2, dtype=L.float64),
        ),
        "empty_seq": nn.Sequential(),
        "empty_ml": nn.ModuleList(),
        "custom": _custom_model(L),
        "param_list": nn.ParameterList(
            [nn.Parameter(L.zeros(2, 3)), nn.Parameter(L.zeros(4, dtype=L.float64))]
        ),
        "param_dict": nn.ParameterDict({"a": nn.Parameter(L.zeros(2))}),
    }


def _custom_model(L):
    nn = L.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 3, 3)
            self.bn = nn.BatchNorm2d(3)
            self.w = nn.Parameter(L.zeros(3))
            self.register_buffer("buf", L.zeros(1))

        def forward(self, x):
            return x

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([Block(), Block()])
            self.head = nn.Sequential(nn.Flatten(), nn.Linear(27, 10))
            self.act = nn.ReLU()

        def extra_repr(self):
            return "custom=1"

    return Net()


MODEL_NAMES = sorted(_models(ember))


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_module_repr(name):
    e, t = _models(ember)[name], _models(torch)[name]
    assert repr(e) == repr(t)
    assert _printed(e) == _printed(t)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [tuple(p.shape) for p in e.parameters()] == [tuple(p.shape) for p in t.parameters()]
    assert list(e.state_dict()) == list(t.state_dict())


# ------------------------------------------------------------------------- optimizer reprs
def _params(L):
    return [L.nn.Parameter(L.zeros(2)), L.nn.Parameter(L.zeros(3))]


OPTIMIZERS = {
    "sgd": lambda L, p: L.optim.SGD(p, lr=0.1),
    "sgd_mom": lambda L, p: L.optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4),
    "adam": lambda L, p: L.optim.Adam(p),
    "adam_lr": lambda L, p: L.optim.Adam(p, lr=3e-4, betas=(0.8, 0.99), amsgrad=True),
    "adamw": lambda L, p: L.optim.AdamW(p, lr=1e-3, weight_decay=0.05),
    "rmsprop": lambda L, p: L.optim.RMSprop(p, lr=0.01),
    "adagrad": lambda L, p: L.optim.Adagrad(p),
    "adadelta": lambda L, p: L.optim.Adadelta(p),
    "adamax": lambda L, p: L.optim.Adamax(p),
    "nadam": lambda L, p: L.optim.NAdam(p),
    "radam": lambda L, p: L.optim.RAdam(p),
    "rprop": lambda L, p: L.optim.Rprop(p),
    "asgd": lambda L, p: L.optim.ASGD(p),
    "groups": lambda L, p: L.optim.SGD(
        [{"params": p[:1]}, {"params": p[1:], "lr": 0.5}], lr=0.1, momentum=0.9
    ),
    "lbfgs": lambda L, p: L.optim.LBFGS(p),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_repr(name):
    e = OPTIMIZERS[name](ember, _params(ember))
    t = OPTIMIZERS[name](torch, _params(torch))
    assert repr(e) == repr(t)
    assert _printed(e) == _printed(t)
    ge = [{k: v for k, v in g.items() if k != "params"} for g in e.param_groups]
    gt = [{k: v for k, v in g.items() if k != "params"} for g in t.param_groups]
    assert repr(ge) == repr(gt)
    assert repr(e.state_dict()["param_groups"]) == repr(t.state_dict()["param_groups"])


def test_scheduler_prints():
    outs = []
    for L in (ember, torch):
        opt = L.optim.SGD(_params(L), lr=0.1)
        s = L.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        lrs = []
        for _ in range(4):
            opt.step()
            s.step()
            lrs.append(repr(s.get_last_lr()))
        outs.append((lrs, sorted(s.state_dict()), repr(opt.param_groups[0]["lr"])))
    assert outs[0] == outs[1]


# ------------------------------------------------------------------------- error messages
def _raise(fn, L):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn(L)
        except Exception as exc:  # noqa: BLE001 - the point is to capture whatever is raised
            return type(exc).__name__, str(exc), _warned(caught)
    return None, None, _warned(caught)


def _warned(caught):
    # PyTorch's C++ warnings end with where in its sources they were raised
    return [
        re.sub(r" \(Triggered internally at .*\)$", "", str(w.message), flags=re.S) for w in caught
    ]


def _backward_twice(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp()).sum()
    y.backward()
    y.backward()


def _inplace_leaf(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    x.add_(1)


def _load_missing(L):
    m = L.nn.Linear(2, 2)
    m.load_state_dict({"weight": L.zeros(2, 2)})


def _load_unexpected(L):
    m = L.nn.Linear(2, 2)
    m.load_state_dict({"weight": L.zeros(2, 2), "bias": L.zeros(2), "extra": L.zeros(1)})


def _load_both(L):
    m = L.nn.Sequential(L.nn.Linear(2, 2))
    m.load_state_dict({"0.weight": L.zeros(2, 2), "1.bias": L.zeros(2)})


def _load_shape(L):
    m = L.nn.Linear(2, 2)
    m.load_state_dict({"weight": L.zeros(3, 2), "bias": L.zeros(2)})


def _saved_modified(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y**3
    y.mul_(2)
    z.sum().backward()


ERROR_CASES = {
    "matmul_shape": lambda L: L.ones(2, 3) @ L.ones(4, 5),
    "mm_shape": lambda L: L.mm(L.ones(2, 3), L.ones(4, 5)),
    "matmul_1d": lambda L: L.ones(3) @ L.ones(4),
    "matmul_0d": lambda L: L.tensor(1.0) @ L.ones(4),
    "bmm_shape": lambda L: L.bmm(L.ones(2, 2, 3), L.ones(2, 4, 5)),
    "broadcast_add": lambda L: L.ones(2, 3) + L.ones(4),
    "broadcast_mul3": lambda L: L.ones(2, 3, 4) * L.ones(3, 3, 1),
    "view_noncontig": lambda L: L.ones(2, 3).t().view(6),
    "view_bad_size": lambda L: L.ones(2, 3).view(4),
    "reshape_bad": lambda L: L.ones(2, 3).reshape(5, -1),
    "view_two_neg": lambda L: L.ones(6).view(-1, -1),
    "index_oob": lambda L: L.ones(3)[5],
    "index_oob_dim1": lambda L: L.ones(2, 3)[0, 3],
    "index_too_many": lambda L: L.ones(2)[0, 0],
    "index_tensor_oob": lambda L: L.ones(3)[L.tensor([0, 4])],
    "select_oob": lambda L: L.ones(3).select(0, 3),
    "dim_oob": lambda L: L.ones(2, 3).sum(2),
    "softmax_dim_oob": lambda L: L.ones(2, 3).softmax(-3),
    "cat_mismatch": lambda L: L.cat([L.ones(2, 3), L.ones(2, 4)]),
    "cat_ndim": lambda L: L.cat([L.ones(2, 3), L.ones(3)]),
    "cat_empty": lambda L: L.cat([]),
    "stack_mismatch": lambda L: L.stack([L.ones(2, 3), L.ones(3, 2)]),
    "linear_in_features": lambda L: L.nn.Linear(3, 2)(L.ones(4, 5)),
    "linear_1d": lambda L: L.nn.Linear(3, 2)(L.ones(5)),
    "conv_channels": lambda L: L.nn.Conv2d(3, 4, 3)(L.ones(1, 2, 8, 8)),
    "conv_small_input": lambda L: L.nn.Conv2d(1, 1, 5)(L.ones(1, 1, 3, 3)),
    "conv_dims": lambda L: L.nn.Conv2d(1, 1, 3)(L.ones(8, 8)),
    "ce_float_target_shape": lambda L: L.nn.functional.cross_entropy(L.ones(4, 3), L.ones(4)),
    "ce_long_target_oob": lambda L: L.nn.functional.cross_entropy(
        L.ones(4, 3), L.tensor([0, 1, 2, 3])
    ),
    "ce_neg_target": lambda L: L.nn.functional.cross_entropy(L.ones(2, 3), L.tensor([0, -5])),
    "ce_batch_mismatch": lambda L: L.nn.functional.cross_entropy(L.ones(4, 3), L.tensor([0, 1])),
    "ce_int32_target": lambda L: L.nn.functional.cross_entropy(
        L.ones(2, 3), L.tensor([0, 1], dtype=L.int32)
    ),
    "nll_float_target": lambda L: L.nn.functional.nll_loss(L.ones(2, 3), L.ones(2)),
    "mse_shape_error": lambda L: L.nn.functional.mse_loss(L.ones(2, 3), L.ones(4, 3)),
    "bce_out_of_range": lambda L: L.nn.functional.binary_cross_entropy(
        L.tensor([2.0]), L.tensor([1.0])
    ),
    "bce_shape": lambda L: L.nn.functional.binary_cross_entropy(L.ones(2) / 2, L.ones(3)),
    "backward_twice": _backward_twice,
    "backward_nonscalar": lambda L: (L.ones(2, requires_grad=True) * 2).backward(),
    "backward_no_grad_fn": lambda L: L.ones(2).sum().backward(),
    "backward_leaf_no_rg": lambda L: L.tensor(1.0).backward(),
    "grad_no_rg": lambda L: L.autograd.grad(L.ones(1).sum(), L.ones(1)),
    "requires_grad_int": lambda L: L.tensor([1, 2]).requires_grad_(),
    "requires_grad_int_ctor": lambda L: L.tensor([1, 2], requires_grad=True),
    "requires_grad_int_attr": lambda L: setattr(L.tensor([1, 2]), "requires_grad", True),
    "inplace_leaf": _inplace_leaf,
    "inplace_saved": _saved_modified,
    "item_multi": lambda L: L.ones(3).item(),
    "item_empty": lambda L: L.ones(0).item(),
    "numpy_rg": lambda L: L.ones(2, requires_grad=True).numpy(),
    "requires_grad_nonleaf": lambda L: (L.ones(2, requires_grad=True) * 2).requires_grad_(False),
    "load_missing": _load_missing,
    "load_unexpected": _load_unexpected,
    "load_both": _load_both,
    "load_shape": _load_shape,
    "optim_non_iterable": lambda L: L.optim.SGD(L.nn.Parameter(L.zeros(2)), lr=0.1),
    "optim_empty": lambda L: L.optim.SGD([], lr=0.1),
    "optim_bad_lr": lambda L: L.optim.SGD([L.nn.Parameter(L.zeros(2))], lr=-1),
    "optim_bad_momentum": lambda L: L.optim.SGD(
        [L.nn.Parameter(L.zeros(2))], lr=0.1, momentum=-0.5
    ),
    "adam_bad_beta": lambda L: L.optim.Adam([L.nn.Parameter(L.zeros(2))], betas=(1.5, 0.9)),
    "optim_non_leaf": lambda L: L.optim.SGD([L.ones(2, requires_grad=True) * 2], lr=0.1),
    "optim_dup": lambda L: _dup_param(L),
    "bool_ambiguous": lambda L: bool(L.ones(2)),
    "float_multi": lambda L: float(L.ones(2)),
    "tensor_ragged": lambda L: L.tensor([[1, 2], [3]]),
    "tensor_str": lambda L: L.tensor("abc"),
    "expand_bad": lambda L: L.ones(2, 3).expand(4, 3),
    "permute_bad": lambda L: L.ones(2, 3).permute(0),
    "transpose_oob": lambda L: L.ones(2, 3).transpose(0, 2),
    "squeeze_oob": lambda L: L.ones(2, 3).squeeze(3),
    "unsqueeze_oob": lambda L: L.ones(2, 3).unsqueeze(4),
    "gather_dims": lambda L: L.ones(2, 3).gather(1, L.tensor([0, 1])),
    "embedding_oob": lambda L: L.nn.Embedding(3, 2)(L.tensor([3])),
    "embedding_float_idx": lambda L: L.nn.Embedding(3, 2)(L.tensor([1.0])),
    "module_call_missing_arg": lambda L: L.nn.Linear(2, 2)(),
    "module_getattr": lambda L: L.nn.Linear(2, 2).weights,
    "add_module_bad": lambda L: L.nn.Module().add_module("a.b", L.nn.ReLU()),
    "register_param_nontensor": lambda L: L.nn.Module().register_parameter("w", 3),
    "assign_param_tensor": lambda L: setattr(L.nn.Linear(2, 2), "weight", L.zeros(2, 2)),
    "dtype_mismatch_mm": lambda L: L.ones(2, 2) @ L.ones(2, 2, dtype=L.float64),
    "dtype_mismatch_linear": lambda L: L.nn.Linear(2, 2)(L.ones(1, 2, dtype=L.float64)),
    "long_input_linear": lambda L: L.nn.Linear(2, 2)(L.ones(1, 2, dtype=L.int64)),
    "inplace_broadcast": lambda L: L.ones(3).add_(L.ones(2, 3)),
    "inplace_dtype": lambda L: L.ones(3, dtype=L.int64).add_(1.5),
    "mean_int": lambda L: L.tensor([1, 2]).mean(),
    "arange_bad": lambda L: L.arange(0, 10, 0),
    "zeros_neg": lambda L: L.zeros(-1),
    "randn_bad": lambda L: L.randn(2, "a"),
    "lstm_input_dims": lambda L: L.nn.LSTM(3, 4)(L.ones(2, 5, 2)),
    "batchnorm_channels": lambda L: L.nn.BatchNorm1d(3)(L.ones(4, 5)),
    "batchnorm_one_value": lambda L: L.nn.BatchNorm1d(3)(L.ones(1, 3)),
    "layernorm_shape": lambda L: L.nn.LayerNorm(4)(L.ones(2, 3)),
    "max_pool_too_small": lambda L: L.nn.functional.max_pool2d(L.ones(1, 1, 1, 1), 2),
    "split_bad": lambda L: L.ones(4).split(0),
    "chunk_zero": lambda L: L.ones(4).chunk(0),
    "where_shape": lambda L: L.where(L.ones(2) > 0, L.ones(3), L.ones(2)),
    "one_hot_neg": lambda L: L.nn.functional.one_hot(L.tensor([-1])),
    "grad_wrong_shape": lambda L: (L.ones(2, requires_grad=True) * 2).backward(L.ones(3)),
    "clip_grad_none": lambda L: L.nn.utils.clip_grad_norm_([], 1.0, norm_type="bad"),
    "set_default_dtype_int": lambda L: L.set_default_dtype(L.int64),
    "to_bad": lambda L: L.ones(2).to("bogus"),
    "format_multi": lambda L: f"{L.ones(2):.2f}",
    "format_1elem": lambda L: f"{L.ones(1):.2f}",
    "int_of_multi": lambda L: int(L.ones(2)),
    "numpy_nonleaf_rg": lambda L: (L.ones(2, requires_grad=True) * 2).numpy(),
    "tolist_ok_then_index": lambda L: L.ones(2)[2],
    "neg_index_oob": lambda L: L.ones(2, 3)[:, -4],
    "mask_shape": lambda L: L.ones(2, 3)[L.tensor([True, False, True])],
    "mask_shape_dim1": lambda L: L.ones(2, 3)[:, L.tensor([True, False])],
    "mask_shape_2d": lambda L: L.ones(2, 3)[L.tensor([[True, False, True]])],
    "mask_shape_after_int": lambda L: L.ones(2, 3, 4)[0, L.tensor([True, False])],
    "mask_shape_setitem": lambda L: L.ones(2, 3).__setitem__(L.tensor([True, False, True]), 1.0),
    "where_cond_shape": lambda L: L.where(L.ones(4) > 0, L.ones(3), L.ones(2)),
    "zeros_neg_2d": lambda L: L.zeros(2, -3),
    "ones_neg": lambda L: L.ones(2, -1),
    "zeros_float": lambda L: L.zeros(2.5),
    "zeros_tuple_float": lambda L: L.zeros((2.5, 3)),
    "max_pool1d_small": lambda L: L.nn.functional.max_pool1d(L.ones(1, 1, 3), 4),
    "tensor_none": lambda L: L.tensor([None]),
    "grad_of_nonleaf_warn": lambda L: _nonleaf_grad(L),
    "sequential_index": lambda L: L.nn.Sequential(L.nn.ReLU())[3],
    "state_dict_strict_false": lambda L: _print_incompatible(L),
    "zero_grad_none": lambda L: _zero_grad(L),
    "softmax_no_dim": lambda L: L.nn.functional.softmax(L.ones(2, 2)),
    "view_as_bad": lambda L: L.ones(6).view_as(L.ones(4)),
    "cross_entropy_3d_target": lambda L: L.nn.functional.cross_entropy(
        L.ones(2, 3), L.zeros(2, 3, 1)
    ),
    "mm_1d": lambda L: L.mm(L.ones(3), L.ones(3)),
    "conv1d_channels": lambda L: L.nn.Conv1d(4, 2, 3)(L.ones(1, 3, 10)),
    "conv_groups": lambda L: L.nn.Conv2d(3, 4, 1, groups=2),
    "lstm_hidden_shape": lambda L: L.nn.LSTM(3, 4)(
        L.ones(5, 2, 3), (L.zeros(1, 2, 5), L.zeros(1, 2, 4))
    ),
    "embedding_2d_weight_idx": lambda L: L.nn.functional.embedding(L.tensor([5]), L.ones(3, 2)),
}


def _nonleaf_grad(L):
    y = L.ones(2, requires_grad=True) * 2
    return y.grad


def _print_incompatible(L):
    m = L.nn.Linear(2, 2)
    r = m.load_state_dict({"weight": L.zeros(2, 2), "extra": L.zeros(1)}, strict=False)
    raise RuntimeError(repr(r) + " " + repr(r.missing_keys) + " " + str(r))


def _zero_grad(L):
    w = L.nn.Parameter(L.ones(2))
    opt = L.optim.SGD([w], lr=0.1)
    (w * 2).sum().backward()
    opt.zero_grad()
    raise RuntimeError(repr(w.grad))


def _dup_param(L):
    p = L.nn.Parameter(L.zeros(2))
    return L.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)


# ember appends a deliberate explanation to these messages (see autograd/explain.py): PyTorch's
# message must be the start of ember's.
_EMBER_HINT = {"backward_twice", "inplace_saved"}


@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_error_message(name):
    e = _raise(ERROR_CASES[name], ember)
    t = _raise(ERROR_CASES[name], torch)
    assert t[0] is not None or t[2], "the snippet must raise or warn in PyTorch"
    assert e[0] == t[0]
    assert e[2] == t[2], "warnings"
    if name in _EMBER_HINT:
        assert e[1].startswith(t[1]) and " ember: " in e[1][len(t[1]) :]
    else:
        assert e[1] == t[1]
