"""Function: the forward/setup_context split (PyTorch 2 style), non-tensor inputs and ctx attributes."""
import json

import torch
from torch.autograd import Function

TIER = 'function'
DTYPE = 'float64'


class ScaledPow(Function):
    @staticmethod
    def forward(x, exponent, scale):
        return scale * x ** exponent

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, exponent, scale = inputs
        ctx.save_for_backward(x)
        ctx.exponent = exponent
        ctx.scale = scale

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return grad_out * ctx.scale * ctx.exponent * x ** (ctx.exponent - 1), None, None


class MulAdd(Function):
    @staticmethod
    def forward(a, b, c):
        return a * b + c

    @staticmethod
    def setup_context(ctx, inputs, output):
        a, b, c = inputs
        ctx.save_for_backward(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a, g


results = {}
x = torch.tensor([1.0, 2.0, -0.5], dtype=torch.float64, requires_grad=True)
y = ScaledPow.apply(x, 3, 0.5)
y.sum().backward()
results['y'] = y.detach().tolist()
results['x_grad'] = x.grad.tolist()
results['grad_fn'] = type(y.grad_fn).__name__

a = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
b = torch.tensor([3.0, -1.0], dtype=torch.float64, requires_grad=True)
c = torch.tensor([0.5, 0.5], dtype=torch.float64)
out = MulAdd.apply(a, b, c)
(out ** 2).sum().backward()
results['muladd'] = out.detach().tolist()
results['a_grad'] = a.grad.tolist()
results['b_grad'] = b.grad.tolist()
results['c_grad_none'] = c.grad is None

# works with torch.func.grad thanks to setup_context
g = torch.func.grad(lambda t: ScaledPow.apply(t, 2, 3.0).sum())(torch.tensor([1.0, -2.0], dtype=torch.float64))
results['func_grad'] = g.tolist()
print(json.dumps(results))
