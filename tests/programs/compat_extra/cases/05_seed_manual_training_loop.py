"""Seed: a manual gradient-descent loop (no optimizer) on polynomial regression with torch.no_grad updates."""
import json
import math

import torch

TIER = 'seed'
DTYPE = 'float64'

x = torch.linspace(-math.pi, math.pi, 200, dtype=torch.float64)
y = torch.sin(x)

a = torch.tensor(0.1, dtype=torch.float64, requires_grad=True)
b = torch.tensor(-0.2, dtype=torch.float64, requires_grad=True)
c = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
d = torch.tensor(0.05, dtype=torch.float64, requires_grad=True)

learning_rate = 1e-6
losses = []
for t in range(60):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 10 == 0:
        losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

results = {}
results['losses'] = losses
results['params'] = [a.item(), b.item(), c.item(), d.item()]
results['a_is_leaf'] = a.is_leaf
results['a_requires_grad'] = a.requires_grad
results['a_grad_none'] = a.grad is None
results['y_pred_grad_fn'] = type(y_pred.grad_fn).__name__
results['loss_grad_fn'] = type(loss.grad_fn).__name__
results['x_dtype'] = str(x.dtype)
results['x_requires_grad'] = x.requires_grad
print(json.dumps(results))
