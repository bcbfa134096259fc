"""Differential probes of the autograd core: the same program on ember and on PyTorch 2.13.

Each test runs one function ``fn(lib)`` with ``lib`` the module (``ember`` or ``torch``) and
compares the result with PyTorch's concrete answer written in the test, so the test still means
something without PyTorch installed; with PyTorch it also checks that the written answer *is*
PyTorch's. Tests marked ``xfail(strict=True)`` document a known difference from PyTorch: remove the
mark when fixing it (a fixed bug turns the test into an XPASS failure on purpose).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from oracle import torch

import ember


# ------------------------------------------------------------------------------ helpers
def _py(v, lib):
    """A comparable Python value: tensors become (values, dtype name, shape, requires_grad)."""
    if isinstance(v, lib.Tensor):
        return ("T", v.detach().tolist(), str(v.dtype), tuple(v.shape), v.requires_grad)
    if isinstance(v, (list, tuple)):
        return [_py(x, lib) for x in v]
    if isinstance(v, dict):
        return {k: _py(x, lib) for k, x in v.items()}
    if isinstance(v, np.generic):
        return v.item()
    return v


def _close(a, b, path="result"):
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(b):
            assert math.isnan(a), f"{path}: {a} != nan"
        else:
            assert math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-6), f"{path}: {a} != {b}"
        return
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)} ({a!r} vs {b!r})"
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]")
        return
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"{path}: keys {a.keys()} != {b.keys()}"
        for k in a:
            _close(a[k], b[k], f"{path}[{k!r}]")
        return
    assert type(a) is type(b) and a == b, f"{path}: {a!r} != {b!r}"


def T(values, dtype="float32", shape=None, rg=False):
    """What ``_py`` makes of a tensor: the expected form of a PyTorch result."""
    if shape is None:
        shape = tuple(np.shape(values))
    return ("T", values, f"torch.{dtype}", tuple(shape), rg)


def same(fn, expected):
    """``fn(ember)`` gives ``expected`` (PyTorch's answer), and so does ``fn(torch)``."""
    if torch is not None:
        _close(_py(fn(torch), torch), expected, "torch (the expectation is wrong)")
    _close(_py(fn(ember), ember), expected, "ember")


def raises(fn, exc_type, phrase):
    """``fn`` raises ``exc_type`` with ``phrase`` in the message, on PyTorch and on ember."""
    if torch is not None:
        with pytest.raises(exc_type) as info:
            fn(torch)
        assert phrase in str(info.value), f"torch says: {info.value}"
    with pytest.raises(exc_type) as info:
        fn(ember)
    assert phrase in str(info.value), f"ember says: {info.value}"


def leaf(lib, values, dtype=None):
    return lib.tensor(values, requires_grad=True, dtype=dtype)


def gfn(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


# ============================================================================== dtype promotion
def test_int_tensor_true_divide_int_tensor_is_default_float():
    same(lambda t: t.tensor([1, 2, 3]) / t.tensor([2, 2, 2]), T([0.5, 1.0, 1.5]))


def test_int_sum_over_int_sum_is_float32():
    # e.g. accuracy = correct.sum() / mask.sum()
    same(lambda t: (t.tensor([1, 0, 1]) == 1).sum() / t.tensor([1, 1, 1, 1]).sum(), T(0.5))


def test_true_divide_ints():
    same(lambda t: t.true_divide(t.tensor([1, 2]), t.tensor([2, 4])), T([0.5, 0.5]))


def test_int_tensor_divided_by_python_int_is_float32():
    same(lambda t: t.tensor([1, 2, 3]) / 2, T([0.5, 1.0, 1.5]))
    same(lambda t: (t.tensor([1, 2, 3]) > 1).sum() / 3, T(2 / 3))


def test_numpy_float64_scalar_is_a_weak_scalar():
    same(lambda t: t.tensor([1.0, 2.0]) * np.float64(2.0), T([2.0, 4.0]))
    same(lambda t: t.tensor([1.0, 2.0]) / np.sqrt(4.0), T([0.5, 1.0]))
    same(lambda t: np.float64(2.0) * t.tensor([1.0, 2.0]), T([2.0, 4.0]))


def test_numpy_int_scalar_is_a_weak_scalar():
    same(lambda t: t.tensor([1.0, 2.0]) + np.int64(2), T([3.0, 4.0]))
    same(lambda t: t.tensor([1, 2], dtype=t.int32) * np.int64(2), T([2, 4], "int32"))


def test_clamp_int_tensor_with_float_bound_promotes():
    same(lambda t: t.tensor([1, 2]).clamp(min=1.5), T([1.5, 2.0]))


def test_sub_with_bool_tensor_raises():
    raises(
        lambda t: t.tensor([1.0, 2.0]) - t.tensor([True, False]),
        RuntimeError,
        "with a bool tensor is not supported",
    )


def test_sub_two_bool_tensors_raises():
    raises(
        lambda t: t.tensor([True]) - t.tensor([False]),
        RuntimeError,
        "with two bool tensors is not supported",
    )


def test_int_pow_negative_int_message():
    raises(
        lambda t: t.tensor([1, 2, 3]) ** -1,
        RuntimeError,
        "Integers to negative integer powers are not allowed",
    )


def test_int_pow_int_tensor_with_negative_exponent():
    same(lambda t: t.tensor([3, 2, 1]) ** t.tensor([2, -1, -3]), T([9, 0, 1], "int64"))


def test_int_inplace_true_divide_raises():
    def fn(t):
        x = t.tensor([1, 2, 3])
        x /= 2

    raises(fn, RuntimeError, "can't be cast to the desired output type Long")


def test_int_add_float_alpha_raises():
    raises(
        lambda t: t.add(t.tensor([1, 2]), t.tensor([1, 1]), alpha=0.5),
        RuntimeError,
        "alpha must not be a floating point number",
    )


def test_uint8_plus_out_of_range_python_int_wraps():
    same(lambda t: t.tensor([1, 2], dtype=t.uint8) + 300, T([45, 46], "uint8"))


def test_invert_float_tensor_type_error():
    raises(lambda t: ~t.tensor([1.0]), TypeError, "only implemented on integer and Boolean")


def test_bool_arithmetic_not_implemented():
    raises(
        lambda t: t.tensor([True, False]).abs(), NotImplementedError, "not implemented for 'Bool'"
    )
    raises(
        lambda t: t.tensor([True]) ** t.tensor([True]),
        NotImplementedError,
        "not implemented for 'Bool'",
    )
    raises(
        lambda t: t.tensor([True]) // t.tensor([True]),
        NotImplementedError,
        "not implemented for 'Bool'",
    )


def test_remainder_sign_of_zero():
    same(
        lambda t: repr(t.tensor([1.5, -2.0]) % t.tensor([3, 2], dtype=t.uint8)),
        "tensor([1.5000, -0.0000])",
    )


def test_core_promotion_matches():
    def fn(t):
        out = []
        for a, b in [
            (t.tensor([1, 2]), 2.5),
            (t.tensor([1, 2]), t.tensor(2.5)),
            (t.tensor([1.0]), t.tensor(2.0, dtype=t.float64)),
            (t.tensor([1.0]), t.tensor([2.0], dtype=t.float64)),
            (t.tensor([True]), 1),
            (t.tensor([True]), 1.5),
            (t.tensor([1], dtype=t.int32), t.tensor(2)),
            (t.tensor([1], dtype=t.uint8), t.tensor([1], dtype=t.int8)),
            (t.tensor([1.0], dtype=t.float16), t.tensor(1.0)),
        ]:
            out.append([str((a + b).dtype), str((a * b).dtype)])
        return out

    same(
        fn,
        [
            ["torch.float32"] * 2,
            ["torch.float32"] * 2,
            ["torch.float32"] * 2,
            ["torch.float64"] * 2,
            ["torch.int64", "torch.int64"],
            ["torch.float32"] * 2,
            ["torch.int32", "torch.int32"],
            ["torch.int16", "torch.int16"],
            ["torch.float16"] * 2,
        ],
    )


# ============================================================================== numpy interop
def test_tensor_plus_ndarray():
    same(lambda t: t.tensor([1.0, 2.0]) + np.array([1.0, 2.0]), T([2.0, 4.0], "float64"))


def test_tensor_from_list_of_numpy_float64_scalars():
    same(lambda t: t.tensor([np.float64(2.0), np.float64(3.0)]), T([2.0, 3.0], "float64"))


def test_tensor_from_list_of_ndarrays():
    same(
        lambda t: t.tensor([np.array([1.0, 2.0]), np.array([3.0, 4.0])]),
        T([[1.0, 2.0], [3.0, 4.0]], "float64"),
    )


# ============================================================================== indexing
def test_setitem_advanced_index_with_value_requiring_grad():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        z = t.zeros(4)
        z[t.tensor([0, 2])] = x
        (z * t.arange(4.0)).sum().backward()
        return [z, x.grad, gfn(z)]

    same(fn, [T([1.0, 0.0, 2.0, 0.0], rg=True), T([0.0, 2.0]), "IndexPutBackward0"])


def test_setitem_mask_with_value_requiring_grad():
    def fn(t):
        v = leaf(t, [3.0, 4.0])
        z = t.tensor([0.0, 1.0, 0.0, 1.0])
        z[z == 0] = v
        (z * t.arange(4.0)).sum().backward()
        return [z, v.grad]

    same(fn, [T([3.0, 1.0, 4.0, 1.0], rg=True), T([0.0, 2.0])])


def test_setitem_list_with_value_requiring_grad():
    def fn(t):
        w = leaf(t, 2.0)
        z = leaf(t, [1.0, 2.0, 3.0]) * 1
        z[[0, 2]] = w * 3
        z.sum().backward()
        return [z, w.grad]

    same(fn, [T([6.0, 2.0, 6.0], rg=True), T(6.0)])


def test_setitem_basic_index_with_value_requiring_grad():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        z = t.zeros(2, 2)
        z[0] = x
        z[:, 1] = x * 2
        (z * z).sum().backward()
        return [z, x.grad]

    same(fn, [T([[1.0, 2.0], [0.0, 4.0]], rg=True), T([10.0, 16.0])])


def test_setitem_basic_index_grad_fn_is_copyslices():
    def fn(t):
        k = leaf(t, [1.0, 2.0, 3.0, 4.0]).clone()
        k[1:3] = 0.0
        a = leaf(t, [1.0, 2.0]) * 1
        a[0] = 5.0
        return [gfn(k), gfn(a)]

    same(fn, ["CopySlices", "CopySlices"])


def test_setitem_advanced_index_grad_fn_is_index_put():
    def fn(t):
        k = leaf(t, [1.0, 2.0, 3.0]).clone()
        k[k > 1] = 0.0
        return [gfn(k), k]

    same(fn, ["IndexPutBackward0", T([1.0, 0.0, 0.0], rg=True)])


def test_index_with_empty_list():
    same(lambda t: t.arange(6.0)[[]], T([], shape=(0,)))


def test_uint8_index_is_a_mask():
    same(lambda t: t.arange(3.0)[t.tensor([1, 0, 1], dtype=t.uint8)], T([0.0, 2.0]))


def test_index_reads_and_grads():
    def fn(t):
        x = leaf(t, [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
        parts = [
            x[1],
            x[:, ::2],
            x[None, 0],
            x[..., 1],
            x[[0, 0, 1]],
            x[x > 2],
            x[:, [2, 0]],
            x[t.tensor([1])],
            x[-1, -1],
        ]
        sum(p.sum() * (i + 1) for i, p in enumerate(parts)).backward()
        return [[gfn(p) for p in parts], x.grad]

    same(
        fn,
        [
            [
                "SelectBackward0",
                "SliceBackward0",
                "SelectBackward0",
                "SelectBackward0",
                "IndexBackward0",
                "IndexBackward0",
                "IndexBackward0",
                "IndexBackward0",
                "SelectBackward0",
            ],
            T([[22.0, 17.0, 22.0], [29.0, 24.0, 38.0]]),
        ],
    )


def test_duplicate_index_grads_accumulate():
    def fn(t):
        x = leaf(t, [0.0, 0.0, 0.0])
        x[[0, 0, 2, 0]].sum().backward()
        z = t.zeros(3)
        z[[0, 0, 1]] += 1
        return [x.grad, z]

    same(fn, [T([3.0, 0.0, 1.0]), T([1.0, 1.0, 0.0])])


# ============================================================================== in-place and views
def test_view_then_base_modified_in_place_gives_right_grad():
    def fn(t):
        x = leaf(t, [[1.0, 2.0], [3.0, 4.0]])
        y = x * 1
        a = y[0]
        y.mul_(3)
        a.sum().backward()
        return [a, x.grad]

    same(fn, [T([3.0, 6.0], rg=True), T([[3.0, 3.0], [0.0, 0.0]])])


def test_view_then_base_setitem_gives_right_grad():
    def fn(t):
        x = leaf(t, [1.0, 2.0, 3.0, 4.0])
        y = x * 1
        a = y[:2]
        y[0] = 7.0
        a.sum().backward()
        return [a, x.grad]

    same(fn, [T([7.0, 2.0], rg=True), T([0.0, 1.0, 0.0, 0.0])])


def test_overlapping_sibling_view_modified():
    def fn(t):
        x = leaf(t, [1.0, 2.0, 3.0, 4.0])
        y = x * 1
        a, b = y[:2], y[1:3]
        a.mul_(10)
        b.sum().backward()
        return [b, x.grad]

    same(fn, [T([20.0, 3.0], rg=True), T([0.0, 10.0, 1.0, 0.0])])


def test_view_then_base_mul_by_tensor_requiring_grad():
    def fn(t):
        x = leaf(t, [1.0, 2.0, 3.0, 4.0])
        w = leaf(t, [5.0, 6.0, 7.0, 8.0])
        y = x * 1
        a = y[:2]
        y.mul_(w)
        a.sum().backward()
        return [x.grad, w.grad]

    same(fn, [T([5.0, 6.0, 0.0, 0.0]), T([1.0, 2.0, 0.0, 0.0])])


def test_inplace_on_view_updates_base_grad():
    def fn(t):
        x = leaf(t, [1.0, 2.0, 3.0])
        y = x * 1
        v = y[1:]
        v.mul_(2)
        y.sum().backward()
        return [gfn(y), y._version, v._version, x.grad, y]

    same(fn, ["CopySlices", 1, 1, T([1.0, 2.0, 2.0]), T([1.0, 4.0, 6.0], rg=True)])


def test_modified_view_grad_fn_name():
    def fn(t):
        y = leaf(t, [1.0, 2.0, 3.0, 4.0]).clone()
        v = y.view(2, 2)
        v.mul_(5)
        s = y[1:]
        s.add_(1)
        z = y * 1
        old = z[0]
        z.mul_(2)
        return [gfn(v), gfn(s), gfn(y), gfn(old)]

    same(fn, ["AsStridedBackward0", "AsStridedBackward0", "CopySlices", "AsStridedBackward0"])


def test_mul_by_scalar_then_modify_input_is_fine():
    def fn(t):
        x = leaf(t, [1.0, 2.0, 3.0])
        y = x * 1
        z = y * 3
        y.add_(1)
        z.sum().backward()
        return x.grad

    same(fn, T([3.0, 3.0, 3.0]))


def test_mul_by_constant_tensor_then_modify_input_is_fine():
    def fn(t):
        x = leaf(t, [1.0, 2.0, 3.0])
        w = t.tensor([1.0, 2.0, 3.0])
        y = x * 1
        z = y * w
        y.add_(1)
        z.sum().backward()
        return x.grad

    same(fn, T([1.0, 2.0, 3.0]))


def test_div_by_scalar_then_modify_input_is_fine():
    def fn(t):
        x = leaf(t, [1.0, 2.0, 3.0])
        y = x * 1
        z = y / 2
        y.add_(1)
        z.sum().backward()
        return x.grad

    same(fn, T([0.5, 0.5, 0.5]))


def test_rdiv_saves_result_not_input():
    def fn(t):
        x = leaf(t, [1.0, 2.0, 4.0])
        y = x * 1
        z = 2 / y
        name = gfn(z)
        y.add_(1)
        z.sum().backward()
        return [name, x.grad]

    same(fn, ["MulBackward0", T([-2.0, -0.5, -0.125])])


def test_matmul_with_constant_then_modify_input_is_fine():
    def fn(t):
        x = leaf(t, [[1.0, 2.0], [3.0, 4.0]])
        y = x * 1
        z = t.ones(2, 2) @ y
        y.add_(1)
        z.sum().backward()
        return x.grad

    same(fn, T([[2.0, 2.0], [2.0, 2.0]]))


def test_select_times_scalar_then_modify_base_is_fine():
    def fn(t):
        x = leaf(t, [1.0, 2.0, 3.0])
        y = x * 1
        z = y[0] * 2
        y.add_(1)
        z.backward()
        return x.grad

    same(fn, T([2.0, 0.0, 0.0]))


def test_saved_operand_modified_raises():
    def fn(t):
        a = leaf(t, [1.0, 2.0, 3.0], t.float64)
        b = a * 2
        c = b * b
        b.add_(1)
        c.sum().backward()

    raises(fn, RuntimeError, "is at version 1; expected version 0 instead")


def test_mul_self_inplace_raises_on_backward():
    def fn(t):
        x = leaf(t, [-1.0, 2.0, 3.0])
        y = x * 2
        y.mul_(y)
        y.sum().backward()

    raises(fn, RuntimeError, "modified by an inplace operation")


def test_inplace_on_unbind_output_raises():
    def fn(t):
        y = leaf(t, [1.0, 2.0]) * 1
        a, _ = y.unbind()
        a.mul_(2)

    raises(fn, RuntimeError, "is a view and is being modified inplace")


def test_version_counter_values():
    def fn(t):
        a = t.tensor([1.0, 2.0, 3.0])
        r = [a._version]
        a.add_(1)
        r.append(a._version)
        a += 1
        r.append(a._version)
        a[0] = 3
        r.append(a._version)
        a[1:] = t.tensor([1.0, 1.0])
        r.append(a._version)
        b = a.view(3)
        r.append(b._version)
        b.mul_(2)
        r.append(a._version)
        a.zero_()
        a.fill_(2)
        a.copy_(t.ones(3))
        r.append(a._version)
        c = a.clone()
        r.append(c._version)
        a.sub_(1).mul_(3)
        r.append(a._version)
        a[[0, 1]] = 5.0
        a[a > 2] = 0.0
        r.append(a._version)
        d = a.detach()
        d.add_(1)
        r.append(a._version)
        a.requires_grad_()
        r.append(a._version)
        return r

    same(fn, [0, 1, 2, 3, 4, 4, 5, 8, 0, 10, 12, 13, 13])


def test_data_inplace_does_not_bump_version():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        x.data.mul_(2)
        x.data -= 1
        return [x, x._version]

    same(fn, [T([1.0, 3.0], rg=True), 0])


def test_leaf_inplace_errors():
    raises(
        lambda t: leaf(t, [1.0]).add_(1),
        RuntimeError,
        "a leaf Variable that requires grad is being used in an in-place operation",
    )

    def setitem(t):
        x = leaf(t, [1.0, 2.0])
        x[0] = 5.0

    raises(setitem, RuntimeError, "leaf Variable that requires grad")

    def no_grad_ok(t):
        x = leaf(t, [1.0, 2.0])
        with t.no_grad():
            x.mul_(2)
            x[0] = 7.0
        return [x, x.is_leaf, x._version, gfn(x)]

    same(no_grad_ok, [T([7.0, 4.0], rg=True), True, 2, None])


def test_view_under_no_grad_requires_grad():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        with t.no_grad():
            y = x[0]
            z = x.view(2)
            w = x * 1
        return [y.requires_grad, z.requires_grad, z.is_leaf, w.requires_grad]

    same(fn, [True, True, True, False])


# ============================================================================== grad_fn names
def test_rsub_grad_fn_name():
    same(lambda t: gfn(1 - leaf(t, [1.0])), "RsubBackward1")


def test_masked_fill_grad_fn_name():
    same(
        lambda t: gfn(leaf(t, [1.0, 2.0]).masked_fill(t.tensor([True, False]), 0.0)),
        "MaskedFillBackward0",
    )


@pytest.mark.xfail(strict=True, reason="unbind outputs are SelectBackward0, not UnbindBackward0")
def test_unbind_grad_fn_name_and_output_nr():
    def fn(t):
        _, b = leaf(t, [1.0, 2.0]).unbind()
        n = (b * 2).grad_fn.next_functions[0]
        return [gfn(b), type(n[0]).__name__, n[1]]

    same(fn, ["UnbindBackward0", "UnbindBackward0", 1])


def test_none_index_grad_fn_name():
    same(lambda t: gfn(leaf(t, [1.0, 2.0])[None]), "UnsqueezeBackward0")


def test_div_floor_backward_is_zero():
    def fn(t):
        x = leaf(t, [1.0, 3.0])
        y = t.div(x, 2, rounding_mode="floor")
        y.sum().backward()
        return [gfn(y), x.grad]

    same(fn, ["DivBackward2", T([0.0, 0.0])])


def test_core_grad_fn_names():
    def fn(t):
        x = leaf(t, [1.0, 2.0, 3.0])
        m = leaf(t, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        ys = [
            x * 2,
            x + x,
            x - 1,
            x / 2,
            -x,
            x**2,
            x**x,
            2**x,
            x.sum(),
            m.sum(0),
            x.mean(),
            m.mean(1),
            x[0],
            x[1:],
            x[[0, 1]],
            m.view(6),
            m.reshape(3, 2),
            x.expand(2, 3),
            m.t(),
            m.T,
            m.mm(m.t()),
            m @ x,
            x.clone(),
            x.exp(),
            x.relu(),
            x.sigmoid(),
            x.tanh(),
            x.max(),
            x.unsqueeze(0),
            t.cat([x, x]),
            t.stack([x, x]),
            x.double(),
            m.permute(1, 0),
            m.flatten(),
        ]
        return [gfn(y) for y in ys]

    same(
        fn,
        [
            "MulBackward0",
            "AddBackward0",
            "SubBackward0",
            "DivBackward0",
            "NegBackward0",
            "PowBackward0",
            "PowBackward1",
            "PowBackward2",
            "SumBackward0",
            "SumBackward1",
            "MeanBackward0",
            "MeanBackward1",
            "SelectBackward0",
            "SliceBackward0",
            "IndexBackward0",
            "ViewBackward0",
            "ViewBackward0",
            "ExpandBackward0",
            "TBackward0",
            "PermuteBackward0",
            "MmBackward0",
            "MvBackward0",
            "CloneBackward0",
            "ExpBackward0",
            "ReluBackward0",
            "SigmoidBackward0",
            "TanhBackward0",
            "MaxBackward1",
            "UnsqueezeBackward0",
            "CatBackward0",
            "StackBackward0",
            "ToCopyBackward0",
            "PermuteBackward0",
            "ViewBackward0",
        ],
    )


def test_next_functions_structure():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        w = t.tensor([1.0, 2.0])
        y = x * w + w
        n = y.grad_fn
        inner = n.next_functions[0][0]
        return [
            [(None if f is None else type(f).__name__, i) for f, i in n.next_functions],
            [(None if f is None else type(f).__name__, i) for f, i in inner.next_functions],
            inner.next_functions[0][0].variable is x,
        ]

    same(fn, [[("MulBackward0", 0), (None, 0)], [("AccumulateGrad", 0), (None, 0)], True])


# ============================================================================== gradients
def test_relu_backward_zero_is_positive_zero():
    def fn(t):
        out = []
        for op in (lambda x: x.relu(), lambda x: x.clamp(min=0), lambda x: x.max()):
            x = leaf(t, [-1.0, 2.0, 0.0])
            (op(x) * -1).sum().backward()
            out.append(repr(x.grad))
        return out

    same(fn, ["tensor([ 0., -1.,  0.])", "tensor([ 0., -1., -1.])", "tensor([ 0., -1.,  0.])"])


def test_grad_requiring_grad_keeps_it_on_accumulation():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        x.grad = t.zeros(2, requires_grad=True)
        (x * 2).sum().backward()
        return x.grad

    same(fn, T([2.0, 2.0], rg=True))


def test_backward_and_grad_options():
    def fn(t):
        x, y = leaf(t, [1.0, 2.0]), leaf(t, [3.0, 4.0])
        z = (x * y).sum()
        z.backward(inputs=[x], retain_graph=True)
        r = [x.grad, y.grad]
        r += list(t.autograd.grad(z, [x, y], retain_graph=True))
        r += list(t.autograd.grad((x * 2).sum(), [x, y], allow_unused=True))
        r += list(t.autograd.grad((x * 2).sum(), [x, y], allow_unused=True, materialize_grads=True))
        q = x * x
        r += list(t.autograd.grad(q, x, grad_outputs=t.tensor([1.0, 0.5])))
        (g,) = t.autograd.grad((x**3).sum(), x, create_graph=True)
        (g2,) = t.autograd.grad(g.sum(), x)
        r += [g, g2]
        return r

    same(
        fn,
        [
            T([3.0, 4.0]),
            None,
            T([3.0, 4.0]),
            T([1.0, 2.0]),
            T([2.0, 2.0]),
            None,
            T([2.0, 2.0]),
            T([0.0, 0.0]),
            T([2.0, 2.0]),
            T([3.0, 12.0], rg=True),
            T([6.0, 12.0]),
        ],
    )


def test_backward_errors():
    def twice(t):
        y = (leaf(t, [1.0]) ** 2).sum()
        y.backward()
        y.backward()

    raises(twice, RuntimeError, "Trying to backward through the graph a second time")
    raises(
        lambda t: (leaf(t, [1.0, 2.0]) * 2).backward(),
        RuntimeError,
        "grad can be implicitly created only for scalar outputs",
    )
    raises(
        lambda t: t.tensor([1.0]).sum().backward(),
        RuntimeError,
        "element 0 of tensors does not require grad and does not have a grad_fn",
    )
    raises(
        lambda t: t.autograd.grad((leaf(t, [1.0]) * 2).sum(), leaf(t, [1.0])),
        RuntimeError,
        "appears to not have been used in the graph",
    )
    raises(
        lambda t: t.tensor([1, 2], requires_grad=True),
        RuntimeError,
        "Only Tensors of floating point and complex dtype can require gradients",
    )


def test_assign_bad_grad_message():
    raises(
        lambda t: setattr(leaf(t, [1.0, 2.0]), "grad", t.ones(3)),
        RuntimeError,
        "attempting to assign a gradient of size",
    )
    raises(
        lambda t: setattr(leaf(t, [1.0, 2.0]), "grad", t.ones(2, dtype=t.float64)),
        RuntimeError,
        "attempting to assign a gradient with dtype",
    )


# ============================================================================== hooks
def test_hook_returning_non_tensor():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        x.register_hook(lambda g: 5)
        (x * 2).sum().backward()

    raises(fn, TypeError, "expected Variable, but hook returned 'int'")


def test_hook_changing_size_raises():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        x.register_hook(lambda g: g.sum())
        (x * 2).sum().backward()

    raises(fn, RuntimeError, "hook '<lambda>' has changed the size of value")


def test_node_hook_wrong_count_raises():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        y = x * 2
        y.grad_fn.register_hook(lambda gi, go: (gi[0] * 5,))
        y.sum().backward()

    raises(fn, RuntimeError, "has returned an incorrect number of values (got 1, but expected 2)")


def test_hooks_fire_in_pytorch_order():
    def fn(t):
        log = []
        x = leaf(t, [1.0, 2.0])
        x.register_hook(lambda g: log.append(("x", g.tolist())))
        x.register_post_accumulate_grad_hook(lambda p: log.append(("post", p.grad.tolist())))
        y = x * 2
        y.register_hook(lambda g: log.append(("y", g.tolist())) or g * 10)
        y.retain_grad()
        y.grad_fn.register_prehook(lambda go: log.append(("pre", go[0].tolist())))
        y.grad_fn.register_hook(lambda gi, go: log.append(("node", gi[0].tolist())))
        a, b = y * 1, y * 2
        a.register_hook(lambda g: log.append("a"))
        b.register_hook(lambda g: log.append("b"))
        (a + b).sum().backward()
        h = x.register_hook(lambda g: g * 100)
        h.remove()
        (x * 1).sum().backward()
        return [log, y.grad, x.grad]

    same(
        fn,
        [
            [
                "b",
                "a",
                ("y", [3.0, 3.0]),
                ("pre", [30.0, 30.0]),
                ("node", [60.0, 60.0]),
                ("x", [60.0, 60.0]),
                ("post", [60.0, 60.0]),
                ("x", [1.0, 1.0]),
                ("post", [61.0, 61.0]),
            ],
            T([30.0, 30.0]),
            T([61.0, 61.0]),
        ],
    )


# ============================================================================== grad modes
def test_bare_grad_mode_decorators():
    def fn(t):
        x = leaf(t, [1.0])

        @t.no_grad
        def f(a):
            return a * 2

        @t.enable_grad
        def g(a):
            return a * 2

        with t.no_grad():
            gr = g(x).requires_grad
        return [f(x).requires_grad, gr]

    same(fn, [False, True])


def test_no_grad_decorated_generator():
    def fn(t):
        @t.no_grad()
        def gen():
            for _ in range(2):
                yield t.is_grad_enabled()

        return list(gen()) + [t.is_grad_enabled()]

    same(fn, [False, False, True])


def test_grad_mode_nesting_and_decorators():
    def fn(t):
        x = leaf(t, [1.0])
        r = []
        with t.no_grad():
            r.append((x * 2).requires_grad)
            with t.enable_grad():
                r.append((x * 2).requires_grad)
            with t.set_grad_enabled(True):
                r.append((x * 2).requires_grad)
        t.set_grad_enabled(False)
        r.append(t.is_grad_enabled())
        t.set_grad_enabled(True)

        @t.no_grad()
        def f(a):
            return a * 2

        r.append(f(x).requires_grad)
        with t.inference_mode():
            r.append((x * 2).requires_grad)
        r.append(t.is_grad_enabled())
        return r

    same(fn, [False, True, True, False, False, False, True])


def test_inference_mode_flags():
    def fn(t):
        with t.inference_mode():
            y = t.ones(2)
            inside = t.is_inference_mode_enabled()
        return [inside, y.is_inference(), y.clone().is_inference(), t.is_inference_mode_enabled()]

    same(fn, [True, True, False, False])


def test_enable_grad_inside_inference_mode():
    def fn(t):
        x = leaf(t, [1.0])
        with t.inference_mode(), t.enable_grad():
            y = x * 2
        return y.requires_grad

    same(fn, False)


def test_inference_tensor_in_autograd_raises():
    def fn(t):
        with t.inference_mode():
            y = t.ones(2)
        (y * leaf(t, [1.0, 2.0])).sum().backward()

    raises(fn, RuntimeError, "Inference tensors cannot be saved for backward")


# ============================================================================== custom Function
def test_once_differentiable_result_is_not_differentiable():
    def fn(t):
        from importlib import import_module

        once = import_module(t.__name__ + ".autograd.function").once_differentiable
        seen = []

        class Sq(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x**2

            @staticmethod
            @once
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                seen.append(t.is_grad_enabled())
                return 2 * x * g

        x = leaf(t, [1.0, 3.0])
        (g,) = t.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
        return [g, seen]

    same(fn, [T([2.0, 6.0]), [False]])


def test_mark_dirty_on_view_updates_base():
    def fn(t):
        class Double_(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.mark_dirty(x)
                return x.mul_(2)

            @staticmethod
            def backward(ctx, g):
                return g * 2

        x = leaf(t, [1.0, 3.0])
        z = x * 1
        Double_.apply(z[1:])
        z.sum().backward()
        return [z, x.grad, gfn(z)]

    same(fn, [T([1.0, 6.0], rg=True), T([1.0, 2.0]), "CopySlices"])


def test_mark_dirty_version():
    def fn(t):
        class AddOne_(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.mark_dirty(x)
                x.add_(1)
                return x

            @staticmethod
            def backward(ctx, g):
                return g

        y = leaf(t, [1.0, 2.0]).clone()
        z = AddOne_.apply(y)
        return [z is y, y._version]

    same(fn, [True, 2])


def test_custom_function_view_output_modified_raises():
    def fn(t):
        class Ident(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.view_as(x)

            @staticmethod
            def backward(ctx, g):
                return g

        z = Ident.apply(leaf(t, [1.0, 2.0]) * 1)
        z.mul_(2)

    raises(fn, RuntimeError, "is a view and is being modified inplace")


def test_custom_function_variants():
    def fn(t):
        log = []

        class Scale(t.autograd.Function):
            @staticmethod
            def forward(ctx, x, k, flag=True):
                ctx.k = k
                ctx.save_for_backward(x, None)
                return x * k

            @staticmethod
            def backward(ctx, g):
                _, none = ctx.saved_tensors
                log.append([none, list(ctx.needs_input_grad)])
                return g * ctx.k, None, None

        class Two(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                m = x > 0
                ctx.mark_non_differentiable(m)
                return x * 2, x * 3, m, 7

            @staticmethod
            def backward(ctx, ga, gb, gm, gn):
                log.append([ga is None, gb is None, gm, gn])
                return gb * 3

        class Setup(t.autograd.Function):
            @staticmethod
            def forward(x, k):
                return x * k

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.k = inputs[1]

            @staticmethod
            def backward(ctx, g):
                return g * ctx.k, None

        x = leaf(t, [1.0, -2.0])
        y = Scale.apply(x, 3.0, flag=False)
        y.sum().backward()
        _, b, m, n = Two.apply(x)
        b.sum().backward()
        s = Setup.apply(x, 4)
        s.sum().backward()
        return [log, x.grad, gfn(y), gfn(b), m, n, m.requires_grad, gfn(s)]

    same(
        fn,
        [
            [[None, [True, False, False]], [True, False, None, None]],
            T([10.0, 10.0]),
            "ScaleBackward",
            "TwoBackward",
            T([True, False], "bool"),
            7,
            False,
            "SetupBackward",
        ],
    )


def test_custom_function_errors():
    def count(t):
        class F(t.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x + y

            @staticmethod
            def backward(ctx, g):
                return g

        F.apply(leaf(t, [1.0]), leaf(t, [1.0])).sum().backward()

    raises(count, RuntimeError, "returned an incorrect number of gradients (expected 2, got 1)")

    def shape(t):
        class F(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 1

            @staticmethod
            def backward(ctx, g):
                return g.sum()

        F.apply(leaf(t, [1.0, 2.0])).sum().backward()

    raises(
        shape,
        RuntimeError,
        "returned an invalid gradient at index 0 - got [] but expected shape compatible with [2]",
    )

    def dirty_leaf(t):
        class F(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.mark_dirty(x)
                return x.mul_(2)

            @staticmethod
            def backward(ctx, g):
                return g

        F.apply(leaf(t, [1.0]))

    raises(dirty_leaf, RuntimeError, "a leaf Variable that requires grad")


def test_inplace_shape_ops_bump_version():
    def fn(t):
        a = t.ones(2, 3)
        a.t_()
        v1 = a._version
        a.unsqueeze_(0)
        v2 = a._version
        a.squeeze_(0)
        return [v1, v2, a._version]

    same(fn, [1, 2, 3])


def test_saved_tensors_readable_in_forward():
    def fn(t):
        seen = []

        class F(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                seen.append(len(ctx.saved_tensors))  # PyTorch: () until forward returns
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        x = leaf(t, [1.0, 2.0])
        F.apply(x).sum().backward()
        return [x.grad, seen]

    same(fn, [T([2.0, 2.0]), [0]])


def test_relu_forward_gives_positive_zero():
    def fn(t):
        x = t.tensor([-1.0, 2.0, -0.5])
        return [
            repr(x.relu()),
            repr(t.relu(x)),
            repr(x.clone().relu_()),
            repr(leaf(t, [-1.0, 2.0]).relu()),
            x.relu().tolist(),
        ]

    same(
        fn,
        [
            "tensor([0., 2., 0.])",
            "tensor([0., 2., 0.])",
            "tensor([0., 2., 0.])",
            "tensor([0., 2.], grad_fn=<ReluBackward0>)",
            [0.0, 2.0, 0.0],
        ],
    )


def test_pow_inplace_then_another_inplace():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        y = x * 1
        y.pow_(2)
        y.add_(1)
        y.sum().backward()
        return [y, x.grad]

    same(fn, [T([2.0, 5.0], rg=True), T([2.0, 4.0])])


def test_zero_and_fill_give_zero_grad():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        y = x.clone()
        y.zero_()
        y.sum().backward()
        g1 = x.grad
        x2 = leaf(t, [1.0, 2.0])
        z = x2 * 1
        z.fill_(3.0)
        z.sum().backward()
        return [g1, x2.grad, gfn(y)]

    same(fn, [T([0.0, 0.0]), T([0.0, 0.0]), "ZeroBackward0"])


def test_fill_grad_fn_names():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        a = x * 1
        a.fill_(2.0)
        b = x * 1
        b.fill_(x[0])
        return [gfn(a), gfn(b)]

    same(fn, ["FillBackward2", "FillBackward3"])


def test_data_modification_is_invisible_to_autograd():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        z = x * x
        x.data.add_(1)
        z.sum().backward()
        y = x.exp()
        y.data.mul_(0)
        y.sum().backward()
        return x.grad

    same(fn, T([4.0, 6.0]))


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


def test_tensor_of_none_is_runtime_error():
    raises(lambda t: t.tensor(None), RuntimeError, "Could not infer dtype of NoneType")


def test_builtin_node_saved_attributes():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        y = x * x
        r = [
            y.grad_fn._saved_self is x,
            y.grad_fn._saved_other is x,
            x.exp().grad_fn._saved_result.tolist(),
            x.pow(3).grad_fn._saved_exponent,
        ]
        y.sum().backward()
        try:
            _ = y.grad_fn._saved_self
        except RuntimeError as e:
            r.append("backward through the graph a second time" in str(e))
        return r

    same(fn, [True, True, [math.e, math.e**2], 3, True])


def test_accumulate_grad_node_name():
    def fn(t):
        acc = (leaf(t, [1.0]) * 2).grad_fn.next_functions[0][0]
        return [type(acc).__name__, acc.name()]

    same(fn, ["AccumulateGrad", "torch::autograd::AccumulateGrad"])


def test_setitem_on_leaf_message():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        x[0] = 5.0

    raises(
        fn,
        RuntimeError,
        "a view of a leaf Variable that requires grad is being used in an in-place operation",
    )


def test_inplace_shape_mismatch_is_runtime_error():
    def iadd(t):
        a = t.zeros(3)
        a += t.zeros(2)

    raises(iadd, RuntimeError, "must match the size of tensor b (2) at non-singleton dimension 0")
    raises(lambda t: t.ones(3).mul_(t.ones(2)), RuntimeError, "must match the size of tensor b")


def test_python_scalar_base_pow_int_tensor_keeps_tensor_dtype():
    same(lambda t: 3 ** t.tensor([3, 2], dtype=t.int32), T([27, 9], "int32"))
    same(lambda t: True ** t.tensor([3, 2]), T([1, 1], "int64"))


def test_sub_python_bool_raises():
    raises(
        lambda t: t.tensor([1.0, 2.0]) - True,
        RuntimeError,
        "Subtraction, the `-` operator, with a bool tensor is not supported",
    )


def test_full_with_numpy_scalar_is_default_dtype():
    same(lambda t: t.full((2,), np.float64(2.0)), T([2.0, 2.0]))


# ============================================================================== added with fixes
def test_mul_saves_the_constant_it_needs():
    # y * w saves w (y's gradient needs it): modifying w in place is still caught
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        w = t.tensor([3.0, 4.0])
        z = x * w
        w.add_(1)
        z.sum().backward()

    raises(fn, RuntimeError, "is at version 1; expected version 0 instead")


def test_pow_inplace_tensor_exponent_grads():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        e = leaf(t, [2.0, 3.0])
        y = x * 1
        y.pow_(e)
        y.sum().backward()
        return [y, x.grad, e.grad]

    same(fn, [T([1.0, 8.0], rg=True), T([2.0, 12.0]), T([0.0, 8 * math.log(2.0)])])


def test_rdiv_of_int_tensor_and_zero():
    same(lambda t: 2 / t.tensor([1, 2, 0]), T([2.0, 1.0, math.inf]))


def test_inference_tensor_rules():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        with t.inference_mode():
            y = t.ones(2)
            y.add_(1)  # fine inside
            view_inf = y[0].is_inference()
        out = (y + x).sum()  # nothing saved: allowed
        out.backward()
        errors = []
        for f in (lambda: y.add_(1), lambda: y._version, lambda: y.requires_grad_()):
            try:
                f()
            except RuntimeError as e:
                errors.append(str(e).split(".")[0])
        with t.no_grad():
            with t.inference_mode(False):  # leaves inference mode and turns grad mode on
                r = [t.is_grad_enabled(), (x * 2).requires_grad]
        return [view_inf, y.detach().is_inference(), x.grad, errors, r]

    same(
        fn,
        [
            True,
            True,
            T([1.0, 1.0]),
            [
                "Inplace update to inference tensor outside InferenceMode is not allowed",
                "Inference tensors do not track version counter",
                "Setting requires_grad=True on inference tensor outside InferenceMode is not "
                "allowed",
            ],
            [True, True],
        ],
    )


def test_hook_changing_dtype_raises():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        y = x * 2
        y.register_hook(lambda g: g.double())
        y.sum().backward()

    raises(fn, RuntimeError, "has changed the type of value (was torch.FloatTensor got "
           "torch.DoubleTensor)")


def test_grad_mode_generator_return_and_bare_decorator_on_generator():
    def fn(t):
        @t.no_grad
        def gen():
            yield t.is_grad_enabled()
            return 7

        g = gen()
        first = next(g)
        try:
            next(g)
        except StopIteration as e:
            value = e.value
        return [first, value, t.is_grad_enabled()]

    same(fn, [False, 7, True])


@pytest.mark.filterwarnings("ignore:indexing with dtype torch.uint8")
def test_uint8_mask_setitem():
    def fn(t):
        x = t.arange(3.0)
        x[t.tensor([1, 0, 1], dtype=t.uint8)] = t.tensor([7.0, 8.0])
        return x

    same(fn, T([7.0, 1.0, 8.0]))

    def scalar(t):  # a number goes to masked_fill_, which refuses byte masks
        t.arange(3.0)[t.tensor([1, 0, 1], dtype=t.uint8)] = 7.0

    raises(scalar, RuntimeError, "masked_fill_ only supports boolean masks")


def test_no_grad_view_modified_in_grad_mode_raises():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        with t.no_grad():
            v = x[:1]
            r = [v.requires_grad, v.is_leaf]
            v.mul_(2)  # allowed inside no_grad
        r.append(x.tolist())
        for op in (lambda: v.mul_(2), lambda: v.__setitem__(0, 1.0)):
            try:
                op()
            except RuntimeError as e:
                r.append("A view was created in no_grad mode" in str(e))
        return r

    same(fn, [True, True, [2.0, 2.0], True, True])


def test_custom_function_input_returned_as_is_modified_raises():
    def fn(t):
        class Same(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g

        r = []
        for x in (leaf(t, [1.0, 2.0]) * 1, leaf(t, [1.0, 2.0])):
            z = Same.apply(x)
            try:
                z.mul_(2)
                r.append("no error")
            except RuntimeError as e:
                r.append(str(e)[:60])
        with t.no_grad():
            z = Same.apply(leaf(t, [1.0, 2.0]) * 1)
            z.mul_(2)  # allowed without grad mode
        r.append(z.tolist())
        return r

    msg = "Output 0 of Same is a view and is being modified inplace. Th"
    same(fn, [msg, msg, [2.0, 4.0]])
