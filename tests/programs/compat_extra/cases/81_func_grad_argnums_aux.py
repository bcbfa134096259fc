"""func: torch.func.grad / grad_and_value with argnums tuples, has_aux, pytree inputs and nested grad."""
import json

import torch
from torch.func import grad, grad_and_value

TIER = 'func'
DTYPE = 'float64'


def loss(w, b, x):
    return ((x @ w + b) ** 2).mean()


w = torch.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=torch.float64)
b = torch.tensor([0.1, -0.2], dtype=torch.float64)
x = torch.tensor([[1.0, 2.0], [-0.5, 3.0], [0.0, 1.0]], dtype=torch.float64)

results = {}
results['grad_w'] = grad(loss)(w, b, x).tolist()
gw, gb = grad(loss, argnums=(0, 1))(w, b, x)
results['grad_w_b'] = [gw.tolist(), gb.tolist()]
results['grad_x'] = grad(loss, argnums=2)(w, b, x).tolist()

g, val = grad_and_value(loss)(w, b, x)
results['grad_and_value'] = [g.tolist(), val.item()]


def with_aux(w, x):
    pred = x @ w
    return pred.pow(2).sum(), {'pred': pred, 'rows': pred.sum(1)}


g, aux = grad(with_aux, has_aux=True)(w, x)
results['aux_grad'] = g.tolist()
results['aux_pred'] = aux['pred'].tolist()
results['aux_rows'] = aux['rows'].tolist()
try:
    grad(lambda w: ((x @ w).sum(), 3), has_aux=True)(w)
    results['aux_int_error'] = 'no error'
except RuntimeError as e:
    results['aux_int_error'] = 'Expected tensors, got unsupported type' in str(e)
results['aux_pred_requires_grad'] = aux['pred'].requires_grad


def dict_loss(params):
    return (params['a'] * params['b'].sin()).sum()


pd = {'a': torch.tensor([1.0, 2.0], dtype=torch.float64), 'b': torch.tensor([0.5, -0.5], dtype=torch.float64)}
gd = grad(dict_loss)(pd)
results['dict_grad'] = {k: v.tolist() for k, v in sorted(gd.items())}

# nested: second derivative of a scalar function
f = lambda t: t.sin() * t ** 2
t0 = torch.tensor(1.3, dtype=torch.float64)
results['second_derivative'] = grad(grad(f))(t0).item()
results['third_derivative'] = grad(grad(grad(f)))(t0).item()

# errors: non-scalar output
try:
    grad(lambda t: t * 2)(torch.tensor([1.0, 2.0], dtype=torch.float64))
    results['nonscalar_error'] = 'no error'
except RuntimeError as e:
    results['nonscalar_error'] = 'Expected f(*args) to return a scalar Tensor' in str(e)
# the input is not modified and has no grad
results['w_requires_grad'] = w.requires_grad
print(json.dumps(results))
