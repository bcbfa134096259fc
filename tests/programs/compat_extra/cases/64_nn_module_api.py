"""nn: Module API - named_parameters/buffers/modules/children order, state_dict keys and values, load_state_dict strict/non-strict, register_buffer, apply, requires_grad_, zero_grad, to/double."""
import json

import torch
import torch.nn as nn

TIER = 'nn'
DTYPE = 'float32'

results = {}


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.bn = nn.BatchNorm1d(2)
        self.register_buffer('scale', torch.tensor([2.0, 3.0]))
        self.register_buffer('cache', torch.zeros(2), persistent=False)
        self.register_buffer('nothing', None)
        self.alpha = nn.Parameter(torch.tensor(0.5))

    def forward(self, x):
        return self.bn(self.fc(x)) * self.scale * self.alpha + self.cache


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(2, 1))
        self.extra = nn.Parameter(torch.ones(1))


net = Net()
results['param_names'] = [n for n, _ in net.named_parameters()]
results['buffer_names'] = [n for n, _ in net.named_buffers()]
results['module_names'] = [n for n, _ in net.named_modules()]
results['children'] = [n for n, _ in net.named_children()]
results['module_types'] = [type(m).__name__ for m in net.modules()]
sd = net.state_dict()
results['state_keys'] = list(sd.keys())
results['num_params'] = sum(p.numel() for p in net.parameters())
results['no_recurse'] = [n for n, _ in net.named_parameters(recurse=False)]
results['prefixed'] = [n for n, _ in net.block.named_parameters(prefix='blk')]
results['get_submodule'] = type(net.get_submodule('head.1')).__name__
results['get_parameter'] = list(net.get_parameter('block.fc.weight').shape)

with torch.no_grad():
    for i, (_, p) in enumerate(net.named_parameters()):
        p.copy_(torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape) * 0.1 - 0.2 * i)
net2 = Net()
res = net2.load_state_dict(net.state_dict())
results['load_result'] = [list(res.missing_keys), list(res.unexpected_keys)]
results['loaded_equal'] = all(torch.equal(a, b) for a, b in zip(net.state_dict().values(), net2.state_dict().values()))
results['state_dict_detached'] = [v.requires_grad for v in net.state_dict().values()]
partial = {k: v for k, v in net.state_dict().items() if not k.startswith('head')}
partial['bogus'] = torch.zeros(1)
res = net2.load_state_dict(partial, strict=False)
results['nonstrict'] = [sorted(res.missing_keys), sorted(res.unexpected_keys)]
try:
    net2.load_state_dict(partial)
    results['strict_error'] = 'no error'
except RuntimeError as e:
    msg = str(e)
    results['strict_error'] = ['RuntimeError', 'Missing key(s) in state_dict' in msg, 'Unexpected key(s) in state_dict' in msg, '"bogus"' in msg]
bad = net.state_dict()
bad['head.1.weight'] = torch.zeros(3, 3)
try:
    net2.load_state_dict(bad)
    results['shape_error'] = 'no error'
except RuntimeError as e:
    results['shape_error'] = ['RuntimeError', 'size mismatch for head.1.weight' in str(e)]

seen = []
net.apply(lambda m: seen.append(type(m).__name__))
results['apply_order'] = seen
net.requires_grad_(False)
results['requires_grad_off'] = [p.requires_grad for p in net.parameters()]
net.block.requires_grad_(True)
results['requires_grad_partial'] = [p.requires_grad for p in net.parameters()]
x = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 2.0], [1.5, 0.5, -0.5]])
out = net.head(net.block(x))
out.sum().backward()
results['grads_present'] = [p.grad is not None for p in net.parameters()]
results['out'] = out.tolist()
net.zero_grad()
results['zero_grad_none'] = [p.grad is None for p in net.parameters()]
d = net.double()
results['double'] = [str(p.dtype) for p in d.parameters()] + [str(b.dtype) for b in d.buffers()]
results['returns_self'] = [net.train() is net, net.eval() is net, net.to(torch.float32) is net]
results['dtype_back'] = str(net.block.fc.weight.dtype)
results['training'] = [m.training for m in net.modules()]
del net.block.alpha
results['after_del'] = [n for n, _ in net.named_parameters()]
net.newlin = nn.Linear(1, 1)
results['after_add'] = [n for n, _ in net.named_children()]
try:
    net.register_buffer('head', torch.zeros(1))
    results['buffer_clash'] = 'no error'
except KeyError as e:
    results['buffer_clash'] = ['KeyError', 'already exists' in str(e)]
try:
    nn.Linear(2, 2).weight = torch.zeros(2, 2)
    results['assign_tensor_to_param'] = 'no error'
except TypeError as e:
    results['assign_tensor_to_param'] = ['TypeError', 'torch.nn.Parameter or None expected' in str(e)]
try:
    net.missing_attr
    results['missing_attr'] = 'no error'
except AttributeError as e:
    results['missing_attr'] = ['AttributeError', str(e)]
print(json.dumps(results))
