"""nn: forward pre-hooks / forward hooks (modifying input and output, with_kwargs), full backward hooks, tensor hooks, handle.remove, hook ordering."""
import json

import torch
import torch.nn as nn

TIER = 'nn'
DTYPE = 'float32'

results = {}
log = []
lin = nn.Linear(3, 2)
with torch.no_grad():
    lin.weight.copy_(torch.tensor([[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]]))
    lin.bias.copy_(torch.tensor([0.05, -0.1]))
x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]], requires_grad=True)


def pre(mod, args):
    log.append('pre:%s' % type(mod).__name__)
    return (args[0] * 2,)


def fwd(mod, args, out):
    log.append('fwd:%d' % len(args))
    return out + 1.0


def fwd2(mod, args, out):
    log.append('fwd2')


h1 = lin.register_forward_pre_hook(pre)
h2 = lin.register_forward_hook(fwd)
h3 = lin.register_forward_hook(fwd2)
out = lin(x)
results['hooked_out'] = out.tolist()
results['log1'] = list(log)
h1.remove()
h2.remove()
results['unhooked_out'] = lin(x).tolist()
h3.remove()
results['log2'] = list(log)

grads = []
def bwd(mod, grad_input, grad_output):
    grads.append(['bwd', [g.tolist() if g is not None else None for g in grad_input],
                  [g.tolist() for g in grad_output]])

def bwd_pre(mod, grad_output):
    grads.append(['bwd_pre', [g.tolist() for g in grad_output]])
    return (grad_output[0] * 3,)

hb = lin.register_full_backward_hook(bwd)
hp = lin.register_full_backward_pre_hook(bwd_pre)
y = lin(x)
(y * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
results['bwd_calls'] = grads
results['x_grad_scaled'] = x.grad.tolist()
results['w_grad_scaled'] = lin.weight.grad.tolist()
hb.remove()
hp.remove()

t = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
seen = []
ht = t.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
(t * t).sum().backward()
results['tensor_hook_seen'] = seen
results['tensor_hook_grad'] = t.grad.tolist()
ht.remove()
t.grad = None
(t * t).sum().backward()
results['tensor_hook_removed'] = t.grad.tolist()

kw = []
def pre_kw(mod, args, kwargs):
    kw.append(sorted(kwargs))
    return args, kwargs

class Scale(nn.Module):
    def forward(self, x, factor=1.0):
        return x * factor

s = Scale()
s.register_forward_pre_hook(pre_kw, with_kwargs=True)
s.register_forward_hook(lambda m, a, k, o: o - k.get('factor', 0), with_kwargs=True)
results['kwargs_hook'] = [s(torch.tensor([2.0]), factor=3.0).tolist(), kw]

seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
order = []
for name, m in seq.named_modules():
    if name:
        m.register_forward_hook(lambda mod, a, o, name=name: order.append(name))
seq(torch.ones(1, 2))
results['seq_hook_order'] = order
g_hooks = nn.Linear(2, 2)
results['has_hooks_dicts'] = [len(g_hooks._forward_hooks), len(g_hooks._forward_pre_hooks)]
hh = g_hooks.register_forward_hook(fwd2)
results['hooks_after_register'] = len(g_hooks._forward_hooks)
hh.remove()
results['hooks_after_remove'] = len(g_hooks._forward_hooks)
print(json.dumps(results))
