"""func: torch.func.jacrev / jacfwd / hessian with argnums, has_aux, multiple outputs, and agreement between them."""
import json

import torch
from torch.func import hessian, jacfwd, jacrev

TIER = 'func'
DTYPE = 'float64'


def f(x, y):
    return torch.stack([x[0] * y.sum(), (x ** 2).sum() * y[1], torch.sin(x[1]) + y[0] ** 3])


x = torch.tensor([0.5, -1.0], dtype=torch.float64)
y = torch.tensor([2.0, 0.3, -0.7], dtype=torch.float64)
results = {}
results['jacrev_x'] = jacrev(f)(x, y).tolist()
jx, jy = jacrev(f, argnums=(0, 1))(x, y)
results['jacrev_xy'] = [jx.tolist(), jy.tolist()]
results['jacfwd_y'] = jacfwd(f, argnums=1)(x, y).tolist()
results['rev_fwd_agree'] = bool(torch.allclose(jacrev(f, argnums=1)(x, y), jacfwd(f, argnums=1)(x, y)))


def scalar(x):
    return (x[0] ** 2) * x[1] + torch.exp(x[0] * x[1])


H = hessian(scalar)(x)
results['hessian'] = H.tolist()
results['hessian_fwdrev'] = jacfwd(jacrev(scalar))(x).tolist()
results['hessian_revrev'] = jacrev(jacrev(scalar))(x).tolist()


def with_aux(x):
    out = x.sin() * 2
    return out, out.sum()


J, aux = jacrev(with_aux, has_aux=True)(x)
results['aux_jac'] = J.tolist()
results['aux'] = aux.item()
J2, aux2 = jacfwd(with_aux, has_aux=True)(x)
results['aux_jacfwd'] = J2.tolist()


def two_outputs(x):
    return x * 2, x.sum() ** 2


j1, j2 = jacrev(two_outputs)(x)
results['two_outputs'] = [j1.tolist(), j2.tolist()]
results['matrix_input_shape'] = list(jacrev(lambda m: m.t() @ m)(torch.ones(2, 3, dtype=torch.float64)).shape)
print(json.dumps(results))
