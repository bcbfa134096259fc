# Build a graph with Proxies (logic of pytorch/examples fx/proxy_based_graph_creation.py).
import ember as torch
from ember.fx import Graph, GraphModule, Proxy
from ember.fx.proxy import GraphAppendingTracer

graph = Graph()
raw1 = graph.placeholder("x")
raw2 = graph.placeholder("y")
# PyTorch 2.13 refuses Proxies of two different tracers in one op, so both share one.
tracer = GraphAppendingTracer(graph)
y = Proxy(raw1, tracer)
z = Proxy(raw2, tracer)
a = torch.cat([y, z])
b = torch.tanh(a)
c = torch.neg(b)
graph.output(c.node)
mod = GraphModule(torch.nn.Module(), graph)
print(mod.code)
print(mod(torch.tensor([0.5, 1.0]), torch.tensor([-1.0])))
