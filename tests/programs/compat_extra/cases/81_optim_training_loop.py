"""optim: a small CNN trained 8 steps with AdamW + StepLR + clip_grad_norm_ + BatchNorm/Dropout(eval) and a DataLoader over a TensorDataset (no shuffle); save/load round trip through torch.save."""
import io
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

TIER = 'optim'
DTYPE = 'float32'
TOL = (1e-3, 1e-4)

rng = np.random.default_rng(181)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        # no bias before BatchNorm: it would get only rounding-noise gradients, which Adam
        # turns into lr-sized steps that differ between any two implementations
        self.conv = nn.Conv2d(1, 4, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)
        self.drop = nn.Dropout(0.0)
        self.fc = nn.Linear(4 * 3 * 3, 3)

    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.conv(x))))
        return self.fc(self.drop(torch.flatten(x, 1)))


net = Net()
with torch.no_grad():
    for _, p in sorted(net.named_parameters()):
        p.copy_(torch.tensor(rng.uniform(-0.4, 0.4, size=tuple(p.shape)), dtype=torch.float32))
X = torch.tensor(rng.standard_normal((12, 1, 6, 6)), dtype=torch.float32)
Y = torch.tensor(rng.integers(0, 3, size=12))
loader = DataLoader(TensorDataset(X, Y), batch_size=5, shuffle=False)
results = {'num_batches': len(loader), 'batch_shapes': [[list(a.shape), list(b.shape)] for a, b in loader]}
opt = optim.AdamW(net.parameters(), lr=0.01, weight_decay=0.05)
sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
losses, norms, lrs = [], [], []
for epoch in range(3):
    net.train()
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.cross_entropy(net(xb), yb)
        loss.backward()
        norms.append(nn.utils.clip_grad_norm_(net.parameters(), 1.0).item())
        opt.step()
        losses.append(loss.item())
    sched.step()
    lrs.append(sched.get_last_lr()[0])
results['losses'] = losses
results['norms'] = norms
results['lrs'] = lrs
results['running_mean'] = net.bn.running_mean.tolist()
results['num_batches_tracked'] = int(net.bn.num_batches_tracked)
net.eval()
with torch.no_grad():
    logits = net(X)
results['eval_logits'] = logits.tolist()
results['accuracy'] = (logits.argmax(1) == Y).float().mean().item()
buf = io.BytesIO()
torch.save({'model': net.state_dict(), 'opt': opt.state_dict(), 'sched': sched.state_dict()}, buf)
buf.seek(0)
ckpt = torch.load(buf)
net2 = Net()
net2.load_state_dict(ckpt['model'])
net2.eval()
with torch.no_grad():
    results['reloaded_equal'] = torch.equal(net2(X), logits)
results['ckpt_keys'] = [sorted(ckpt.keys()), sorted(ckpt['opt'].keys()), sorted(ckpt['sched'].keys())]
results['ckpt_state_step'] = float(ckpt['opt']['state'][0]['step'])
print(json.dumps(results))
