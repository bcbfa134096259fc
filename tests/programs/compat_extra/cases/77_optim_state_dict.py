"""optim: Optimizer.state_dict structure (state indexed by int, param_groups 'params' ids), load_state_dict into a fresh optimizer continues identically, zero_grad(set_to_none)."""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

TIER = 'optim'
DTYPE = 'float64'

rng = np.random.default_rng(177)
results = {}
X = torch.tensor(rng.standard_normal((8, 3)))
Y = torch.tensor(rng.standard_normal((8, 1)))
init = {'0.weight': rng.uniform(-0.5, 0.5, (4, 3)), '0.bias': rng.uniform(-0.5, 0.5, 4),
        '2.weight': rng.uniform(-0.5, 0.5, (1, 4)), '2.bias': rng.uniform(-0.5, 0.5, 1)}


def make():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).double()
    net.load_state_dict({k: torch.tensor(v) for k, v in init.items()})
    return net


def steps(net, opt, n):
    out = []
    for _ in range(n):
        opt.zero_grad()
        loss = ((net(X) - Y) ** 2).mean()
        loss.backward()
        opt.step()
        out.append(loss.item())
    return out


for name, ctor in [('adam', lambda p: optim.Adam(p, lr=0.01, amsgrad=True)),
                   ('sgd', lambda p: optim.SGD(p, lr=0.05, momentum=0.9)),
                   ('rmsprop', lambda p: optim.RMSprop(p, lr=0.01, centered=True, momentum=0.1))]:
    net = make()
    opt = ctor(net.parameters())
    steps(net, opt, 3)
    sd = opt.state_dict()
    entry = {'top_keys': sorted(sd.keys()), 'state_ids': sorted(sd['state'].keys()),
             'state0_keys': sorted(sd['state'][0].keys()),
             'group_params': [g['params'] for g in sd['param_groups']],
             'group_keys': sorted(sd['param_groups'][0].keys())}
    ref = steps(net, opt, 3)
    net2 = make()
    opt2 = ctor(net2.parameters())
    steps(net2, opt2, 3)
    opt3 = ctor(net2.parameters())
    opt3.load_state_dict(sd)
    entry['loaded_state_ids'] = sorted(opt3.state_dict()['state'].keys())
    entry['continued'] = steps(net2, opt3, 3)
    entry['reference'] = ref
    entry['same_params'] = all(torch.allclose(a, b) for a, b in zip(net.parameters(), net2.parameters()))
    results[name] = entry

net = make()
opt = optim.SGD(net.parameters(), lr=0.1)
sd = opt.state_dict()
results['empty_state'] = [sd['state'], sd['param_groups'][0]['params']]
steps(net, opt, 1)
opt.zero_grad()
results['set_to_none'] = [p.grad is None for p in net.parameters()]
steps(net, opt, 1)
opt.zero_grad(set_to_none=False)
results['zeroed'] = [p.grad.abs().sum().item() for p in net.parameters()]
sd = opt.state_dict()
sd['param_groups'][0]['lr'] = 123.0
results['state_dict_is_copy'] = opt.param_groups[0]['lr']
bad = optim.SGD(make().parameters(), lr=0.1).state_dict()
bad['param_groups'][0]['params'] = [0, 1]
try:
    optim.SGD(make().parameters(), lr=0.1).load_state_dict(bad)
    results['bad_load'] = 'no error'
except ValueError as e:
    results['bad_load'] = ['ValueError', "doesn't match the size of optimizer's group" in str(e)]
print(json.dumps(results))
