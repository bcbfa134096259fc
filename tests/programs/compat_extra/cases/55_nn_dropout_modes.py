"""nn: Dropout family in eval mode (identity), p=0 / p=1 in train mode, train/eval flags through Sequential, argument checks."""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

TIER = 'nn'
DTYPE = 'float32'

results = {}
x = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) / 5.0 - 1.0
for name, m in [('dropout', nn.Dropout(0.5)), ('dropout1d', nn.Dropout1d(0.3)), ('dropout2d', nn.Dropout2d(0.7)),
                ('alpha', nn.AlphaDropout(0.2)), ('feature_alpha', nn.FeatureAlphaDropout(0.4))]:
    m.eval()
    xi = x.clone().requires_grad_(True)
    out = m(xi)
    out.sum().backward()
    results[name + '_eval'] = [out.tolist() == x.tolist(), xi.grad.tolist() == torch.ones_like(x).tolist(), m.training]

d0 = nn.Dropout(0.0)
results['p0_train_identity'] = d0(x).tolist() == x.tolist()
d1 = nn.Dropout(1.0)
xi = x.clone().requires_grad_(True)
o1 = d1(xi)
o1.sum().backward()
results['p1_train_zero'] = [o1.tolist(), xi.grad.tolist()]
results['functional_eval'] = F.dropout(x, 0.5, training=False).tolist() == x.tolist()
results['functional_alpha_eval'] = F.alpha_dropout(x, 0.5, training=False).tolist() == x.tolist()

torch.manual_seed(0)
d = nn.Dropout(0.5)
big = torch.ones(2000)
out = d(big)
vals = sorted(set(out.tolist()))
results['train_values'] = vals
results['train_fraction_ok'] = bool(0.4 < (out == 0).float().mean().item() < 0.6)
ip = torch.ones(10)
nn.Dropout(0.5, inplace=True).eval()(ip)
results['inplace_eval_untouched'] = ip.tolist()

net = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.Sequential(nn.ReLU(), nn.Dropout(0.2)))
net.eval()
results['flags_eval'] = [m.training for m in net.modules()]
net.train()
results['flags_train'] = [m.training for m in net.modules()]
net[2].eval()
results['flags_mixed'] = [m.training for m in net.modules()]
results['repr'] = [repr(nn.Dropout(0.25)), repr(nn.Dropout2d(0.1, inplace=True)), repr(nn.AlphaDropout(0.3))]
try:
    nn.Dropout(1.5)
    results['bad_p'] = 'no error'
except ValueError as e:
    results['bad_p'] = ['ValueError', 'between 0 and 1' in str(e)]
print(json.dumps(results))
