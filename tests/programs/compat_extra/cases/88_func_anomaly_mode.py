"""func: anomaly detection: detect_anomaly raises on NaN gradients naming the node; set_detect_anomaly toggling."""
import json
import warnings

import torch

TIER = 'func'
DTYPE = 'float64'

results = {}
results['default_enabled'] = torch.is_anomaly_enabled()

x = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True)
# without anomaly mode: sqrt'(0) = inf, times 0 gives nan silently
y = (x.sqrt() * 0.0).sum()
y.backward()
results['silent_nan'] = [str(v) for v in x.grad.tolist()]

x.grad = None
with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    with torch.autograd.detect_anomaly():
        results['enabled_inside'] = torch.is_anomaly_enabled()
        y = (x.sqrt() * 0.0).sum()
        try:
            y.backward()
            results['anomaly_error'] = 'no error'
        except RuntimeError as e:
            msg = str(e)
            results['anomaly_error'] = ["Function 'SqrtBackward0' returned nan values in its 0th output." in msg]
results['enabled_after'] = torch.is_anomaly_enabled()

# a finite backward is unaffected by anomaly mode
with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    with torch.autograd.set_detect_anomaly(True):
        z = torch.tensor([1.0, 4.0], dtype=torch.float64, requires_grad=True)
        (z.sqrt() * 2).sum().backward()
        results['finite_grad'] = z.grad.tolist()
        results['check_nan_default'] = torch.is_anomaly_check_nan_enabled()
results['after_set'] = torch.is_anomaly_enabled()

# check_nan=False lets NaNs through
with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    with torch.autograd.detect_anomaly(check_nan=False):
        x.grad = None
        (x.sqrt() * 0.0).sum().backward()
        results['check_nan_false'] = [str(v) for v in x.grad.tolist()]


# a custom Function producing NaN is reported by its name
class BadFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        return t * 2

    @staticmethod
    def backward(ctx, g):
        return g * float('nan')


with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    with torch.autograd.detect_anomaly():
        try:
            BadFn.apply(x).sum().backward()
            results['custom_nan'] = 'no error'
        except RuntimeError as e:
            results['custom_nan'] = "Function 'BadFnBackward' returned nan values in its 0th output." in str(e)
print(json.dumps(results))
