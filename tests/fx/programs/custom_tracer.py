# Custom tracers (logic of pytorch/examples fx/custom_tracer.py).
import ember as torch
from ember.fx import Tracer, symbolic_trace


class M1(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.relu = torch.nn.ReLU()

    def forward(self, x):
        return self.relu(x)


default_traced = symbolic_trace(M1())
default_traced.graph.print_tabular()


class LowerReluTracer(Tracer):
    def is_leaf_module(self, m, qualname):
        if isinstance(m, torch.nn.ReLU):
            return False
        return super().is_leaf_module(m, qualname)


LowerReluTracer().trace(M1()).print_tabular()


class M2(torch.nn.Module):
    def forward(self, a, b):
        return a + b


class TaggingTracer(Tracer):
    def create_node(self, kind, target, args, kwargs, name=None, type_expr=None):
        n = super().create_node(kind, target, args, kwargs, name)
        n.tag = "foo"
        return n


g = TaggingTracer().trace(M2())
print(all(getattr(n, "tag", None) == "foo" for n in g.nodes))
