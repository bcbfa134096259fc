"""LSTM and GRU steps as one graph node (ops/nn/rnn_cell.py) against PyTorch: LSTMCell,
GRUCell and the nn.LSTM/nn.GRU layers, values, gradients and double backward (oracle.check),
float32 kept, one node per step."""

import numpy as np
import pytest
from oracle import check

import ember

rng = np.random.default_rng(0)


def arr(*shape):
    return rng.standard_normal(shape) * 0.5


def _cell(lib, kind, x, h, c, wih, whh, bih, bhh):
    cell = getattr(lib.nn, kind)(x.shape[-1], h.shape[-1]).double()
    params = {"weight_ih": wih, "weight_hh": whh, "bias_ih": bih, "bias_hh": bhh}
    state = (h, c) if kind == "LSTMCell" else h
    out = lib.func.functional_call(cell, params, (x, state))
    return out[0] * 2 + out[1] if kind == "LSTMCell" else out


@pytest.mark.parametrize("kind,gates", [("LSTMCell", 4), ("GRUCell", 3)])
def test_cell_step_matches_torch(kind, gates):
    B, I, H = 3, 2, 4
    check(lambda lib, *a: _cell(lib, kind, *a), arr(B, I), arr(B, H), arr(B, H),
          arr(gates * H, I), arr(gates * H, H), arr(gates * H), arr(gates * H))


def test_lstm_step_gradient_of_h_only_and_c_only():
    B, I, H = 2, 3, 2
    for pick in (0, 1):
        def f(lib, x, h, c, wih, whh, bih, bhh):
            cell = lib.nn.LSTMCell(I, H).double()
            params = {"weight_ih": wih, "weight_hh": whh, "bias_ih": bih, "bias_hh": bhh}
            return lib.func.functional_call(cell, params, (x, (h, c)))[pick]
        check(f, arr(B, I), arr(B, H), arr(B, H), arr(4 * H, I), arr(4 * H, H), arr(4 * H),
              arr(4 * H))


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_layers_match_torch(kind):
    def f(lib, x, *ws):
        mod = getattr(lib.nn, kind)(2, 3, num_layers=2).double()
        names = [n for n, _ in mod.named_parameters()]
        out, _ = lib.func.functional_call(mod, dict(zip(names, ws)), (x,))
        return out
    ref = getattr(ember.nn, kind)(2, 3, num_layers=2)  # its parameter shapes are PyTorch's
    ws = [rng.standard_normal(tuple(p.shape)) * 0.4 for p in ref.parameters()]
    check(f, arr(4, 2, 2), *ws)


def test_one_node_per_step_and_float32():
    cell = ember.nn.LSTMCell(3, 5)
    h, c = cell(ember.randn(2, 3))
    assert h.dtype == ember.float32 and c.dtype == ember.float32
    assert type(h.grad_fn).__name__ == "LstmCellStepBackward0"
    (h.sum() + c.sum()).backward()
    assert cell.weight_hh.grad.dtype == ember.float32
    g = ember.nn.GRUCell(3, 5)(ember.randn(2, 3))
    assert type(g.grad_fn).__name__ == "GruCellStepBackward0"
