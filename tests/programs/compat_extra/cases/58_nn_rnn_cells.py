"""nn: RNNCell/LSTMCell/GRUCell unrolled by hand over a sequence, gradients, unbatched input, and packed sequences through an LSTM."""
import json

import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

TIER = 'nn'
DTYPE = 'float32'

rng = np.random.default_rng(158)
results = {}


def fill_(module, scale=0.5):
    with torch.no_grad():
        for _, p in sorted(module.named_parameters()):
            p.copy_(torch.tensor(rng.uniform(-scale, scale, size=tuple(p.shape)), dtype=torch.float32))


xs = torch.tensor(rng.standard_normal((4, 2, 3)), dtype=torch.float32, requires_grad=True)
for name, cell in [('rnncell', nn.RNNCell(3, 4)), ('rnncell_relu', nn.RNNCell(3, 4, nonlinearity='relu')),
                   ('grucell', nn.GRUCell(3, 4)), ('lstmcell', nn.LSTMCell(3, 4))]:
    fill_(cell)
    xs.grad = None
    h = None
    outs = []
    for t in range(4):
        h = cell(xs[t]) if h is None else cell(xs[t], h)
        outs.append(h[0] if isinstance(h, tuple) else h)
    loss = sum((o * (i + 1)).sum() for i, o in enumerate(outs))
    loss.backward()
    results[name] = {'outs': [o.tolist() for o in outs], 'x_grad': xs.grad.tolist(),
                     'w_ih_grad': cell.weight_ih.grad.tolist(), 'b_hh_grad': cell.bias_hh.grad.tolist()}
c = nn.GRUCell(3, 2)
fill_(c)
results['cell_unbatched'] = c(torch.tensor([0.5, -1.0, 2.0])).tolist()
lc = nn.LSTMCell(3, 2)
fill_(lc)
hc = lc(torch.tensor([0.5, -1.0, 2.0]))
results['lstmcell_unbatched'] = [hc[0].tolist(), hc[1].tolist()]

seqs = [torch.tensor(rng.standard_normal((n, 2)), dtype=torch.float32) for n in (4, 2, 3)]
padded = pad_sequence(seqs)
results['padded_shape'] = list(padded.shape)
results['padded_bf'] = pad_sequence(seqs, batch_first=True, padding_value=-1.0).tolist()
lstm = nn.LSTM(2, 3)
fill_(lstm)
packed = pack_padded_sequence(padded, torch.tensor([4, 2, 3]), enforce_sorted=False)
results['batch_sizes'] = packed.batch_sizes.tolist()
out, (h, c) = lstm(packed)
unpacked, lengths = pad_packed_sequence(out)
results['packed_out'] = unpacked.tolist()
results['packed_lengths'] = lengths.tolist()
results['packed_h'] = h.tolist()
results['packed_c'] = c.tolist()
print(json.dumps(results))
