"""optim.lr_scheduler: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LambdaLR, MultiplicativeLR, LinearLR, ConstantLR, PolynomialLR - get_last_lr per epoch, multiple groups."""
import json

import torch
import torch.optim as optim
from torch.optim import lr_scheduler as S

TIER = 'optim'
DTYPE = 'float64'

results = {}


def trace(make_sched, epochs=12, lrs=(0.1, 0.02)):
    ps = [torch.zeros(1, requires_grad=True) for _ in lrs]
    opt = optim.SGD([{'params': [p], 'lr': lr} for p, lr in zip(ps, lrs)], lr=lrs[0])
    sched = make_sched(opt)
    out = [sched.get_last_lr()]
    for _ in range(epochs):
        opt.step()
        sched.step()
        out.append(sched.get_last_lr())
    return {'lrs': out, 'group_lr': [g['lr'] for g in opt.param_groups], 'last_epoch': sched.last_epoch,
            'initial_lr': [g['initial_lr'] for g in opt.param_groups]}


results['step'] = trace(lambda o: S.StepLR(o, step_size=3, gamma=0.5))
results['multistep'] = trace(lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3))
results['exponential'] = trace(lambda o: S.ExponentialLR(o, gamma=0.9))
results['cosine'] = trace(lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.001))
results['lambda'] = trace(lambda o: S.LambdaLR(o, lr_lambda=[lambda e: 1 / (e + 1), lambda e: 0.95 ** e]))
results['lambda_single'] = trace(lambda o: S.LambdaLR(o, lambda e: min(1.0, (e + 1) / 4)))
results['multiplicative'] = trace(lambda o: S.MultiplicativeLR(o, lambda e: 0.8))
results['linear'] = trace(lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4))
results['constant'] = trace(lambda o: S.ConstantLR(o, factor=0.5, total_iters=3))
results['polynomial'] = trace(lambda o: S.PolynomialLR(o, total_iters=6, power=2.0))
results['step_last_epoch_type'] = type(S.StepLR(optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), 2).last_epoch).__name__
try:
    S.StepLR(optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), 2, last_epoch=3)
    results['resume_without_initial_lr'] = 'no error'
except KeyError as e:
    results['resume_without_initial_lr'] = ['KeyError', 'initial_lr' in str(e)]
print(json.dumps(results))
