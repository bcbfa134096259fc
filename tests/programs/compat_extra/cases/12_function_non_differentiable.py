"""Function: ctx.mark_non_differentiable on an index output (sort-like), and integer outputs of a Function."""
import json

import torch
from torch.autograd import Function

TIER = 'function'
DTYPE = 'float64'


class SortWithIndex(Function):
    @staticmethod
    def forward(ctx, x):
        values, idx = torch.sort(x)
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(idx)
        return values, idx

    @staticmethod
    def backward(ctx, g_values, g_idx):
        idx, = ctx.saved_tensors
        grad = torch.zeros_like(g_values)
        grad.index_add_(0, idx, g_values)
        return grad


class MaxAndMask(Function):
    @staticmethod
    def forward(ctx, x):
        m = x.max()
        mask = (x == m)
        ctx.mark_non_differentiable(mask)
        ctx.save_for_backward(mask)
        return m, mask

    @staticmethod
    def backward(ctx, g, g_mask):
        mask, = ctx.saved_tensors
        return g * mask.to(g.dtype)


results = {}
x = torch.tensor([3.0, -1.0, 2.0, 0.5], dtype=torch.float64, requires_grad=True)
vals, idx = SortWithIndex.apply(x)
results['vals'] = vals.detach().tolist()
results['idx'] = idx.tolist()
results['idx_dtype'] = str(idx.dtype)
results['idx_requires_grad'] = idx.requires_grad
results['vals_requires_grad'] = vals.requires_grad
results['idx_grad_fn_none'] = idx.grad_fn is None
(vals * torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)).sum().backward()
results['sort_grad'] = x.grad.tolist()

y = torch.tensor([1.0, 5.0, -2.0, 5.0], dtype=torch.float64, requires_grad=True)
m, mask = MaxAndMask.apply(y)
results['max'] = m.item()
results['mask'] = mask.tolist()
results['mask_requires_grad'] = mask.requires_grad
(m * 3).backward()
results['max_grad'] = y.grad.tolist()

# a float output marked non-differentiable cannot be backpropagated through
class Halve(Function):
    @staticmethod
    def forward(ctx, x):
        out = x / 2
        ctx.mark_non_differentiable(out)
        return out

    @staticmethod
    def backward(ctx, g):
        return g / 2


h = Halve.apply(y)
results['halve_requires_grad'] = h.requires_grad
try:
    h.sum().backward()
    results['halve_backward_error'] = 'no error'
except RuntimeError as e:
    results['halve_backward_error'] = 'does not require grad' in str(e)
print(json.dumps(results))
