"""``torch.amp``: gradient scaling (``GradScaler``) and the ``autocast`` context.

``GradScaler`` is complete: it scales the loss, unscales the gradients, skips steps whose
gradients overflowed and adapts the scale, on the CPU as PyTorch does with ``device="cpu"``; for
``"cuda"`` it disables itself with PyTorch's warning when CUDA is absent (always, in ember).
``autocast`` runs its block unchanged when disabled (``enabled=False``, the usual CPU setting of
example programs); enabled mixed precision is not implemented and raises.

Example::

    scaler = torch.amp.GradScaler("cpu")
    scaler.scale(loss).backward(); scaler.step(optimizer); scaler.update()
"""

from .autocast_mode import autocast, is_autocast_available
from .grad_scaler import GradScaler

__all__ = ["GradScaler", "autocast", "is_autocast_available"]
