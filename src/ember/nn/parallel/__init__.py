"""``torch.nn.parallel`` on a machine without accelerators: ``DataParallel`` and
``data_parallel`` run the wrapped module on the CPU as they are, exactly what PyTorch does when
no CUDA device is available (programs wrap their model unconditionally and still run).

Example::

    model = nn.DataParallel(nn.Linear(3, 2))   # model.module is the Linear
    y = model(ember.randn(4, 3))

``DistributedDataParallel`` (in ``distributed.py``) trains one replica per process, on MPI.
"""

from __future__ import annotations

from ..modules.module import Module
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]


def _no_devices(device_ids) -> None:
    if device_ids:
        from ... import cuda

        if not cuda.is_available():
            raise AssertionError("Torch not compiled with CUDA enabled")


class DataParallel(Module):
    """Wraps ``module``; with no accelerator (ember's case) ``forward`` calls it directly.

    The state_dict keys carry the ``module.`` prefix, as in PyTorch.
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0):
        super().__init__()
        self.module = module
        self.device_ids = []
        self.dim = dim
        self.output_device = None

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0,
                  module_kwargs=None):
    """Evaluate ``module(*inputs)``; without accelerators there is nothing to replicate."""
    _no_devices(device_ids)
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    return module(*inputs, **(module_kwargs or {}))
