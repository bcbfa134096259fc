"""The few ``torch._C`` names that Python programs use directly (PyTorch's C extension holds
them; in ember they are Python)."""

from .autograd.dispatch import DisableTorchFunction, DisableTorchFunctionSubclass  # noqa: F401
from .autograd.dispatch import _disabled_impl as _disabled_torch_function_impl  # noqa: F401
from .autograd.grad_mode import is_grad_enabled as _is_grad_enabled  # noqa: F401
