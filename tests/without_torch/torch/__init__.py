"""Stands in for PyTorch when the tests run with EMBER_TESTS_WITHOUT_TORCH=1.

tests/conftest.py puts this folder first on sys.path and on PYTHONPATH (so subprocesses the
tests start see it too): ``import torch`` then fails as it would where PyTorch is not installed,
even on a machine that has it. Test-only; never on the path otherwise."""

raise ModuleNotFoundError(
    "No module named 'torch' (PyTorch is hidden: EMBER_TESTS_WITHOUT_TORCH=1)", name="torch"
)
