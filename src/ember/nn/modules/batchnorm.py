"""``torch.nn.modules.batchnorm``'s path: the batch-norm layers (defined in ``normalization``).

Pickled PyTorch models and ``isinstance(m, nn.modules.batchnorm._BatchNorm)`` checks name this
module."""

from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm, _NormBase

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]
_ = (_BatchNorm, _NormBase)
