"""optim: Rprop (etas, step_sizes), ASGD (lambd, alpha, t0), Adam maximize / SGD maximize via closure returning the loss."""
import json

import numpy as np
import torch
import torch.optim as optim

TIER = 'optim'
DTYPE = 'float64'

rng = np.random.default_rng(174)

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
    'rprop': train(lambda p: optim.Rprop(p, lr=0.02)),
    'rprop_etas': train(lambda p: optim.Rprop(p, lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-4, 0.2))),
    'asgd': train(lambda p: optim.ASGD(p, lr=0.05)),
    'asgd_t0': train(lambda p: optim.ASGD(p, lr=0.05, lambd=1e-3, alpha=0.5, t0=5, weight_decay=0.01)),
    'adam_maximize_neg': train(lambda p: optim.Adam(p, lr=0.05, maximize=False)),
}
w = torch.tensor([1.0, -1.0], dtype=torch.float64, requires_grad=True)
opt = optim.Adam([w], lr=0.1, maximize=True)
vals = []
for _ in range(5):
    def closure():
        opt.zero_grad()
        loss = -((w - 3.0) ** 2).sum()
        loss.backward()
        return loss
    vals.append(opt.step(closure).item())
results['adam_maximize_closure'] = [vals, w.tolist()]
g = optim.Rprop([torch.zeros(1, requires_grad=True)]).param_groups[0]
results['rprop_defaults'] = [g['lr'], list(g['etas']), list(g['step_sizes'])]
g = optim.ASGD([torch.zeros(1, requires_grad=True)]).param_groups[0]
results['asgd_defaults'] = [g['lr'], g['lambd'], g['alpha'], g['t0'], g['weight_decay']]
print(json.dumps(results))
