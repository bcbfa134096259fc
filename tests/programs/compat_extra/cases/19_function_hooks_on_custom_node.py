"""Function: tensor hooks, node hooks and prehooks around a custom Function node; saving the output for backward."""
import json

import torch
from torch.autograd import Function

TIER = 'function'
DTYPE = 'float64'


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)       # save the output
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return g * y


log = []
results = {}
x = torch.tensor([0.0, 1.0, -1.0], dtype=torch.float64, requires_grad=True)
y = Exp.apply(x)
y.register_hook(lambda g: log.append(('tensor_hook', g.tolist())) or g * 2)
h_pre = y.grad_fn.register_prehook(lambda gout: log.append(('prehook', [g.tolist() for g in gout])))
h_post = y.grad_fn.register_hook(lambda gin, gout: log.append(
    ('node_hook', [g.tolist() if g is not None else None for g in gin],
     [g.tolist() for g in gout])))
(y * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
results['log'] = list(log)
results['x_grad'] = x.grad.tolist()

# remove the node hooks; tensor hooks still run
h_pre.remove()
h_post.remove()
log.clear()
x.grad = None
y2 = Exp.apply(x)
y2.grad_fn.register_prehook(lambda gout: (gout[0] * 0.5,))   # replace grad_outputs
y2.sum().backward()
results['prehook_replaced_grad'] = x.grad.tolist()

# hook on the input leaf sees the accumulated grad value before accumulation
x.grad = None
x.register_hook(lambda g: log.append(('leaf_hook', g.tolist())))
Exp.apply(x).sum().backward()
results['leaf_log'] = list(log)
results['final_grad'] = x.grad.tolist()
print(json.dumps(results))
