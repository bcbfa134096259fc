"""optim.lr_scheduler: OneCycleLR (cos/linear, momentum cycling), CyclicLR (triangular modes), CosineAnnealingWarmRestarts, ReduceLROnPlateau, SequentialLR, ChainedScheduler."""
import json

import torch
import torch.optim as optim
from torch.optim import lr_scheduler as S

TIER = 'optim'
DTYPE = 'float64'

results = {}


def make_opt(kind='sgd'):
    p = torch.zeros(1, requires_grad=True)
    if kind == 'adam':
        return optim.Adam([p], lr=0.1)
    return optim.SGD([p], lr=0.1, momentum=0.9)


def trace(opt, sched, epochs, metrics=None, extra=None):
    out = []
    for e in range(epochs):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[e])
        row = [g['lr'] for g in opt.param_groups]
        if extra:
            row.append(opt.param_groups[0][extra])
        out.append(row)
    return out


o = make_opt()
results['onecycle_cos'] = trace(o, S.OneCycleLR(o, max_lr=1.0, total_steps=10), 9, extra='momentum')
o = make_opt('adam')
results['onecycle_linear_adam'] = trace(o, S.OneCycleLR(o, max_lr=0.5, epochs=2, steps_per_epoch=5, anneal_strategy='linear', pct_start=0.4, three_phase=True), 9, extra='betas')
o = make_opt()
results['cyclic_tri'] = trace(o, S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3), 14, extra='momentum')
o = make_opt()
results['cyclic_tri2'] = trace(o, S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2, step_size_down=3, mode='triangular2', cycle_momentum=False), 14)
o = make_opt()
results['cyclic_exp'] = trace(o, S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2, mode='exp_range', gamma=0.9), 10)
o = make_opt()
results['warm_restarts'] = trace(o, S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01), 12)
o = make_opt()
plateau = S.ReduceLROnPlateau(o, mode='min', factor=0.5, patience=1, threshold=0.01, cooldown=1, min_lr=0.02)
metrics = [1.0, 0.9, 0.95, 0.91, 0.92, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
results['plateau'] = trace(o, plateau, 12, metrics=metrics)
results['plateau_state'] = [plateau.best, plateau.num_bad_epochs, plateau.cooldown_counter, plateau.get_last_lr()]
o = make_opt()
plateau_max = S.ReduceLROnPlateau(o, mode='max', factor=0.1, patience=0, threshold_mode='abs', threshold=0.05)
results['plateau_max'] = trace(o, plateau_max, 6, metrics=[0.1, 0.2, 0.22, 0.3, 0.31, 0.5])
o = make_opt()
seq = S.SequentialLR(o, schedulers=[S.LinearLR(o, start_factor=0.1, total_iters=3), S.ExponentialLR(o, gamma=0.5)], milestones=[3])
results['sequential'] = trace(o, seq, 8)
o = make_opt()
chained = S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=2), S.ExponentialLR(o, gamma=0.9)])
results['chained'] = trace(o, chained, 6)
results['chained_last'] = chained.get_last_lr()
print(json.dumps(results))
