"""Recurrent layers: RNN, LSTM, GRU (multi-layer, bidirectional, batch_first, dropout between
layers) and the single-step cells RNNCell, LSTMCell, GRUCell.

Parameter names, shapes, gate order and initialisation are PyTorch's (``weight_ih_l0``,
``weight_hh_l0_reverse``...; LSTM gates ``i, f, g, o``; GRU gates ``r, z, n``; every weight
and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))), so a ``state_dict`` moves between
the two libraries. The input projection of every time step is one matmul; the recurrence is a
Python loop over time written in Tensor ops, so autograd (and double backward) come for free.
A ``PackedSequence`` input runs each step on just the sequences still running at that step, and
gives a packed output and each sequence's own final states, as PyTorch.
"""

from __future__ import annotations

import math
import numbers

from ... import dtypes as _dt
from ...ops.factories import empty, zeros
from ...ops.pointwise.trig import tanh
from ...ops.nn.linear import linear
from ...ops.nn.rnn_cell import gru_step, lstm_step
from ...ops.shape.join import cat, stack
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


def _relu(x):
    return x.relu()


def _dropout(x, p, training):
    from .. import functional as F

    return F.dropout(x, p, training)


def _rnn_step(mode, nonlinearity):
    """The cell update ``(xg, state, w_hh, b_hh) -> new state`` for one time step, where
    ``xg = x @ w_ih.T + b_ih`` was computed for all steps at once."""
    if mode == "LSTM":

        def step(xg, state, w_hh, b_hh):  # one graph node per step (ops/nn/rnn_cell.py)
            return lstm_step(xg, state[0], state[1], w_hh, b_hh)
    elif mode == "GRU":
        step = gru_step
    else:
        act = tanh if nonlinearity == "tanh" else _relu

        def step(xg, h, w_hh, b_hh):
            return act(xg + linear(h, w_hh, b_hh))

    return step


