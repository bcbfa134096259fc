"""func: torch.func.functional_call with replaced params/buffers, grads w.r.t. a params dict, and vmap over ensembles."""
import json

import torch
import torch.nn as nn
from torch.func import functional_call, grad, stack_module_state, vmap

TIER = 'func'
DTYPE = 'float64'


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 2).double()
        self.register_buffer('scale', torch.tensor(2.0, dtype=torch.float64))

    def forward(self, x):
        return self.lin(x).tanh() * self.scale


torch.manual_seed(0)
model = Tiny()
with torch.no_grad():
    model.lin.weight.copy_(torch.tensor([[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]], dtype=torch.float64))
    model.lin.bias.copy_(torch.tensor([0.05, -0.1], dtype=torch.float64))
x = torch.tensor([[1.0, 2.0, -1.0], [0.5, -0.5, 0.0]], dtype=torch.float64)

results = {}
params = {k: v.detach() for k, v in model.named_parameters()}
results['param_names'] = sorted(params)
out = functional_call(model, params, (x,))
results['same_as_module'] = bool(torch.allclose(out, model(x)))
new = {'lin.weight': torch.zeros(2, 3, dtype=torch.float64), 'lin.bias': torch.ones(2, dtype=torch.float64)}
results['replaced_params'] = functional_call(model, new, (x,)).tolist()
results['replaced_buffer'] = functional_call(model, {'scale': torch.tensor(-1.0, dtype=torch.float64)}, x).tolist()
results['module_unchanged'] = model.lin.bias.tolist()


def loss_fn(p, x):
    return functional_call(model, p, (x,)).pow(2).sum()


g = grad(loss_fn)(params, x)
results['grad_keys'] = sorted(g)
results['grad_weight'] = g['lin.weight'].tolist()
results['grad_bias'] = g['lin.bias'].tolist()
# matches ordinary autograd
model.zero_grad()
model(x).pow(2).sum().backward()
results['matches_backward'] = bool(torch.allclose(g['lin.weight'], model.lin.weight.grad))

# ensemble of 3 copies with different biases
models = [Tiny() for _ in range(3)]
for i, m in enumerate(models):
    with torch.no_grad():
        m.lin.weight.copy_(model.lin.weight)
        m.lin.bias.fill_(float(i))
p_stacked, b_stacked = stack_module_state(models)
results['stacked_shapes'] = {k: list(v.shape) for k, v in sorted(p_stacked.items())}


def call_one(p, b, x):
    return functional_call(model, (p, b), (x,))


ens = vmap(call_one, in_dims=(0, 0, None))(p_stacked, b_stacked, x)
results['ensemble'] = ens.tolist()

# strict mode complains about missing keys
try:
    functional_call(model, {'lin.weight': params['lin.weight']}, (x,), strict=True)
    results['strict_error'] = 'no error'
except RuntimeError as e:
    results['strict_error'] = 'Missing key(s)' in str(e)
print(json.dumps(results))
