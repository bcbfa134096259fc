"""``torch.nn.modules.pixelshuffle``'s path (the layers are defined in ``misc``)."""

from .misc import PixelShuffle, PixelUnshuffle

__all__ = ["PixelShuffle", "PixelUnshuffle"]
