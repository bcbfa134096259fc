"""func: torch.autograd.graph.saved_tensors_hooks (pack/unpack counting and transforming), save_on_cpu, and _saved_ attrs."""
import json

import torch

TIER = 'func'
DTYPE = 'float64'

results = {}
log = []


def pack(t):
    log.append(('pack', list(t.shape)))
    return t.clone() * 1.0


def unpack(t):
    log.append(('unpack', list(t.shape)))
    return t


x = torch.tensor([0.5, 1.5, -1.0], dtype=torch.float64, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    y = x.exp()          # saves its result
    z = (y * x).sum()    # saves y and x
results['pack_count'] = sum(1 for e in log if e[0] == 'pack')
results['unpack_before_backward'] = sum(1 for e in log if e[0] == 'unpack')
z.backward()
results['unpack_after_backward'] = sum(1 for e in log if e[0] == 'unpack')
results['x_grad'] = x.grad.tolist()

# hooks that return something else: unpack supplies the tensor used in backward
w = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(lambda t: t.tolist(),
                                              lambda data: torch.tensor(data, dtype=torch.float64) * 10):
    out = (w * w).sum()
out.backward()
results['transformed_grad'] = w.grad.tolist()   # 2 * (10 w)

# hooks only apply inside the context
log.clear()
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    pass
a = x.sin().sum()
a.backward()
results['outside_log_empty'] = len(log) == 0

# save_on_cpu behaves like no hooks on CPU
x.grad = None
with torch.autograd.graph.save_on_cpu():
    b = (x.tanh() * x).sum()
b.backward()
results['save_on_cpu_grad'] = x.grad.tolist()

# saved tensors are visible through grad_fn._saved_* attributes
s = x * torch.tensor([2.0, 3.0, 4.0], dtype=torch.float64, requires_grad=True)
results['saved_self'] = s.grad_fn._saved_self.tolist()
results['saved_other'] = s.grad_fn._saved_other.tolist()
p = x.pow(3)
results['saved_exponent'] = p.grad_fn._saved_exponent
print(json.dumps(results))
