"""``torch.nn.modules.fold``'s path (the layers are defined in ``misc``)."""

from .misc import Fold, Unfold

__all__ = ["Fold", "Unfold"]
