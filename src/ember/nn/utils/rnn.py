"""Variable-length sequences: ``pad_sequence`` / ``unpad_sequence``, and ``PackedSequence`` with
``pack_padded_sequence`` / ``pad_packed_sequence`` / ``pack_sequence`` / ``unpack_sequence``.

Everything is built from differentiable tensor ops (slicing, ``cat``, ``stack``), so gradients
flow back to the original sequences.
"""

from __future__ import annotations

from collections import namedtuple

from ...ops.factories import full, tensor
from ...ops.nn.embedding import PackPaddedSequence
from ...ops.shape.join import cat, stack
from ...tensor import Tensor

__all__ = ["PackedSequence", "pad_sequence", "unpad_sequence", "pack_padded_sequence",
           "pad_packed_sequence", "pack_sequence", "unpack_sequence", "invert_permutation"]


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Pad tensors of shape (L_i, *) to the longest L and stack them: (L, B, *), or (B, L, *)
    with ``batch_first``; ``padding_side='left'`` pads in front. Differentiable.

    Example::

        pad_sequence([ember.ones(2), ember.ones(3)], batch_first=True)
        # tensor([[1., 1., 0.], [1., 1., 1.]])
    """
    if padding_side not in ("left", "right"):
        raise ValueError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    max_len = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        n = s.shape[0]
        if n == max_len:
            padded.append(s)
            continue
        pad = full((max_len - n,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype)
        padded.append(cat([s, pad]) if padding_side == "right" else cat([pad, s]))
    return stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list:
    """The inverse of ``pad_sequence``: the list of unpadded sequences."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(n)] for seq, n in zip(padded_sequences, _as_list(lengths))]


def _as_list(lengths):
    if isinstance(lengths, Tensor):
        return [int(v) for v in lengths.tolist()]
    return [int(v) for v in lengths]


def invert_permutation(permutation):
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    perm = _as_list(permutation)
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tensor(inv)


class PackedSequence(namedtuple("PackedSequence_",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Sequences of different lengths packed time step by time step: ``data`` holds, for each
    step t, the entries of the ``batch_sizes[t]`` sequences still running (longest first);
    ``sorted_indices`` / ``unsorted_indices`` map between the caller's order and that one.
    Build it with ``pack_padded_sequence`` or ``pack_sequence``, not directly."""

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> "PackedSequence":
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def float(self):
        return self.to(self.data.float().dtype)

    def double(self):
        return self.to(self.data.double().dtype)

    def cpu(self):
        return self

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *) with ``batch_first``) whose sequences have
    the given ``lengths``. With ``enforce_sorted=False`` any order is accepted.

    Differs from PyTorch: a length beyond the padded time dimension raises RuntimeError
    (PyTorch 2.13 reads past the end of the input).

    Example::

        x = ember.arange(12.0).reshape(3, 4)
        pack_padded_sequence(x, [2, 4, 1], batch_first=True, enforce_sorted=False).batch_sizes
        # tensor([3, 2, 1, 1])
    """
    lens = _as_list(lengths)
    batch_dim = 0 if batch_first else 1
    # PyTorch checks the order (in Python) before the lengths (in C++): same order of errors
    if enforce_sorted and any(lens[i] < lens[i + 1] for i in range(len(lens) - 1)):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
            "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
            "pack_sequence to sidestep this requirement if you do not need ONNX "
            "exportability."
        )
    if any(n <= 0 for n in lens):
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            "that is <= 0"
        )
    if enforce_sorted:
        sorted_indices = None
        order = list(range(len(lens)))
    else:
        order = sorted(range(len(lens)), key=lambda i: -lens[i])  # stable, as torch.sort
        sorted_indices = tensor(order)
        input = input.index_select(batch_dim, sorted_indices)
    lens = [lens[i] for i in order]
    if input.shape[batch_dim] != len(lens):
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {len(lens)} (batch_size="
            f"{input.shape[batch_dim]})"
        )
    if batch_first:
        input = input.transpose(0, 1)
    if lens[0] > input.shape[0]:
        raise RuntimeError(
            f"Expected sequence length to be smaller than or equal to {input.shape[0]}, but got "
            f"{lens[0]}"
        )
    batch_sizes = [sum(1 for n in lens if n > t) for t in range(lens[0])]
    data = PackPaddedSequence.apply(input, batch_sizes)
    return PackedSequence(data, tensor(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length=None):
    """Unpack a ``PackedSequence`` into ``(padded, lengths)``: padded (T, B, *) (or (B, T, *))
    in the caller's original order, and the int64 lengths."""
    data, batch_sizes = sequence.data, _as_list(sequence.batch_sizes)
    max_len = len(batch_sizes)
    if total_length is not None:
        if total_length < max_len:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{max_len}"
            )
    else:
        total_length = max_len
    batch = batch_sizes[0]
    rest = tuple(data.shape[1:])
    steps = []
    offset = 0
    for bs in batch_sizes:
        chunk = data[offset:offset + bs]
        offset += bs
        if bs < batch:
            chunk = cat([chunk, full((batch - bs,) + rest, padding_value, dtype=data.dtype)])
        steps.append(chunk)
    for _ in range(total_length - max_len):
        steps.append(full((batch,) + rest, padding_value, dtype=data.dtype))
    padded = stack(steps, 0)
    lengths = [sum(1 for bs in batch_sizes if bs > b) for b in range(batch)]
    lengths_t = tensor(lengths)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths_t = tensor([lengths[i] for i in _as_list(sequence.unsorted_indices)])
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, lengths_t


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of (L_i, *) tensors (sorted longest first unless ``enforce_sorted=False``)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The list of sequences in a ``PackedSequence``, in the caller's original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
