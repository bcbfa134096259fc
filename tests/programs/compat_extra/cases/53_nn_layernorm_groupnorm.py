"""nn: LayerNorm (shapes, no affine, bias=False), GroupNorm, InstanceNorm1d/2d, RMSNorm, LocalResponseNorm: outputs and gradients."""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

TIER = 'nn'
DTYPE = 'float32'

rng = np.random.default_rng(153)
results = {}


def fill_(module):
    with torch.no_grad():
        for _, p in sorted(module.named_parameters()):
            p.copy_(torch.tensor(rng.uniform(0.5, 1.5, size=tuple(p.shape)), dtype=torch.float32))


def data(*shape):
    return torch.tensor(rng.standard_normal(shape) * 2 + 0.5, dtype=torch.float32, requires_grad=True)


def run(name, module, x):
    fill_(module)
    out = module(x)
    w = torch.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)), dtype=torch.float32)
    (out * w).sum().backward()
    entry = {'out': out.detach().tolist(), 'x_grad': x.grad.tolist(),
             'params': [n for n, _ in module.named_parameters()]}
    for pname, p in module.named_parameters():
        entry[pname + '_grad'] = p.grad.tolist()
    results[name] = entry


run('ln_last', nn.LayerNorm(4), data(3, 4))
run('ln_two', nn.LayerNorm([3, 4]), data(2, 3, 4))
run('ln_noaffine', nn.LayerNorm(5, elementwise_affine=False), data(2, 5))
run('ln_nobias', nn.LayerNorm(4, bias=False), data(2, 4))
run('ln_eps', nn.LayerNorm(3, eps=0.5), data(2, 3))
run('gn', nn.GroupNorm(2, 4), data(2, 4, 3))
run('gn_2d', nn.GroupNorm(3, 6), data(1, 6, 2, 2))
run('gn_noaffine', nn.GroupNorm(1, 3, affine=False), data(2, 3, 4))
run('in1d', nn.InstanceNorm1d(3), data(2, 3, 5))
run('in2d_affine', nn.InstanceNorm2d(2, affine=True), data(2, 2, 3, 3))
run('rms', nn.RMSNorm(4), data(3, 4))
run('rms_eps', nn.RMSNorm([2, 3], eps=1e-3), data(2, 2, 3))
run('lrn', nn.LocalResponseNorm(3), data(1, 5, 2, 2))
x = data(2, 3, 4)
results['f_layer_norm'] = F.layer_norm(x, (4,), torch.ones(4) * 2, torch.zeros(4) + 0.5).tolist()
results['f_group_norm'] = F.group_norm(x, 3).tolist()
ln = nn.LayerNorm(4)
results['ln_attrs'] = [list(ln.normalized_shape), ln.eps, ln.elementwise_affine, ln.weight.tolist(), ln.bias.tolist()]
gn = nn.GroupNorm(2, 4)
results['gn_attrs'] = [gn.num_groups, gn.num_channels, gn.eps, gn.affine]
inorm = nn.InstanceNorm2d(3, track_running_stats=True)
results['in_buffers'] = sorted(inorm.state_dict().keys())
results['reprs'] = [repr(ln), repr(gn), repr(nn.InstanceNorm1d(3)), repr(nn.LayerNorm([2, 3], elementwise_affine=False))]
try:
    nn.GroupNorm(3, 4)
    results['gn_bad'] = 'no error'
except ValueError as e:
    results['gn_bad'] = ['ValueError', 'divisible' in str(e)]
print(json.dumps(results))
