"""nn: TransformerEncoderLayer/DecoderLayer (dropout=0, post/pre norm, gelu), TransformerEncoder stack, masks, state_dict keys."""
import json

import numpy as np
import torch
import torch.nn as nn

TIER = 'nn'
DTYPE = 'float32'
TOL = (2e-4, 2e-5)

rng = np.random.default_rng(160)
results = {}


def fill_(module, scale=0.3):
    with torch.no_grad():
        for _, p in sorted(module.named_parameters()):
            p.copy_(torch.tensor(rng.uniform(-scale, scale, size=tuple(p.shape)), dtype=torch.float32))


def data(*shape):
    return torch.tensor(rng.standard_normal(shape), dtype=torch.float32, requires_grad=True)


enc = nn.TransformerEncoderLayer(d_model=4, nhead=2, dim_feedforward=8, dropout=0.0)
fill_(enc)
results['enc_keys'] = list(enc.state_dict().keys())
x = data(3, 2, 4)
out = enc(x)
(out * torch.tensor(np.linspace(-1, 1, 24).reshape(3, 2, 4), dtype=torch.float32)).sum().backward()
results['enc_out'] = out.tolist()
results['enc_x_grad'] = x.grad.tolist()
results['enc_lin1_grad'] = enc.linear1.weight.grad.tolist()

enc2 = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, activation='gelu', batch_first=True, norm_first=True)
fill_(enc2)
xb = data(2, 3, 4)
mask = nn.Transformer.generate_square_subsequent_mask(3)
results['square_mask'] = mask.tolist()
results['enc2_out'] = enc2(xb, src_mask=mask).tolist()
kpm = torch.tensor([[False, False, True], [False, False, False]])
results['enc2_kpm_out'] = enc2(xb, src_key_padding_mask=kpm).tolist()

layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True)
stack = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
fill_(stack)
results['stack_keys'] = list(stack.state_dict().keys())
results['stack_out'] = stack(xb).tolist()
results['stack_layers_distinct'] = stack.layers[0].linear1.weight is not stack.layers[1].linear1.weight

dec = nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0, batch_first=True)
fill_(dec)
mem = data(2, 5, 4)
tgt = data(2, 3, 4)
o = dec(tgt, mem, tgt_mask=mask)
o.sum().backward()
results['dec_keys'] = list(dec.state_dict().keys())
results['dec_out'] = o.tolist()
results['dec_mem_grad'] = mem.grad.tolist()
enc.eval()
with torch.no_grad():
    results['enc_eval_out'] = enc(x).tolist()
print(json.dumps(results))
