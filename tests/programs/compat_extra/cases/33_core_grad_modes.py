"""Core: no_grad, enable_grad, set_grad_enabled (function, context, decorator), inference_mode and their nesting."""
import json

import torch

TIER = 'core'
DTYPE = 'float32'

results = {}
x = torch.tensor([1.0, 2.0], requires_grad=True)

with torch.no_grad():
    y = x * 2
    with torch.enable_grad():
        z = x * 3
    results['inside_no_grad_enabled'] = torch.is_grad_enabled()
results['y_requires_grad'] = y.requires_grad
results['y_is_leaf'] = y.is_leaf
results['z_requires_grad'] = z.requires_grad


@torch.no_grad()
def doubled(t):
    return t * 2


@torch.enable_grad()
def tripled(t):
    return t * 3


results['decorated_no_grad'] = doubled(x).requires_grad
with torch.no_grad():
    results['decorated_enable_grad'] = tripled(x).requires_grad

torch.set_grad_enabled(False)
results['after_set_false'] = torch.is_grad_enabled()
results['op_after_set_false'] = (x + 1).requires_grad
torch.set_grad_enabled(True)
with torch.set_grad_enabled(False):
    results['ctx_set_false'] = (x + 1).requires_grad
results['restored'] = torch.is_grad_enabled()

# inference mode
with torch.inference_mode():
    inf = x * 2
    results['inference_mode_enabled'] = torch.is_inference_mode_enabled()
results['inf_requires_grad'] = inf.requires_grad
results['inf_is_inference'] = inf.is_inference()
results['x_is_inference'] = x.is_inference()
try:
    (inf * x).sum().backward()
    results['inference_in_autograd'] = 'no error'
except RuntimeError as e:
    results['inference_in_autograd'] = 'Inference tensors cannot be saved for backward' in str(e)
with torch.inference_mode(False):
    results['inference_mode_false'] = torch.is_inference_mode_enabled()
    results['inference_mode_false_grad'] = (x * 2).requires_grad

# in-place on a leaf requiring grad is fine under no_grad, version bumps
v0 = x._version
with torch.no_grad():
    x.mul_(2)
results['version_bumped'] = x._version - v0
results['x_after'] = x.tolist()
results['x_still_requires_grad'] = x.requires_grad

# a no_grad result can be turned into a new leaf
with torch.no_grad():
    w = x * 5
w.requires_grad_()
(w ** 2).sum().backward()
results['new_leaf_grad'] = w.grad.tolist()
results['x_grad_none'] = x.grad is None
print(json.dumps(results))
