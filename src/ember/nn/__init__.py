"""``ember.nn``: modules, parameters, containers, layers, losses, ``functional`` and ``init``.

Example::

    import ember
    import ember.nn as nn

    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    loss = nn.CrossEntropyLoss()(model(ember.randn(3, 4)), ember.tensor([0, 1, 1]))
    loss.backward()
"""

from .parameter import Buffer, Parameter, UninitializedParameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import Module  # noqa: F401
from .modules.module import (  # noqa: F401
    register_module_forward_hook, register_module_forward_pre_hook,
    register_module_full_backward_hook, register_module_full_backward_pre_hook,
)
from . import functional  # noqa: F401
from . import init  # noqa: F401
from . import utils  # noqa: F401
from . import parallel  # noqa: F401
from .parallel import DataParallel  # noqa: F401
from .modules.layers import *  # noqa: F401,F403
