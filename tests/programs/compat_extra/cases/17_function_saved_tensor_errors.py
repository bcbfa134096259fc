"""Function: errors around saved tensors and wrong backward returns (count, shape), recorded as data."""
import json

import torch
from torch.autograd import Function

TIER = 'function'
DTYPE = 'float64'


class Saver(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.exp()

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * x.exp()


class TooManyGrads(Function):
    @staticmethod
    def forward(ctx, x):
        return x + 1

    @staticmethod
    def backward(ctx, g):
        return g, g


class WrongShape(Function):
    @staticmethod
    def forward(ctx, x):
        return x.sum()

    @staticmethod
    def backward(ctx, g):
        return torch.ones(5, dtype=torch.float64)


results = {}
x = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True)
y = Saver.apply(x)
y.sum().backward(retain_graph=True)
results['first'] = x.grad.tolist()
y.sum().backward()
results['second_retained'] = x.grad.tolist()
try:
    y.sum().backward()
    results['third'] = 'no error'
except RuntimeError as e:
    results['third'] = type(e).__name__
    results['third_msg'] = 'backward through the graph a second time' in str(e)

# in-place modification of an input saved with save_for_backward
b = x * 1.0
out = Saver.apply(b)
b.add_(1)
try:
    out.sum().backward()
    results['modified_saved'] = 'no error'
except RuntimeError as e:
    results['modified_saved'] = 'modified by an inplace operation' in str(e)

try:
    TooManyGrads.apply(x).sum().backward()
    results['too_many'] = 'no error'
except RuntimeError as e:
    results['too_many'] = ['returned an incorrect number of gradients' in str(e),
                           'expected 1, got 2' in str(e)]

try:
    WrongShape.apply(x).backward()
    results['wrong_shape'] = 'no error'
except RuntimeError as e:
    results['wrong_shape'] = ['returned an invalid gradient at index 0' in str(e),
                              'got [5] but expected shape compatible with [2]' in str(e)]

# calling forward directly on the class is refused in the old style
try:
    Saver()(x)
    results['instance_call'] = 'no error'
except (RuntimeError, TypeError) as e:
    results['instance_call'] = type(e).__name__
print(json.dumps(results))
