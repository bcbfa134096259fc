"""nn: regression / ranking losses (MSE, L1, SmoothL1, Huber, PoissonNLL, GaussianNLL, HingeEmbedding, SoftMargin, MultiLabel*, MultiMargin, TripletMargin) with every reduction."""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

TIER = 'nn'
DTYPE = 'float64'

rng = np.random.default_rng(163)
results = {}
a_np = rng.standard_normal((4, 3)) * 1.5
b = torch.tensor(rng.standard_normal((4, 3)), dtype=torch.float64)


def run(name, fn, arr=a_np):
    x = torch.tensor(arr, dtype=torch.float64, requires_grad=True)
    loss = fn(x)
    (loss if loss.dim() == 0 else (loss * torch.linspace(0.5, 1.5, loss.numel(), dtype=torch.float64).reshape(loss.shape)).sum()).backward()
    results[name] = {'loss': loss.detach().tolist(), 'grad': x.grad.tolist()}


for red in ('mean', 'sum', 'none'):
    run('mse_' + red, lambda x: nn.MSELoss(reduction=red)(x, b))
    run('l1_' + red, lambda x: nn.L1Loss(reduction=red)(x, b))
    run('smoothl1_' + red, lambda x: nn.SmoothL1Loss(reduction=red, beta=0.5)(x, b))
    run('huber_' + red, lambda x: nn.HuberLoss(reduction=red, delta=0.7)(x, b))
run('smoothl1_beta0', lambda x: F.smooth_l1_loss(x, b, beta=0.0))
run('l1_tie', lambda x: F.l1_loss(x, x.detach().clone()))
counts = torch.tensor(rng.integers(0, 5, size=(4, 3)), dtype=torch.float64)
run('poisson_log', lambda x: nn.PoissonNLLLoss()(x, counts))
run('poisson_full', lambda x: nn.PoissonNLLLoss(log_input=False, full=True)(x.abs() + 0.1, counts))
var = torch.tensor(rng.uniform(0.2, 2.0, size=(4, 3)), dtype=torch.float64)
run('gaussian', lambda x: nn.GaussianNLLLoss()(x, b, var))
run('gaussian_full_sum', lambda x: nn.GaussianNLLLoss(full=True, reduction='sum')(x, b, var[:, :1]))
y = torch.tensor([[1, -1, 1], [-1, -1, 1], [1, 1, 1], [-1, 1, -1]], dtype=torch.float64)
run('hinge_embedding', lambda x: nn.HingeEmbeddingLoss(margin=1.5)(x, y))
run('soft_margin', lambda x: nn.SoftMarginLoss()(x, y))
run('multilabel_soft_margin', lambda x: nn.MultiLabelSoftMarginLoss()(x, (y > 0).double()))
run('multilabel_soft_margin_w', lambda x: nn.MultiLabelSoftMarginLoss(weight=torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64), reduction='none')(x, (y > 0).double()))
ml_t = torch.tensor([[0, 2, -1], [1, -1, 0], [2, 1, 0], [-1, 0, 0]])
run('multilabel_margin', lambda x: nn.MultiLabelMarginLoss()(x, ml_t))
cls = torch.tensor([2, 0, 1, 1])
run('multi_margin', lambda x: nn.MultiMarginLoss()(x, cls))
run('multi_margin_p2_w', lambda x: nn.MultiMarginLoss(p=2, margin=0.5, weight=torch.tensor([1.0, 0.5, 2.0], dtype=torch.float64), reduction='sum')(x, cls))
pos = torch.tensor(rng.standard_normal((4, 3)), dtype=torch.float64)
run('triplet', lambda x: nn.TripletMarginLoss(margin=1.0)(x, pos, b))
run('triplet_swap_p1', lambda x: nn.TripletMarginLoss(margin=0.5, p=1, swap=True, reduction='none')(x, pos, b))
run('triplet_distance_fn', lambda x: nn.TripletMarginWithDistanceLoss(distance_function=lambda u, v: 1 - F.cosine_similarity(u, v), margin=0.3)(x, pos, b))
try:
    F.mse_loss(torch.zeros(3), torch.zeros(3), reduction='avg')
    results['bad_reduction'] = 'no error'
except ValueError as e:
    results['bad_reduction'] = ['ValueError', 'is not a valid value for reduction' in str(e)]
results['reprs'] = [repr(nn.MSELoss()), repr(nn.HuberLoss(delta=0.5)), repr(nn.SmoothL1Loss())]
results['attrs'] = [nn.MSELoss(reduction='sum').reduction, nn.HuberLoss(delta=0.5).delta, nn.SmoothL1Loss(beta=2.0).beta]
print(json.dumps(results))
