"""Seed: the tutorial LinearFunction (custom Function with weight and optional bias) checked against nn-style math."""
import json

import numpy as np
import torch
from torch.autograd import Function

TIER = 'seed'
DTYPE = 'float64'


class LinearFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


rng = np.random.default_rng(4)
x = torch.tensor(rng.standard_normal((5, 3)), dtype=torch.float64, requires_grad=True)
w = torch.tensor(rng.standard_normal((2, 3)), dtype=torch.float64, requires_grad=True)
b = torch.tensor(rng.standard_normal(2), dtype=torch.float64, requires_grad=True)

results = {}
out = LinearFunction.apply(x, w, b)
loss = (out.tanh() ** 2).mean()
loss.backward()
results['out'] = out.detach().tolist()
results['loss'] = loss.item()
results['grads'] = [x.grad.tolist(), w.grad.tolist(), b.grad.tolist()]
results['grad_fn'] = type(out.grad_fn).__name__
results['next_functions_len'] = len(out.grad_fn.next_functions)

# the same computation with builtin ops gives the same gradients
x2 = x.detach().clone().requires_grad_()
w2 = w.detach().clone().requires_grad_()
b2 = b.detach().clone().requires_grad_()
ref = ((x2 @ w2.t() + b2).tanh() ** 2).mean()
ref.backward()
results['matches_builtin'] = bool(torch.allclose(x.grad, x2.grad) and torch.allclose(w.grad, w2.grad)
                                  and torch.allclose(b.grad, b2.grad))
results['gradcheck'] = torch.autograd.gradcheck(LinearFunction.apply, (x.detach().requires_grad_(), w.detach().requires_grad_(), b.detach().requires_grad_()))
# no bias
out_nb = LinearFunction.apply(x, w)
results['no_bias_out_sum'] = out_nb.sum().item()
print(json.dumps(results))
