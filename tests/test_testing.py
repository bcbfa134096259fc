"""ember.testing: assert_close messages and tolerances as PyTorch's, make_tensor."""

import warnings

import numpy as np
import pytest
from oracle import requires_torch, torch

import ember


def _msg(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


@requires_torch
@pytest.mark.parametrize("case", [
    lambda L: L.testing.assert_close(L.tensor([1.0, 2.0, 3.0]), L.tensor([1.0, 2.5, 3.0])),
    lambda L: L.testing.assert_close(L.tensor([1, 2, 3]), L.tensor([1, 4, 3])),
    lambda L: L.testing.assert_close(L.tensor([True, False]), L.tensor([True, True])),
    lambda L: L.testing.assert_close(L.tensor([1.0, 2.0]), L.tensor([1.0, 2.0, 3.0])),
    lambda L: L.testing.assert_close(L.tensor([1.0]), L.tensor([1.0], dtype=L.float64)),
    lambda L: L.testing.assert_close(1.0, 1.5),
    lambda L: L.testing.assert_close(1, 2),
    lambda L: L.testing.assert_close(True, False),
    lambda L: L.testing.assert_close([L.tensor(1.0), L.tensor(2.0)],
                                     [L.tensor(1.0), L.tensor(3.0)]),
    lambda L: L.testing.assert_close({"a": L.tensor(1.0)}, {"a": L.tensor(2.0)}),
    lambda L: L.testing.assert_close({"a": 1}, {"b": 1}),
    lambda L: L.testing.assert_close([1, 2], [1, 2, 3]),
    lambda L: L.testing.assert_close(L.tensor([1.0]), L.tensor([1.1]), rtol=0.2),
    lambda L: L.testing.assert_close(L.tensor([float("nan")]), L.tensor([float("nan")])),
    lambda L: L.testing.assert_close(L.tensor([1.0, 2.0]), L.tensor([1.0, 3.0]), msg="custom"),
    lambda L: L.testing.assert_close(np.array([1.0, 2.0]), np.array([1.0, 3.0])),
    lambda L: L.testing.assert_close(L.tensor([[1.0, 2.0], [3.0, 4.0]]),
                                     L.tensor([[1.0, 2.0], [3.0, 5.0]])),
    lambda L: L.testing.assert_close(L.tensor(2.0), L.tensor(0.0)),
    lambda L: L.testing.assert_close(L.tensor([1.0, 2.0]), L.tensor([1.0, 3.0]),
                                     msg=lambda m: "X" + m[:10]),
    lambda L: L.testing.assert_close(L.tensor([5, 7], dtype=L.int32),
                                     L.tensor([5, 9], dtype=L.int32)),
])
def test_assert_close_messages_match_torch(case):
    et, em = _msg(lambda: case(ember))
    tt, tm = _msg(lambda: case(torch))
    assert et is tt
    assert em.replace("ember.tensor.Tensor", "torch.Tensor") == tm


def test_assert_close_passes_within_tolerance():
    ember.testing.assert_close(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0 + 1e-6]))
    ember.testing.assert_close(ember.tensor([float("nan")]), ember.tensor([float("nan")]),
                               equal_nan=True)
    ember.testing.assert_close(ember.tensor([1.0]), ember.tensor([1.0], dtype=ember.float64),
                               check_dtype=False)
    ember.testing.assert_close([ember.tensor(1), (2.0, {"k": ember.zeros(2)})],
                               [ember.tensor(1), (2.0, {"k": ember.zeros(2)})])
    with pytest.raises(AssertionError):  # float64 default tolerance is tighter than float32's
        ember.testing.assert_close(ember.tensor([1.0], dtype=ember.float64),
                                   ember.tensor([1.0 + 1e-6], dtype=ember.float64))
    with pytest.raises(TypeError, match="No comparison pair"):
        ember.testing.assert_close(ember.tensor(1.0), 1.0)
    with pytest.raises(ValueError, match="must be either specified or omitted"):
        ember.testing.assert_close(ember.tensor(1.0), ember.tensor(1.0), rtol=0.1)


def test_assert_allclose_and_make_tensor():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ember.testing.assert_allclose(ember.tensor([1.0, 2.0]), [1.0, 2.00001])
        with pytest.raises(AssertionError, match="Tensor-likes are not close"):
            ember.testing.assert_allclose(ember.tensor([1.0, 2.0]), [1.0, 2.5])
    t = ember.testing.make_tensor(3, 4, dtype=ember.float32, low=-1, high=1)
    assert t.shape == (3, 4) and t.dtype == ember.float32
    assert float(t.min()) >= -1 and float(t.max()) < 1
    i = ember.testing.make_tensor((50,), dtype=ember.int64)
    assert i.dtype == ember.int64 and -9 <= int(i.min()) and int(i.max()) < 10
