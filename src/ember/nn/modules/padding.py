"""``torch.nn.modules.padding``'s path: the padding layers (defined in ``misc``)."""

from .misc import (  # noqa: F401  (re-exported: __all__ below)
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
    _ConstantPadNd,
)

from .misc import __all__ as _misc_all

__all__ = [name for name in _misc_all if "Pad" in name]
_ = _ConstantPadNd
