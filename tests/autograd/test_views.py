"""Views: shared memory and version counter with the base, PyTorch's strides (in elements),
storage offsets and contiguity, and in-place writes through views of non-leaves that keep
gradients right (CopySlices), compared with PyTorch."""

import math

import numpy as np
import pytest
from inputs import randn
from oracle import T, check, gfn, leaf, raises, same, torch

import ember

VIEWS = {
    "view": lambda x: x.view(4, 3),
    "reshape": lambda x: x.reshape(2, 6),
    "flatten": lambda x: x.flatten(),
    "unflatten": lambda x: x.unflatten(1, (2, 2)),
    "t": lambda x: x.t(),
    "T": lambda x: x.T,
    "mT": lambda x: x.mT,
    "transpose": lambda x: x.transpose(0, 1),
    "permute": lambda x: x.permute(1, 0),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(0),
    "expand": lambda x: x[:, :1].expand(3, 5),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "select": lambda x: x.select(1, 2),
    "getitem_int": lambda x: x[1],
    "getitem_slice": lambda x: x[::2, 1:],
    "getitem_none": lambda x: x[None, ..., None],
    "split": lambda x: x.split(2, 1)[1],
    "chunk": lambda x: x.chunk(2, 0)[1],
    "unbind": lambda x: x.unbind(1)[3],
    "diagonal": lambda x: x.diagonal(1),
    "movedim": lambda x: x.movedim(0, 1),
    "unfold": lambda x: x.unfold(1, 2, 1),
    "view_as": lambda x: x.view_as(x.new_zeros(12)),
    "tensor_split": lambda x: x.tensor_split(3, 1)[2],
    "as_strided_chain": lambda x: x.t()[1:].unsqueeze(0)[0, :, 1],
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_metadata_matches_torch(name):
    fn = VIEWS[name]
    x = ember.arange(12.0).reshape(3, 4).clone()
    v = fn(x)
    assert v._base is x and v._is_view()
    assert v._version == x._version
    assert np.shares_memory(v.numpy(), x.numpy())
    if torch is not None:
        tx = torch.arange(12.0).reshape(3, 4).clone()
        tv = fn(tx)
        assert tv._base is tx
        assert tuple(v.shape) == tuple(tv.shape)
        assert v.stride() == tv.stride(), (v.stride(), tv.stride())
        assert v.storage_offset() == tv.storage_offset()
        assert v.is_contiguous() == tv.is_contiguous()
        np.testing.assert_array_equal(v.numpy(), tv.numpy())


def test_version_counter_shared():
    x = ember.zeros(3, 4)
    v = x[1]
    w = v.view(2, 2)
    assert x._version == 0
    w.add_(1)
    assert x._version == v._version == w._version == 1
    assert x[1].tolist() == [1.0] * 4
    x.mul_(2)
    assert w._version == 2 and w.tolist() == [[2.0, 2.0], [2.0, 2.0]]


def test_non_views_copy():
    x = ember.arange(6.0).reshape(2, 3)
    for y in (x.flip(0), x.roll(1), x.repeat(1, 1), x[[0, 1]], x[x > 2], x.t().reshape(6),
              x.clone()):
        assert y._base is None
        assert not np.shares_memory(y.numpy(), x.numpy())


def test_strides_and_contiguity():
    x = ember.zeros(2, 3, 4)
    assert x.stride() == (12, 4, 1) and x.stride(1) == 4 and x.stride(-1) == 1
    assert x.transpose(0, 2).stride() == (1, 4, 12)
    assert not x.transpose(0, 2).is_contiguous()
    assert x.transpose(0, 2).contiguous().is_contiguous()
    assert x[:, 1].storage_offset() == 4
    assert x[1, 2, 3:].storage_offset() == 23
    assert x.storage_offset() == 0 and x.is_contiguous() and not x._is_view()
    assert x[0:1].expand(5, 3, 4).stride() == (0, 4, 1)


# --- in-place writes into views of non-leaves, against PyTorch -----------------------
INPLACE = {
    "select_mul": lambda L, x: _w(x * 2, lambda y: y[0].mul_(3)),
    "slice_add": lambda L, x: _w(x * 2, lambda y: y.view(-1)[1:3].add_(1)),
    "iadd_slice": lambda L, x: _iadd(x * 2),
    "transpose_write": lambda L, x: _w(x * 2, lambda y: y.t()[1].mul_(x[0, 0])),
    "chained_views": lambda L, x: _w(x * 1.5, lambda y: y[1:].t()[0].unsqueeze(0).sub_(
        x[0, :1].sin())),
    "diagonal_write": lambda L, x: _w(x + 0, lambda y: y[:, :2].diagonal().mul_(10)),
    "setitem_tensor_value": lambda L, x: _set(x * 3, x[0] ** 2),
    "setitem_mask": lambda L, x: _setmask(L, x * 3),
    "setitem_adv": lambda L, x: _setadv(L, x * 1.5),
    "view_then_base_write": lambda L, x: _basewrite(x * 2),
    "sibling_view_refreshed": lambda L, x: _sibling(x * 2),
    "expand_read_after_write": lambda L, x: _expand_after(x * 2),
}


def _w(y, fn):
    fn(y)
    return y


def _iadd(y):
    y.view(-1)[1:3] += 1
    return y


def _set(y, v):
    y[1] = v
    return y


def _setmask(L, y):
    y[y > 0] = 0.5
    y[:, 0] += y[:, 1]
    return y


def _setadv(L, y):
    idx = L.tensor([0, 2])
    y[idx, 1:] = y[idx, :1] * 4
    y[[1, 0]] += 1  # advanced read, add, advanced write
    return y


def _basewrite(y):
    v = y[0]
    y.mul_(2)
    return v * 1


def _sibling(y):
    a, b = y[0], y[:, 1]
    a.mul_(3)  # b shares y[0, 1] with a: its history must now include the write
    return b * b


def _expand_after(y):
    y[1].mul_(2)
    return y[:1].expand(2, 3) * y[:2]


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_through_views(name):
    check(INPLACE[name], np.random.default_rng(5).standard_normal((3, 3)))


def test_inplace_view_of_leaf_errors():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0].mul_(2)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x.mul_(2)


