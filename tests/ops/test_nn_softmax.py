"""softmax and log_softmax dtypes as PyTorch: real floats only, bfloat16 included (computed in
float32 and rounded once), complex refused with PyTorch's NotImplementedError."""

import numpy as np
import pytest
from oracle import check, raises, same, same_values

import ember

X = np.array([[1.0, 2.0, 3.0, -0.5], [0.5, -1.0, 4.0, 2.5], [0.0, 0.25, -3.0, 1.0]])


def _low(name):
    if name == "bfloat16" and ember.bfloat16 is None:
        pytest.skip("bfloat16 needs ml_dtypes")
    return name


@pytest.mark.parametrize("fname", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_reduced_precision_values_and_gradients(fname, dtype, dim):
    # the output keeps the dtype; values (and float16's gradients) within the dtype's rounding
    # of PyTorch's (finite differences mean nothing in 8 bits: numeric=False). bfloat16 values
    # only: the oracle's gradient check also runs on the simulated cuda device, which (as
    # CuPy) has no bfloat16; tests/autograd/test_graph.py checks bfloat16 gradients.
    dt = _low(dtype)
    for fn in (lambda L, x: getattr(L.nn.functional, fname)(x.to(getattr(L, dt)), dim),
               lambda L, x: getattr(x.to(getattr(L, dt)), fname)(dim),
               lambda L, x: getattr(L, fname)(x, dim, dtype=getattr(L, dt))):
        same(lambda L, fn=fn: str(fn(L, L.tensor(X)).dtype), f"torch.{dt}")
        # compared in float32 (the oracle reads no bfloat16 from PyTorch); bfloat16 values
        # only, on the cpu (CuPy has no bfloat16)
        if dt == "float16":
            check(lambda L, x, fn=fn: fn(L, x).float(), X, rtol=2e-2, atol=2e-2, numeric=False,
                  gradgrad=False)
        else:
            same_values(lambda L, x, fn=fn: fn(L, x).float(), X, rtol=2e-2, atol=2e-2)


@pytest.mark.parametrize("fname", ["softmax", "log_softmax"])
def test_bfloat16_is_float32_rounded_once(fname):
    _low("bfloat16")
    x = ember.tensor(X, dtype=ember.bfloat16)
    got = getattr(ember, fname)(x, 1)
    want = getattr(ember, fname)(x.float(), 1).to(ember.bfloat16)
    assert got.dtype is ember.bfloat16
    np.testing.assert_array_equal(got.float().numpy(), want.float().numpy())


@pytest.mark.parametrize("fname", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype,title", [("complex64", "ComplexFloat"),
                                         ("complex128", "ComplexDouble"), ("int64", "Long"),
                                         ("bool", "Bool")])
@pytest.mark.parametrize("dim,kernel", [(1, "lastdim_kernel_impl"), (0, "kernel_impl")])
def test_non_real_float_dtypes_refused(fname, dtype, title, dim, kernel):
    msg = f'"{fname}_{kernel}" not implemented for \'{title}\''
    raises(lambda L: getattr(L.nn.functional, fname)(L.ones(2, 3, dtype=getattr(L, dtype)), dim),
           NotImplementedError, msg)
    raises(lambda L: getattr(L, fname)(L.ones(2, 3), dim, dtype=getattr(L, dtype)),
           NotImplementedError, msg)
