"""Flatten parameters into one vector and back."""

from __future__ import annotations

from ...autograd.grad_mode import no_grad
from ...ops.shape.join import cat
from ...tensor import Tensor


def parameters_to_vector(parameters) -> Tensor:
    """All parameters flattened and concatenated into one 1-D tensor (differentiable)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Copy consecutive slices of ``vec`` into the parameters' data (in place)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    with no_grad():
        for param in parameters:
            num_param = param.numel()
            param.data = vec[pointer:pointer + num_param].view_as(param).data
            pointer += num_param
