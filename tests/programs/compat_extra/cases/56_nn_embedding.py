"""nn: Embedding (padding_idx grads, from_pretrained, freeze, max_norm), EmbeddingBag (sum/mean/max, offsets, per_sample_weights), F.embedding, F.one_hot."""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

TIER = 'nn'
DTYPE = 'float32'

results = {}
W = torch.tensor(np.arange(30, dtype=np.float32).reshape(10, 3) / 10.0 - 1.0)

emb = nn.Embedding(10, 3, padding_idx=0)
results['pad_row_init_zero'] = emb.weight[0].tolist()
with torch.no_grad():
    emb.weight.copy_(W)
idx = torch.tensor([[0, 2, 4], [4, 3, 0]])
out = emb(idx)
(out * torch.arange(18, dtype=torch.float32).reshape(2, 3, 3)).sum().backward()
results['emb_out'] = out.tolist()
results['emb_grad'] = emb.weight.grad.tolist()
results['emb_attrs'] = [emb.num_embeddings, emb.embedding_dim, emb.padding_idx, emb.max_norm, emb.sparse]
results['emb_neg_pad'] = nn.Embedding(5, 2, padding_idx=-1).padding_idx

pre = nn.Embedding.from_pretrained(W)
results['pretrained_frozen'] = pre.weight.requires_grad
results['pretrained_out'] = pre(torch.tensor([9, 1])).tolist()
pre2 = nn.Embedding.from_pretrained(W, freeze=False, padding_idx=1)
results['pretrained_unfrozen'] = [pre2.weight.requires_grad, pre2.padding_idx]

mn = nn.Embedding.from_pretrained(W.clone() * 3, max_norm=1.0)
o = mn(torch.tensor([1, 7]))
results['max_norm_out'] = o.tolist()
results['max_norm_renormed_rows'] = mn.weight[7].norm().item()
results['max_norm_untouched_row'] = mn.weight[5].tolist()

bag_w = W[:6].clone()
for mode in ('sum', 'mean', 'max'):
    bag = nn.EmbeddingBag.from_pretrained(bag_w.clone(), freeze=False, mode=mode)
    inp = torch.tensor([1, 2, 4, 5, 4, 3, 2])
    offsets = torch.tensor([0, 2, 5])
    o = bag(inp, offsets)
    (o * torch.tensor([[1.0, -1.0, 2.0]])).sum().backward()
    results['bag_' + mode] = [o.tolist(), bag.weight.grad.tolist()]
bag = nn.EmbeddingBag.from_pretrained(bag_w.clone(), mode='sum')
results['bag_2d'] = bag(torch.tensor([[1, 2], [3, 3]])).tolist()
results['bag_psw'] = bag(torch.tensor([1, 2, 4]), torch.tensor([0, 1]),
                         per_sample_weights=torch.tensor([2.0, 0.5, -1.0])).tolist()
results['bag_last_offset'] = nn.EmbeddingBag.from_pretrained(bag_w.clone(), mode='mean', include_last_offset=True)(
    torch.tensor([0, 1, 2, 3]), torch.tensor([0, 1, 4])).tolist()

results['f_embedding'] = F.embedding(torch.tensor([[1, 0]]), W[:3]).tolist()
oh = F.one_hot(torch.tensor([0, 3, 1]))
results['one_hot'] = [oh.tolist(), str(oh.dtype)]
results['one_hot_classes'] = F.one_hot(torch.tensor([[1], [2]]), num_classes=5).tolist()
results['repr'] = [repr(emb), repr(nn.EmbeddingBag(4, 2, mode='max')), repr(nn.Embedding(3, 2, max_norm=2.0))]
try:
    emb(torch.tensor([10]))
    results['out_of_range'] = 'no error'
except IndexError as e:
    results['out_of_range'] = ['IndexError', 'index out of range' in str(e)]
print(json.dumps(results))
