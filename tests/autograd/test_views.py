"""Views: shared memory and version counter with the base, PyTorch's strides (in elements),
storage offsets and contiguity, and in-place writes through views of non-leaves that keep
gradients right (CopySlices), compared with PyTorch."""

import numpy as np
import pytest
from oracle import check, torch

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
