"""Function: gradcheck/gradgradcheck of custom Functions, a Function calling ops under its forward (no graph), and errors."""
import json

import torch
from torch.autograd import Function, gradcheck, gradgradcheck

TIER = 'function'
DTYPE = 'float64'

inside = {}


class SoftplusFn(Function):
    @staticmethod
    def forward(ctx, x, beta):
        inside['grad_enabled_in_forward'] = torch.is_grad_enabled()
        tmp = x * beta
        inside['tmp_requires_grad'] = tmp.requires_grad
        ctx.save_for_backward(x)
        ctx.beta = beta
        return torch.log1p(torch.exp(tmp)) / beta

    @staticmethod
    def backward(ctx, g):
        inside['grad_enabled_in_backward'] = torch.is_grad_enabled()
        x, = ctx.saved_tensors
        return g * torch.sigmoid(x * ctx.beta), None


class BadGrad(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 2

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * 3 * x           # wrong: should be 2x


results = {}
x = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64, requires_grad=True)
results['gradcheck'] = gradcheck(lambda t: SoftplusFn.apply(t, 2.0), (x,))
results['gradgradcheck'] = gradgradcheck(lambda t: SoftplusFn.apply(t, 2.0), (x,))
results['inside'] = inside
results['bad_gradcheck_false'] = gradcheck(BadGrad.apply, (x,), raise_exception=False)
try:
    gradcheck(BadGrad.apply, (x,))
    results['bad_gradcheck_error'] = 'no error'
except RuntimeError as e:
    results['bad_gradcheck_error'] = ['Jacobian mismatch' in str(e), type(e).__name__]

y = SoftplusFn.apply(x, 1.0)
results['softplus'] = y.detach().tolist()
results['matches_builtin'] = bool(torch.allclose(y, torch.nn.functional.softplus(x)))
y.sum().backward()
results['softplus_grad'] = x.grad.tolist()
print(json.dumps(results))
