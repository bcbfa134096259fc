"""Function: multi-output Functions and ctx.set_materialize_grads (None vs zero-filled grads for unused outputs)."""
import json

import torch
from torch.autograd import Function

TIER = 'function'
DTYPE = 'float64'

seen = {}


class SplitMaterialized(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, g1, g2):
        seen['materialized'] = [g1 is None, g2 is None,
                                None if g2 is None else g2.tolist()]
        return g1 * 2 + g2 * 3


class SplitRaw(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, g1, g2):
        seen['raw'] = [g1 is None, g2 is None]
        grad = None
        if g1 is not None:
            grad = g1 * 2
        if g2 is not None:
            grad = g2 * 3 if grad is None else grad + g2 * 3
        return grad


results = {}
x = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
a, b = SplitMaterialized.apply(x)
a.sum().backward()                      # b is unused -> zero-filled grad
results['materialized_grad'] = x.grad.tolist()
results['materialized_seen'] = seen['materialized']
results['outputs_share_node'] = a.grad_fn is b.grad_fn
results['output_nr'] = [a.output_nr, b.output_nr] if hasattr(a, 'output_nr') else None

x.grad = None
a, b = SplitRaw.apply(x)
(b * b).sum().backward()                # a is unused -> None
results['raw_grad'] = x.grad.tolist()
results['raw_seen'] = seen['raw']

# both outputs used
x.grad = None
a, b = SplitRaw.apply(x)
(a + b).sum().backward()
results['raw_both_grad'] = x.grad.tolist()
results['raw_both_seen'] = seen['raw']

# autograd.grad on a single output of a multi-output function
x2 = torch.tensor([0.25, 4.0], dtype=torch.float64, requires_grad=True)
a2, b2 = SplitMaterialized.apply(x2)
g, = torch.autograd.grad(b2.sum(), x2)
results['grad_of_second_output'] = g.tolist()
results['second_seen'] = seen['materialized']
print(json.dumps(results))
