"""``torch.nn.modules.upsampling``'s path (the layers are defined in ``misc``)."""

from .misc import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d

__all__ = ["Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d"]
