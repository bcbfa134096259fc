"""``torch.nn.modules.channelshuffle``'s path (the layer is defined in ``misc``)."""

from .misc import ChannelShuffle

__all__ = ["ChannelShuffle"]
