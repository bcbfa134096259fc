"""squeeze on a 0-d tensor: only dims 0 and -1 exist (PyTorch's IndexError otherwise)."""

import numpy as np
import pytest

from oracle import check, check_error


@pytest.mark.parametrize("dim", [1, -2, 10, (1,), (0, 1)])
def test_squeeze_0d_out_of_range(dim):
    f = lambda lib: lib.tensor(1.5).squeeze(dim)  # noqa: E731
    d = dim if isinstance(dim, int) else dim[-1]
    check_error(f, f, IndexError,
                f"Dimension out of range (expected to be in range of [-1, 0], but got {d})")


@pytest.mark.parametrize("dim", [0, -1, (0,), (-1,)])
def test_squeeze_0d_in_range(dim):
    check(lambda lib, t: t.squeeze(dim), np.array(1.5))
