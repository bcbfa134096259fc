"""The public surface named by the issue "The tensor library in full": every name exists on
``ember`` / ``ember.Tensor`` / ``ember.linalg`` exactly where it exists on ``torch`` /
``torch.Tensor`` / ``torch.linalg`` (asked of PyTorch itself when installed, else read from the
table below, generated from PyTorch 2.13: t = torch, T = torch.Tensor, l = torch.linalg)."""

import math

import pytest
from oracle import check_error, torch

import ember
import ember.linalg

EXPECTED = {  # name: where it exists in PyTorch 2.13
    # creation
    'tensor': 't',
    'as_tensor': 't',
    'from_numpy': 't',
    'zeros': 't',
    'ones': 't',
    'full': 't',
    'empty': 't',
    'arange': 't',
    'linspace': 't',
    'logspace': 't',
    'eye': 't',
    'rand': 't',
    'randn': 't',
    'randint': 't',
    'randperm': 't',
    'normal': 't',
    'bernoulli': 'tT',
    'multinomial': 'tT',
    'zeros_like': 't',
    'ones_like': 't',
    'full_like': 't',
    'empty_like': 't',
    'rand_like': 't',
    'randn_like': 't',
    'manual_seed': 't',
    'Generator': 't',
    'get_rng_state': 't',
    'set_rng_state': 't',
    'tril': 'tT',
    'triu': 'tT',
    'meshgrid': 't',
    # dtypes
    'float16': 't',
    'bfloat16': 'tT',
    'float32': 't',
    'float64': 't',
    'complex64': 't',
    'complex128': 't',
    'int8': 't',
    'int16': 't',
    'int32': 't',
    'int64': 't',
    'uint8': 't',
    'bool': 'tT',
    'get_default_dtype': 't',
    'set_default_dtype': 't',
    'finfo': 't',
    'iinfo': 't',
    'result_type': 't',
    'can_cast': 't',
    'promote_types': 't',
    # elementwise
    'abs': 'tT',
    'sign': 'tT',
    'neg': 'tT',
    'reciprocal': 'tT',
    'sqrt': 'tT',
    'rsqrt': 'tT',
    'exp': 'tT',
    'exp2': 'tT',
    'expm1': 'tT',
    'log': 'tT',
    'log2': 'tT',
    'log10': 'tT',
    'log1p': 'tT',
    'sin': 'tT',
    'cos': 'tT',
    'tan': 'tT',
    'asin': 'tT',
    'acos': 'tT',
    'atan': 'tT',
    'sinh': 'tT',
    'cosh': 'tT',
    'tanh': 'tT',
    'asinh': 'tT',
    'acosh': 'tT',
    'atanh': 'tT',
    'erf': 'tT',
    'erfc': 'tT',
    'erfinv': 'tT',
    'lgamma': 'tT',
    'digamma': 'tT',
    'sigmoid': 'tT',
    'logit': 'tT',
    'floor': 'tT',
    'ceil': 'tT',
    'round': 'tT',
    'trunc': 'tT',
    'frac': 'tT',
    'fmod': 'tT',
    'remainder': 'tT',
    'floor_divide': 'tT',
    'pow': 'tT',
    'float_power': 'tT',
    'atan2': 'tT',
    'hypot': 'tT',
    'lerp': 'tT',
    'addcmul': 'tT',
    'addcdiv': 'tT',
    'clamp': 'tT',
    'clip': 'tT',
    'where': 'tT',
    'maximum': 'tT',
    'minimum': 'tT',
    'fmax': 'tT',
    'fmin': 'tT',
    'nan_to_num': 'tT',
    'isnan': 'tT',
    'isinf': 'tT',
    'isfinite': 'tT',
    'isclose': 'tT',
    'allclose': 'tT',
    'equal': 'tT',
    # reductions
    'sum': 'tT',
    'mean': 'tT',
    'nansum': 'tT',
    'nanmean': 'tT',
    'prod': 'tT',
    'max': 'tT',
    'min': 'tT',
    'amax': 'tT',
    'amin': 'tT',
    'argmax': 'tT',
    'argmin': 'tT',
    'var': 'tT',
    'std': 'tT',
    'var_mean': 't',
    'norm': 'tTl',
    'logsumexp': 'tT',
    'cumsum': 'tT',
    'cumprod': 'tT',
    'cummax': 'tT',
    'median': 'tT',
    'mode': 'tT',
    'quantile': 'tT',
    'all': 'tT',
    'any': 'tT',
    'count_nonzero': 'tT',
    'unique': 'tT',
    'bincount': 'tT',
    'histc': 'tT',
    # linalg
    'matmul': 'tTl',
    'mm': 'tT',
    'bmm': 'tT',
    'mv': 'tT',
    'dot': 'tT',
    'vdot': 'tT',
    'outer': 'tT',
    'einsum': 't',
    'tensordot': 't',
    'baddbmm': 'tT',
    'addmm': 'tT',
    'addmv': 'tT',
    'addbmm': 'tT',
    'kron': 'tT',
    'trace': 'tT',
    'diag': 'tT',
    'diag_embed': 'tT',
    'diagonal': 'tTl',
    'cross': 'tTl',
    'inv': 'l',
    'det': 'tTl',
    'slogdet': 'tTl',
    'solve': 'tTl',
    'cholesky': 'tTl',
    'qr': 'tTl',
    'svd': 'tTl',
    'svdvals': 'l',
    'eigh': 'l',
    'eigvalsh': 'l',
    'pinv': 'l',
    'lstsq': 'tTl',
    'matrix_power': 'tTl',
    'matrix_rank': 'tl',
    'vector_norm': 'l',
    'matrix_norm': 'l',
    # shape
    'view': 'T',
    'reshape': 'tT',
    'flatten': 'tT',
    'unflatten': 'tT',
    'squeeze': 'tT',
    'unsqueeze': 'tT',
    'permute': 'tT',
    'transpose': 'tT',
    'swapaxes': 'tT',
    't': 'tT',
    'T': 'T',
    'mT': 'T',
    'mH': 'T',
    'expand': 'T',
    'expand_as': 'T',
    'broadcast_to': 'tT',
    'broadcast_tensors': 't',
    'repeat': 'T',
    'repeat_interleave': 'tT',
    'tile': 'tT',
    'flip': 'tT',
    'fliplr': 'tT',
    'flipud': 'tT',
    'roll': 'tT',
    'rot90': 'tT',
    'narrow': 'tT',
    'chunk': 'tT',
    'split': 'tT',
    'tensor_split': 'tT',
    'unbind': 'tT',
    'cat': 't',
    'concat': 't',
    'stack': 't',
    'hstack': 't',
    'vstack': 't',
    'dstack': 't',
    'movedim': 'tT',
    'moveaxis': 'tT',
    'contiguous': 'T',
    'is_contiguous': 'T',
    'stride': 'T',
    'storage_offset': 'T',
    '_base': 'T',
    '_is_view': 'T',
    'view_as': 'T',
    'unfold': 'T',
    # indexing
    'index_select': 'tT',
    'gather': 'tT',
    'scatter': 'tT',
    'scatter_': 'T',
    'scatter_add': 'tT',
    'scatter_add_': 'T',
    'scatter_reduce': 'tT',
    'scatter_reduce_': 'T',
    'index_add': 'tT',
    'index_add_': 'T',
    'index_copy': 'tT',
    'index_copy_': 'T',
    'index_fill': 'tT',
    'index_fill_': 'T',
    'index_put': 'tT',
    'index_put_': 'tT',
    'masked_fill': 'tT',
    'masked_fill_': 'T',
    'masked_select': 'tT',
    'masked_scatter': 'tT',
    'masked_scatter_': 'T',
    'take': 'tT',
    'take_along_dim': 'tT',
    'put': 'tT',
    'put_': 'T',
    'nonzero': 'tT',
    'argwhere': 'tT',
    'sort': 'tT',
    'argsort': 'tT',
    'msort': 'tT',
    'topk': 'tT',
    'kthvalue': 'tT',
    'searchsorted': 't',
    'bucketize': 't',
}


