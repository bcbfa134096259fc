# replace_pattern (logic of pytorch/examples fx/subgraph_rewriter_basic_use.py).
import ember as torch
from ember.fx import replace_pattern, symbolic_trace


class M(torch.nn.Module):
    def forward(self, x, w1, w2):
        val1 = torch.neg(w1)
        m1 = torch.cat([val1, w2]).sum()
        val2 = torch.neg(w1)
        m2 = torch.cat([val2, w2]).sum()
        return x + torch.max(m1) + torch.max(m2)


traced = symbolic_trace(M())


def pattern(a1, a2):
    val1 = torch.neg(a1)
    return torch.cat([val1, a2]).sum()


def replacement(w1, w2):
    return torch.stack([w1, w2])


replace_pattern(traced, pattern, replacement)
print(traced.code)
