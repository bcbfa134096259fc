"""nn.init: deterministic initializers (constant_, zeros_, ones_, eye_, dirac_), calculate_gain, fan computation, and bounds / statistics of the random ones."""
import json
import math

import torch
import torch.nn as nn
import torch.nn.init as init

TIER = 'nn'
DTYPE = 'float32'

results = {}
w = torch.empty(3, 4)
results['constant'] = init.constant_(w, 0.3).tolist()
results['zeros'] = init.zeros_(torch.empty(2, 2)).tolist()
results['ones'] = init.ones_(torch.empty(2, 3)).tolist()
results['eye'] = init.eye_(torch.empty(3, 4)).tolist()
results['dirac'] = init.dirac_(torch.empty(2, 2, 3)).tolist()
results['dirac_groups'] = init.dirac_(torch.empty(4, 1, 3), groups=2).tolist()
results['returns_same'] = init.constant_(w, 1.0) is w
results['gains'] = [init.calculate_gain(n) for n in ('linear', 'conv2d', 'sigmoid', 'tanh', 'relu', 'selu')] + \
    [init.calculate_gain('leaky_relu', 0.2), init.calculate_gain('leaky_relu')]
results['fans'] = [list(init._calculate_fan_in_and_fan_out(torch.empty(5, 3))),
                   list(init._calculate_fan_in_and_fan_out(torch.empty(6, 4, 3, 2)))]
torch.manual_seed(0)
big = torch.empty(200, 100)
u = init.uniform_(big.clone(), -0.5, 0.25)
results['uniform_bounds'] = [bool(u.min() >= -0.5), bool(u.max() <= 0.25)]
xu = init.xavier_uniform_(big.clone(), gain=2.0)
bound = 2.0 * math.sqrt(6.0 / 300)
results['xavier_uniform_bound'] = [bool(xu.abs().max() <= bound), bool(xu.abs().max() > 0.9 * bound)]
xn = init.xavier_normal_(big.clone())
results['xavier_normal_std_ok'] = abs(xn.std().item() / math.sqrt(2.0 / 300) - 1) < 0.05
ku = init.kaiming_uniform_(big.clone(), a=math.sqrt(5))
kb = math.sqrt(6.0 / ((1 + 5) * 100))
results['kaiming_uniform_bound'] = [bool(ku.abs().max() <= kb), bool(ku.abs().max() > 0.9 * kb)]
kn = init.kaiming_normal_(big.clone(), mode='fan_out', nonlinearity='relu')
results['kaiming_normal_std_ok'] = abs(kn.std().item() / math.sqrt(2.0 / 200) - 1) < 0.05
tn = init.trunc_normal_(big.clone(), mean=1.0, std=2.0, a=-1.0, b=2.0)
results['trunc_bounds'] = [bool(tn.min() >= -1.0), bool(tn.max() <= 2.0)]
nrm = init.normal_(big.clone(), mean=3.0, std=0.5)
results['normal_stats_ok'] = [abs(nrm.mean().item() - 3.0) < 0.02, abs(nrm.std().item() - 0.5) < 0.02]
orth = init.orthogonal_(torch.empty(4, 6))
results['orthogonal'] = torch.allclose(orth @ orth.T, torch.eye(4), atol=1e-5)
sp = init.sparse_(torch.empty(10, 5), sparsity=0.3)
results['sparse_zeros_per_col'] = (sp == 0).sum(0).tolist()
lin = nn.Linear(100, 50)
b = 1 / math.sqrt(100)
results['linear_default_bounds'] = [bool(lin.weight.abs().max() <= b), bool(lin.bias.abs().max() <= b)]
results['init_no_grad'] = init.ones_(lin.weight).requires_grad
results['init_grad_fn'] = lin.weight.grad_fn is None
try:
    init.xavier_uniform_(torch.empty(3))
    results['fan_1d'] = 'no error'
except ValueError as e:
    results['fan_1d'] = ['ValueError', 'fewer than 2 dimensions' in str(e)]
try:
    init.calculate_gain('bogus')
    results['bad_gain'] = 'no error'
except ValueError as e:
    results['bad_gain'] = ['ValueError', 'Unsupported nonlinearity' in str(e)]
print(json.dumps(results))
