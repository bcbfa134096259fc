"""Core: detach, detach_, .data and clone semantics: shared storage, versions, and errors they can hide or reveal."""
import json

import torch

TIER = 'core'
DTYPE = 'float64'

results = {}
x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
y = x * 2
d = y.detach()
results['d_requires_grad'] = d.requires_grad
results['d_is_leaf'] = d.is_leaf
results['d_grad_fn_none'] = d.grad_fn is None
d[0] = 100.0
results['y_after_detached_write'] = y.detach().tolist()   # storage is shared
results['versions'] = [y._version, d._version]

# modifying a detached alias of a saved tensor is detected at backward
p = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)
q = p.exp()          # saves its output
q.detach().zero_()
try:
    q.sum().backward()
    results['detach_modify_saved'] = 'no error'
except RuntimeError as e:
    results['detach_modify_saved'] = 'modified by an inplace operation' in str(e)

# ... while .data changes are invisible to autograd (no version bump)
p2 = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)
q2 = p2.exp()
v_before = q2._version
q2.data.mul_(0.0)
results['data_version_unchanged'] = q2._version == v_before
q2.sum().backward()
results['data_modified_grad'] = p2.grad.tolist()    # uses the zeroed saved output

# detach_ in place
a = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
b = a * 3
b.detach_()
results['detach__requires_grad'] = b.requires_grad
results['detach__is_leaf'] = b.is_leaf

# clone keeps the graph, detach().clone() does not
c = a.clone()
results['clone_grad_fn'] = type(c.grad_fn).__name__
c2 = a.detach().clone()
results['detach_clone_requires_grad'] = c2.requires_grad
(c * c).sum().backward()
results['a_grad'] = a.grad.tolist()

# .data assignment on a leaf keeps requires_grad
w = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
w.data = torch.tensor([5.0, 6.0], dtype=torch.float64)
results['w_after_data_assign'] = w.tolist()
results['w_requires_grad'] = w.requires_grad
(w * w).sum().backward()
results['w_grad'] = w.grad.tolist()
print(json.dumps(results))
