"""optim: Adagrad (lr_decay, initial_accumulator_value, weight_decay) and Adadelta (rho, lr, weight_decay) - 25 steps, state keys, defaults."""
import json

import numpy as np
import torch
import torch.optim as optim

TIER = 'optim'
DTYPE = 'float64'

rng = np.random.default_rng(171)

X = torch.tensor(rng.standard_normal((10, 3)), dtype=torch.float64)
Y = torch.tensor(rng.standard_normal((10, 2)), dtype=torch.float64)
W0 = rng.standard_normal((3, 2))


def train(make_opt, steps=25):
    w = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor([0.1, -0.2], dtype=torch.float64, requires_grad=True)
    opt = make_opt([w, b])
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((X @ w + b - Y) ** 2).mean() + 0.05 * (w ** 4).sum()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    state = opt.state[w]
    return {'w': w.detach().tolist(), 'b': b.detach().tolist(), 'losses': losses[::6] + [losses[-1]],
            'state_keys': sorted(state.keys()),
            'step': float(state['step']) if 'step' in state else None}


results = {
    'adagrad': train(lambda p: optim.Adagrad(p, lr=0.1)),
    'adagrad_decay': train(lambda p: optim.Adagrad(p, lr=0.2, lr_decay=0.05, initial_accumulator_value=0.5)),
    'adagrad_wd': train(lambda p: optim.Adagrad(p, lr=0.1, weight_decay=0.2, eps=1e-6)),
    'adadelta': train(lambda p: optim.Adadelta(p)),
    'adadelta_rho_lr': train(lambda p: optim.Adadelta(p, lr=0.5, rho=0.8, eps=1e-5)),
    'adadelta_wd_max': train(lambda p: optim.Adadelta(p, lr=2.0, weight_decay=0.1)),
}
g = optim.Adagrad([torch.zeros(1, requires_grad=True)]).param_groups[0]
results['adagrad_defaults'] = [g['lr'], g['lr_decay'], g['weight_decay'], g['initial_accumulator_value'], g['eps']]
g = optim.Adadelta([torch.zeros(1, requires_grad=True)]).param_groups[0]
results['adadelta_defaults'] = [g['lr'], g['rho'], g['eps'], g['weight_decay']]
p = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
opt = optim.Adagrad([p], initial_accumulator_value=0.3)
results['adagrad_initial_sum'] = opt.state[p]['sum'].tolist() if 'sum' in opt.state[p] else None
print(json.dumps(results))
