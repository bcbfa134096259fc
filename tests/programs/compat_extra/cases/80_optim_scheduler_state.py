"""optim.lr_scheduler: scheduler state_dict keys and load_state_dict resume, last_epoch resume with initial_lr, get_last_lr vs param_groups, step order warning-free usage."""
import json

import torch
import torch.optim as optim
from torch.optim import lr_scheduler as S

TIER = 'optim'
DTYPE = 'float64'

results = {}
p = torch.zeros(2, requires_grad=True)
opt = optim.SGD([p], lr=0.5)
sched = S.MultiStepLR(opt, milestones=[2, 4], gamma=0.1)
for _ in range(3):
    opt.step()
    sched.step()
sd = sched.state_dict()
results['keys'] = sorted(sd.keys())
results['values'] = [sd['last_epoch'], sd['base_lrs'], sd['_last_lr'], sd['gamma'], sorted(sd['milestones'].items())]

opt2 = optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.5)
sched2 = S.MultiStepLR(opt2, milestones=[2, 4], gamma=0.1)
sched2.load_state_dict(sd)
opt2.load_state_dict(opt.state_dict())
row = []
for _ in range(3):
    opt2.step()
    sched2.step()
    row.append(sched2.get_last_lr()[0])
results['resumed'] = row
results['resumed_epoch'] = sched2.last_epoch

cos_opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
cos = S.CosineAnnealingLR(cos_opt, T_max=10)
for _ in range(4):
    cos_opt.step()
    cos.step()
cos_sd = cos.state_dict()
results['cos_keys'] = sorted(cos_sd.keys())
cos_opt2 = optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
cos2 = S.CosineAnnealingLR(cos_opt2, T_max=10)
cos2.load_state_dict(cos_sd)
cos_opt2.param_groups[0]['lr'] = cos_opt.param_groups[0]['lr']
nxt = []
for _ in range(3):
    cos_opt.step(); cos.step(); cos_opt2.step(); cos2.step()
    nxt.append([cos.get_last_lr()[0], cos2.get_last_lr()[0]])
results['cos_resume'] = nxt

o = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.2)
o.param_groups[0]['initial_lr'] = 0.2
s = S.StepLR(o, step_size=2, gamma=0.5, last_epoch=3)
results['resume_last_epoch'] = [s.last_epoch, s.get_last_lr(), o.param_groups[0]['lr']]
o = optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.01)
s = S.LambdaLR(o, lambda e: 0.5 ** e)
results['lambda_state_keys'] = sorted(s.state_dict().keys())
o.param_groups[0]['lr'] = 0.7
results['manual_lr_vs_last'] = [s.get_last_lr(), o.param_groups[0]['lr']]
o.step()
s.step()
results['after_manual'] = [s.get_last_lr(), o.param_groups[0]['lr']]
pl = S.ReduceLROnPlateau(optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), patience=0)
pl.step(1.0)
pl.step(2.0)
results['plateau_sd'] = sorted(k for k in pl.state_dict().keys() if k != 'optimizer')
results['plateau_lr'] = pl.get_last_lr()
print(json.dumps(results))
