"""Tensor methods (src/ember/ops/tensor_methods.py): the method table against PyTorch's,
memory and device predicates, legacy new_*/resize_/apply_/map_, item/float of tensors."""

import numpy as np
import pytest
from inputs import uniform
from oracle import check_error, raises, requires_torch, same_values, torch

import ember


def test_float_of_multi_element_tensor_is_value_error():
    raises(
        lambda t: float(t.tensor([1.0, 2.0])),
        ValueError,
        "only one element tensors can be converted to Python scalars",
    )
    raises(
        lambda t: int(t.tensor([1, 2])),
        ValueError,
        "only one element tensors can be converted to Python scalars",
    )


def test_item_of_multi_element_tensor_is_runtime_error():
    raises(
        lambda t: t.tensor([1.0, 2.0]).item(),
        RuntimeError,
        "a Tensor with 2 elements cannot be converted to Scalar",
    )


def test_tensor_memory_and_device_predicates():
    t = ember.zeros(2, 3)
    if torch is not None:
        u = torch.zeros(2, 3)
        for name in ("is_cpu", "is_cuda", "is_meta", "is_quantized", "is_sparse", "is_mkldnn",
                     "is_mps", "is_nested", "itemsize", "nbytes"):
            assert getattr(t, name) == getattr(u, name), name
        for name in ("is_pinned", "is_shared", "is_signed", "is_conj", "is_neg",
                     "element_size", "nelement", "ndimension", "get_device", "dim_order"):
            assert getattr(t, name)() == getattr(u, name)(), name
        assert t.t().dim_order() == u.t().dim_order()
    assert t.data_ptr() == t.view(6).data_ptr() != t.clone().data_ptr()
    assert t.is_set_to(t) and not t.is_set_to(t.clone())
    assert t.share_memory_() is t and t.is_shared()
    check_error(lambda L: L.zeros(2).pin_memory(), lambda L: L.zeros(2).pin_memory(),
                RuntimeError, "Cannot access accelerator device")
    assert t.is_nonzero() if t.numel() == 1 else True
    assert t.to_dense() is t


def test_tensor_legacy_new_resize_apply_map():
    same_values(lambda L: L.zeros(2).new([1, 2]))
    same_values(lambda L: L.zeros(2, dtype=L.int32).new([1.5]))
    same_values(lambda L: L.zeros(2).new(3, 2).shape)
    same_values(lambda L: L.zeros(2).new_empty_strided((2, 3), (3, 1)).shape)
    same_values(lambda L: L.arange(6.0).resize_(2, 2))
    same_values(lambda L: L.arange(4.0).resize_as_(L.zeros(2, 2)))
    same_values(lambda L: L.arange(3.0).apply_(lambda v: v * 2 + 1))
    same_values(lambda L: L.arange(3.0).map_(L.tensor([10.0]), lambda a, b: a + b))
    check_error(lambda L: L.ones(2, requires_grad=True).apply_(abs),
                lambda L: L.ones(2, requires_grad=True).apply_(abs), RuntimeError,
                "on Variable that requires grad")
    check_error(lambda L: L.ones(2, requires_grad=True).resize_(3),
                lambda L: L.ones(2, requires_grad=True).resize_(3), RuntimeError,
                "cannot resize variables that require grad")


@pytest.mark.parametrize("shape,wrap", [((3, 3), False), ((5, 3), True), ((7, 3), True),
                                        ((5, 3), False), ((2, 4), False), ((2, 2, 2), False)])
def test_fill_diagonal_(shape, wrap):
    same_values(lambda L: L.zeros(*shape).fill_diagonal_(1.5, wrap=wrap))


@requires_torch
def test_tensor_methods_match_torch():
    x = uniform(3, 3)
    same_values(lambda L, a: a.diff(dim=0), x)
    same_values(lambda L, a: a.cov(), x)
    same_values(lambda L, a: a.corrcoef(), x)
    same_values(lambda L, a: a.matrix_exp(), x, rtol=1e-9)
    same_values(lambda L, a: a.diagflat(), x[0])
    same_values(lambda L, a: a.ravel(), x)
    same_values(lambda L, a: a.adjoint(), x)
    same_values(lambda L, a: a.logaddexp(a * 2), x)
    same_values(lambda L, a: a.xlogy(2.0), np.abs(x))
    same_values(lambda L, a: a.signbit(), x)
    same_values(lambda L, a: a.hardshrink(0.3), x)
    same_values(lambda L, a: a.prelu(L.tensor([0.25], dtype=L.float64)), x)
    same_values(lambda L, a: a.histogram(3), x)
    same_values(lambda L, a: a.nextafter(a * 0), x)
    same_values(lambda L, a: a.i0(), x)
    same_values(lambda L, a: a.angle(), x)
    same_values(lambda L, a: a.positive(), x)
    same_values(lambda L, a: a.resolve_conj().resolve_neg().conj_physical(), x)
    same_values(lambda L, a: a.clone().multiply_(2).subtract_(1).true_divide_(3).divide_(
        2, rounding_mode="floor"), x)
    same_values(lambda L, a: a.clone().addr_(a[0], a[1]), x)
    same_values(lambda L, a: a[0].clone().addmv_(a, a[1]), x)
    same_values(lambda L, a: a.unsqueeze(0).clone().baddbmm_(a.unsqueeze(0), a.unsqueeze(0)),
                x)
    same_values(lambda L, a: a.clone().lcm_(a.long()) if False else a.long().lcm(a.long()), x)
    same_values(lambda L, a: a.narrow_copy(0, 1, 2), x)
    same_values(lambda L, a: a.frexp(), x)
    same_values(lambda L, a: a.clone().ldexp_(L.tensor([1, 2, 3])), x)
    same_values(lambda L, a: (a.abs() + 2).mvlgamma(2), x)
    same_values(lambda L, a: a.clone().i0_().sinc_().rad2deg_(), x)
