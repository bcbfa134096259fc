"""Names real PyTorch programs use (issue 10, class 9): ``torch.autograd.Variable``, the
``torch.serialization`` allow-list API, the module paths of nn classes that pickled models
refer to, and a custom Function's node naming."""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import re
import warnings

import numpy as np
import pytest
from oracle import custom_function, requires_torch, torch

import ember
from ember.autograd import Variable

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def test_variable_returns_a_tensor_as_pytorch():
    t = ember.ones(2)
    v = Variable(t, requires_grad=True)
    assert type(v) is ember.Tensor and v is not t and v.requires_grad and v.is_leaf
    assert isinstance(t, Variable) and isinstance(v, Variable) and not isinstance(1.0, Variable)
    (v * 3).sum().backward()
    assert v.grad.tolist() == [3.0, 3.0] and t.grad is None
    with ember.no_grad():
        v.add_(1)  # the same memory, as PyTorch's Variable(t) shares t's storage
    assert t.tolist() == [2.0, 2.0]
    assert Variable(t, True).requires_grad
    assert type(Variable(ember.nn.Parameter(ember.ones(1)))) is ember.Tensor
    y = ember.ones(2, requires_grad=True) * 2
    z = Variable(y)
    assert not z.requires_grad and z.grad_fn is None
    assert Variable().shape == (0,)
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got int"):
        Variable(3)
    with pytest.raises(RuntimeError, match="floating point and complex"):
        Variable(ember.ones(2, dtype=ember.int64), requires_grad=True)
    with pytest.warns(UserWarning, match="volatile was removed and now has no effect"):
        assert not Variable(t, volatile=True).requires_grad
    with pytest.raises(TypeError):
        Variable(t, requires_grad=True, foo=1)
    assert ember.autograd.variable.Variable is Variable


def test_serialization_allow_list_names():
    ser = ember.serialization
    for name in ("add_safe_globals", "safe_globals", "get_safe_globals", "clear_safe_globals",
                 "get_unsafe_globals_in_checkpoint", "DEFAULT_PROTOCOL", "load", "save"):
        assert hasattr(ser, name), name


@requires_torch
def test_every_torch_nn_module_path_of_an_ember_class_exists():
    """For every class PyTorch defines in torch.nn.modules.<m> that ember has under
    ember.nn, ember.nn.modules.<m>.<Class> exists and is that class."""
    import torch.nn.modules as tm

    missing = []
    for info in pkgutil.iter_modules(tm.__path__):
        tmod = importlib.import_module(f"torch.nn.modules.{info.name}")
        for name, obj in vars(tmod).items():
            if not (inspect.isclass(obj) and obj.__module__ == tmod.__name__):
                continue
            ours = getattr(ember.nn, name, None)
            if ours is None:
                continue
            try:
                emod = importlib.import_module(f"ember.nn.modules.{info.name}")
            except ModuleNotFoundError:
                missing.append(f"ember.nn.modules.{info.name}")
                continue
            if getattr(emod, name, None) is not ours:
                missing.append(f"ember.nn.modules.{info.name}.{name}")
    assert missing == []
    from ember.nn.modules.activation import MultiheadAttention
    from ember.nn.modules.batchnorm import _BatchNorm
    from ember.nn.modules.linear import NonDynamicallyQuantizableLinear
    from ember.nn.modules.utils import _pair, _single, _triple

    assert MultiheadAttention is ember.nn.MultiheadAttention
    assert isinstance(ember.nn.BatchNorm1d(2), _BatchNorm)
    assert type(ember.nn.MultiheadAttention(4, 2).out_proj) is NonDynamicallyQuantizableLinear
    assert (_single(2), _pair(3), _triple((1, 2, 3)), _pair([4, 5])) == (
        (2,), (3, 3), (1, 2, 3), (4, 5))


