# Build a graph with Proxies (logic of pytorch/examples fx/proxy_based_graph_creation.py).
import ember as torch
from ember.fx import Graph, GraphModule, Proxy

graph = Graph()
raw1 = graph.placeholder("x")
raw2 = graph.placeholder("y")
y = Proxy(raw1)
z = Proxy(raw2)
a = torch.cat([y, z])
b = torch.tanh(a)
c = torch.neg(b)
graph.output(c.node)
mod = GraphModule(torch.nn.Module(), graph)
print(mod.code)
print(mod(torch.tensor([0.5, 1.0]), torch.tensor([-1.0])))
