"""nn: activation modules (values and gradients at fixed points, including kinks), PReLU parameters, softmax family, GLU, reprs."""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

TIER = 'nn'
DTYPE = 'float64'

results = {}
pts = [-25.0, -3.0, -1.5, -1.0, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0, 1.5, 3.0, 6.0, 25.0]
mods = {
    'relu': nn.ReLU(), 'relu6': nn.ReLU6(), 'leaky': nn.LeakyReLU(0.2), 'elu': nn.ELU(alpha=0.7),
    'selu': nn.SELU(), 'celu': nn.CELU(alpha=1.3), 'gelu': nn.GELU(), 'gelu_tanh': nn.GELU(approximate='tanh'),
    'silu': nn.SiLU(), 'mish': nn.Mish(), 'softplus': nn.Softplus(), 'softplus_beta': nn.Softplus(beta=2.0, threshold=5.0),
    'hardtanh': nn.Hardtanh(-2.0, 1.0), 'hardswish': nn.Hardswish(), 'hardsigmoid': nn.Hardsigmoid(),
    'sigmoid': nn.Sigmoid(), 'tanh': nn.Tanh(), 'softsign': nn.Softsign(), 'tanhshrink': nn.Tanhshrink(),
    'softshrink': nn.Softshrink(0.5), 'hardshrink': nn.Hardshrink(1.0), 'threshold': nn.Threshold(0.5, -2.0),
    'logsigmoid': nn.LogSigmoid(),
}
for name, m in mods.items():
    x = torch.tensor(pts, dtype=torch.float64, requires_grad=True)
    y = m(x)
    y.backward(torch.linspace(0.5, 2.0, len(pts), dtype=torch.float64))
    results[name] = {'y': y.tolist(), 'g': x.grad.tolist()}

pr = nn.PReLU()
results['prelu_init'] = pr.weight.tolist()
x = torch.tensor([[-1.0, 2.0, -3.0], [4.0, -0.5, 0.0]], dtype=torch.float64, requires_grad=True)
pr = nn.PReLU(3, init=0.1).double()
with torch.no_grad():
    pr.weight.copy_(torch.tensor([0.1, 0.2, 0.3]))
y = pr(x)
y.sum().backward()
results['prelu'] = [y.tolist(), x.grad.tolist(), pr.weight.grad.tolist()]

z = torch.tensor([[1.0, 2.0, -1.0, 0.5], [0.0, -3.0, 2.0, 2.0]], dtype=torch.float64, requires_grad=True)
w = torch.tensor([[1.0, -1.0, 2.0, 0.5], [0.3, 0.2, -0.7, 1.0]], dtype=torch.float64)
for name, m in [('softmax', nn.Softmax(dim=1)), ('softmax0', nn.Softmax(dim=0)), ('logsoftmax', nn.LogSoftmax(dim=-1)),
                ('softmin', nn.Softmin(dim=1)), ('glu', nn.GLU()), ('glu0', nn.GLU(dim=0))]:
    z.grad = None
    y = m(z)
    (y * w[:y.shape[0], :y.shape[1]]).sum().backward()
    results[name] = [y.tolist(), z.grad.tolist()]
results['softmax2d'] = nn.Softmax2d()(torch.arange(8, dtype=torch.float64).reshape(1, 2, 2, 2)).tolist()
results['f_gelu'] = F.gelu(torch.tensor([0.5], dtype=torch.float64), approximate='tanh').tolist()
results['f_leaky_default'] = F.leaky_relu(torch.tensor([-2.0], dtype=torch.float64)).tolist()
results['f_rrelu_eval'] = F.rrelu(torch.tensor([-2.0, 1.0], dtype=torch.float64), training=False).tolist()
results['f_elu_inplace'] = F.elu_(torch.tensor([-1.0, 1.0], dtype=torch.float64)).tolist()
results['reprs'] = [repr(m) for m in mods.values()] + [repr(nn.PReLU(3)), repr(nn.Softmax(dim=1)), repr(nn.GLU())]
print(json.dumps(results))
