"""Function: custom Functions under torch.func (generate_vmap_rule=True, grad, jacrev, vmap of grad)."""
import json

import torch
from torch.autograd import Function

TIER = 'function'
DTYPE = 'float64'


class Cube(Function):
    generate_vmap_rule = True

    @staticmethod
    def forward(x):
        return x ** 3

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, = inputs
        ctx.save_for_backward(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 3 * x ** 2 * g


class SinCos(Function):
    @staticmethod
    def forward(x):
        return x.sin(), x.cos()

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, = inputs
        ctx.save_for_backward(x)

    @staticmethod
    def backward(ctx, gs, gc):
        x, = ctx.saved_tensors
        return gs * x.cos() - gc * x.sin()

    @staticmethod
    def vmap(info, in_dims, x):
        s, c = SinCos.apply(x)
        return (s, c), (in_dims[0], in_dims[0])


results = {}
xb = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.0, 3.0]], dtype=torch.float64)
results['vmap_cube'] = torch.func.vmap(Cube.apply)(xb).tolist()
results['grad_cube'] = torch.func.grad(lambda t: Cube.apply(t).sum())(xb[0]).tolist()
results['vmap_grad_cube'] = torch.func.vmap(torch.func.grad(lambda t: Cube.apply(t).sum()))(xb).tolist()
results['jacrev_cube'] = torch.func.jacrev(Cube.apply)(xb[1]).tolist()


def f(t):
    s, c = SinCos.apply(t)
    return (s * c).sum()


results['vmap_sincos'] = [o.tolist() for o in torch.func.vmap(SinCos.apply)(xb)]
results['vmap_grad_sincos'] = torch.func.vmap(torch.func.grad(f))(xb).tolist()

# plain eager use still works
x = xb[2].clone().requires_grad_()
f(x).backward()
results['eager_sincos_grad'] = x.grad.tolist()
print(json.dumps(results))
