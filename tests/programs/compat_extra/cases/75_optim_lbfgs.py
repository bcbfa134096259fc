"""optim: LBFGS with a closure (default, strong_wolfe line search, history_size, max_iter, tolerances) on a Rosenbrock-like problem; state keys, func evals."""
import json

import torch
import torch.optim as optim

TIER = 'optim'
DTYPE = 'float64'
TOL = (1e-6, 1e-8)

results = {}


def run(steps=3, **kw):
    x = torch.tensor([-1.2, 1.0, 0.5], dtype=torch.float64, requires_grad=True)
    opt = optim.LBFGS([x], **kw)
    calls = [0]

    def closure():
        calls[0] += 1
        opt.zero_grad()
        loss = (100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2 + (x[2] - 0.3) ** 2)
        loss.backward()
        return loss

    losses = [opt.step(closure).item() for _ in range(steps)]
    st = opt.state[opt.param_groups[0]['params'][0]]
    return {'x': x.tolist(), 'losses': losses, 'calls': calls[0], 'func_evals': st['func_evals'],
            'n_iter': st['n_iter'], 'keys': sorted(k for k in st.keys())}


results['default'] = run(lr=0.1, max_iter=10)
results['lr1'] = run(lr=1, max_iter=5, history_size=3)
results['wolfe'] = run(steps=2, lr=1, max_iter=20, line_search_fn='strong_wolfe')
results['tol'] = run(steps=2, lr=1, max_iter=50, tolerance_grad=1e-3, tolerance_change=1e-4, line_search_fn='strong_wolfe')
g = optim.LBFGS([torch.zeros(1, requires_grad=True)]).param_groups[0]
results['defaults'] = [g['lr'], g['max_iter'], g['max_eval'], g['tolerance_grad'], g['tolerance_change'], g['history_size'], g['line_search_fn']]
try:
    optim.LBFGS([torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)], lr=1).add_param_group({'params': [torch.zeros(1, requires_grad=True)]})
    results['two_groups'] = 'no error'
except ValueError as e:
    results['two_groups'] = ['ValueError', "doesn't support per-parameter options" in str(e)]
print(json.dumps(results))
