"""Core: gradients through indexing: repeated advanced indices accumulate, masks, gather/scatter, index_select, steps."""
import json

import torch

TIER = 'core'
DTYPE = 'float64'

results = {}
x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=torch.float64, requires_grad=True)
idx = torch.tensor([0, 2, 2, 4, 0, 0])
y = x[idx]
results['adv_grad_fn'] = type(y.grad_fn).__name__
(y * torch.arange(1, 7, dtype=torch.float64)).sum().backward()
results['repeated_index_grad'] = x.grad.tolist()

x.grad = None
mask = x > 2.5
(x[mask] ** 2).sum().backward()
results['mask_grad'] = x.grad.tolist()

x.grad = None
(x[::2] * 3).sum().backward()
(x[-2:] * 10).sum().backward()
results['step_and_negative'] = x.grad.tolist()

m = torch.arange(12, dtype=torch.float64).reshape(3, 4).requires_grad_()
g = torch.gather(m, 1, torch.tensor([[0, 0], [3, 1], [2, 2]]))
g.sum().backward()
results['gather'] = g.detach().tolist()
results['gather_grad'] = m.grad.tolist()

m.grad = None
sel = m.index_select(0, torch.tensor([2, 0, 2]))
(sel * sel).sum().backward()
results['index_select_grad'] = m.grad.tolist()

m.grad = None
row_idx = torch.tensor([0, 2])
col_idx = torch.tensor([1, 3])
pick = m[row_idx, col_idx]
pick2 = m[1, [0, 0, 3]]
(pick.sum() * 2 + pick2.sum()).backward()
results['pairs'] = pick.detach().tolist()
results['pairs_grad'] = m.grad.tolist()

src = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=torch.float64, requires_grad=True)
base = torch.zeros(3, 3, dtype=torch.float64, requires_grad=True)
sc = base.scatter(0, torch.tensor([[0, 1, 2], [2, 0, 1]]), src)
(sc * torch.arange(9, dtype=torch.float64).reshape(3, 3)).sum().backward()
results['scatter'] = sc.detach().tolist()
results['scatter_src_grad'] = src.grad.tolist()
results['scatter_base_grad'] = base.grad.tolist()

v = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
acc = torch.zeros(2, dtype=torch.float64).index_add(0, torch.tensor([0, 1, 0]), v * v)
acc.sum().backward()
results['index_add'] = acc.detach().tolist()
results['index_add_grad'] = v.grad.tolist()

# put values with index_put_ accumulate=True into a non-leaf
w = torch.tensor([1.0, 1.0, 1.0], dtype=torch.float64, requires_grad=True)
z = w * 2
z = z.index_put((torch.tensor([0, 0, 2]),), torch.tensor([5.0, 5.0, 1.0], dtype=torch.float64), accumulate=True)
(z * z).sum().backward()
results['index_put_acc'] = z.detach().tolist()
results['index_put_acc_grad'] = w.grad.tolist()
print(json.dumps(results))