def test_api_surface_matches_torch():
    spaces = {"t": (ember, "ember"), "T": (ember.Tensor, "ember.Tensor"),
              "l": (ember.linalg, "ember.linalg")}
    if torch is not None:
        ref = {"t": torch, "T": torch.Tensor, "l": torch.linalg}
        expected = {n: "".join(k for k in "tTl" if hasattr(ref[k], n)) for n in EXPECTED}
    else:
        expected = EXPECTED
    missing, extra = [], []
    for name, where in sorted(expected.items()):
        for key, (space, label) in spaces.items():
            has = hasattr(space, name)
            if key in where and not has:
                missing.append(f"{label}.{name}")
            elif key not in where and has:
                extra.append(f"{label}.{name}")
    assert not missing and not extra, (
        f"missing ({len(missing)}): {' '.join(missing)}\nnot in PyTorch ({len(extra)}): "
        f"{' '.join(extra)}"
    )


def test_device_availability_guards_match_a_cpu_build():
    # The guards at the top of pytorch/examples programs.
    assert ember.cuda.is_available() is False and ember.cuda.device_count() == 0
    assert ember.backends.mps.is_available() is False and ember.backends.mps.is_built() is False
    assert ember.accelerator.is_available() is False
    assert ember.accelerator.current_accelerator() is None
    ember.cuda.manual_seed(1)
    ember.cuda.manual_seed_all(1)
    ember.backends.cudnn.benchmark = True
    ember.backends.cudnn.deterministic = True
    ember.backends.cuda.matmul.allow_tf32 = True
    ember.backends.cudnn.benchmark = False
    ember.backends.cudnn.deterministic = False
    ember.backends.cuda.matmul.allow_tf32 = False
    try:
        ember.cuda.current_device()
    except AssertionError as e:
        assert "not compiled with CUDA" in str(e)
    else:
        raise AssertionError("current_device() without CUDA must raise")
    if torch is not None and not torch.cuda.is_available():
        assert torch.accelerator.is_available() == ember.accelerator.is_available()
        assert torch.backends.cudnn.benchmark == ember.backends.cudnn.benchmark
        assert torch.backends.cuda.matmul.allow_tf32 == ember.backends.cuda.matmul.allow_tf32


