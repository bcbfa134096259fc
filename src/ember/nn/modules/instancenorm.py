"""``torch.nn.modules.instancenorm``'s path: the instance-norm layers (defined in
``normalization``)."""

from .normalization import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, _InstanceNorm

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]
_ = _InstanceNorm
