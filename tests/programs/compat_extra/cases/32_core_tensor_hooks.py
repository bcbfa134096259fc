"""Core: Tensor.register_hook on leaves and non-leaves (modify, observe, remove), retain_grad and post-accumulate hooks."""
import json

import torch

TIER = 'core'
DTYPE = 'float64'

results = {}
log = []
x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
y = x * x
h1 = y.register_hook(lambda g: log.append(('y', g.tolist())))
h2 = y.register_hook(lambda g: g * 10)         # second hook changes the gradient
h3 = x.register_hook(lambda g: log.append(('x', g.tolist())))
z = (y * torch.tensor([1.0, -1.0, 0.5], dtype=torch.float64)).sum()
z.backward(retain_graph=True)
results['log1'] = list(log)
results['x_grad1'] = x.grad.tolist()
results['handle_type'] = type(h1).__name__

h2.remove()
log.clear()
x.grad = None
z.backward()
results['log2'] = list(log)
results['x_grad2'] = x.grad.tolist()

# retain_grad on an intermediate
a = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
b = a.exp()
b.retain_grad()
c = b * 3
c.retain_grad()
c.sum().backward()
results['retains_grad'] = [a.retains_grad, b.retains_grad, c.retains_grad]
results['b_grad'] = b.grad.tolist()
results['c_grad'] = c.grad.tolist()
results['a_grad'] = a.grad.tolist()

# a hook that replaces the gradient also changes the retained grad of the tensor itself?
p = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
q = p * 2
q.retain_grad()
q.register_hook(lambda g: g + 100)
q.sum().backward()
results['q_retained_after_hook'] = q.grad.tolist()
results['p_grad_after_hook'] = p.grad.tolist()

# post-accumulate-grad hook on a leaf sees the accumulated .grad
seen = []
w = torch.tensor([2.0, -1.0], dtype=torch.float64, requires_grad=True)
w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
(w * w).sum().backward()
(w * 3).sum().backward()
results['post_acc_seen'] = seen

# hooks cannot be registered on tensors that do not require grad
try:
    torch.tensor([1.0]).register_hook(lambda g: g)
    results['hook_no_grad_error'] = 'no error'
except RuntimeError as e:
    results['hook_no_grad_error'] = "doesn't require gradient" in str(e)
print(json.dumps(results))