# ---- less common functions of the API, compared with PyTorch
def test_predicates_and_constants():
    assert ember.pi == math.pi and ember.e == math.e and ember.inf == math.inf
    assert math.isnan(ember.nan) and ember.newaxis is None
    assert ember.zeros(2)[ember.newaxis].shape == (1, 2)
    assert ember.is_nonzero(ember.tensor([1.5])) and not ember.is_nonzero(ember.tensor([[0]]))
    check_error(lambda L: L.is_nonzero(L.tensor([1, 2])), lambda L: L.is_nonzero(
        L.tensor([1, 2])), RuntimeError, "more than one value is ambiguous")
    check_error(lambda L: L.is_nonzero(L.tensor([])), lambda L: L.is_nonzero(L.tensor([])),
                RuntimeError, "with no values is ambiguous")
    assert ember.is_same_size(ember.zeros(2, 3), ember.ones(2, 3))
    assert not ember.is_same_size(ember.zeros(2, 3), ember.ones(3, 2))
    for dt in ("float32", "int64", "uint8", "bool", "int8"):
        assert ember.is_signed(ember.zeros(1, dtype=getattr(ember, dt))) == (
            dt not in ("uint8", "bool"))
    t = ember.zeros(2)
    assert not ember.is_conj(t) and not ember.is_neg(t) and not ember.is_inference(t)
    with ember.inference_mode():
        assert ember.is_inference(ember.zeros(1))
    assert ember.typename(t) == "torch.FloatTensor" and ember.typename(3) == "int"
    assert ember.typename(ember.nn.Linear(1, 1)) == "torch.nn.modules.linear.Linear"
    assert ember.get_device(t) == -1 and t.get_device() == -1
    assert t.layout == ember.strided and repr(ember.strided) == "torch.strided"
    assert repr(ember.channels_last) == "torch.channels_last"
    assert ember.zeros(2, 3).contiguous(memory_format=ember.contiguous_format).shape == (2, 3)


