"""optim: RMSprop (alpha, eps, momentum, centered, weight_decay, maximize) - 25 steps on a fixed problem, defaults."""
import json

import numpy as np
import torch
import torch.optim as optim

TIER = 'optim'
DTYPE = 'float64'

rng = np.random.default_rng(170)

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
    'rmsprop': train(lambda p: optim.RMSprop(p, lr=0.01)),
    'alpha_eps': train(lambda p: optim.RMSprop(p, lr=0.02, alpha=0.9, eps=1e-4)),
    'momentum': train(lambda p: optim.RMSprop(p, lr=0.01, momentum=0.9)),
    'centered': train(lambda p: optim.RMSprop(p, lr=0.01, centered=True)),
    'centered_momentum_wd': train(lambda p: optim.RMSprop(p, lr=0.005, momentum=0.5, centered=True, weight_decay=0.1)),
}
g = optim.RMSprop([torch.zeros(1, requires_grad=True)]).param_groups[0]
results['defaults'] = [g['lr'], g['alpha'], g['eps'], g['weight_decay'], g['momentum'], g['centered'], g['maximize']]
try:
    optim.RMSprop([torch.zeros(1, requires_grad=True)], lr=0.1, alpha=-0.5)
    results['bad_alpha'] = 'no error'
except ValueError as e:
    results['bad_alpha'] = ['ValueError', 'Invalid alpha value' in str(e)]
print(json.dumps(results))
