"""Core: leaf vs. non-leaf rules: is_leaf, requires_grad_ on non-leaves, .grad access on non-leaves, integer tensors."""
import json
import warnings

import torch

TIER = 'core'
DTYPE = 'float32'

results = {}
a = torch.tensor([1.0, 2.0])
results['plain_is_leaf'] = a.is_leaf
b = torch.tensor([1.0, 2.0], requires_grad=True)
c = b + 1
results['leaf_flags'] = [b.is_leaf, c.is_leaf, (a + 1).is_leaf]
results['c_requires_grad'] = c.requires_grad

try:
    c.requires_grad_(False)
    results['non_leaf_requires_grad_false'] = 'no error'
except RuntimeError as e:
    results['non_leaf_requires_grad_false'] = 'you can only change requires_grad flags of leaf variables' in str(e)

c.sum().backward()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    g = c.grad
results['non_leaf_grad_none'] = g is None
results['non_leaf_grad_warned'] = any('is not a leaf Tensor is being accessed' in str(w.message) for w in caught)

try:
    torch.tensor([1, 2, 3], requires_grad=True)
    results['int_requires_grad'] = 'no error'
except RuntimeError as e:
    results['int_requires_grad'] = 'Only Tensors of floating point and complex dtype can require gradients' in str(e)

i = torch.tensor([1, 2, 3])
try:
    i.requires_grad_()
    results['int_requires_grad_'] = 'no error'
except RuntimeError as e:
    results['int_requires_grad_'] = 'floating point' in str(e)

# ops between float leaf and int tensor
f = torch.tensor([0.5, 1.5, 2.5], requires_grad=True)
r = f * i
results['mixed_dtype'] = str(r.dtype)
r.sum().backward()
results['mixed_grad'] = f.grad.tolist()

# integer results never require grad
k = f.argmax()
results['argmax_requires_grad'] = k.requires_grad
results['round_requires_grad'] = f.round().requires_grad
results['cmp_requires_grad'] = (f > 1).requires_grad
results['to_long_requires_grad'] = f.long().requires_grad
results['to_double_requires_grad'] = f.double().requires_grad
results['to_double_grad_fn'] = type(f.double().grad_fn).__name__

# a tensor created from a tensor is a new leaf
t2 = f.detach().requires_grad_(True)
results['t2_is_leaf'] = t2.is_leaf
results['t2_shares'] = t2.data_ptr() == f.data_ptr()
results['requires_grad_returns_self'] = t2.requires_grad_() is t2
print(json.dumps(results))
