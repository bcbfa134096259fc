"""optim: Adamax, NAdam (momentum_decay, decoupled_weight_decay), RAdam (decoupled_weight_decay) - 25 steps, state keys, defaults."""
import json

import numpy as np
import torch
import torch.optim as optim

TIER = 'optim'
DTYPE = 'float64'

rng = np.random.default_rng(173)

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
    'adamax': train(lambda p: optim.Adamax(p, lr=0.05)),
    'adamax_wd': train(lambda p: optim.Adamax(p, lr=0.05, betas=(0.8, 0.95), weight_decay=0.1)),
    'nadam': train(lambda p: optim.NAdam(p, lr=0.05)),
    'nadam_md': train(lambda p: optim.NAdam(p, lr=0.05, momentum_decay=0.01, weight_decay=0.1)),
    'nadam_decoupled': train(lambda p: optim.NAdam(p, lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    'radam': train(lambda p: optim.RAdam(p, lr=0.05)),
    'radam_wd': train(lambda p: optim.RAdam(p, lr=0.05, weight_decay=0.1)),
    'radam_decoupled': train(lambda p: optim.RAdam(p, lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
}
g = optim.Adamax([torch.zeros(1, requires_grad=True)]).param_groups[0]
results['adamax_defaults'] = [g['lr'], list(g['betas']), g['eps'], g['weight_decay']]
g = optim.NAdam([torch.zeros(1, requires_grad=True)]).param_groups[0]
results['nadam_defaults'] = [g['lr'], list(g['betas']), g['eps'], g['momentum_decay'], g['decoupled_weight_decay']]
g = optim.RAdam([torch.zeros(1, requires_grad=True)]).param_groups[0]
results['radam_defaults'] = [g['lr'], list(g['betas']), g['decoupled_weight_decay']]
print(json.dumps(results))