def test_expanded_write_errors():
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        ember.zeros(3, 1).expand(3, 4).add_(1)


def test_saved_view_modified_detected():
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    z = y[1:]
    w = z.sin()
    y.mul_(3)  # sin saved its input z, a view sharing y's version counter
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        w.sum().backward()


MULTI = {
    "split": lambda L, y: y.split(2)[0].mul_(2),
    "split_sizes": lambda L, y: y.split([1, 3])[1].add_(1),
    "chunk_then_view": lambda L, y: y.chunk(2)[0][0].add_(1),
    "unbind": lambda L, y: y.unbind(0)[1].mul_(2),
}


@pytest.mark.parametrize("name", sorted(MULTI))
def test_multi_view_outputs_not_writable(name):
    fn = MULTI[name]
    msgs = []
    for L in (ember, torch) if torch is not None else (ember,):
        y = L.ones(4, 3, requires_grad=True) * 2
        with pytest.raises(RuntimeError, match="is a view and is being modified inplace") as e:
            fn(L, y)
        msgs.append(str(e.value))
        with L.no_grad():
            fn(L, y)  # allowed without recording
        fn(L, L.ones(4, 3))  # and on tensors that do not require grad
    assert len(set(msgs)) == 1, msgs


def test_view_made_without_grad_sees_later_writes():
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    with ember.no_grad():
        v = y[:2]
    assert v.grad_fn is None
    y.mul_(3)
    assert v.tolist() == [6.0, 6.0]


# ---- programs run on ember and PyTorch; `same(fn, expected)` also states PyTorch's answer
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


# an op whose backward does not need the input it was given: modifying that input in place
# afterwards is fine (rdiv saves its result, not its input)
@pytest.mark.parametrize("x, op, name, grad", [
    pytest.param([1.0, 2.0, 3.0], lambda t, y: y * 3, "MulBackward0", [3.0, 3.0, 3.0],
                 id="mul_by_scalar"),
    pytest.param([1.0, 2.0, 3.0], lambda t, y: y * t.tensor([1.0, 2.0, 3.0]), "MulBackward0",
                 [1.0, 2.0, 3.0], id="mul_by_constant_tensor"),
    pytest.param([1.0, 2.0, 3.0], lambda t, y: y / 2, "DivBackward0", [0.5, 0.5, 0.5],
                 id="div_by_scalar"),
    pytest.param([1.0, 2.0, 4.0], lambda t, y: 2 / y, "MulBackward0", [-2.0, -0.5, -0.125],
                 id="rdiv_saves_result_not_input"),
    pytest.param([[1.0, 2.0], [3.0, 4.0]], lambda t, y: t.ones(2, 2) @ y, "MmBackward0",
                 [[2.0, 2.0], [2.0, 2.0]], id="matmul_with_constant"),
    pytest.param([1.0, 2.0, 3.0], lambda t, y: y[0] * 2, "MulBackward0", [2.0, 0.0, 0.0],
                 id="select_times_scalar"),
])
def test_op_then_modify_its_input_is_fine(x, op, name, grad):
    def fn(t):
        x_ = leaf(t, x)
        y = x_ * 1
        z = op(t, y)
        made_by = gfn(z)
        y.add_(1)
        z.sum().backward()
        return [made_by, x_.grad]

    same(fn, [name, T(grad)])


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


# ---- core ops on hypothesis shapes (broadcasting, 0-d, empty)


def _exp_then_inplace():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    d = a.exp()
    d.mul_(2)
    d.sum().backward()


def test_inplace_on_non_leaf():
    x = randn((3, 4), 13)
    other = randn((4,), 14)

    def f(L, t, o):
        y = t * 2
        y.add_(o)
        y.mul_(o)
        y.sub_(1)
        y.div_(2)
        y.relu_()
        return y

    check(f, x, other, gradgrad=False)

    def g(L, t):
        y = t.exp()
        y.mul_(2)  # saved output of exp is y itself, modified: grad must still be right? no:
        return y

    with pytest.raises(RuntimeError):
        ember.tensor(x, requires_grad=True).exp().mul_(2).sum().backward() if False else \
            _exp_then_inplace()


def test_inplace_on_view_of_non_leaf():
    x = randn((3, 4), 15)

    def f(L, t):
        y = t * 2
        y[0].mul_(3)
        y[:, 1:3] += 1
        y.view(-1)[5:7].mul_(0.5)
        return y

    check(f, x, gradgrad=False)
