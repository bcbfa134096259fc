"""nn: Conv2d (stride, padding, dilation, groups, padding modes) and ConvTranspose1d/2d outputs and gradients."""
import json

import numpy as np
import torch
import torch.nn as nn

TIER = 'nn'
DTYPE = 'float32'

rng = np.random.default_rng(150)
results = {}


def fill_(module, scale=0.5):
    with torch.no_grad():
        for _, p in sorted(module.named_parameters()):
            p.copy_(torch.tensor(rng.uniform(-scale, scale, size=tuple(p.shape)), dtype=torch.float32))


def data(*shape):
    return torch.tensor(rng.standard_normal(shape), dtype=torch.float32, requires_grad=True)


def run(name, module, x):
    fill_(module)
    out = module(x)
    w = torch.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)), dtype=torch.float32)
    (out * w).sum().backward()
    entry = {'out': out.detach().tolist(), 'shape': list(out.shape), 'x_grad': x.grad.tolist()}
    for pname, p in module.named_parameters():
        entry[pname + '_grad'] = p.grad.tolist()
    results[name] = entry


run('conv2d_basic', nn.Conv2d(2, 3, 3), data(2, 2, 5, 5))
run('conv2d_stride_pad', nn.Conv2d(2, 2, (3, 2), stride=(2, 1), padding=(1, 0)), data(1, 2, 6, 5))
run('conv2d_dilation_groups', nn.Conv2d(4, 4, 2, dilation=2, groups=4, bias=False), data(1, 4, 5, 5))
run('conv2d_same', nn.Conv2d(1, 2, 3, padding='same'), data(1, 1, 4, 4))
run('conv2d_reflect', nn.Conv2d(1, 1, 3, padding=1, padding_mode='reflect'), data(1, 1, 4, 4))
run('conv2d_replicate', nn.Conv2d(1, 1, 3, padding=2, padding_mode='replicate'), data(1, 1, 3, 4))
run('conv2d_circular', nn.Conv2d(2, 1, 3, padding=1, padding_mode='circular'), data(1, 2, 4, 3))
run('convT1d', nn.ConvTranspose1d(2, 3, 3, stride=2), data(2, 2, 4))
run('convT1d_pad_outpad', nn.ConvTranspose1d(2, 2, 3, stride=2, padding=1, output_padding=1), data(1, 2, 4))
run('convT2d', nn.ConvTranspose2d(2, 1, 2, stride=2), data(1, 2, 3, 3))
run('convT2d_groups_dil', nn.ConvTranspose2d(2, 4, 3, groups=2, dilation=2, padding=1), data(1, 2, 3, 3))
c = nn.Conv2d(3, 6, (3, 5), stride=2, groups=3)
results['conv2d_attrs'] = [list(c.weight.shape), list(c.kernel_size), list(c.stride), list(c.padding),
                           list(c.dilation), c.groups, c.padding_mode, c.in_channels, c.out_channels]
t = nn.ConvTranspose2d(4, 2, 3, groups=2)
results['convT_weight_shape'] = list(t.weight.shape)
results['convT_output_size'] = list(nn.ConvTranspose2d(1, 1, 3, stride=2)(torch.zeros(1, 1, 4, 4), output_size=[10, 10]).shape)
try:
    nn.Conv2d(3, 4, 3, groups=2)
    results['bad_groups'] = 'no error'
except ValueError as e:
    results['bad_groups'] = ['ValueError', 'divisible by groups' in str(e)]
try:
    nn.Conv2d(1, 1, 3, stride=2, padding='same')
    results['same_stride'] = 'no error'
except ValueError as e:
    results['same_stride'] = 'ValueError'
print(json.dumps(results))