class RNNBase(Module):
    """Base of RNN, LSTM and GRU: parameters, checks and the layer/direction loop."""

    _mode = "RNN_TANH"

    def __init__(
        self,
        mode,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        proj_size=0,
        device=None,
        dtype=None,
    ):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if (
            not isinstance(dropout, numbers.Number)
            or not 0 <= dropout <= 1
            or isinstance(dropout, bool)
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the "
                "probability of an element being zeroed"
            )
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        gate_size = {"LSTM": 4, "GRU": 3}.get(mode, 1) * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        dt = dtype if dtype is not None else _dt.get_default_dtype()
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden * num_directions
                suffix = "_reverse" if direction == 1 else ""
                params = [
                    ("weight_ih_l{}{}", (gate_size, layer_input_size)),
                    ("weight_hh_l{}{}", (gate_size, real_hidden)),
                ]
                if bias:
                    params += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
                if proj_size > 0:
                    params += [("weight_hr_l{}{}", (proj_size, hidden_size))]
                names = []
                for fmt, shape in params:
                    name = fmt.format(layer, suffix)
                    setattr(self, name, Parameter(empty(*shape, dtype=dt)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n) for n in self._flat_weights_names]

    def flatten_parameters(self) -> None:
        """Does nothing: PyTorch packs the weights into one buffer for cuDNN; ember's weights
        are plain arrays already (PyTorch also does nothing here on the CPU)."""

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # ----- forward -----------------------------------------------------------------------
    def _name(self):
        return type(self).__name__

    def _check_input(self, input, batch_sizes=None):
        if input.dim() not in (2, 3):
            raise ValueError(
                f"{self._name()}: Expected input to be 2D or 3D, got {input.dim()}D instead"
            )
        if self.input_size != input.shape[-1]:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {input.shape[-1]}"
            )

    def _check_hidden(self, hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    def _weights(self, layer, direction):
        """``(w_ih, w_hh, b_ih, b_hh, w_hr)`` of one layer and direction (None where absent)."""
        sfx = "_reverse" if direction else ""
        w_ih = getattr(self, f"weight_ih_l{layer}{sfx}")
        w_hh = getattr(self, f"weight_hh_l{layer}{sfx}")
        b_ih = getattr(self, f"bias_ih_l{layer}{sfx}") if self.bias else None
        b_hh = getattr(self, f"bias_hh_l{layer}{sfx}") if self.bias else None
        w_hr = getattr(self, f"weight_hr_l{layer}{sfx}") if self.proj_size else None
        return w_ih, w_hh, b_ih, b_hh, w_hr

    def _layer(self, x, state, layer, direction, step, batch_sizes=None):
        """Run one layer in one direction over ``x`` ``(L, N, I)``; returns outputs, state."""
        if batch_sizes is not None:
            return self._packed_layer(x, state, layer, direction, step, batch_sizes)
        w_ih, w_hh, b_ih, b_hh, w_hr = self._weights(layer, direction)
        xg = linear(x, w_ih, b_ih)  # every time step's input projection in one matmul
        L = x.shape[0]
        outs = [None] * L
        order = range(L - 1, -1, -1) if direction else range(L)
        for t in order:
            state = step(xg[t], state, w_hh, b_hh)
            if w_hr is not None:
                state = (linear(state[0], w_hr), state[1])
            outs[t] = state[0] if isinstance(state, tuple) else state
        return stack(outs, 0), state

    def _packed_layer(self, x, state, layer, direction, step, batch_sizes):
        """Run one layer in one direction over packed rows ``x`` ``(sum(batch_sizes), I)``.

        Packing sorts the sequences longest first, so at step ``t`` only the first
        ``batch_sizes[t]`` rows are running: the step runs on exactly those rows. Forwards, a
        row's final state is taken at its own last step (when it drops out of the batch);
        backwards, a row joins at its own last step starting from its initial state. This is
        PyTorch's algorithm, so ``h_n`` matches it for both directions."""
        w_ih, w_hh, b_ih, b_hh, w_hr = self._weights(layer, direction)
        xg = linear(x, w_ih, b_ih)  # every step's input projection in one matmul
        T = len(batch_sizes)
        offsets = [0] * (T + 1)
        for t, bs in enumerate(batch_sizes):
            offsets[t + 1] = offsets[t] + bs
        lstm = isinstance(state, tuple)

        def rows(s, a, b):
            return (s[0][a:b], s[1][a:b]) if lstm else s[a:b]

        def join(parts):
            if len(parts) == 1:
                return parts[0]
            if lstm:
                return cat([p[0] for p in parts], 0), cat([p[1] for p in parts], 0)
            return cat(parts, 0)

        def advance(s, t):
            s = step(xg[offsets[t] : offsets[t + 1]], s, w_hh, b_hh)
            if w_hr is not None:
                s = (linear(s[0], w_hr), s[1])
            return s

        outs = [None] * T
        if direction == 0:
            cur, finished = state, []
            for t in range(T):
                cur = advance(cur, t)
                outs[t] = cur[0] if lstm else cur
                nxt = batch_sizes[t + 1] if t + 1 < T else 0
                if nxt < batch_sizes[t]:  # rows nxt.. end here: their final state
                    finished.append(rows(cur, nxt, batch_sizes[t]))
                    cur = rows(cur, 0, nxt)
            return cat(outs, 0), join(finished[::-1])
        cur = None
        for t in range(T - 1, -1, -1):
            have = 0 if cur is None else batch_sizes[t + 1]
            if have < batch_sizes[t]:  # rows have.. start here (their last step)
                fresh = rows(state, have, batch_sizes[t])
                cur = fresh if cur is None else join([cur, fresh])
            cur = advance(cur, t)
            outs[t] = cur[0] if lstm else cur
        return cat(outs, 0), cur

    def _initial_state(self, hx, N, dtype, batched):
        """``(h0, c0)`` of shape ``(num_layers * D, N, H)``: zeros, or ``hx`` checked."""
        is_lstm = self.mode == "LSTM"
        D = 2 if self.bidirectional else 1
        H = self.hidden_size
        Hr = self.proj_size if self.proj_size > 0 else H
        if hx is None:
            dev = self.weight_ih_l0.device  # the zeros go where the weights are
            h0 = zeros(self.num_layers * D, N, Hr, dtype=dtype, device=dev)
            c0 = zeros(self.num_layers * D, N, H, dtype=dtype, device=dev) if is_lstm else None
            return h0, c0
        if is_lstm:
            h0, c0 = hx
        else:
            h0, c0 = hx, None
        if not batched:
            if h0.dim() != 2:
                raise RuntimeError(
                    f"For unbatched 2-D input, hx should also be 2-D but got "
                    f"{h0.dim()}-D tensor"
                )
            h0 = h0.unsqueeze(1)
            c0 = c0.unsqueeze(1) if c0 is not None else None
        elif h0.dim() != 3:
            raise RuntimeError(
                f"For batched 3-D input, hx should also be 3-D but got {h0.dim()}-D tensor"
            )
        if is_lstm:
            self._check_hidden(
                h0, (self.num_layers * D, N, Hr), "Expected hidden[0] size {}, got {}"
            )
            self._check_hidden(
                c0, (self.num_layers * D, N, H), "Expected hidden[1] size {}, got {}"
            )
        else:
            self._check_hidden(h0, (self.num_layers * D, N, Hr))
        return h0, c0

    def _run_layers(self, x, h0, c0, batch_sizes=None):
        """Every layer and direction over ``x`` (``(L, N, I)``, or packed rows with
        ``batch_sizes``); returns the last layer's output and the stacked ``h_n``, ``c_n``."""
        is_lstm = self.mode == "LSTM"
        D = 2 if self.bidirectional else 1
        step = _rnn_step(self.mode, "relu" if self.mode == "RNN_RELU" else "tanh")
        h_n, c_n = [], []
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for direction in range(D):
                k = layer * D + direction
                state = (h0[k], c0[k]) if is_lstm else h0[k]
                out, state = self._layer(layer_in, state, layer, direction, step, batch_sizes)
                outs.append(out)
                if is_lstm:
                    h_n.append(state[0])
                    c_n.append(state[1])
                else:
                    h_n.append(state)
            layer_in = outs[0] if D == 1 else cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_in = _dropout(layer_in, self.dropout, True)
        return layer_in, stack(h_n, 0), (stack(c_n, 0) if is_lstm else None)

    def _forward_packed(self, input, hx):
        """``forward`` on a ``PackedSequence``: ``hx`` and the returned states are in the
        caller's (unsorted) batch order, as in PyTorch; the output is packed like the input."""
        data = input.data
        if data.dim() != 2:
            raise RuntimeError(f"input must have 2 dimensions, got {data.dim()}")
        if self.input_size != data.shape[-1]:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {data.shape[-1]}"
            )
        batch_sizes = [int(b) for b in input.batch_sizes.tolist()]
        h0, c0 = self._initial_state(hx, batch_sizes[0], data.dtype, True)
        if hx is not None and input.sorted_indices is not None:
            h0 = h0.index_select(1, input.sorted_indices)
            c0 = c0.index_select(1, input.sorted_indices) if c0 is not None else None
        output, h_n, c_n = self._run_layers(data, h0, c0, batch_sizes)
        if input.unsorted_indices is not None:
            h_n = h_n.index_select(1, input.unsorted_indices)
            c_n = c_n.index_select(1, input.unsorted_indices) if c_n is not None else None
        output = PackedSequence(
            output, input.batch_sizes, input.sorted_indices, input.unsorted_indices
        )
        return output, ((h_n, c_n) if self.mode == "LSTM" else h_n)

    def forward(self, input, hx=None):
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        self._check_input(input)
        is_lstm = self.mode == "LSTM"
        batched = input.dim() == 3
        x = input
        if not batched:
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)
        h0, c0 = self._initial_state(hx, x.shape[1], x.dtype, batched)
        output, h_n, c_n = self._run_layers(x, h0, c0)
        if not batched:
            output = output.squeeze(1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if is_lstm else None
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, ((h_n, c_n) if is_lstm else h_n)

class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or ReLU).

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)``; returns ``(output, h_n)``.

    Example::

        rnn = ember.nn.RNN(3, 5, num_layers=2)
        out, h = rnn(ember.randn(7, 2, 3))   # out (7, 2, 5), h (2, 2, 5)
    """

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        nonlinearity="tanh",
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        device=None,
        dtype=None,
    ):
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory: gates ``i, f, g, o`` stacked in that order in the weights.

    Returns ``(output, (h_n, c_n))``; ``proj_size > 0`` projects ``h`` (``weight_hr_l*``).

    Example::

        lstm = ember.nn.LSTM(3, 5, batch_first=True)
        out, (h, c) = lstm(ember.randn(2, 7, 3))   # out (2, 7, 5)
    """

    def __init__(self, *args, **kwargs):  # RNNBase's arguments after ``mode``, as PyTorch
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: gates ``r, z, n``; ``h' = (1 - z) * n + z * h``."""

    def __init__(self, *args, **kwargs):  # RNNBase's arguments after ``mode``, as PyTorch
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# ------------------------------------------------------------------------------ cells
class RNNCellBase(Module):
    _gates = 1

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        dt = dtype if dtype is not None else _dt.get_default_dtype()
        self.weight_ih = Parameter(empty(num_chunks * hidden_size, input_size, dtype=dt))
        self.weight_hh = Parameter(empty(num_chunks * hidden_size, hidden_size, dtype=dt))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, dtype=dt))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, dtype=dt))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _prepare(self, input, hx, n_states):
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.shape[-1]} "
                f"expected {self.input_size}"
            )
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        N = x.shape[0]
        if hx is None:
            states = [zeros(N, self.hidden_size, dtype=x.dtype) for _ in range(n_states)]
        else:
            states = list(hx) if n_states == 2 else [hx]
            for i, h in enumerate(states):
                if h.dim() != input.dim():
                    raise RuntimeError(
                        f"{name}: Expected hidden to be {input.dim()}D, got {h.dim()}D instead"
                        if n_states == 1
                        else f"{name}: Expected hx[{i}] to be {input.dim()}D, got {h.dim()}D instead"
                    )
                if not batched:
                    states[i] = h.unsqueeze(0)
                if states[i].shape[0] != N:
                    raise RuntimeError(
                        f"Input batch size {N} doesn't match hidden{i} batch "
                        f"size {states[i].shape[0]}"
                    )
                if states[i].shape[1] != self.hidden_size:
                    raise RuntimeError(
                        f"hidden{i} has inconsistent hidden_size: got "
                        f"{states[i].shape[1]}, expected {self.hidden_size}"
                    )
        return x, states, batched


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""

    def __init__(
        self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None
    ):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        if nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        x, (h,), batched = self._prepare(input, hx, 1)
        step = _rnn_step("RNN", self.nonlinearity)
        h = step(linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns ``(h', c')``."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x, (h, c), batched = self._prepare(input, hx, 2)
        step = _rnn_step("LSTM", "tanh")
        h, c = step(linear(x, self.weight_ih, self.bias_ih), (h, c), self.weight_hh, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x, (h,), batched = self._prepare(input, hx, 1)
        step = _rnn_step("GRU", "tanh")
        h = step(linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return h if batched else h.squeeze(0)
