"""Core: torch.autograd.grad with allow_unused, materialize_grads, grad_outputs, multiple outputs, is_grads_batched."""
import json

import torch

TIER = 'core'
DTYPE = 'float64'

results = {}
x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
y = torch.tensor([3.0, -1.0], dtype=torch.float64, requires_grad=True)
u = torch.tensor([0.5], dtype=torch.float64, requires_grad=True)   # unused
out = (x * y).sum() + x.pow(2).sum()

try:
    torch.autograd.grad(out, [x, u], retain_graph=True)
    results['unused_error'] = 'no error'
except RuntimeError as e:
    results['unused_error'] = ['at index 1 appears to not have been used in the graph' in str(e), 'allow_unused=True' in str(e)]

gx, gu = torch.autograd.grad(out, [x, u], allow_unused=True, retain_graph=True)
results['allow_unused'] = [gx.tolist(), gu is None]
gx, gu = torch.autograd.grad(out, [x, u], materialize_grads=True, retain_graph=True)
results['materialize'] = [gx.tolist(), gu.tolist()]
results['x_grad_untouched'] = x.grad is None

# two outputs summed with weights via grad_outputs
o1 = x * y
o2 = y.exp()
gx, gy = torch.autograd.grad([o1, o2], [x, y],
                             grad_outputs=[torch.tensor([1.0, 0.5], dtype=torch.float64),
                                           torch.tensor([2.0, -1.0], dtype=torch.float64)])
results['multi_out'] = [gx.tolist(), gy.tolist()]

# grad w.r.t. a non-leaf intermediate
h = x * 3
k = (h ** 2).sum()
gh, = torch.autograd.grad(k, h)
results['grad_nonleaf'] = gh.tolist()

# batched grad_outputs: rows of the Jacobian at once
f = torch.stack([x[0] * x[1], x[0] ** 3])
eye = torch.eye(2, dtype=torch.float64)
jac, = torch.autograd.grad(f, x, grad_outputs=eye, is_grads_batched=True)
results['batched_jacobian'] = jac.tolist()

# grad of an input that does not require grad
try:
    torch.autograd.grad((x * 2).sum(), torch.tensor([1.0], dtype=torch.float64))
    results['no_rg_input_error'] = 'no error'
except RuntimeError as e:
    results['no_rg_input_error'] = 'does not require grad' in str(e)

# grad_outputs shape mismatch
try:
    torch.autograd.grad(x * 2, x, grad_outputs=torch.ones(3, dtype=torch.float64))
    results['shape_mismatch'] = 'no error'
except RuntimeError as e:
    results['shape_mismatch'] = 'Mismatch in shape' in str(e)

# retain_graph=False frees the graph
z = (x.sin() * y).sum()
torch.autograd.grad(z, x)
try:
    torch.autograd.grad(z, x)
    results['freed'] = 'no error'
except RuntimeError as e:
    results['freed'] = 'second time' in str(e)
print(json.dumps(results))
