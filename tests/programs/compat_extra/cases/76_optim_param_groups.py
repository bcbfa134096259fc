"""optim: per-parameter option groups, add_param_group, defaults filling, changing lr in param_groups, duplicate-parameter errors, non-leaf / empty param errors."""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

TIER = 'optim'
DTYPE = 'float64'

results = {}
rng = np.random.default_rng(176)
net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
with torch.no_grad():
    for _, p in sorted(net.named_parameters()):
        p.copy_(torch.tensor(rng.uniform(-0.5, 0.5, size=tuple(p.shape))))
X = torch.tensor(rng.standard_normal((6, 3)))
Y = torch.tensor(rng.standard_normal((6, 2)))
opt = optim.SGD([{'params': net[0].parameters()},
                 {'params': net[2].parameters(), 'lr': 0.01, 'momentum': 0.5}], lr=0.1, momentum=0.9)
results['group_keys'] = sorted(opt.param_groups[0].keys())
results['group_opts'] = [[g['lr'], g['momentum'], g['weight_decay'], len(g['params'])] for g in opt.param_groups]
results['defaults'] = sorted(opt.defaults.items(), key=lambda kv: kv[0]) and sorted(k for k in opt.defaults)
losses = []
for step in range(6):
    opt.zero_grad()
    loss = ((net(X) - Y) ** 2).mean()
    loss.backward()
    opt.step()
    losses.append(loss.item())
    if step == 2:
        for g in opt.param_groups:
            g['lr'] *= 0.5
results['losses'] = losses
results['params'] = [p.tolist() for p in net.parameters()]

extra = torch.tensor([1.0, -1.0], dtype=torch.float64, requires_grad=True)
opt.add_param_group({'params': extra, 'lr': 0.5})
results['added_group'] = [opt.param_groups[2]['lr'], opt.param_groups[2]['momentum'], opt.param_groups[2]['nesterov'], len(opt.param_groups)]
(extra ** 2).sum().backward()
opt.step()
results['extra_after'] = extra.tolist()
try:
    opt.add_param_group({'params': [extra]})
    results['dup_group'] = 'no error'
except ValueError as e:
    results['dup_group'] = ['ValueError', 'some parameters appear in more than one parameter group' in str(e)]
try:
    optim.Adam([])
    results['empty'] = 'no error'
except ValueError as e:
    results['empty'] = ['ValueError', 'empty parameter list' in str(e)]
try:
    optim.SGD([extra * 2], lr=0.1)
    results['non_leaf'] = 'no error'
except ValueError as e:
    results['non_leaf'] = ['ValueError', "can't optimize a non-leaf Tensor" in str(e)]
try:
    optim.SGD(extra, lr=0.1)
    results['tensor_not_iterable'] = 'no error'
except TypeError as e:
    results['tensor_not_iterable'] = ['TypeError', 'params argument given to the optimizer should be an iterable of Tensors or dicts' in str(e)]
try:
    optim.Adam([extra], lr=-1.0)
    results['neg_lr'] = 'no error'
except ValueError as e:
    results['neg_lr'] = ['ValueError', str(e)]
try:
    optim.Adam([extra], betas=(1.0, 0.999))
    results['bad_beta'] = 'no error'
except ValueError as e:
    results['bad_beta'] = ['ValueError', str(e)]
named = optim.AdamW([{'params': [p for n, p in net.named_parameters() if 'bias' not in n], 'weight_decay': 0.1},
                     {'params': [p for n, p in net.named_parameters() if 'bias' in n], 'weight_decay': 0.0}], lr=0.01)
results['adamw_groups'] = [[g['weight_decay'], g['lr'], len(g['params'])] for g in named.param_groups]
results['repr_lines'] = repr(optim.SGD([extra], lr=0.1)).splitlines()[0]
print(json.dumps(results))
