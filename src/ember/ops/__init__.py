"""Every built-in differentiable op, one Function subclass each, grouped by family.

Where each op lives: docs/architecture.md ("Where each op lives"). Importing this package loads
the families in dependency order and attaches the Tensor methods (``ops/tensor_methods.py``).
"""

# the families, in dependency order: a module imports only earlier ones at load time
from . import return_types, _util  # noqa: F401
from .shape import aliasing  # noqa: F401
from . import inplace, conversion  # noqa: F401
from .pointwise import (  # noqa: F401
    special_kernels, compare, clamp, rounding, exp_log, division, arithmetic, trig, special,
    complex, bitwise, activation,
)
from .shape import views, join, split, layout, rearrange  # noqa: F401
from .reduce import (  # noqa: F401
    dims, sum_prod, minmax, moments, norm, order_stats, scans, counting,
)
from .index import (  # noqa: F401
    subscript, gather_scatter, masked, index_add, take_put, sort, view_scatter,
)
from . import factories, windows, random  # noqa: F401
from .linalg import products, diagonal, triangles, solve, decompositions, norms  # noqa: F401
from . import storage  # noqa: F401
from .nn import (  # noqa: F401
    linear, softmax, embedding, loss, normalization, pool, resample, conv, grid_sample, distance,
    functional_forms,
)
from . import method_forms  # noqa: F401
from .nn import dropout  # noqa: F401
from . import tensor_methods  # noqa: F401  (attaches the Tensor methods)

# the functions Tensor's operators call as ``ops.<name>``
from .index.subscript import getitem, setitem  # noqa: F401,E402
from .linalg.products import matmul  # noqa: F401,E402
from .pointwise.division import floor_divide, remainder  # noqa: F401,E402
from .pointwise.bitwise import (  # noqa: F401,E402
    bitwise_and, bitwise_not, bitwise_or, bitwise_xor,
)
from .pointwise.exp_log import reciprocal  # noqa: F401,E402
from .pointwise.rounding import abs  # noqa: F401,E402
