"""ember.fx: programs as graphs, PyTorch's ``torch.fx`` (2.13) on ember.

``symbolic_trace(module)`` runs ``module`` on ``Proxy`` values and records a ``Graph`` of
``Node``s; ``GraphModule`` turns a graph back into a runnable, trainable module with
readable generated code; ``Interpreter``/``Transformer`` run or rewrite it node by node;
``replace_pattern`` swaps subgraphs; ``passes.shape_prop.ShapeProp`` annotates shapes.
See docs/fx.md.
"""

from . import node  # noqa: F401
from ._symbolic_trace import PH, ConcreteArgPlaceholder, Tracer, symbolic_trace, wrap
from .graph import Graph
from .graph_module import GraphModule
from .interpreter import Interpreter, Transformer
from .node import Node, map_arg
from .proxy import Attribute, GraphAppendingTracer, Proxy, TraceError, TracerBase
from .subgraph_rewriter import replace_pattern
from . import passes  # noqa: F401
from .passes import shape_prop  # noqa: F401

__all__ = ["symbolic_trace", "Tracer", "wrap", "PH", "Graph", "GraphModule", "Node", "map_arg",
           "Proxy", "Attribute", "TraceError", "TracerBase", "GraphAppendingTracer",
           "Interpreter", "Transformer", "replace_pattern", "ConcreteArgPlaceholder"]
