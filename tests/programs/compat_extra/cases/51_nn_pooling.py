"""nn: MaxPool1d/2d (padding, dilation, ceil_mode, return_indices), AvgPool (count_include_pad, divisor_override), adaptive pools, MaxUnpool2d, LPPool."""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

TIER = 'nn'
DTYPE = 'float32'

rng = np.random.default_rng(151)
results = {}
x1 = rng.permutation(24).reshape(2, 2, 6).astype(np.float32) / 4.0 - 2.0
x2 = rng.permutation(2 * 3 * 7 * 6).reshape(2, 3, 7, 6).astype(np.float32) / 10.0 - 5.0


def run(name, fn, arr):
    x = torch.tensor(arr, requires_grad=True)
    out = fn(x)
    if isinstance(out, tuple):
        results[name + '_indices'] = out[1].tolist()
        out = out[0]
    w = torch.tensor(np.linspace(-1, 2, out.numel()).reshape(tuple(out.shape)), dtype=torch.float32)
    (out * w).sum().backward()
    results[name] = {'out': out.detach().tolist(), 'shape': list(out.shape), 'grad': x.grad.tolist()}


run('max1d', nn.MaxPool1d(2), x1)
run('max1d_stride_pad', nn.MaxPool1d(3, stride=2, padding=1), x1)
run('max1d_ceil', nn.MaxPool1d(4, stride=3, ceil_mode=True), x1)
run('max1d_indices', nn.MaxPool1d(2, return_indices=True), x1)
run('max2d', nn.MaxPool2d(2), x2)
run('max2d_pad_dil', nn.MaxPool2d(3, stride=2, padding=1, dilation=1), x2)
run('max2d_dilation', nn.MaxPool2d(2, stride=1, dilation=2), x2)
run('max2d_ceil', nn.MaxPool2d((3, 2), stride=2, ceil_mode=True), x2)
run('max2d_indices', nn.MaxPool2d(2, stride=2, return_indices=True), x2)
run('avg1d', nn.AvgPool1d(3, stride=2, padding=1), x1)
run('avg1d_noinclude', nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False), x1)
run('avg2d', nn.AvgPool2d(2), x2)
run('avg2d_pad', nn.AvgPool2d(3, stride=2, padding=1), x2)
run('avg2d_pad_noinclude', nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), x2)
run('avg2d_ceil', nn.AvgPool2d(2, stride=2, ceil_mode=True), x2)
run('avg2d_divisor', nn.AvgPool2d(2, divisor_override=3), x2)
run('adaptive_avg2d', nn.AdaptiveAvgPool2d((3, 4)), x2)
run('adaptive_avg2d_none', nn.AdaptiveAvgPool2d((None, 2)), x2)
run('adaptive_avg1d', nn.AdaptiveAvgPool1d(4), x1)
run('adaptive_max2d', nn.AdaptiveMaxPool2d(3), x2)
run('adaptive_max1d_idx', nn.AdaptiveMaxPool1d(4, return_indices=True), x1)
run('global_avg', lambda x: F.adaptive_avg_pool2d(x, 1).flatten(1), x2)
run('lppool2d', nn.LPPool2d(2, 2), np.abs(x2) + 0.1)
run('lppool1d', nn.LPPool1d(3, 2, stride=2), np.abs(x1) + 0.1)

pool = nn.MaxPool2d(2, stride=2, return_indices=True)
unpool = nn.MaxUnpool2d(2, stride=2)
inp = torch.tensor(x2[:1, :1, :6, :6])
o, idx = pool(inp)
results['unpool'] = unpool(o, idx).tolist()
results['unpool_size'] = list(unpool(o, idx, output_size=[7, 7]).shape)
results['pool_repr'] = [repr(nn.MaxPool2d(3, 2)), repr(nn.AvgPool2d(2)), repr(nn.AdaptiveAvgPool2d((1, 1)))]
print(json.dumps(results))
