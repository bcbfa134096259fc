"""Shape ops against PyTorch (values, dtypes, gradients and gradients of gradients) and against
finite differences; errors by type and message."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inputs import randn, shapes, uniform
from oracle import check, check_error, same_values, torch

import ember

SET = settings(max_examples=8, deadline=None)



CASES = {
    "view": ((2, 3, 4), lambda L, x: x.view(4, -1, 2)),
    "view_tuple": ((2, 3, 4), lambda L, x: x.view((6, 4))),
    "reshape_noncontig": ((3, 4), lambda L, x: x.t().reshape(-1)),
    "reshape_fn": ((2, 6), lambda L, x: L.reshape(x, (3, 4))),
    "flatten": ((2, 3, 4), lambda L, x: x.flatten(1)),
    "flatten_mid": ((2, 3, 4, 5), lambda L, x: L.flatten(x, 1, 2)),
    "unflatten": ((2, 12), lambda L, x: x.unflatten(1, (3, -1))),
    "unflatten_fn": ((6, 2), lambda L, x: L.unflatten(x, 0, (2, 3))),
    "squeeze_all": ((1, 3, 1, 2), lambda L, x: x.squeeze()),
    "squeeze_tuple": ((1, 3, 1, 2), lambda L, x: x.squeeze((0, 2))),
    "squeeze_noop": ((2, 3), lambda L, x: x.squeeze(0)),
    "unsqueeze": ((2, 3), lambda L, x: x.unsqueeze(-1).unsqueeze(0)),
    "permute": ((2, 3, 4), lambda L, x: x.permute(2, 0, 1)),
    "transpose": ((2, 3, 4), lambda L, x: x.transpose(0, 2)),
    "swapaxes": ((2, 3, 4), lambda L, x: L.swapaxes(x, -1, 0)),
    "t": ((2, 3), lambda L, x: x.t()),
    "T": ((2, 3), lambda L, x: x.T),
    "mT": ((2, 3, 4), lambda L, x: x.mT),
    "mH": ((2, 3, 4), lambda L, x: x.mH),
    "expand": ((3, 1), lambda L, x: x.expand(2, 3, 4)),
    "expand_keep": ((3, 1), lambda L, x: x.expand(-1, 5)),
    "broadcast_to": ((1, 3), lambda L, x: L.broadcast_to(x, (2, 2, 3))),
    "repeat": ((2, 3), lambda L, x: x.repeat(2, 1, 3)),
    "repeat_0d": ((), lambda L, x: x.repeat(3)),
    "tile": ((2, 3), lambda L, x: L.tile(x, (2,))),
    "tile_more": ((2, 3), lambda L, x: x.tile((2, 1, 2))),
    "repeat_interleave": ((2, 3), lambda L, x: x.repeat_interleave(2, dim=1)),
    "repeat_interleave_flat": ((2, 3), lambda L, x: L.repeat_interleave(x, 2)),
    "flip": ((2, 3, 4), lambda L, x: x.flip(0, 2)),
    "flip_list": ((2, 3), lambda L, x: L.flip(x, [1])),
    "fliplr": ((2, 3), lambda L, x: L.fliplr(x)),
    "flipud": ((2, 3), lambda L, x: L.flipud(x)),
    "roll": ((2, 3), lambda L, x: x.roll(1, 1)),
    "roll_multi": ((3, 4), lambda L, x: L.roll(x, (1, -2), (0, 1))),
    "roll_flat": ((3, 4), lambda L, x: L.roll(x, 5)),
    "rot90": ((2, 3), lambda L, x: L.rot90(x)),
    "rot90_k2": ((2, 3, 4), lambda L, x: x.rot90(2, (1, 2))),
    "rot90_k3": ((2, 3), lambda L, x: L.rot90(x, -1, (0, 1))),
    "narrow": ((4, 5), lambda L, x: x.narrow(1, 1, 3)),
    "narrow_neg": ((4, 5), lambda L, x: L.narrow(x, 0, -2, 2)),
    "chunk": ((5, 2), lambda L, x: x.chunk(3)),
    "chunk_dim": ((2, 7), lambda L, x: L.chunk(x, 4, 1)),
    "split_int": ((5, 2), lambda L, x: x.split(2)),
    "split_sizes": ((6, 2), lambda L, x: L.split(x, [1, 3, 2])),
    "tensor_split_n": ((7, 2), lambda L, x: L.tensor_split(x, 3)),
    "tensor_split_idx": ((7, 2), lambda L, x: x.tensor_split([1, 5])),
    "tensor_split_dim": ((2, 7), lambda L, x: x.tensor_split((2, 9), dim=1)),
    "hsplit": ((2, 6), lambda L, x: L.hsplit(x, 3)),
    "vsplit": ((4, 2), lambda L, x: L.vsplit(x, [1])),
    "unbind": ((3, 2), lambda L, x: x.unbind(1)),
    "movedim": ((2, 3, 4), lambda L, x: L.movedim(x, 0, -1)),
    "movedim_multi": ((2, 3, 4, 5), lambda L, x: x.moveaxis((0, 1), (2, 0))),
    "contiguous": ((2, 3), lambda L, x: x.t().contiguous()),
    "view_as": ((2, 3), lambda L, x: x.view_as(L.zeros(3, 2))),
    "unfold": ((7,), lambda L, x: x.unfold(0, 3, 2)),
    "unfold_overlap": ((2, 6), lambda L, x: x.unfold(1, 3, 1)),
    "unfold_dim0": ((5, 2), lambda L, x: x.unfold(0, 2, 3)),
    "select": ((3, 4), lambda L, x: x.select(1, -1)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_shape_op(name):
    shape, fn = CASES[name]
    check(fn, randn(shape))


STACKS = {
    "cat": lambda L, a, b: L.cat([a, b], 1),
    "concat": lambda L, a, b: L.concat((a, b), -1),
    "stack": lambda L, a, b: L.stack([a, b[:, :2]], 1),
    "hstack": lambda L, a, b: L.hstack([a, b]),
    "vstack": lambda L, a, b: L.vstack([a.t(), b.t()]),
    "dstack": lambda L, a, b: L.dstack([a, b[:, :2]]),
    "column_stack": lambda L, a, b: L.column_stack([a, b]),
    "broadcast_tensors": lambda L, a, b: L.broadcast_tensors(a[:1], b[:, :2].unsqueeze(0)),
}


@pytest.mark.parametrize("name", sorted(STACKS))
def test_stacking(name):
    check(STACKS[name], randn((3, 2), 1), randn((3, 4), 2))


def test_stack_vectors():
    check(lambda L, a, b: (L.hstack([a, b]), L.vstack([a, b]), L.dstack([a, b]),
                           L.column_stack([a, b])), randn((3,), 1), randn((3,), 2))
    check(lambda L, a: (L.atleast_1d(a), L.atleast_2d(a), L.atleast_3d(a)), randn(()))


@SET
@given(shape=shapes(), data=st.data())
def test_permute_flip_roll_random(shape, data):
    n = len(shape)
    perm = data.draw(st.permutations(range(n)))
    x = randn(shape, 3)
    check(lambda L, t: t.permute(*perm) if n else t.permute(()), x)
    if n:
        d = data.draw(st.integers(-n, n - 1))
        k = data.draw(st.integers(-4, 4))
        check(lambda L, t: (t.flip(d), t.roll(k, d), t.unsqueeze(d).squeeze(d + (d < 0))), x)


@SET
@given(shape=shapes(min_dims=1), reps=st.lists(st.integers(0, 3), min_size=3, max_size=4))
def test_repeat_random(shape, reps):
    check(lambda L, t: t.repeat(*reps), randn(shape))


@SET
@given(shape=shapes(min_dims=1), data=st.data())
def test_split_chunk_random(shape, data):
    d = data.draw(st.integers(0, len(shape) - 1))
    n = data.draw(st.integers(1, 4))
    check(lambda L, t: t.chunk(n, d) + t.split(n, d) + L.tensor_split(t, n, d), randn(shape))


@SET
@given(shape=shapes(), data=st.data())
def test_reshape_random(shape, data):
    n = int(np.prod(shape))
    new = (-1,) if n == 0 else data.draw(st.sampled_from(
        [(n,), (1, n), (n, 1, 1), (-1,)] + ([(2, n // 2)] if n % 2 == 0 else [])))
    check(lambda L, t: (t.reshape(new), t.view(new), L.flatten(t)), randn(shape))


def test_errors():
    check_error(lambda L: L.zeros(3, 4).t().view(12), lambda L: L.zeros(3, 4).t().view(12),
                RuntimeError, "view size is not compatible with input tensor's size and stride")
    check_error(lambda L: L.zeros(3, 4).view(5), lambda L: L.zeros(3, 4).view(5),
                RuntimeError, "shape '[5]' is invalid for input of size 12")
    check_error(lambda L: L.zeros(3, 4).view(-1, -1), lambda L: L.zeros(3, 4).view(-1, -1),
                RuntimeError, "only one dimension can be inferred")
    check_error(lambda L: L.zeros(3, 4).repeat(2), lambda L: L.zeros(3, 4).repeat(2),
                RuntimeError, "Number of dimensions of repeat dims can not be smaller")
    check_error(lambda L: L.zeros(3).mT, lambda L: L.zeros(3).mT, RuntimeError,
                "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    check_error(lambda L: L.zeros(3, 4).unflatten(1, (3, 2)),
                lambda L: L.zeros(3, 4).unflatten(1, (3, 2)), RuntimeError,
                "unflatten: Provided sizes [3, 2] don't multiply up to the size of dim 1 (4)")
    check_error(lambda L: L.zeros(3, 4).split([1, 1]), lambda L: L.zeros(3, 4).split([1, 1]),
                RuntimeError, "split_with_sizes expects split_sizes to sum exactly to 3")
    check_error(lambda L: L.zeros(3, 4).narrow(0, 2, 5),
                lambda L: L.zeros(3, 4).narrow(0, 2, 5), RuntimeError,
                "start (2) + length (5) exceeds dimension size (3).")
    check_error(lambda L: L.zeros(3, 4).chunk(0), lambda L: L.zeros(3, 4).chunk(0),
                RuntimeError, "chunk expects `chunks` to be greater than 0, got: 0")
    check_error(lambda L: L.movedim(L.zeros(3, 4), 0, 3), lambda L: L.movedim(L.zeros(3, 4), 0, 3),
                IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 3)")
    check_error(lambda L: L.zeros(3, 4).flip(0, 0), lambda L: L.zeros(3, 4).flip(0, 0),
                RuntimeError, "dim 0 appears multiple times in the list of dims")
    check_error(lambda L: L.zeros(3, 4).unfold(1, 5, 1), lambda L: L.zeros(3, 4).unfold(1, 5, 1),
                RuntimeError, "maximum size for tensor at dimension 1 is 4 but size is 5")
    check_error(lambda L: L.zeros(3, 4).expand(2, 3, 5), lambda L: L.zeros(3, 4).expand(2, 3, 5),
                RuntimeError, "The expanded size of the tensor (5) must match the existing size "
                "(4) at non-singleton dimension 2")
    check_error(lambda L: L.cat([L.zeros(2, 3), L.zeros(2, 4)]),
                lambda L: L.cat([L.zeros(2, 3), L.zeros(2, 4)]), RuntimeError,
                "Sizes of tensors must match except in dimension 0")
    check_error(lambda L: L.stack([L.zeros(2), L.zeros(3)]),
                lambda L: L.stack([L.zeros(2), L.zeros(3)]), RuntimeError,
                "stack expects each tensor to be equal size")


def test_integer_and_bool_shape_ops_keep_dtype():
    x = ember.arange(6).reshape(2, 3)
    assert x.flip(0).dtype == ember.int64
    assert x.repeat(2, 1).tolist() == [[0, 1, 2], [3, 4, 5], [0, 1, 2], [3, 4, 5]]
    assert ember.roll(x, 1).tolist() == [[5, 0, 1], [2, 3, 4]]
    assert ember.repeat_interleave(ember.tensor([1, 2])).tolist() == [0, 1, 1]
    assert ember.repeat_interleave(ember.tensor([1, 2]), ember.tensor([2, 1])).tolist() == \
        [1, 1, 2]


def test_inplace_shape_methods():
    x = ember.zeros(1, 3)
    assert x.squeeze_().shape == (3,)
    assert x.unsqueeze_(1).shape == (3, 1)
    assert x.t_().shape == (1, 3)


# ---- less common functions of the API, compared with PyTorch
def test_builders():
    check(lambda L, a, b, c: L.block_diag(a, b, c), uniform(2, 2), uniform(3), uniform(1, 2))
    same_values(lambda L, a, b: L.block_diag(a, b), np.array([[1, 2]]), np.array([3.0]))
    check(lambda L, a, b: L.cartesian_prod(a, b), uniform(2), uniform(3))
    check(lambda L, a: L.combinations(a), uniform(4))
    check(lambda L, a: L.combinations(a, 3, with_replacement=True), uniform(3))
    same_values(lambda L, a: L.combinations(a, 5), np.array([1, 2, 3]))
    # PyTorch's own vander backward fails (an in-place cumprod), so ember's gradient is
    # checked numerically and the values against PyTorch
    same_values(lambda L, a: L.vander(a), uniform(3))
    same_values(lambda L, a: L.vander(a, N=4, increasing=True), np.array([0.0, 1.5, -2.0]))
    for n, inc in ((None, False), (4, True)):
        x = ember.tensor(np.array([0.0, 1.5, -2.0]), requires_grad=True)
        assert ember.autograd.gradcheck(lambda a: ember.vander(a, n, inc), (x,))
        assert ember.autograd.gradgradcheck(lambda a: ember.vander(a, n, inc), (x,))
    same_values(lambda L, a: L.vander(a, 3), np.array([1, 2, 3], dtype=np.int32))
    check(lambda L, a: L.diagflat(a, 1), uniform(2, 2))


def test_as_strided_values_and_gradient():
    check(lambda L, a: L.as_strided(a, (3, 2), (1, 2)), uniform(6))
    check(lambda L, a: a.as_strided((2, 2), (3, 1), 1), uniform(2, 3))
    x = ember.arange(6.0)
    y = x.as_strided((2, 2), (1, 1))
    with pytest.raises(RuntimeError):
        y.add_(1)  # ember's as_strided is read-only


def test_copy_variants_and_small_functions():
    x = uniform(2, 3)
    check(lambda L, a: L.permute_copy(a, (1, 0)), x)
    check(lambda L, a: L.t_copy(a), x)
    check(lambda L, a: L.expand_copy(a[:1], (3, 3)), x)
    check(lambda L, a: L.slice_copy(a, 1, 0, 3, 2), x)
    check(lambda L, a: L.select_copy(a, 0, 1), x)
    check(lambda L, a: L.diagonal_copy(a), x)
    check(lambda L, a: L.narrow_copy(a, 1, 1, 2), x)
    check(lambda L, a: L.unsqueeze_copy(a, 0), x)
    check(lambda L, a: L.view_copy(a, (3, 2)), x)
    check(lambda L, a: L.ravel(a.t()), x)
    same_values(lambda L, a: L.split_copy(a, 1, 1), x)
    e = ember.tensor(x)
    c = ember.view_copy(e, (6,))
    c[0] = 100.0
    assert e[0, 0].item() != 100.0  # a copy, not a view
    assert not ember.detach(ember.ones(2, requires_grad=True)).requires_grad
    same_values(lambda L, a: L.unsafe_chunk(a, 2, 1), x)
    same_values(lambda L, a: L.unsafe_split(a, 1), x)


# ---- core ops on hypothesis shapes (broadcasting, 0-d, empty)


def test_shape_ops():
    x = randn((2, 3, 4), 7)
    check(lambda L, t: t.view(6, 4) * 2, x)
    check(lambda L, t: t.reshape(-1, 2).sum(0), x)
    check(lambda L, t: t.permute(2, 0, 1) * t.permute(2, 0, 1), x)
    check(lambda L, t: t.transpose(0, 2).exp(), x)
    check(lambda L, t: t.unsqueeze(1).expand(2, 5, 3, 4) * 1.5, x)
    check(lambda L, t: t[:, :1].expand_as(t) * t, x)
    check(lambda L, t: t.squeeze(), randn((1, 3, 1), 2))
    check(lambda L, t: L.cat([t, t * 2], dim=1), x)
    check(lambda L, t: L.stack([t, t.exp()], dim=-1), x)
    check(lambda L, t: t.clone() * 3, x)


@pytest.mark.parametrize("make_pieces,name", [
    (lambda t: t.split(2), "SplitBackward0"),
    (lambda t: t.chunk(3), "SplitBackward0"),
    (lambda t: t.split([1, 4, 1]), "SplitWithSizesBackward0"),
])
def test_split_pieces_share_one_node(make_pieces, name):
    """As in PyTorch, the pieces of split/chunk/split_with_sizes are outputs 0, 1, ... of one
    node (whose backward joins their gradients), and each is a view of the input."""
    libs = [ember] + ([torch] if torch is not None else [])
    for L in libs:
        x = L.randn(6, 3, requires_grad=True)
        y = x * 1
        pieces = make_pieces(y)
        fn = pieces[0].grad_fn
        assert type(fn).__name__ == name
        assert all(p.grad_fn is fn for p in pieces)
        assert fn.next_functions[0][0] is y.grad_fn
        assert all(p._base is y for p in pieces)
    # only some pieces used, and a gradient of a gradient through the join
    check(lambda L, t: [p * p for p in t.split([2, 3, 1])[:2]], randn((6, 3)))
    check(lambda L, t: t.chunk(2, 1)[1].exp(), randn((2, 6)))
