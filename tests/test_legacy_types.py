"""Legacy tensor types (torch.FloatTensor & co., src/ember/_legacy_types.py)."""

import warnings

import pytest
from oracle import check_error, same_values

import ember


@pytest.mark.parametrize("name", ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor",
                                  "BoolTensor", "ByteTensor", "HalfTensor", "ShortTensor",
                                  "CharTensor"])
def test_legacy_tensor_types(name):
    same_values(lambda L: getattr(L, name)([1, 0, 2]))
    same_values(lambda L: getattr(L, name)(2, 3).shape)
    same_values(lambda L: getattr(L, name)().shape)
    cls = getattr(ember, name)
    t = cls([1, 2])
    assert isinstance(t, cls) and isinstance(t, ember.Tensor) and type(t) is ember.Tensor
    assert t.type() == f"torch.{name}"
    other = ember.DoubleTensor if name != "DoubleTensor" else ember.FloatTensor
    assert not isinstance(t, other)
    assert t.type(other).dtype == other.dtype
    assert t.type(f"torch.{name}") is t or t.type(f"torch.{name}").dtype == t.dtype


def test_legacy_types_errors_and_default():
    check_error(lambda L: L.FloatTensor(2.5), lambda L: L.FloatTensor(2.5), TypeError,
                "must be a sequence")
    assert isinstance(ember.zeros(2), ember.FloatTensor)
    assert not isinstance(ember.zeros(2, dtype=ember.float64), ember.FloatTensor)
    assert not isinstance(3, ember.FloatTensor)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ember.set_default_tensor_type(ember.DoubleTensor)
        try:
            assert ember.zeros(1).dtype == ember.float64
        finally:
            ember.set_default_tensor_type("torch.FloatTensor")
    assert ember.zeros(1).dtype == ember.float32
