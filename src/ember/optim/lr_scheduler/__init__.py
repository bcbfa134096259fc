"""Learning-rate schedulers: PyTorch's ``torch.optim.lr_scheduler``, formula for formula.

Each scheduler changes ``optimizer.param_groups[i]['lr']`` when ``step()`` is called (once per
epoch or per batch, after ``optimizer.step()``); ``get_last_lr()`` returns the values it set.
The chainable (recursive) forms are used, as in PyTorch, so two schedulers on one optimizer
compose; ``step(epoch)`` uses the closed form where one exists. ``state_dict()`` holds every
attribute except the optimizer (lambdas are stored only when they are callable objects).

Example::

    sched = ember.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train(...); opt.step(); sched.step()
"""

from .base import EPOCH_DEPRECATION_WARNING, LRScheduler, _LRScheduler, inf  # noqa: F401
from .epoch import (  # noqa: F401
    ConstantLR, CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, MultiStepLR,
    MultiplicativeLR, PolynomialLR, StepLR
)
from .plateau import ReduceLROnPlateau  # noqa: F401
from .chained import ChainedScheduler, SequentialLR  # noqa: F401
from .cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR  # noqa: F401

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]
