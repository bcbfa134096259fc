"""Core: higher-order gradients with create_graph (tanh, exp*sin, matmul), mixed partials and grad-of-grad backward."""
import json

import torch

TIER = 'core'
DTYPE = 'float64'

results = {}
x = torch.tensor([0.3, -0.7, 1.1], dtype=torch.float64, requires_grad=True)
y = torch.tanh(x)
d1, = torch.autograd.grad(y.sum(), x, create_graph=True)
d2, = torch.autograd.grad(d1.sum(), x, create_graph=True)
d3, = torch.autograd.grad(d2.sum(), x)
results['tanh_derivs'] = [d1.tolist(), d2.tolist(), d3.tolist()]
results['d1_grad_fn'] = d1.grad_fn is not None
results['d3_requires_grad'] = d3.requires_grad

# mixed partials of f(a,b) = exp(a) * sin(b) * a*b
a = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
b = torch.tensor(1.2, dtype=torch.float64, requires_grad=True)
f = a.exp() * b.sin() * a * b
ga, gb = torch.autograd.grad(f, (a, b), create_graph=True)
gab, = torch.autograd.grad(ga, b, retain_graph=True)
gba, = torch.autograd.grad(gb, a, retain_graph=True)
gaa, = torch.autograd.grad(ga, a)
results['first'] = [ga.item(), gb.item()]
results['mixed'] = [gab.item(), gba.item()]
results['gaa'] = gaa.item()

# matrix function: gradient-penalty style
W = torch.tensor([[1.0, -0.5], [0.25, 2.0]], dtype=torch.float64, requires_grad=True)
inp = torch.tensor([[0.5, 1.5], [-1.0, 0.2]], dtype=torch.float64, requires_grad=True)
out = torch.sigmoid(inp @ W).sum()
g_inp, = torch.autograd.grad(out, inp, create_graph=True)
penalty = (g_inp.norm(2, dim=1) - 1).pow(2).mean()
penalty.backward()
results['penalty'] = penalty.item()
results['W_grad'] = W.grad.tolist()
results['inp_grad'] = inp.grad.tolist()

# second derivative of pow, log, and a division
z = torch.tensor([2.0, 3.0], dtype=torch.float64, requires_grad=True)
fz = (z ** 4 / z.log()).sum()
g1, = torch.autograd.grad(fz, z, create_graph=True)
g2, = torch.autograd.grad(g1.sum(), z)
results['pow_log_second'] = g2.tolist()
# backward twice through create_graph result accumulates into .grad with graph
z.grad = None
h = (z ** 3).sum()
h.backward(create_graph=True)
results['grad_has_grad_fn'] = z.grad.grad_fn is not None
gsum = z.grad.sum()
z.grad = None
gsum.backward()
results['grad_of_grad_via_backward'] = z.grad.tolist()
print(json.dumps(results))
