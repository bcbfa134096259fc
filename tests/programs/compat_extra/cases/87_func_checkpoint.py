"""func: torch.utils.checkpoint (non-reentrant and reentrant): same gradients, recomputation counts, no_grad behaviour."""
import json

import torch
from torch.utils.checkpoint import checkpoint, checkpoint_sequential

TIER = 'func'
DTYPE = 'float64'

calls = {'n': 0}


def block(x, w):
    calls['n'] += 1
    return torch.tanh(x @ w) * x.sum()


w = torch.tensor([[0.5, -0.3], [0.2, 0.8]], dtype=torch.float64, requires_grad=True)
x = torch.tensor([[1.0, 2.0], [-1.0, 0.5]], dtype=torch.float64, requires_grad=True)

results = {}
ref = block(x, w).pow(2).sum()
gx_ref, gw_ref = torch.autograd.grad(ref, (x, w))

for reentrant in (False, True):
    key = 'reentrant' if reentrant else 'non_reentrant'
    calls['n'] = 0
    xx = x.detach().clone().requires_grad_()
    ww = w.detach().clone().requires_grad_()
    out = checkpoint(block, xx, ww, use_reentrant=reentrant)
    results[key + '_forward_calls'] = calls['n']
    results[key + '_out_requires_grad'] = out.requires_grad
    out.pow(2).sum().backward()
    results[key + '_total_calls'] = calls['n']
    results[key + '_x_grad'] = xx.grad.tolist()
    results[key + '_matches'] = bool(torch.allclose(xx.grad, gx_ref) and torch.allclose(ww.grad, gw_ref))

# under no_grad, checkpoint just runs the function
calls['n'] = 0
with torch.no_grad():
    out = checkpoint(block, x, w, use_reentrant=False)
results['no_grad_requires_grad'] = out.requires_grad
results['no_grad_calls'] = calls['n']

# kwargs are supported by the non-reentrant variant
def scaled(x, scale=1.0):
    return x * scale


y = checkpoint(scaled, x, scale=3.0, use_reentrant=False)
y.sum().backward()
results['kwargs_grad'] = x.grad.tolist()

# checkpoint_sequential over a list of modules
layers = torch.nn.Sequential(torch.nn.Tanh(), torch.nn.Sigmoid(), torch.nn.Tanh(), torch.nn.Softplus())
inp = torch.tensor([[0.1, -0.5], [2.0, 1.0]], dtype=torch.float64, requires_grad=True)
o = checkpoint_sequential(layers, 2, inp, use_reentrant=False)
o.sum().backward()
results['sequential_out'] = o.detach().tolist()
results['sequential_grad'] = inp.grad.tolist()
print(json.dumps(results))
