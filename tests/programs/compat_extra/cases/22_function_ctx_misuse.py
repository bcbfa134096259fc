"""Function: save_for_backward of non-tensors and None, saved_tensors read twice, mark_dirty of a non-returned input."""
import json

import torch
from torch.autograd import Function

TIER = 'function'
DTYPE = 'float64'


class SaveInt(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x, 3)
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2


class SaveNone(Function):
    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, None, w)
        return x * (w if w is not None else 1.0)

    @staticmethod
    def backward(ctx, g):
        x, nothing, w = ctx.saved_tensors
        reads.append(nothing is None)
        x_again, _, _ = ctx.saved_tensors           # reading twice is fine
        reads.append(bool(torch.equal(x, x_again)))
        return (g * w if w is not None else g), (g * x if w is not None else None)


reads = []
results = {}
x = torch.tensor([1.0, -3.0], dtype=torch.float64, requires_grad=True)
try:
    SaveInt.apply(x)
    results['save_int'] = 'no error'
except TypeError as e:
    results['save_int'] = ['TypeError', 'save_for_backward can only save variables' in str(e)]

w = torch.tensor([2.0, 0.5], dtype=torch.float64, requires_grad=True)
out = SaveNone.apply(x, w)
out.sum().backward()
results['x_grad'] = x.grad.tolist()
results['w_grad'] = w.grad.tolist()
results['reads'] = reads

x.grad = None
out2 = SaveNone.apply(x, None)
(out2 * 3).sum().backward()
results['x_grad_no_w'] = x.grad.tolist()


class DirtyNotReturned(Function):
    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2


try:
    DirtyNotReturned.apply(x * 1.0)
    results['dirty_not_returned'] = 'no error'
except RuntimeError as e:
    results['dirty_not_returned'] = ['RuntimeError', 'must all be outputs of the Function' in str(e)]
print(json.dumps(results))
