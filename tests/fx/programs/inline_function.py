# Inline a module call with Proxies (logic of pytorch/examples fx/inline_function.py).
import ember as torch
from ember.fx import Proxy, symbolic_trace
from ember.fx.node import map_arg


class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.relu = torch.nn.ReLU()

    def forward(self, x):
        return self.relu(x) + 1.0


m = symbolic_trace(M())
for node in m.graph.nodes:
    if (node.op, node.target) == ("call_module", "relu"):
        with m.graph.inserting_before(node):
            proxy_args = map_arg(node.args, Proxy)
            proxy_kwargs = map_arg(node.kwargs, Proxy)
            proxy_output = m.relu(*proxy_args, **proxy_kwargs)
            node.replace_all_uses_with(proxy_output.node)
            m.graph.erase_node(node)
m.recompile()
print(m.code)
print(m(torch.tensor([-1.0, 2.0])))
