"""Function: @once_differentiable backward (works once, refuses double backward) vs. a differentiable backward."""
import json

import torch
from torch.autograd import Function
from torch.autograd.function import once_differentiable

TIER = 'function'
DTYPE = 'float64'


class SquareOnce(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 2 * x * g


class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 2 * x * g


results = {}
x = torch.tensor([1.5, -2.0], dtype=torch.float64, requires_grad=True)
y = SquareOnce.apply(x)
y.sum().backward()
results['once_grad'] = x.grad.tolist()

g, = torch.autograd.grad(SquareOnce.apply(x).sum(), x, create_graph=True)
results['once_create_graph_requires_grad'] = g.requires_grad
results['once_create_graph_value'] = g.detach().tolist()
# with a grad_output that itself requires grad, the result is wired to an error node
v = torch.ones(2, dtype=torch.float64, requires_grad=True)
gv, = torch.autograd.grad(SquareOnce.apply(x), x, grad_outputs=v, create_graph=True)
results['once_gv_requires_grad'] = gv.requires_grad
results['once_gv_value'] = gv.detach().tolist()
try:
    gv.sum().backward()
    results['once_double_error'] = 'no error'
except RuntimeError as e:
    results['once_double_error'] = 'differentiate twice' in str(e)

g2, = torch.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
results['square_first'] = g2.detach().tolist()
results['square_first_grad_fn'] = type(g2.grad_fn).__name__
gg, = torch.autograd.grad(g2.sum(), x)
results['square_second'] = gg.tolist()

# without create_graph the gradient of a once_differentiable backward is plain
g3, = torch.autograd.grad(SquareOnce.apply(x).sum(), x)
results['once_plain_requires_grad'] = g3.requires_grad
print(json.dumps(results))
