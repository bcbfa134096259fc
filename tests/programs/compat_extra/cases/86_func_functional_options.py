"""func: torch.autograd.functional with create_graph, strict, vectorize, tuple inputs/outputs and independent outputs."""
import json

import torch
from torch.autograd.functional import hessian, hvp, jacobian, jvp, vjp

TIER = 'func'
DTYPE = 'float64'


def f2(a, b):
    return a * b, (a ** 2).sum() * b


a = torch.tensor([1.0, -2.0], dtype=torch.float64)
b = torch.tensor([0.5, 3.0], dtype=torch.float64)
results = {}
J = jacobian(f2, (a, b))
results['nested_jacobian'] = [[J[i][j].tolist() for j in range(2)] for i in range(2)]
Jv = jacobian(f2, (a, b), vectorize=True)
results['vectorize_same'] = all(bool(torch.allclose(J[i][j], Jv[i][j])) for i in range(2) for j in range(2))
Jf = jacobian(f2, (a, b), strategy='forward-mode', vectorize=True)
results['forward_mode_same'] = all(bool(torch.allclose(J[i][j], Jf[i][j])) for i in range(2) for j in range(2))

# an output independent of the input: zeros, or an error with strict=True
indep = lambda x: torch.ones(2, dtype=torch.float64) * 3
results['independent_jac'] = jacobian(indep, a).tolist()
try:
    jacobian(indep, a, strict=True)
    results['strict_error'] = 'no error'
except RuntimeError as e:
    results['strict_error'] = 'Output 0 of the user-provided function does not require gradients' in str(e)
try:
    jacobian(lambda p, q: p * 2, (a, b), strict=True)
    results['strict_independent'] = 'no error'
except RuntimeError as e:
    results['strict_independent'] = 'Output 0 of the user-provided function is independent of input 1' in str(e)
Jpart = jacobian(lambda p, q: p * 2, (a, b))
results['non_strict_independent'] = [Jpart[0].tolist(), Jpart[1].tolist()]

# create_graph: the jacobian is differentiable w.r.t. the inputs
x = torch.tensor([0.3, 0.7], dtype=torch.float64, requires_grad=True)
Jx = jacobian(lambda t: t.exp() * t.sum(), x, create_graph=True)
results['jac_requires_grad'] = Jx.requires_grad
Jx.sum().backward()
results['grad_through_jacobian'] = x.grad.tolist()
Jn = jacobian(lambda t: t.exp() * t.sum(), x)
results['jac_no_create_graph_requires_grad'] = Jn.requires_grad

# hessian with two inputs
H = hessian(lambda p, q: (p ** 2 * q).sum() + (p * q.sin()).sum(), (a, b))
results['hessian_blocks'] = [[H[i][j].tolist() for j in range(2)] for i in range(2)]

# vjp with no v for scalar output, jvp/hvp with tuples
out, g = vjp(lambda t: (t ** 3).sum(), a)
results['vjp_scalar'] = [out.item(), g.tolist()]
try:
    vjp(lambda t: t ** 3, a)
    results['vjp_missing_v'] = 'no error'
except RuntimeError as e:
    results['vjp_missing_v'] = 'The vector v can only be None if the user-provided function returns a single Tensor with a single element' in str(e)
out, jv = jvp(f2, (a, b), (torch.ones(2, dtype=torch.float64), torch.zeros(2, dtype=torch.float64)))
results['jvp_tuple'] = [[o.tolist() for o in out], [j.tolist() for j in jv]]
out, hv = hvp(lambda p, q: (p * q).sum() ** 2, (a, b), (torch.ones(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)))
results['hvp_tuple'] = [out.item(), [h.tolist() for h in hv]]
print(json.dumps(results))
