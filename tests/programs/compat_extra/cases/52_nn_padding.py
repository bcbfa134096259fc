"""nn: padding modules (Zero/Constant/Reflection/Replication/Circular 1d/2d) and F.pad modes with gradients."""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

TIER = 'nn'
DTYPE = 'float32'

results = {}
a1 = np.arange(2 * 2 * 5, dtype=np.float32).reshape(2, 2, 5) / 3.0
a2 = np.arange(1 * 2 * 4 * 3, dtype=np.float32).reshape(1, 2, 4, 3) - 7.0


def run(name, fn, arr):
    x = torch.tensor(arr, requires_grad=True)
    out = fn(x)
    w = torch.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)), dtype=torch.float32)
    (out * w).sum().backward()
    results[name] = {'out': out.detach().tolist(), 'shape': list(out.shape), 'grad': x.grad.tolist()}


run('zero2d', nn.ZeroPad2d((1, 2, 0, 1)), a2)
run('zero2d_int', nn.ZeroPad2d(1), a2)
run('const1d', nn.ConstantPad1d((2, 1), 3.5), a1)
run('const2d', nn.ConstantPad2d(1, -1.0), a2)
run('reflect1d', nn.ReflectionPad1d((2, 3)), a1)
run('reflect2d', nn.ReflectionPad2d((1, 2, 2, 1)), a2)
run('replicate1d', nn.ReplicationPad1d(3), a1)
run('replicate2d', nn.ReplicationPad2d((0, 2, 1, 3)), a2)
run('circular1d', nn.CircularPad1d((1, 2)), a1)
run('circular2d', nn.CircularPad2d(1), a2)
run('fpad_constant_last', lambda x: F.pad(x, (1, 1), value=2.0), a1)
run('fpad_constant_two_dims', lambda x: F.pad(x, (0, 1, 2, 0)), a1)
run('fpad_reflect', lambda x: F.pad(x, (1, 1, 1, 1), mode='reflect'), a2)
run('fpad_replicate', lambda x: F.pad(x, (2, 0), mode='replicate'), a1)
run('fpad_circular', lambda x: F.pad(x, (1, 0, 0, 2), mode='circular'), a2)
run('fpad_negative', lambda x: F.pad(x, (-1, 1)), a1)
results['repr'] = [repr(nn.ZeroPad2d((1, 2, 0, 1))), repr(nn.ReflectionPad1d(2)), repr(nn.ConstantPad1d(2, 1.5))]
try:
    F.pad(torch.tensor(a1), (5, 5), mode='reflect')
    results['reflect_too_big'] = 'no error'
except RuntimeError:
    results['reflect_too_big'] = 'RuntimeError'
print(json.dumps(results))
