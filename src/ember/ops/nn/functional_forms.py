"""The ``ember.*`` forms of nn ops, with PyTorch's top-level signatures (``ember.dropout(input,
p, train)``, ``ember.selu(input)`` ...); ``nn.functional`` has the keyword-rich forms."""

from __future__ import annotations

from ..pointwise import activation
from . import distance
from . import dropout as _dropout


def dropout(input, p, train):
    """``ember.dropout(input, p, train)``: F.dropout with PyTorch's positional signature."""
    return _dropout.dropout(input, p, train)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    return distance.cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    return distance.pairwise_distance(x1, x2, p, eps, keepdim)


def selu(input):
    return activation.selu(input)


def celu(input, alpha=1.0):
    return activation.celu(input, alpha)


def prelu(input, weight):
    return activation.prelu(input, weight)


def threshold(input, threshold, value):
    return activation.threshold(input, threshold, value)
