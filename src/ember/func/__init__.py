"""``ember.func`` (``torch.func``): composable function transforms.

``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian`` and
``vmap`` (real batching: the function runs once on the whole batch), plus
``functional_call`` and ``stack_module_state`` for modules.

How vmap batches: inside the function a batched tensor is a ``BatchedTensor`` whose shape is
the per-example shape; every op reaches ``Function.apply``, whose hook sends it to a batching
rule (``_batched.py``): the batch dim is kept first, dims are shifted, ranks are lined up, and
the op runs once on the whole batch. An op without a rule runs once per example (correct,
slower). ``grad`` inside ``vmap`` differentiates the batched graph: examples do not interact,
so one backward gives every per-example gradient.

Differences from PyTorch: code that reads a batched tensor's raw data outside the ops
(``.numpy()``, ``.item()``: refused as in PyTorch) or calls ember's internal functions imported
before vmap started sees one example; random ops are intercepted at the top level only
(``ember.randn`` and friends, not dropout's internal draws); ``chunk_size`` is accepted and
the whole batch runs at once.

Example::

    from ember.func import grad, vmap
    per_example = vmap(grad(loss_fn), in_dims=(None, 0, 0))(params, x, y)
"""

from ._eager import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, linearize, vjp
from ._functional_call import functional_call, stack_module_state
from ._vmap import vmap
from . import batching_rules_nn  # noqa: E402,F401  (registers the nn ops' batching rules)

__all__ = [
           "functional_call",
           "grad",
           "grad_and_value",
           "hessian",
           "jacfwd",
           "jacrev",
           "jvp",
           "linearize",
           "stack_module_state",
           "vjp",
           "vmap",
]
