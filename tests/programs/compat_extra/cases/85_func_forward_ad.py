"""func: forward-mode AD with torch.autograd.forward_ad (dual_level, make_dual, unpack_dual) and torch.func.jvp/linearize."""
import json

import torch
import torch.autograd.forward_ad as fwAD
from torch.func import jvp, linearize

TIER = 'func'
DTYPE = 'float64'

results = {}
x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
t = torch.tensor([1.0, 0.0, -2.0], dtype=torch.float64)

with fwAD.dual_level():
    dx = fwAD.make_dual(x, t)
    y = (dx.sin() * dx ** 2).sum() + dx.exp().mean()
    p, tangent = fwAD.unpack_dual(y)
    results['primal'] = p.item()
    results['tangent'] = tangent.item()
    unp = fwAD.unpack_dual(dx)
    results['unpack_is_namedtuple'] = [hasattr(unp, 'primal'), hasattr(unp, 'tangent')]
    z = dx * 2
    results['plain_tangent_none'] = fwAD.unpack_dual(x).tangent is None
    m = torch.tensor([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]], dtype=torch.float64)
    mv = m @ dx
    results['matmul_tangent'] = fwAD.unpack_dual(mv).tangent.tolist()
    results['z_tangent'] = fwAD.unpack_dual(z).tangent.tolist()
    # ops that break the tangent
    results['detach_tangent_none'] = fwAD.unpack_dual(dx.detach()).tangent is None
    # reductions and broadcasting
    rb = (dx.unsqueeze(0) * torch.ones(2, 1, dtype=torch.float64)).sum(0)
    results['broadcast_tangent'] = fwAD.unpack_dual(rb).tangent.tolist()

# outside the level the tangent is gone
results['after_level_tangent_none'] = fwAD.unpack_dual(y).tangent is None


def f(a, b):
    return a * b.cos() + a ** 3


a = torch.tensor([1.0, 2.0], dtype=torch.float64)
b = torch.tensor([0.3, -0.4], dtype=torch.float64)
out, jv = jvp(f, (a, b), (torch.ones(2, dtype=torch.float64), torch.zeros(2, dtype=torch.float64)))
results['func_jvp'] = [out.tolist(), jv.tolist()]
out, jv = jvp(f, (a, b), (torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)))
results['func_jvp_b'] = jv.tolist()

out, jvp_fn = linearize(lambda u: u.tanh() * 3, a)
results['linearize_out'] = out.tolist()
results['linearize_jvp'] = jvp_fn(torch.tensor([1.0, -1.0], dtype=torch.float64)).tolist()

try:
    with fwAD.dual_level():
        fwAD.make_dual(x, torch.ones(2, dtype=torch.float64))
    results['shape_error'] = 'no error'
except RuntimeError as e:
    results['shape_error'] = 'Trying to set a forward gradient that has a different size than that of the original Tensor' in str(e)
print(json.dumps(results))
