# Replace every addition with a bitwise AND (logic of pytorch/examples fx/replace_op.py).
import operator

import ember as torch
from ember.fx import symbolic_trace


class M(torch.nn.Module):
    def forward(self, x, y):
        return x + y, torch.add(x, y), x.add(y)


traced = symbolic_trace(M())
patterns = set([operator.add, torch.add, "add"])
for n in traced.graph.nodes:
    if any(n.target == pattern for pattern in patterns):
        with traced.graph.inserting_after(n):
            new_node = traced.graph.call_function(torch.bitwise_and, n.args, n.kwargs)
            n.replace_all_uses_with(new_node)
        traced.graph.erase_node(n)
traced.recompile()
print(traced.code)
x, y = torch.tensor([1, 2, 3]), torch.tensor([3, 3, 1])
print(traced(x, y))
