"""nn: RNN/LSTM/GRU (multi-layer, batch_first, bidirectional, initial states, proj_size) outputs, final states and gradients."""
import json

import numpy as np
import torch
import torch.nn as nn

TIER = 'nn'
DTYPE = 'float32'

rng = np.random.default_rng(157)
results = {}


def fill_(module, scale=0.4):
    with torch.no_grad():
        for _, p in sorted(module.named_parameters()):
            p.copy_(torch.tensor(rng.uniform(-scale, scale, size=tuple(p.shape)), dtype=torch.float32))


def data(*shape):
    return torch.tensor(rng.standard_normal(shape), dtype=torch.float32, requires_grad=True)


def run(name, module, x, h0=None):
    fill_(module)
    out, h = module(x) if h0 is None else module(x, h0)
    states = list(h) if isinstance(h, tuple) else [h]
    loss = (out * torch.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)), dtype=torch.float32)).sum()
    for s in states:
        loss = loss + s.sum() * 0.5
    loss.backward()
    entry = {'out': out.detach().tolist(), 'states': [s.detach().tolist() for s in states],
             'shapes': [list(out.shape)] + [list(s.shape) for s in states], 'x_grad': x.grad.tolist(),
             'names': [n for n, _ in module.named_parameters()]}
    for pname, p in module.named_parameters():
        entry[pname] = p.grad.tolist()
    results[name] = entry


run('rnn_tanh', nn.RNN(3, 4), data(5, 2, 3))
run('rnn_relu_2layer', nn.RNN(3, 2, num_layers=2, nonlinearity='relu'), data(4, 1, 3))
run('rnn_batch_first_h0', nn.RNN(2, 3, batch_first=True), data(2, 4, 2), data(1, 2, 3))
run('lstm', nn.LSTM(3, 4), data(5, 2, 3))
run('lstm_2layer_bf', nn.LSTM(2, 3, num_layers=2, batch_first=True), data(2, 3, 2))
run('lstm_bidir', nn.LSTM(3, 2, bidirectional=True), data(4, 2, 3))
run('lstm_h0c0', nn.LSTM(2, 2), data(3, 1, 2), (data(1, 1, 2), data(1, 1, 2)))
run('lstm_proj', nn.LSTM(3, 4, proj_size=2), data(3, 2, 3))
run('lstm_nobias', nn.LSTM(2, 3, bias=False), data(3, 2, 2))
run('gru', nn.GRU(3, 4), data(5, 2, 3))
run('gru_bidir_2layer', nn.GRU(2, 3, num_layers=2, bidirectional=True, batch_first=True), data(2, 3, 2))
run('lstm_unbatched', nn.LSTM(3, 2), data(4, 3))
run('gru_unbatched_h0', nn.GRU(2, 3), data(4, 2), data(1, 3))
lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
results['lstm_state_keys'] = list(lstm.state_dict().keys())
results['lstm_shapes'] = [list(p.shape) for p in lstm.parameters()]
results['lstm_attrs'] = [lstm.input_size, lstm.hidden_size, lstm.num_layers, lstm.bidirectional, lstm.batch_first]
results['repr'] = [repr(lstm), repr(nn.GRU(2, 3, batch_first=True)), repr(nn.RNN(2, 2, nonlinearity='relu'))]
print(json.dumps(results))
