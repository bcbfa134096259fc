"""Core: type promotion across ints/floats/bools/python scalars and the gradient dtypes that follow."""
import json

import torch

TIER = 'core'
DTYPE = 'float64'

results = {}
i32 = torch.tensor([1, 2, 3], dtype=torch.int32)
i64 = torch.tensor([4, 5, 6])
f32 = torch.tensor([0.5, 1.5, 2.5])
f64 = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
bo = torch.tensor([True, False, True])

results['int32+int64'] = str((i32 + i64).dtype)
results['int+float32'] = str((i64 + f32).dtype)
results['float32+float64'] = str((f32 + f64).dtype)
results['bool+int'] = str((bo + i32).dtype)
results['bool*float'] = str((bo * f32).dtype)
results['int*py_float'] = str((i64 * 2.5).dtype)
results['float32*py_float'] = str((f32 * 2.5).dtype)
results['int/int'] = str((i64 / i64).dtype)
results['int//int'] = str((i64 // 2).dtype)
results['int_true_div'] = (i64 / 4).tolist()
results['zero_dim_f64_with_f32'] = str((f32 + torch.tensor(1.0, dtype=torch.float64)).dtype)
results['zero_dim_float_with_int'] = str((i64 + torch.tensor(1.5)).dtype)
results['result_type'] = str(torch.result_type(i32, 1.0))
results['promote_types'] = str(torch.promote_types(torch.int32, torch.float32))
results['can_cast'] = [torch.can_cast(torch.float64, torch.int32), torch.can_cast(torch.int32, torch.float64)]
results['sum_int_dtype'] = str(i32.sum().dtype)
results['mean_int_error'] = None
try:
    i32.mean()
except RuntimeError as e:
    results['mean_int_error'] = 'mean(): could not infer output dtype' in str(e)

# gradients come back in each input's own dtype
a = torch.tensor([1.0, 2.0], dtype=torch.float32, requires_grad=True)
b = torch.tensor([3.0, 4.0], dtype=torch.float64, requires_grad=True)
out = a * b
results['mixed_out_dtype'] = str(out.dtype)
out.sum().backward()
results['grad_dtypes'] = [str(a.grad.dtype), str(b.grad.dtype)]
results['grads'] = [a.grad.tolist(), b.grad.tolist()]

c = torch.tensor([1.5, -2.0], dtype=torch.float32, requires_grad=True)
(c.double() ** 2).sum().backward()
results['cast_grad_dtype'] = str(c.grad.dtype)
results['cast_grad'] = c.grad.tolist()

# in-place that would need a downcast from float to int is refused
try:
    i64.add_(1.5)
    results['inplace_downcast'] = 'no error'
except RuntimeError as e:
    results['inplace_downcast'] = "result type Float can't be cast to the desired output type Long" in str(e)
f32.add_(torch.tensor([1, 1, 1]))
results['inplace_upcast_ok'] = [str(f32.dtype), f32.tolist()]
print(json.dumps(results))
