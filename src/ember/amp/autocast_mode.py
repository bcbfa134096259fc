"""``autocast``: the mixed-precision context manager, in the disabled form ember supports."""

from __future__ import annotations

import functools


def is_autocast_available(device_type: str) -> bool:
    """Whether ``autocast`` can run enabled on ``device_type``: never in ember."""
    return False


class autocast:
    """``with autocast(device_type, dtype=None, enabled=True, cache_enabled=None):``.

    Disabled (``enabled=False``), the block runs unchanged, as in PyTorch. Enabled, PyTorch
    would run matmuls and convolutions in float16/bfloat16; ember does not implement that
    (running them in float32 silently would change the numbers), so entering raises
    ``NotImplementedError``. Also usable as a decorator.
    """

    def __init__(self, device_type: str = "cuda", dtype=None, enabled: bool = True,
                 cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(  # noqa: TRY004 - PyTorch raises ValueError here
                f"Expected `device_type` of type `str`, got: `{type(device_type)}`"
            )
        self.device = device_type
        self.fast_dtype = dtype
        self._enabled = bool(enabled)

    def __enter__(self):
        if self._enabled:
            raise NotImplementedError(
                f"ember: autocast(device_type={self.device!r}) with enabled=True is not "
                "supported (ember has no mixed-precision kernels); pass enabled=False or use "
                "contextlib.nullcontext() on the CPU"
            )
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return wrapper
