"""Core: backward(inputs=...), torch.autograd.backward with several roots, and _version counters of in-place ops."""
import json

import torch

TIER = 'core'
DTYPE = 'float64'

results = {}
a = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
b = torch.tensor([3.0, -1.0], dtype=torch.float64, requires_grad=True)
loss = (a * b).sum() + (a ** 2).sum()
loss.backward(inputs=[a], retain_graph=True)
results['only_a'] = [a.grad.tolist(), b.grad is None]
loss.backward(inputs=b)
results['then_b'] = [a.grad.tolist(), b.grad.tolist()]

# inputs= can name a non-leaf: its .grad is populated
a.grad = b.grad = None
h = a * 3
out = (h * b).sum()
out.backward(inputs=[h, b])
results['nonleaf_input_grad'] = h.grad.tolist()
results['a_untouched'] = a.grad is None

try:
    (a * 2).sum().backward(inputs=[])
    results['empty_inputs'] = 'no error'
except RuntimeError as e:
    results['empty_inputs'] = '`inputs` argument to `backward()` cannot be empty' in str(e)

# several roots at once
a.grad = b.grad = None
y1 = a * b
y2 = (a + b).sum()
torch.autograd.backward([y1, y2], [torch.tensor([1.0, -1.0], dtype=torch.float64), None])
results['multi_root'] = [a.grad.tolist(), b.grad.tolist()]

# version counters
t = torch.zeros(3, dtype=torch.float64)
vs = [t._version]
t.add_(1)
vs.append(t._version)
t[0] = 5.0
vs.append(t._version)
t.mul_(2).add_(1)
vs.append(t._version)
v = t.view(3, 1)
v.sub_(1)
vs.append(t._version)
vs.append(v._version)
u = t + 1
vs.append(u._version)
t.copy_(torch.ones(3, dtype=torch.float64))
vs.append(t._version)
results['versions'] = vs
results['t'] = t.tolist()
print(json.dumps(results))
