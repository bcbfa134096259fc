"""nn.utils: clip_grad_norm_ (2, inf, 1 norms, max_norm larger than norm, error_if_nonfinite), clip_grad_value_, parameters_to_vector, vector_to_parameters, weight_norm-free utilities."""
import json

import torch
import torch.nn as nn
from torch.nn.utils import clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters

TIER = 'nn'
DTYPE = 'float64'

results = {}


def params():
    a = torch.tensor([[1.0, -2.0], [3.0, 0.5]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([0.25, -4.0, 1.5], dtype=torch.float64, requires_grad=True)
    a.grad = torch.tensor([[3.0, -4.0], [1.0, 2.0]], dtype=torch.float64)
    b.grad = torch.tensor([0.5, -6.0, 2.5], dtype=torch.float64)
    return [a, b]


for name, kw in [('l2', dict(max_norm=2.0)), ('inf', dict(max_norm=1.0, norm_type=float('inf'))),
                 ('l1', dict(max_norm=5.0, norm_type=1.0)), ('big', dict(max_norm=100.0)),
                 ('p3', dict(max_norm=1.5, norm_type=3))]:
    ps = params()
    total = clip_grad_norm_(ps, **kw)
    results['norm_' + name] = [total.item(), type(total).__name__, [p.grad.tolist() for p in ps]]
ps = params()
results['single_tensor'] = [clip_grad_norm_(ps[0], 1.0).item(), ps[0].grad.tolist()]
ps = params()
ps[1].grad = None
results['none_grad'] = [clip_grad_norm_(ps, 1.0).item(), ps[0].grad.tolist()]
ps = params()
ps[0].grad[0, 0] = float('nan')
try:
    clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    results['nonfinite'] = 'no error'
except RuntimeError as e:
    results['nonfinite'] = ['RuntimeError', 'non-finite' in str(e)]
ps = params()
clip_grad_value_(ps, 1.5)
results['clip_value'] = [p.grad.tolist() for p in ps]

lin = nn.Linear(3, 2).double()
with torch.no_grad():
    lin.weight.copy_(torch.arange(6, dtype=torch.float64).reshape(2, 3))
    lin.bias.copy_(torch.tensor([-1.0, 1.0]))
v = parameters_to_vector(lin.parameters())
results['p2v'] = [v.tolist(), list(v.shape)]
vector_to_parameters(v * 2 + 1, lin.parameters())
results['v2p'] = [lin.weight.tolist(), lin.bias.tolist()]
out = lin(torch.ones(1, 3, dtype=torch.float64))
out.sum().backward()
total = clip_grad_norm_(lin.parameters(), max_norm=0.5)
results['module_clip'] = [total.item(), lin.weight.grad.tolist(), lin.bias.grad.tolist()]
results['get_total_norm'] = torch.nn.utils.get_total_norm([torch.tensor([3.0, 4.0]), torch.tensor([12.0])]).item()
print(json.dumps(results))
