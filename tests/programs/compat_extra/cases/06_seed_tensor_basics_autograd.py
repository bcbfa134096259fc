"""Seed: the "autograd basics" tutorial snippets: grad_fn names, requires_grad_(), detach, no_grad and out.backward."""
import json

import torch

TIER = 'seed'
DTYPE = 'float32'

results = {}
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
results['y_grad_fn'] = type(y.grad_fn).__name__
z = y * y * 3
out = z.mean()
results['z_grad_fn'] = type(z.grad_fn).__name__
results['out_grad_fn'] = type(out.grad_fn).__name__
results['out'] = out.item()

a = torch.tensor([[1.0, -2.0], [0.5, 3.0]])
a = ((a * 3) / (a - 1))
results['a_requires_grad_before'] = a.requires_grad
a.requires_grad_(True)
results['a_requires_grad_after'] = a.requires_grad
b = (a * a).sum()
results['b_grad_fn'] = type(b.grad_fn).__name__

out.backward()
results['x_grad'] = x.grad.tolist()

x2 = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
y2 = x2 * 2
while y2.data.norm() < 100:
    y2 = y2 * 2
v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y2.backward(v)
results['y2'] = y2.detach().tolist()
results['x2_grad'] = x2.grad.tolist()

results['x2_pow_requires_grad'] = (x2 ** 2).requires_grad
with torch.no_grad():
    results['no_grad_requires_grad'] = (x2 ** 2).requires_grad
d = x2.detach()
results['detach_requires_grad'] = d.requires_grad
results['detach_equal'] = bool(x2.eq(d).all())
results['detach_shares_storage'] = d.data_ptr() == x2.data_ptr()
print(json.dumps(results))
