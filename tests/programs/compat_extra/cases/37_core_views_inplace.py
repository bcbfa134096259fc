"""Core: in-place ops on views propagate to the base in forward and backward (CopySlices), view grad_fn names."""
import json

import torch

TIER = 'core'
DTYPE = 'float64'

results = {}
x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64, requires_grad=True)
base = x.clone()
v = base[1:3]
results['view_is_view'] = v._base is base
v.mul_(10)
results['base_after'] = base.detach().tolist()
results['base_grad_fn'] = type(base.grad_fn).__name__
results['view_grad_fn'] = type(v.grad_fn).__name__
(base * torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)).sum().backward()
results['x_grad'] = x.grad.tolist()

# 2-D: transpose view, in-place exp on a row
m = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64, requires_grad=True)
mm = m * 1.0
t = mm.t()
t[0].exp_()          # column 0 of mm
results['mm_after'] = mm.detach().tolist()
mm.sum().backward()
results['m_grad'] = m.grad.tolist()

# view of a leaf requiring grad cannot be modified in place
leaf = torch.zeros(3, dtype=torch.float64, requires_grad=True)
try:
    leaf[0:2].add_(1)
    results['leaf_view_inplace'] = 'no error'
except RuntimeError as e:
    results['leaf_view_inplace'] = 'a view of a leaf Variable that requires grad is being used in an in-place operation' in str(e)

# unsqueeze/view share storage and versions
a = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
b = a * 2
c = b.view(3, 1)
d = b.unsqueeze(0)
c.add_(1)
results['d_after'] = d.detach().tolist()
results['versions'] = [b._version, c._version, d._version]
results['d_grad_fn'] = type(d.grad_fn).__name__
(d * d).sum().backward()
results['a_grad'] = a.grad.tolist()

# modifying a view whose base was saved by another op errors in backward
p = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
q = p * 1.0
r = q.sin()           # saves q
q[0].zero_()
try:
    r.sum().backward()
    results['saved_base_modified'] = 'no error'
except RuntimeError as e:
    results['saved_base_modified'] = 'modified by an inplace operation' in str(e)

# setitem with a tensor that requires grad
s = torch.zeros(4, dtype=torch.float64)
val = torch.tensor([5.0, 6.0], dtype=torch.float64, requires_grad=True)
s[1:3] = val
results['s_requires_grad'] = s.requires_grad
results['s_grad_fn'] = type(s.grad_fn).__name__
(s * torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)).sum().backward()
results['val_grad'] = val.grad.tolist()
print(json.dumps(results))
