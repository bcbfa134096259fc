"""nn: MultiheadAttention (batch_first, masks, key_padding_mask, averaged / per-head weights, kdim/vdim) and F.scaled_dot_product_attention."""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

TIER = 'nn'
DTYPE = 'float32'

rng = np.random.default_rng(159)
results = {}


def fill_(module, scale=0.4):
    with torch.no_grad():
        for _, p in sorted(module.named_parameters()):
            p.copy_(torch.tensor(rng.uniform(-scale, scale, size=tuple(p.shape)), dtype=torch.float32))


def data(*shape):
    return torch.tensor(rng.standard_normal(shape), dtype=torch.float32, requires_grad=True)


mha = nn.MultiheadAttention(4, 2)
fill_(mha)
results['names'] = [n for n, _ in mha.named_parameters()]
q = data(3, 2, 4)
out, attn = mha(q, q, q)
(out * torch.tensor(np.linspace(-1, 1, 24).reshape(3, 2, 4), dtype=torch.float32)).sum().backward()
results['self_out'] = out.tolist()
results['self_attn'] = attn.tolist()
results['self_q_grad'] = q.grad.tolist()
results['in_proj_grad'] = mha.in_proj_weight.grad.tolist()
results['out_proj_grad'] = mha.out_proj.weight.grad.tolist()

mb = nn.MultiheadAttention(4, 2, batch_first=True)
fill_(mb)
qb, kb = data(2, 3, 4), data(2, 5, 4)
causal = torch.triu(torch.ones(3, 5, dtype=torch.bool), diagonal=3)
kpm = torch.tensor([[False, False, False, False, True], [False, True, False, False, False]])
o, a = mb(qb, kb, kb, attn_mask=causal, key_padding_mask=kpm)
results['bf_masked_out'] = o.tolist()
results['bf_masked_attn'] = a.tolist()
o2, a2 = mb(qb, kb, kb, need_weights=True, average_attn_weights=False)
results['per_head_shape'] = list(a2.shape)
results['per_head'] = a2.tolist()
o3, a3 = mb(qb, kb, kb, need_weights=False)
results['no_weights'] = [a3 is None, o3.tolist()]
float_mask = torch.tensor(np.linspace(-1, 0, 15).reshape(3, 5), dtype=torch.float32)
results['float_mask_out'] = mb(qb, kb, kb, attn_mask=float_mask)[0].tolist()

mk = nn.MultiheadAttention(4, 1, kdim=3, vdim=2, bias=False)
fill_(mk)
results['kdim_names'] = [n for n, _ in mk.named_parameters()]
results['kdim_out'] = mk(data(2, 1, 4), data(3, 1, 3), data(3, 1, 2))[0].tolist()

Q, K, V = data(2, 3, 4), data(2, 5, 4), data(2, 5, 4)
s = F.scaled_dot_product_attention(Q, K, V)
s.sum().backward()
results['sdpa'] = s.tolist()
results['sdpa_q_grad'] = Q.grad.tolist()
results['sdpa_causal'] = F.scaled_dot_product_attention(Q, K, V, is_causal=True).tolist()
results['sdpa_mask_scale'] = F.scaled_dot_product_attention(Q, K, V, attn_mask=causal.logical_not(), scale=0.3).tolist()
results['repr'] = repr(mha)
print(json.dumps(results))
