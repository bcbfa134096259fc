"""func: torch.func.vmap with in_dims/out_dims, None dims, nested vmap, tuple outputs, chunk_size and per-sample grads."""
import json

import torch
from torch.func import grad, vmap

TIER = 'func'
DTYPE = 'float64'

results = {}
A = torch.arange(6, dtype=torch.float64).reshape(2, 3)
B = torch.tensor([[1.0, -1.0, 2.0], [0.5, 0.5, 0.5]], dtype=torch.float64)
v = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)

results['dot_rows'] = vmap(torch.dot)(A, B).tolist()
results['in_dims_none'] = vmap(torch.dot, in_dims=(0, None))(A, v).tolist()
results['in_dims_cols'] = vmap(lambda c: c.sum() * 2, in_dims=1)(A).tolist()
results['out_dims_1'] = vmap(lambda r: r * 2, out_dims=1)(A).tolist()
results['nested_outer'] = vmap(vmap(lambda a, b: a * b, in_dims=(0, None)), in_dims=(None, 0))(v, v).tolist()
s, p = vmap(lambda r: (r.sum(), r.prod()))(A + 1)
results['tuple_out'] = [s.tolist(), p.tolist()]
results['chunked'] = vmap(lambda r: r.exp().sum(), chunk_size=1)(A).tolist()
results['kw_scalar'] = vmap(lambda r, scale=1.0: r * scale)(A, scale=3.0).tolist()

# matrix-vector via vmap of mv over a batch of matrices
M = torch.stack([torch.eye(3, dtype=torch.float64) * (i + 1) for i in range(2)])
results['batched_mv'] = vmap(torch.mv, in_dims=(0, None))(M, v).tolist()

# per-sample gradients of a linear model
w = torch.tensor([0.5, -0.25, 1.0], dtype=torch.float64)
X = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0], [2.0, 2.0, 2.0]], dtype=torch.float64)
Y = torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64)


def sample_loss(w, x, y):
    return (torch.dot(w, x) - y) ** 2


ps = vmap(grad(sample_loss), in_dims=(None, 0, 0))(w, X, Y)
results['per_sample_grads'] = ps.tolist()
results['per_sample_mean_matches'] = bool(torch.allclose(ps.mean(0), grad(lambda w: ((X @ w - Y) ** 2).mean())(w)))

# dict inputs with per-key in_dims
d = {'x': A, 'y': v}
results['dict_in'] = vmap(lambda d: d['x'] * d['y'], in_dims=({'x': 0, 'y': None},))(d).tolist()

try:
    vmap(torch.dot)(A, v[:2].unsqueeze(0).expand(3, 2))
    results['size_mismatch'] = 'no error'
except ValueError as e:
    results['size_mismatch'] = 'Expected all tensors to have the same size in the mapped dimension' in str(e)
print(json.dumps(results))
