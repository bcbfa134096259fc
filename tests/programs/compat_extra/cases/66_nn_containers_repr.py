"""nn: Sequential/ModuleList/ModuleDict/ParameterList/ParameterDict behaviour (index, slice, append, insert, extend, pop, del, keys), Flatten/Unflatten/Identity, and module reprs."""
import json
from collections import OrderedDict

import torch
import torch.nn as nn

TIER = 'nn'
DTYPE = 'float32'

results = {}
seq = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
results['len'] = len(seq)
results['index_neg'] = type(seq[-1]).__name__
results['slice_type'] = [type(seq[1:]).__name__, len(seq[1:]), [type(m).__name__ for m in seq[1:]]]
seq.append(nn.Sigmoid())
results['after_append'] = [n for n, _ in seq.named_children()]
seq.insert(1, nn.Dropout(0.1))
results['after_insert'] = [(n, type(m).__name__) for n, m in seq.named_children()]
del seq[1]
results['after_del'] = [(n, type(m).__name__) for n, m in seq.named_children()]
results['state_keys'] = list(seq.state_dict().keys())
named = nn.Sequential(OrderedDict([('conv', nn.Conv2d(1, 2, 3)), ('act', nn.Tanh()), ('flat', nn.Flatten())]))
results['named_keys'] = list(named.state_dict().keys())
results['named_attr'] = type(named.act).__name__
results['seq_repr'] = repr(seq)
results['named_repr'] = repr(named)

ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
ml.append(nn.ReLU())
ml.extend([nn.Tanh(), nn.Identity()])
ml.insert(0, nn.Sigmoid())
results['ml'] = [type(m).__name__ for m in ml]
results['ml_keys'] = list(ml.state_dict().keys())
results['ml_pop'] = type(ml.pop(1)).__name__
results['ml_after_pop'] = [n for n, _ in ml.named_children()]
results['ml_repr'] = repr(ml)
md = nn.ModuleDict({'b': nn.ReLU(), 'a': nn.Linear(1, 1)})
md['c'] = nn.Tanh()
md.update({'d': nn.Identity()})
results['md_keys'] = list(md.keys())
results['md_contains'] = ['a' in md, 'z' in md]
results['md_pop'] = type(md.pop('b')).__name__
results['md_items'] = [(k, type(v).__name__) for k, v in md.items()]
results['md_repr'] = repr(md)
pl = nn.ParameterList([nn.Parameter(torch.ones(2)), nn.Parameter(torch.zeros(3))])
pl.append(nn.Parameter(torch.full((1,), 2.0)))
results['pl_names'] = [n for n, _ in pl.named_parameters()]
results['pl_len'] = len(pl)
pd = nn.ParameterDict({'w': nn.Parameter(torch.ones(2, 2)), 'b': nn.Parameter(torch.zeros(2))})
results['pd_names'] = [n for n, _ in pd.named_parameters()]
results['pd_keys'] = list(pd.keys())

x = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
results['flatten'] = list(nn.Flatten()(x).shape)
results['flatten_0'] = list(nn.Flatten(0, 1)(x).shape)
results['unflatten'] = list(nn.Unflatten(2, (2, 2))(x).shape)
results['identity'] = nn.Identity(54, unused='x')(x).tolist() == x.tolist()
results['misc_reprs'] = [repr(nn.Flatten()), repr(nn.Unflatten(1, (2, 3))), repr(nn.Identity()),
                         repr(nn.Linear(3, 2, bias=False)), repr(nn.Conv2d(1, 2, (3, 3), stride=2, padding=1, bias=False)),
                         repr(nn.BatchNorm2d(4)), repr(nn.Bilinear(2, 3, 4)), repr(nn.Conv1d(2, 4, 3, groups=2, dilation=2, padding_mode='reflect', padding=1)),
                         repr(nn.ConvTranspose2d(2, 3, 2, stride=2, output_padding=1)), repr(nn.Embedding(4, 3, padding_idx=0))]


class Custom(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, 2), nn.GELU())
        self.heads = nn.ModuleList([nn.Linear(2, 1), nn.Linear(2, 1)])

    def extra_repr(self):
        return 'custom=True'


results['custom_repr'] = repr(Custom())
try:
    seq[10]
    results['seq_index_error'] = 'no error'
except IndexError as e:
    results['seq_index_error'] = ['IndexError', 'out of range' in str(e)]
print(json.dumps(results))
