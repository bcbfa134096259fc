"""Matrix products, einsum/tensordot, diagonals, and ``ember.linalg`` against PyTorch (values,
gradients and gradients of gradients) and finite differences; named results; errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inputs import randn, uniform
from oracle import check, check_error, same_values, torch

import ember
import ember.linalg

SET = settings(max_examples=8, deadline=None)


def wellcond(shape, seed=0):
    """Random square matrices with singular values in [1, 2] (distinct), batched."""
    rng = np.random.default_rng(seed)
    n = shape[-1]
    a = rng.standard_normal(shape)
    u, _, vh = np.linalg.svd(a)
    s = np.linspace(2.0, 1.0, n) + rng.uniform(0, 0.05, shape[:-2] + (n,))
    return (u * s[..., None, :]) @ vh


def _sym(a):
    return (a + a.mT) / 2


def spd(shape, seed=0):
    a = randn(shape, seed)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


PRODUCTS = {
    "matmul_mm": (lambda L, a, b: a @ b, (2, 3), (3, 4)),
    "matmul_batched_bcast": (lambda L, a, b: L.matmul(a, b), (2, 1, 2, 3), (4, 3, 2)),
    "matmul_vec_mat": (lambda L, a, b: a @ b, (3,), (2, 3, 4)),
    "matmul_mat_vec": (lambda L, a, b: a.matmul(b), (2, 4, 3), (3,)),
    "matmul_dot": (lambda L, a, b: a @ b, (3,), (3,)),
    "mm": (lambda L, a, b: L.mm(a, b), (2, 3), (3, 2)),
    "bmm": (lambda L, a, b: a.bmm(b), (2, 2, 3), (2, 3, 4)),
    "mv": (lambda L, a, b: L.mv(a, b), (2, 3), (3,)),
    "dot": (lambda L, a, b: a.dot(b), (4,), (4,)),
    "vdot": (lambda L, a, b: L.vdot(a, b), (4,), (4,)),
    "inner": (lambda L, a, b: L.inner(a, b), (2, 3), (4, 3)),
    "outer": (lambda L, a, b: L.outer(a, b), (3,), (2,)),
    "kron": (lambda L, a, b: L.kron(a, b), (2, 3), (2, 2)),
    "kron_ndim": (lambda L, a, b: a.kron(b), (2,), (2, 3)),
    "cross": (lambda L, a, b: L.cross(a, b, dim=0), (3, 2), (3, 2)),
    "linalg_cross": (lambda L, a, b: L.linalg.cross(a, b), (2, 3), (1, 3)),
    "tensordot_int": (lambda L, a, b: L.tensordot(a, b, 1), (2, 3), (3, 2)),
    "tensordot_lists": (lambda L, a, b: L.tensordot(a, b, ([1, 0], [0, 2])), (3, 2), (2, 4, 3)),
    "multi_dot": (lambda L, a, b: L.linalg.multi_dot([a, b, b.t()]), (2, 3), (3, 4)),
    "vecdot": (lambda L, a, b: L.linalg.vecdot(a, b), (2, 3), (3,)),
}


@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_products(name):
    fn, sa, sb = PRODUCTS[name]
    check(fn, randn(sa, 1), randn(sb, 2))


ADDS = {
    "addmm": (lambda L, c, a, b: L.addmm(c, a, b, beta=0.5, alpha=2.0), (4,), (2, 3), (3, 4)),
    "addmm_default": (lambda L, c, a, b: c.addmm(a, b), (2, 4), (2, 3), (3, 4)),
    "addmv": (lambda L, c, a, b: L.addmv(c, a, b[:, 0], alpha=3), (2,), (2, 3), (3, 4)),
    "baddbmm": (lambda L, c, a, b: L.baddbmm(c, a, b, beta=2),
                (1, 2, 4), (2, 2, 3), (2, 3, 4)),
    "addbmm": (lambda L, c, a, b: L.addbmm(c, a, b), (2, 4), (2, 2, 3), (2, 3, 4)),
    "addr": (lambda L, c, a, b: L.addr(c, a[0], b[0, 0]), (3, 4), (2, 3), (2, 3, 4)),
}


@pytest.mark.parametrize("name", sorted(ADDS))
def test_add_products(name):
    fn, sc, sa, sb = ADDS[name]
    check(fn, randn(sc, 0), randn(sa, 1), randn(sb, 2))


EINSUM = {
    "matmul": ("ij,jk->ik", [(2, 3), (3, 4)]),
    "implicit": ("ij,jk", [(2, 3), (3, 4)]),
    "trace": ("ii", [(3, 3)]),
    "diag": ("ii->i", [(3, 3)]),
    "sum_out": ("ijk->j", [(2, 3, 2)]),
    "outer_batch": ("bi,bj->bij", [(2, 3), (2, 4)]),
    "ellipsis": ("...ij,...jk->...ik", [(2, 2, 3), (3, 2)]),
    "ellipsis_bcast": ("...i,...i->...", [(1, 3), (4, 3)]),
    "three": ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    "transpose": ("ij->ji", [(2, 3)]),
    "broadcast_size1": ("ij,ij->i", [(2, 1), (2, 3)]),
    "repeated_output_free": ("iij->j", [(2, 2, 3)]),
    "scalar_out": ("i,i->", [(3,), (3,)]),
    "spaces": ("i j , j -> i", [(2, 3), (3,)]),
}


@pytest.mark.parametrize("name", sorted(EINSUM))
def test_einsum(name):
    eq, shapes = EINSUM[name]
    arrays = [randn(s, i) for i, s in enumerate(shapes)]
    check(lambda L, *xs: L.einsum(eq, *xs), *arrays)


def test_einsum_forms():
    check(lambda L, a, b: L.einsum("ij,jk->ik", [a, b]), randn((2, 3)), randn((3, 2), 1))
    check(lambda L, a, b: L.einsum(a, [0, 1], b, [1, 2], [0, 2]), randn((2, 3)), randn((3, 2), 1))


@SET
@given(b=st.integers(0, 2), n=st.integers(0, 3), m=st.integers(1, 3), k=st.integers(0, 3))
def test_matmul_einsum_random(b, n, m, k):
    a, c = randn((b, n, m), 1), randn((m, k), 2)
    check(lambda L, x, y: (x @ y, L.einsum("bnm,mk->bkn", x, y)), a, c)


DIAG = {
    "diagonal": lambda L, x: x.diagonal(),
    "diagonal_offset": lambda L, x: L.diagonal(x, 1),
    "diagonal_neg": lambda L, x: L.diagonal(x, -1, 1, 0),
    "diagonal_batch": lambda L, x: x.reshape(2, 2, 3).diagonal(0, -2, -1),
    "linalg_diagonal": lambda L, x: L.linalg.diagonal(x.reshape(3, 2, 2)),
    "diag_2d": lambda L, x: L.diag(x, 1),
    "diag_1d": lambda L, x: L.diag(x[0], -1),
    "diag_embed": lambda L, x: L.diag_embed(x, 1),
    "diag_embed_dims": lambda L, x: x.diag_embed(0, 0, 2),
    "trace": lambda L, x: x.trace(),
}


@pytest.mark.parametrize("name", sorted(DIAG))
def test_diagonals(name):
    check(DIAG[name], randn((3, 4)))


# ----------------------------------------------------------------------------- ember.linalg
def test_inv_det_slogdet_solve():
    A = wellcond((3, 3))
    Ab = wellcond((2, 3, 3), 1)
    check(lambda L, a: L.linalg.inv(a), A)
    check(lambda L, a: (L.inverse(a), a.inverse()), Ab)
    check(lambda L, a: L.linalg.det(a), A)
    check(lambda L, a: (L.det(a), a.det(), a.logdet()), Ab * np.array([1, -1])[:, None, None])
    check(lambda L, a: L.linalg.slogdet(a), Ab * np.array([1, -1])[:, None, None])
    check(lambda L, a: L.slogdet(a), A)
    B = randn((3, 2), 2)
    check(lambda L, a, b: L.linalg.solve(a, b), A, B)
    check(lambda L, a, b: L.linalg.solve(a, b[:, 0]), A, B)
    check(lambda L, a, b: L.linalg.solve(a, b), Ab, randn((3, 2), 3))
    check(lambda L, a, b: L.linalg.solve(a, b, left=False), A, randn((2, 3), 4))


def test_det_singular_gradient():
    # PyTorch returns a zero gradient for an exactly singular matrix; so does ember
    a = ember.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, 1.0, 1.0]], dtype=ember.float64,
                     requires_grad=True)
    d = ember.linalg.det(a)
    d.backward()
    assert d.item() == 0 and np.all(a.grad.numpy() == 0)


def test_cholesky_qr():
    # (only one triangle is read: symmetrise so finite differences see the same function)
    check(lambda L, a: L.linalg.cholesky(_sym(a)), spd((3, 3)))
    check(lambda L, a: L.linalg.cholesky(_sym(a), upper=True), spd((2, 3, 3), 1))
    check(lambda L, a: L.cholesky(_sym(a)), spd((2, 2), 2))
    for shape in [(4, 3), (3, 3), (2, 4, 2), (2, 4)]:
        check(lambda L, a: L.linalg.qr(a), randn(shape, 5))
    check(lambda L, a: L.linalg.qr(a, mode="complete"), randn((2, 4), 6))
    check(lambda L, a: L.linalg.qr(a, mode="complete"), randn((3, 3), 6))
    check(lambda L, a: L.qr(a), randn((4, 2), 7))


def _gauge_free_svd(L, a, full):
    U, S, Vh = L.linalg.svd(a, full_matrices=full)
    k = S.shape[-1]
    Vh = Vh[..., :k, :]
    return S, U[..., :k] * Vh.mT[..., :1, :], (U[..., :k] * S.unsqueeze(-2)) @ Vh


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4), (2, 3, 2)])
def test_svd(shape):
    a = randn(shape, 8)
    check(lambda L, x: _gauge_free_svd(L, x, False), a)
    check(lambda L, x: _gauge_free_svd(L, x, True), a)
    check(lambda L, x: (L.linalg.svdvals(x), L.svd(x).S), a)


def test_eigh_pinv_lstsq():
    A = spd((3, 3), 3) - 2 * np.eye(3)
    check(lambda L, a: L.linalg.eigvalsh(_sym(a)), A)
    check(lambda L, a: (lambda r: (r.eigenvalues, r.eigenvectors ** 2,
                                   r.eigenvectors @ r.eigenvectors.mT))(L.linalg.eigh(_sym(a))),
          A)
    check(lambda L, a: L.linalg.eigh(_sym(a), UPLO="U").eigenvalues, spd((2, 3, 3), 4))
    for shape in [(3, 2), (2, 3), (3, 3), (2, 3, 2)]:
        check(lambda L, a: L.linalg.pinv(a), randn(shape, 9))
    check(lambda L, a: (L.pinverse(a), a.pinverse()), randn((2, 3), 9))
    check(lambda L, a, b: L.linalg.lstsq(a, b).solution, randn((5, 3), 1), randn((5, 2), 2))
    check(lambda L, a, b: L.linalg.lstsq(a, b).solution, randn((5, 3), 1), randn((5,), 2))
    check(lambda L, a, b: tuple(L.linalg.lstsq(a, b, driver="gelsd")), randn((5, 3), 1),
          randn((5, 2), 2), grad=False)
    check(lambda L, a, b: tuple(L.linalg.lstsq(a, b)), randn((5, 3), 1), randn((5, 2), 2),
          grad=False)


def test_matrix_power_rank():
    A = wellcond((3, 3), 2)
    for n in (0, 1, 2, 3, -1, -2):
        check(lambda L, a: L.linalg.matrix_power(a, n), A)
    check(lambda L, a: a.matrix_power(3), wellcond((2, 2, 2), 3))
    check(lambda L, a: (L.linalg.matrix_rank(a), L.linalg.matrix_rank(a, atol=1.0, rtol=0.0)),
          np.array([[1.0, 2.0], [2.0, 4.0]]), grad=False)
    check(lambda L, a: L.linalg.matrix_rank(a), randn((2, 3, 4)), grad=False)


NORMS = {
    "vector_2": lambda L, x: L.linalg.vector_norm(x),
    "vector_1_dim": lambda L, x: L.linalg.vector_norm(x, 1, dim=1),
    "vector_3_keep": lambda L, x: L.linalg.vector_norm(x, 3, dim=(0,), keepdim=True),
    "vector_half": lambda L, x: L.linalg.vector_norm(x, 0.5),
    "vector_1p5": lambda L, x: L.linalg.vector_norm(x, 1.5, -1),
    "vector_inf": lambda L, x: L.linalg.vector_norm(x, float("inf"), 0),
    "vector_ninf": lambda L, x: L.linalg.vector_norm(x, float("-inf")),
    "vector_0": lambda L, x: L.linalg.vector_norm(x, 0),
    "fro": lambda L, x: L.linalg.matrix_norm(x),
    "nuc": lambda L, x: L.linalg.matrix_norm(x, "nuc"),
    "mat_inf": lambda L, x: L.linalg.matrix_norm(x, float("inf")),
    "mat_ninf": lambda L, x: L.linalg.matrix_norm(x, -float("inf"), keepdim=True),
    "mat_1": lambda L, x: L.linalg.matrix_norm(x, 1),
    "mat_m1": lambda L, x: L.linalg.matrix_norm(x, -1),
    "mat_2": lambda L, x: L.linalg.matrix_norm(x, 2),
    "mat_m2": lambda L, x: L.linalg.matrix_norm(x, -2, dim=(1, 0)),
    "norm_default": lambda L, x: L.linalg.norm(x),
    "norm_ord_matrix": lambda L, x: L.linalg.norm(x, "fro"),
    "norm_dim": lambda L, x: L.linalg.norm(x, 3, dim=1),
    "norm_vector": lambda L, x: L.linalg.norm(x[0], float("inf")),
    "norm_nuc_keep": lambda L, x: L.linalg.norm(x, "nuc", keepdim=True),
}


@pytest.mark.parametrize("name", sorted(NORMS))
def test_norms(name):
    check(NORMS[name], randn((3, 4), 11))


def test_vector_norm_zero_gradient():
    check(lambda L, x: L.linalg.vector_norm(x * 0), randn((3,)), gradgrad=False)
    check(lambda L, x: L.linalg.vector_norm(x * 0, 3.0), randn((3,)), gradgrad=False)


@SET
@given(shape=st.lists(st.integers(0, 3), min_size=0, max_size=3).map(tuple),
       ord=st.sampled_from([1, 2, 3, float("inf")]))
def test_vector_norm_random(shape, ord):
    if ord == float("inf") and 0 in shape:
        return
    check(lambda L, x: L.linalg.vector_norm(x, ord), randn(shape, 2))


def test_named_results():
    r = ember.linalg.slogdet(ember.eye(2) * 2)
    assert type(r).__name__ == "linalg_slogdet" and r._fields == ("sign", "logabsdet")
    assert repr(r) == ("torch.return_types.linalg_slogdet(\nsign=tensor(1.),\n"
                       "logabsdet=tensor(1.3863))")
    assert ember.linalg.svd(ember.eye(2))._fields == ("U", "S", "Vh")
    assert ember.linalg.eigh(ember.eye(2))._fields == ("eigenvalues", "eigenvectors")
    assert ember.linalg.qr(ember.eye(2))._fields == ("Q", "R")
    assert ember.linalg.lstsq(ember.eye(2), ember.eye(2))._fields == (
        "solution", "residuals", "rank", "singular_values")
    q = ember.linalg.qr(ember.eye(2), mode="r")
    assert q.Q.shape == (0,) and q.R.shape == (2, 2)
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)


def test_errors():
    LinAlg = (ember.linalg.LinAlgError,) if torch is None else (RuntimeError,)
    check_error(lambda L: L.linalg.inv(L.zeros(3, 3)), lambda L: L.linalg.inv(L.zeros(3, 3)),
                LinAlg, "linalg.inv: The diagonal element 1 is zero, the inversion could not be "
                "completed because the input matrix is singular.")
    A = [[1.0, 2.0], [2.0, 4.0]]
    check_error(lambda L: L.linalg.inv(L.tensor([A, A])), lambda L: L.linalg.inv(L.tensor([A, A])),
                LinAlg, "linalg.inv: (Batch element 0): The diagonal element 2 is zero")
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.inv(ember.zeros(2, 2))
    check_error(lambda L: L.linalg.inv(L.zeros(2, 3)), lambda L: L.linalg.inv(L.zeros(2, 3)),
                RuntimeError, "linalg.inv: A must be batches of square matrices, but they are 2 "
                "by 3 matrices")
    check_error(lambda L: L.linalg.inv(L.zeros(3)), lambda L: L.linalg.inv(L.zeros(3)),
                RuntimeError, "linalg.inv: The input tensor A must have at least 2 dimensions.")
    check_error(lambda L: L.linalg.det(L.ones(2, 2, dtype=L.long)),
                lambda L: L.linalg.det(L.ones(2, 2, dtype=L.long)), RuntimeError,
                "linalg.det: Expected a floating point or complex tensor as input. Got Long")
    check_error(lambda L: L.linalg.solve(L.eye(3), L.ones(4, 1)),
                lambda L: L.linalg.solve(L.eye(3), L.ones(4, 1)), RuntimeError,
                "linalg.solve: Incompatible shapes of A and B for the equation AX = B (3x3 and "
                "4x1)")
    check_error(lambda L: L.linalg.solve(L.zeros(3, 3), L.ones(3)),
                lambda L: L.linalg.solve(L.zeros(3, 3), L.ones(3)), LinAlg,
                "torch.linalg.solve: The solver failed because the input matrix is singular.")
    check_error(lambda L: L.linalg.cholesky(L.tensor([[1.0, 2.0], [2.0, 1.0]])),
                lambda L: L.linalg.cholesky(L.tensor([[1.0, 2.0], [2.0, 1.0]])), LinAlg,
                "linalg.cholesky: The factorization could not be completed because the input is "
                "not positive-definite (the leading minor of order 2 is not positive-definite).")
    check_error(lambda L: L.linalg.qr(L.ones(3, 2, requires_grad=True), mode="r").R.sum()
                .backward(), lambda L: L.linalg.qr(L.ones(3, 2, requires_grad=True), mode="r")
                .R.sum().backward(), RuntimeError,
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'")
    check_error(lambda L: L.linalg.matrix_norm(L.ones(3)),
                lambda L: L.linalg.matrix_norm(L.ones(3)), RuntimeError,
                "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    check_error(lambda L: L.linalg.matrix_norm(L.ones(2, 2), ord=3),
                lambda L: L.linalg.matrix_norm(L.ones(2, 2), ord=3), RuntimeError,
                "linalg.matrix_norm: Order 3 not supported.")
    check_error(lambda L: L.linalg.vector_norm(L.arange(3)),
                lambda L: L.linalg.vector_norm(L.arange(3)), RuntimeError,
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                "Long")
    check_error(lambda L: L.linalg.norm(L.ones(2, 2, 2), ord=2),
                lambda L: L.linalg.norm(L.ones(2, 2, 2), ord=2), RuntimeError,
                "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                "Got 3D.")
    check_error(lambda L: L.mm(L.ones(2, 3), L.ones(2, 3)),
                lambda L: L.mm(L.ones(2, 3), L.ones(2, 3)), RuntimeError,
                "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)")
    check_error(lambda L: L.einsum("ij,jk", L.ones(2, 3), L.ones(4, 2)),
                lambda L: L.einsum("ij,jk", L.ones(2, 3), L.ones(4, 2)), RuntimeError,
                "einsum(): subscript j has size 4 for operand 1 which does not broadcast with "
                "previously seen size 3")
    check_error(lambda L: L.einsum("ii->i", L.ones(3, 4)),
                lambda L: L.einsum("ii->i", L.ones(3, 4)), RuntimeError,
                "einsum(): subscript i is repeated for operand 0 but the sizes don't match, 4 "
                "!= 3")
    check_error(lambda L: L.tensordot(L.ones(3, 4), L.ones(3, 4), dims=([1], [0])),
                lambda L: L.tensordot(L.ones(3, 4), L.ones(3, 4), dims=([1], [0])), RuntimeError,
                "contracted dimensions need to match, but first has size 4 in dim 1 and second "
                "has size 3 in dim 0")
    check_error(lambda L: L.trace(L.ones(2, 2, 2)), lambda L: L.trace(L.ones(2, 2, 2)),
                RuntimeError, "trace: expected a matrix, but got tensor with dim 3")
    check_error(lambda L: L.linalg.cross(L.ones(3, 2), L.ones(3, 2)),
                lambda L: L.linalg.cross(L.ones(3, 2), L.ones(3, 2)), RuntimeError,
                "linalg.cross: inputs dimension -1 must have length 3. Got 2 and 2")
    check_error(lambda L: L.linalg.matrix_power(L.ones(2, 3), 2),
                lambda L: L.linalg.matrix_power(L.ones(2, 3), 2), RuntimeError,
                "linalg.matrix_power: A must be batches of square matrices, but they are 2 by 3 "
                "matrices")
    for name, args in (("solve", (2,)), ("lstsq", (2,)), ("matrix_rank", (1,))):
        check_error(lambda L: getattr(L, name)(*[L.eye(2)] * args[0]),
                    lambda L: getattr(L, name)(*[L.eye(2)] * args[0]), RuntimeError,
                    "This function was deprecated since version 1.9 and is now removed.")


@pytest.mark.parametrize("name,shapes", [("matmul", [(3, 4), (4, 2)]),
                                         ("matmul", [(2, 3, 4), (4,)]),
                                         ("mm", [(3, 4), (4, 2)]),
                                         ("bmm", [(2, 3, 4), (2, 4, 5)])])
def test_out_argument(name, shapes):
    # torch.matmul(tensor, tensor.T, out=y3), from the 60-minute-blitz tensors tutorial
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(s).astype(np.float32) for s in shapes)
    res = {}
    for lib in [ember] + ([torch] if torch is not None else []):
        expected = getattr(lib, name)(lib.tensor(a), lib.tensor(b))
        out = lib.zeros(expected.shape)
        got = getattr(lib, name)(lib.tensor(a), lib.tensor(b), out=out)
        assert got is out
        np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6)
        res[lib.__name__] = out.numpy()
    if torch is not None:
        np.testing.assert_allclose(res["ember"], res["torch"], rtol=1e-5, atol=1e-6)
    w = ember.ones(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        ember.matmul(w, w, out=ember.zeros(2, 2))


# ---- less common functions of the API, compared with PyTorch
def test_cdist_dist_renorm():
    # PyTorch has no double backward for cdist
    check(lambda L, a, b: L.cdist(a, b), uniform(3, 2), uniform(2, 2), gradgrad=False)
    check(lambda L, a, b: L.cdist(a, b, p=1), uniform(2, 3, 2), uniform(2, 2, 2), gradgrad=False)
    same_values(lambda L, a, b: L.cdist(a, b, p=float("inf")), uniform(4, 3), uniform(5, 3))
    check(lambda L, a, b: L.dist(a, b), uniform(3), uniform(3))
    check(lambda L, a, b: L.dist(a, b, 3), uniform(2, 2), uniform(2, 2))
    check(lambda L, a: L.renorm(a, 2, 0, 1.0), uniform(3, 4))
    check(lambda L, a: a.renorm(1, 1, 0.5), uniform(2, 3))


def test_matrix_exp():
    check(lambda L, a: L.matrix_exp(a), uniform(3, 3))
    check(lambda L, a: L.linalg.matrix_exp(a), uniform(2, 2, 2) * 3, gradgrad=False)
    same_values(lambda L, a: L.matrix_exp(a), uniform(4, 4) * 10, rtol=1e-9)
    same_values(lambda L, a: a.float().matrix_exp(), uniform(3, 3), rtol=1e-5, atol=1e-6)


def test_cholesky_solve_inverse_adjoint():
    a = uniform(3, 3)
    spd = a @ a.T + 3 * np.eye(3)
    L_ = np.linalg.cholesky(spd)
    check(lambda L, b, l: L.cholesky_solve(b, l), uniform(3, 2), L_, gradgrad=False)
    check(lambda L, l: L.cholesky_inverse(l), L_, gradgrad=False)
    check(lambda L, l: L.cholesky_inverse(l, upper=True), L_.T.copy(), gradgrad=False)
    check(lambda L, a: L.adjoint(a), uniform(2, 3))
    same_values(lambda L, z: L.adjoint(z), np.array([[1 + 1j, 2], [3j, 4]]))


# ---- core ops on hypothesis shapes (broadcasting, 0-d, empty)


@pytest.mark.parametrize("sa,sb", [((3, 4), (4, 5)), ((4,), (4,)), ((4,), (4, 2)), ((3, 4), (4,)),
                                   ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 2)),
                                   ((1, 3, 4), (5, 4, 2)), ((3,), (2, 3, 4))])
def test_matmul(sa, sb):
    check(lambda L, a, b: a @ b, randn(sa, 1), randn(sb, 2))
    check(lambda L, a, b: L.matmul(a, b), randn(sa, 3), randn(sb, 4))


def test_mm_mv_dot_t():
    check(lambda L, a, b: a.mm(b.t()), randn((3, 4), 1), randn((5, 4), 2))
    check(lambda L, a, b: a.mv(b), randn((3, 4), 1), randn((4,), 2))
    check(lambda L, a, b: a.dot(b), randn((4,), 1), randn((4,), 2))
