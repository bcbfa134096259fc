"""Function: tensor + non-tensor outputs, returning an input unchanged, None grads for int args, grad_fn introspection."""
import json

import torch
from torch.autograd import Function

TIER = 'function'
DTYPE = 'float64'


class StatsOut(Function):
    """Returns (normalised tensor, python float, python int)."""

    @staticmethod
    def forward(ctx, x, eps):
        mean = x.mean()
        centered = x - mean
        ctx.save_for_backward(x)
        return centered, float(mean), x.numel()

    @staticmethod
    def backward(ctx, g, g_mean, g_n):
        x, = ctx.saved_tensors
        return g - g.mean(), None


class Passthrough(Function):
    """Returns its input object itself (no mark_dirty, no copy)."""

    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, g):
        return g * 10


class TakeRows(Function):
    @staticmethod
    def forward(ctx, x, n):
        ctx.n = n
        ctx.shape = x.shape
        return x[:n].clone()

    @staticmethod
    def backward(ctx, g):
        out = g.new_zeros(ctx.shape)
        out[:ctx.n] = g
        return out, None


results = {}
x = torch.tensor([1.0, 2.0, 6.0], dtype=torch.float64, requires_grad=True)
c, m, n = StatsOut.apply(x, 1e-5)
results['types'] = [type(c).__name__, type(m).__name__, type(n).__name__]
results['mean'] = m
results['n'] = n
(c * torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64)).sum().backward()
results['stats_grad'] = x.grad.tolist()
results['grad_fn_name'] = c.grad_fn.name()
results['next_functions'] = [type(f).__name__ if f is not None else None for f, _ in c.grad_fn.next_functions]

leaf = torch.tensor([1.0, -1.0], dtype=torch.float64, requires_grad=True)
p = Passthrough.apply(leaf)
results['passthrough_is_input'] = p is leaf
results['passthrough_is_leaf'] = p.is_leaf
results['passthrough_grad_fn'] = type(p.grad_fn).__name__
(p * 2).sum().backward()
results['passthrough_grad'] = leaf.grad.tolist()
results['leaf_still_leaf'] = leaf.is_leaf

m2 = torch.arange(12, dtype=torch.float64).reshape(4, 3).requires_grad_()
r = TakeRows.apply(m2, 2)
(r ** 2).sum().backward()
results['rows'] = r.detach().tolist()
results['rows_grad'] = m2.grad.tolist()
print(json.dumps(results))
