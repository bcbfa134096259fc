"""matmul with batch dims that do not broadcast: PyTorch's RuntimeError, not NumPy's error."""

import numpy as np
import pytest

from oracle import check, check_error


@pytest.mark.parametrize("sa,sb,msg", [
    ((2, 31, 4, 3), (2, 8, 3, 4), "The size of tensor a (31) must match the size of tensor b (8) "
                                  "at non-singleton dimension 1"),
    ((3, 2, 4), (2, 4, 5), "The size of tensor a (3) must match the size of tensor b (2) at "
                           "non-singleton dimension 0"),
])
def test_matmul_batch_mismatch(sa, sb, msg):
    f = lambda lib: lib.matmul(lib.zeros(sa), lib.zeros(sb))  # noqa: E731
    check_error(f, f, RuntimeError, msg)


def test_sdpa_head_mismatch_is_runtime_error():
    f = lambda lib: lib.nn.functional.scaled_dot_product_attention(  # noqa: E731
        lib.zeros(1, 3, 4, 2), lib.zeros(1, 2, 4, 2), lib.zeros(1, 2, 4, 2))
    check_error(f, f, RuntimeError, "must match the size of tensor b")


def test_matmul_broadcasting_batches_still_work():
    rng = np.random.default_rng(0)
    check(lambda lib, a, b: a @ b, rng.standard_normal((3, 1, 2, 4)), rng.standard_normal((5, 4, 2)))
