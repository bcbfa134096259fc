"""Range factories with a bool dtype: PyTorch has no kernel for them."""

import pytest

from oracle import check_error


@pytest.mark.parametrize("name,call", [
    ("linspace", lambda lib: lib.linspace(5, 10, 3, dtype=lib.bool)),
    ("logspace", lambda lib: lib.logspace(0, 1, 3, dtype=lib.bool)),
    ("arange", lambda lib: lib.arange(0, 3, dtype=lib.bool)),
])
def test_range_factory_bool_dtype_not_implemented(name, call):
    check_error(call, call, NotImplementedError, f'"{name}_cpu" not implemented for \'Bool\'')


def test_bool_error_is_a_runtime_error():
    import ember
    with pytest.raises(RuntimeError):  # NotImplementedError derives from RuntimeError
        ember.linspace(0, 1, 2, dtype=ember.bool)
