"""``ShapeProp``: run a GraphModule on example inputs and record each node's tensor metadata
in ``node.meta['tensor_meta']`` (shape, dtype, requires_grad, stride, memory_format,
is_quantized, qparams), as PyTorch's pass does."""

from __future__ import annotations

from typing import Any, NamedTuple

from ..interpreter import Interpreter
from ..node import Node, map_aggregate

__all__ = ["TensorMetadata", "ShapeProp"]


class TensorMetadata(NamedTuple):
    shape: Any
    dtype: Any
    requires_grad: bool
    stride: tuple
    memory_format: Any
    is_quantized: bool
    qparams: dict


def _extract_tensor_metadata(result) -> TensorMetadata:
    import ember

    memory_format = None
    if result.dim() == 4 and hasattr(result, "is_contiguous"):
        memory_format = ember.contiguous_format if hasattr(ember, "contiguous_format") else None
    return TensorMetadata(result.shape, result.dtype, result.requires_grad, result.stride(),
                          memory_format, False, {})


class ShapeProp(Interpreter):
    """Record shapes and dtypes: ``ShapeProp(gm).propagate(*example_inputs)``.

    Example::

        >>> gm = ember.fx.symbolic_trace(model)
        >>> ShapeProp(gm).propagate(ember.randn(2, 3))
        >>> [n.meta['tensor_meta'].shape for n in gm.graph.nodes if 'tensor_meta' in n.meta]
    """

    def __init__(self, gm, fake_mode=None) -> None:
        super().__init__(gm)
        self.fake_mode = fake_mode

    def run_node(self, n: Node) -> Any:
        import ember

        result = super().run_node(n)
        found_tensor = False

        def extract(obj):
            nonlocal found_tensor
            if isinstance(obj, ember.Tensor):
                found_tensor = True
                return _extract_tensor_metadata(obj)
            return obj

        meta = map_aggregate(result, extract)
        if found_tensor:
            n.meta["tensor_meta"] = meta
        n.meta["type"] = type(result)
        return result

    def propagate(self, *args) -> Any:
        """Run on ``args`` (annotating every node) and return the result."""
        return super().run(*args)
