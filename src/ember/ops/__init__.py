"""Every built-in differentiable op, one Function subclass each, grouped by family.

This module gathers the public functions (``ember.exp``, ``ember.matmul``...) and attaches the
Tensor methods (``x.exp()``, in-place ``x.add_()``...) to ``Tensor``.
"""

from .creation import *  # noqa: F401,F403
from .elementwise import *  # noqa: F401,F403
from .indexing import getitem, masked_fill, nonzero, setitem  # noqa: F401
from .linalg import bmm, dot, ger, matmul, mm, mv, outer  # noqa: F401
from .reduction import all, any, argmax, argmin, max, mean, min, sum, sum_to_size  # noqa: F401
from .shape import *  # noqa: F401,F403
from .shape_ext import *  # noqa: F401,F403  (C2)
from .indexing_ext import *  # noqa: F401,F403  (C2)
from .math_ext import *  # noqa: F401,F403  (C1)
from .reduction import (  # noqa: F401  (C1)
    amax, amin, aminmax, count_nonzero, logsumexp, nanmean, nansum, norm, prod, std, std_mean,
    var, var_mean,
)
from .reduction_ext import *  # noqa: F401,F403  (C1)
from . import methods  # noqa: F401,E402  (attaches Tensor methods)
