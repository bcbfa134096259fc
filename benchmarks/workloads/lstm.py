"""pytorch/examples' time_sequence_prediction: two LSTMCells (1->51, 51->51) and a Linear,
float64, unrolled by hand over the sequence, MSE loss, LBFGS (lr 0.8).

The example trains on 97 sine waves of 999 steps with up to 20 closure evaluations per LBFGS
step (tens of seconds a step). Here the sequence is cut to ``SEQ`` steps and LBFGS to one
evaluation per step (``max_iter=1``), so a "step" is one forward + backward + LBFGS update and
short runs stay short; the per-cell work is the example's.
"""

from __future__ import annotations

import numpy as np

NAME = "lstm"
SEQ, WAVES, HIDDEN = 100, 97, 51
TITLE = f"LSTMCell x2 time-sequence (97 waves x {SEQ} steps, float64, LBFGS)"


def classes(torch):
    nn = torch.nn

    class Sequence(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm1 = nn.LSTMCell(1, HIDDEN)
            self.lstm2 = nn.LSTMCell(HIDDEN, HIDDEN)
            self.linear = nn.Linear(HIDDEN, 1)

        def forward(self, input, future=0):
            outputs = []
            h_t = torch.zeros(input.size(0), HIDDEN, dtype=torch.double)
            c_t = torch.zeros(input.size(0), HIDDEN, dtype=torch.double)
            h_t2 = torch.zeros(input.size(0), HIDDEN, dtype=torch.double)
            c_t2 = torch.zeros(input.size(0), HIDDEN, dtype=torch.double)
            for input_t in input.split(1, dim=1):
                h_t, c_t = self.lstm1(input_t, (h_t, c_t))
                h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
                output = self.linear(h_t2)
                outputs += [output]
            return torch.cat(outputs, dim=1)

    return Sequence


def build(lib):
    model = classes(lib)().double()
    return model, lib.optim.LBFGS(model.parameters(), lr=0.8, max_iter=1)


def batches(rng, n):
    # generate_sine_wave.py's data: shifted sine waves, period 20*2*pi samples
    T, L = 20, SEQ + 1
    x = np.arange(L)[None, :] - rng.integers(-4 * T, 4 * T, (WAVES, 1))
    data = np.sin(x / 1.0 / T).astype(np.float64)
    return [(data[:, :-1].copy(), data[:, 1:].copy())] * n


def loss(lib, model, batch):
    return lib.nn.functional.mse_loss(model(batch[0]), batch[1])


def step(lib, model, opt, batch):
    inp, target = batch
    criterion = lib.nn.MSELoss()

    def closure():
        opt.zero_grad()
        out = model(inp)
        loss = criterion(out, target)
        loss.backward()
        return loss

    return opt.step(closure)
