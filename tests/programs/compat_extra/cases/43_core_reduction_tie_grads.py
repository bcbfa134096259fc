"""Core: gradients of max/min/median/norm/prod/amax at ties, zeros and reductions over dims."""
import json

import torch

TIER = 'core'
DTYPE = 'float64'

results = {}


def g(fn, vals):
    x = torch.tensor(vals, dtype=torch.float64, requires_grad=True)
    fn(x).backward()
    return x.grad.tolist()


results['max_all_ties'] = g(lambda x: x.max(), [1.0, 3.0, 3.0, 2.0])
results['amax_ties'] = g(lambda x: x.amax(), [1.0, 3.0, 3.0, 2.0])
results['min_dim_ties'] = g(lambda x: x.min(dim=1).values.sum(), [[1.0, 1.0], [0.5, 2.0]])
results['amin_dim_ties'] = g(lambda x: x.amin(dim=1).sum(), [[1.0, 1.0], [0.5, 2.0]])
results['max_dim_indices'] = torch.tensor([[1.0, 1.0], [0.5, 2.0]]).max(dim=1).indices.tolist()
results['median'] = g(lambda x: x.median(), [4.0, 1.0, 3.0, 2.0])
results['norm_at_zero'] = g(lambda x: x.norm(), [0.0, 0.0])
results['prod_one_zero'] = g(lambda x: x.prod(), [2.0, 0.0, 3.0])
results['prod_two_zeros'] = g(lambda x: x.prod(), [2.0, 0.0, 0.0])
results['logsumexp'] = g(lambda x: x.logsumexp(0), [1.0, 2.0, 3.0])
results['std'] = g(lambda x: x.std(), [1.0, 2.0, 4.0])
results['var_unbiased_false'] = g(lambda x: x.var(unbiased=False), [1.0, 2.0, 4.0])
results['cumsum'] = g(lambda x: (x.cumsum(0) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum(), [1.0, 2.0, 4.0])
results['cumprod'] = g(lambda x: x.cumprod(0).sum(), [1.0, 2.0, 4.0])
results['abs_at_zero'] = g(lambda x: x.abs().sum(), [-1.0, 0.0, 2.0])
results['relu_at_zero'] = g(lambda x: x.relu().sum(), [-1.0, 0.0, 2.0])
results['clamp_bounds'] = g(lambda x: x.clamp(0.0, 1.0).sum(), [-1.0, 0.0, 0.5, 1.0, 2.0])
results['sqrt_at_zero'] = [str(v) for v in g(lambda x: x.sqrt().sum(), [0.0, 4.0])]
results['where_nan_trick'] = g(lambda x: torch.where(x > 0, x, torch.zeros_like(x)).log1p().sum(), [-1.0, 1.0])
results['topk'] = g(lambda x: (x.topk(2).values * torch.tensor([1.0, 10.0], dtype=torch.float64)).sum(), [0.5, 3.0, 2.0, -1.0])
results['sort_desc'] = g(lambda x: (x.sort(descending=True).values * torch.arange(1.0, 5.0, dtype=torch.float64)).sum(), [0.5, 3.0, 2.0, -1.0])
print(json.dumps(results))