@requires_torch
def test_whole_pytorch_model_pickle_loads_into_ember():
    """torch.save(model) pickles classes by their torch.nn.modules paths; with
    weights_only=False (a trusted file) ember rebuilds its own modules from them."""
    tm = torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(), torch.nn.Flatten(),
        torch.nn.Linear(8, 4), torch.nn.LayerNorm(4), torch.nn.Dropout(0.1))
    buf = io.BytesIO()
    torch.save(tm, buf)
    with pytest.raises(Exception, match="Weights only load failed"):
        ember.load(io.BytesIO(buf.getvalue()))
    em = ember.load(io.BytesIO(buf.getvalue()), weights_only=False)
    assert type(em) is ember.nn.Sequential and type(em[1]) is ember.nn.BatchNorm2d
    x = np.random.default_rng(0).random((2, 1, 4, 4)).astype(np.float32)
    tm.eval(), em.eval()
    np.testing.assert_allclose(em(ember.tensor(x)).detach().numpy(),
                               tm(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


MyFn = custom_function("MyFn", lambda x: x * 2, lambda g: g * 2)


def test_custom_function_node_repr_has_its_module_path():
    # PyTorch 2.13: <torch.autograd.function.MyFnBackward object at 0x7f...>
    y = MyFn.apply(ember.ones(2, requires_grad=True))
    assert re.fullmatch(r"<torch\.autograd\.function\.MyFnBackward object at 0x[0-9a-f]+>",
                        repr(y.grad_fn)), repr(y.grad_fn)
    assert str(y.grad_fn) == repr(y.grad_fn)
    assert "grad_fn=<MyFnBackward>" in repr(y)  # the tensor's repr keeps the short name
    assert re.fullmatch(r"<MulBackward0 object at 0x[0-9a-f]+>", repr((y * 2).grad_fn))


def test_instantiating_a_function_warns_as_pytorch():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MyFn()
    assert [(w.category, str(w.message), w.filename) for w in caught] == [(
        DeprecationWarning,
        f"{MyFn} should not be instantiated. Methods on autograd functions are all static, so "
        "you should invoke them on the class itself. Instantiating an autograd function will "
        "raise an error in a future version of PyTorch.",
        __file__,
    )]


def test_applying_a_function_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = MyFn.apply(ember.ones(2, requires_grad=True))
        y.sum().backward()


# ---- less common functions of the API, compared with PyTorch
TOP_LEVEL = """
pi e inf nan newaxis strided channels_last contiguous_format preserve_format layout
memory_format set_num_threads get_num_threads set_num_interop_threads get_num_interop_threads
use_deterministic_algorithms are_deterministic_algorithms_enabled
is_deterministic_algorithms_warn_only_enabled set_deterministic_debug_mode
get_deterministic_debug_mode set_float32_matmul_precision get_float32_matmul_precision
set_default_device get_default_device set_flush_denormal set_warn_always is_warn_always_enabled
typename is_nonzero is_same_size is_signed is_inference is_conj is_neg is_storage get_device
compile is_anomaly_enabled is_anomaly_check_nan_enabled set_anomaly_enabled vmap
OutOfMemoryError FloatTensor DoubleTensor HalfTensor BFloat16Tensor LongTensor IntTensor
ShortTensor CharTensor ByteTensor BoolTensor set_default_tensor_type
xlogy logaddexp logaddexp2 sinc copysign heaviside gcd lcm signbit deg2rad rad2deg nextafter
frexp ldexp i0 angle positive mvlgamma diff cdist dist isin cov corrcoef block_diag
cartesian_prod combinations vander trapezoid trapz cumulative_trapezoid unravel_index histogram
renorm matrix_exp diagflat slice_scatter select_scatter diagonal_scatter as_strided
nonzero_static cholesky_solve cholesky_inverse adjoint asarray frombuffer empty_strided
empty_permuted from_dlpack hann_window hamming_window blackman_window bartlett_window kaiser_window range
binomial complex polar view_as_real view_as_complex detach fill ravel unsafe_chunk unsafe_split
unsafe_split_with_sizes resolve_conj resolve_neg conj_physical
abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ atan_
atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ conj_physical_ cos_ cosh_ deg2rad_ detach_
erf_ erfc_ exp2_ exp_ expm1_ fill_ fix_ floor_ frac_ gcd_ i0_ lcm_ ldexp_ log10_ log1p_ log2_
log_ logit_ nan_to_num_ neg_ negative_ rad2deg_ reciprocal_ relu_ resize_as_ round_ rsqrt_
sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ xlogy_ zero_ index_put_
conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d max_pool1d max_pool2d
max_pool3d max_pool1d_with_indices avg_pool1d adaptive_avg_pool1d adaptive_max_pool1d
batch_norm layer_norm group_norm instance_norm embedding pixel_shuffle pixel_unshuffle bilinear
dropout_ alpha_dropout alpha_dropout_ feature_dropout feature_dropout_ feature_alpha_dropout
feature_alpha_dropout_ kl_div binary_cross_entropy_with_logits cosine_embedding_loss
margin_ranking_loss hinge_embedding_loss triplet_margin_loss poisson_nll_loss hardshrink rrelu
rrelu_ celu_ selu_ threshold_ pdist channel_shuffle native_channel_shuffle rms_norm
constant_pad_nd alias_copy detach_copy expand_copy permute_copy view_copy t_copy transpose_copy
squeeze_copy unsqueeze_copy diagonal_copy select_copy slice_copy split_copy
split_with_sizes_copy unbind_copy narrow_copy unfold_copy as_strided_copy view_as_real_copy
view_as_complex_copy cuda backends testing random version cpu
""".split()


TENSOR_METHODS = """
xlogy xlogy_ copysign copysign_ logaddexp logaddexp2 sinc sinc_ heaviside heaviside_ gcd gcd_
lcm lcm_ signbit deg2rad deg2rad_ rad2deg rad2deg_ nextafter nextafter_ frexp ldexp ldexp_ i0
i0_ angle positive mvlgamma mvlgamma_ diff dist cov corrcoef histogram renorm renorm_
matrix_exp diagflat slice_scatter select_scatter diagonal_scatter as_strided nonzero_static
cholesky_solve cholesky_inverse adjoint ravel unsafe_chunk unsafe_split unsafe_split_with_sizes
narrow_copy hardshrink prelu conj_physical conj_physical_ resolve_conj resolve_neg divide_
true_divide_ multiply_ subtract_ addmm_ addmv_ addbmm_ baddbmm_ addr_ is_conj is_neg
is_nonzero is_same_size is_signed is_set_to is_shared share_memory_ is_pinned pin_memory
get_device data_ptr const_data_ptr dim_order to_dense is_cpu is_meta is_quantized is_mkldnn
is_mps is_xla is_xpu is_vulkan is_ipu is_maia is_mtia is_nested is_sparse_csr itemsize nbytes
new new_empty_strided resize_ resize_as_ apply_ map_ fill_diagonal_ layout
new_tensor new_zeros new_ones new_full new_empty type_as view_as reshape_as element_size
ndimension nelement uniform_ normal_ bernoulli_ random_ exponential_ geometric_ cauchy_
log_normal_ cpu cuda to storage_offset is_cuda is_sparse H mH mT index_put masked_fill
""".split()


def test_curated_names_exist_where_torch_has_them():
    import ember.testing  # noqa: F401

    missing = [n for n in TOP_LEVEL if not hasattr(ember, n)]
    assert not missing, missing
    missing = [n for n in TENSOR_METHODS if not hasattr(ember.Tensor, n)]
    assert not missing, missing
    for n in ("assert_close", "assert_allclose", "make_tensor"):
        assert hasattr(ember.testing, n)
    if torch is not None:
        assert [n for n in TOP_LEVEL if not hasattr(torch, n)] == []
        assert [n for n in TENSOR_METHODS if not hasattr(torch.Tensor, n)] == []
        # a method in torch is a method here, a property a property
        for n in TENSOR_METHODS:
            t_prop = isinstance(getattr(torch.Tensor, n), property) or type(
                getattr(torch.Tensor, n)).__name__ == "getset_descriptor"
            e_prop = isinstance(getattr(ember.Tensor, n), property)
            assert t_prop == e_prop, n