def test_anomaly_and_vmap_exports():
    assert not ember.is_anomaly_enabled()
    ember.set_anomaly_enabled(True)
    try:
        assert ember.is_anomaly_enabled() and ember.is_anomaly_check_nan_enabled()
    finally:
        ember.set_anomaly_enabled(False)
    assert not ember.is_anomaly_enabled()
    out = ember.vmap(lambda v: (v * v).sum())(ember.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert out.tolist() == [5.0, 25.0]


def test_runtime_settings():
    n = ember.get_num_threads()
    assert n >= 1
    ember.set_num_threads(2)
    assert ember.get_num_threads() == 2
    ember.set_num_threads(n)
    check_error(lambda L: L.set_num_threads(0), lambda L: L.set_num_threads(0), RuntimeError,
                "positive integer")
    assert ember.get_num_interop_threads() >= 1
    assert not ember.are_deterministic_algorithms_enabled()
    ember.use_deterministic_algorithms(True, warn_only=True)
    assert ember.are_deterministic_algorithms_enabled()
    assert ember.get_deterministic_debug_mode() == 1
    ember.set_deterministic_debug_mode("error")
    assert ember.get_deterministic_debug_mode() == 2
    ember.use_deterministic_algorithms(False)
    assert ember.get_deterministic_debug_mode() == 0
    assert ember.get_float32_matmul_precision() == "highest"
    ember.set_float32_matmul_precision("high")
    assert ember.get_float32_matmul_precision() == "high"
    ember.set_float32_matmul_precision("highest")
    ember.set_default_device("cpu")
    assert str(ember.get_default_device()) == "cpu"
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        ember.set_default_device("cuda")
    assert ember.compile(abs) is abs
    assert ember.compile(mode="max-autotune")(abs) is abs


def test_cuda_module_on_a_cpu_build():
    assert ember.cuda.is_available() is False and ember.cuda.device_count() == 0
    assert ember.cuda.is_initialized() is False
    ember.cuda.manual_seed(0)
    ember.cuda.manual_seed_all(0)
    ember.cuda.empty_cache()
    assert ember.cuda.memory_allocated() == 0 and ember.cuda.max_memory_allocated() == 0
    assert ember.cuda.is_bf16_supported() is False
    for lib in [ember] + ([torch] if torch is not None else []):
        for fn in (lambda L: L.zeros(2, device="cuda"), lambda L: L.randn(2, device="cuda:0"),
                   lambda L: L.ones(2).cuda(), lambda L: L.ones(2).to("cuda"),
                   lambda L: L.cuda.synchronize(), lambda L: L.cuda.current_device(),
                   lambda L: L.cuda.get_device_name(0), lambda L: L.tensor([1.0], device="cuda"),
                   lambda L: L.cuda.get_device_properties(0)):
            with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
                fn(lib)
    try:  # ember's error also works with the RuntimeError handlers older code has
        ember.zeros(1, device="cuda")
    except RuntimeError:
        pass
    assert issubclass(ember.OutOfMemoryError, RuntimeError)
    assert ember.OutOfMemoryError is ember.cuda.OutOfMemoryError
    assert ember.zeros(2, device="cpu:0").shape == (2,)


def test_backends_cpu_random_version():
    assert ember.backends.mps.is_available() is False and ember.backends.mps.is_built() is False
    assert ember.backends.cudnn.is_available() is False
    ember.backends.cudnn.benchmark = True
    ember.backends.cudnn.deterministic = True
    assert ember.backends.cudnn.enabled is True
    ember.backends.cudnn.benchmark = False
    ember.backends.cudnn.deterministic = False
    assert ember.backends.cuda.matmul.allow_tf32 is False
    ember.backends.cuda.matmul.allow_tf32 = True
    ember.backends.cuda.matmul.allow_tf32 = False
    assert ember.backends.cuda.is_built() is False
    assert ember.cpu.is_available() and ember.cpu.device_count() == 1
    assert ember.version.cuda is None and ember.version.__version__ == ember.__version__
    ember.random.manual_seed(5)
    a = ember.rand(3)
    with ember.random.fork_rng():
        ember.rand(10)
    b = ember.rand(3)
    ember.random.manual_seed(5)
    assert ember.equal(ember.rand(3), a) and ember.equal(ember.rand(3), b)
