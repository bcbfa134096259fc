"""nn: tied weights (embedding / output projection), shared submodules, parameters() de-duplication, remove_duplicate=False, gradient accumulation into the shared tensor, and an SGD step on it."""
import json

import torch
import torch.nn as nn

TIER = 'nn'
DTYPE = 'float32'

results = {}


class TiedLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(5, 3)
        self.proj = nn.Linear(3, 5, bias=False)
        self.proj.weight = self.emb.weight
        self.mix = nn.Linear(3, 3)
        self.again = self.mix

    def forward(self, idx):
        return self.proj(torch.tanh(self.again(self.mix(self.emb(idx)))))


m = TiedLM()
with torch.no_grad():
    m.emb.weight.copy_(torch.arange(15, dtype=torch.float32).reshape(5, 3) / 10 - 0.7)
    m.mix.weight.copy_(torch.tensor([[0.2, -0.1, 0.3], [0.0, 0.5, -0.4], [0.1, 0.1, 0.1]]))
    m.mix.bias.copy_(torch.tensor([0.05, -0.05, 0.0]))
results['names'] = [n for n, _ in m.named_parameters()]
results['names_dup'] = [n for n, _ in m.named_parameters(remove_duplicate=False)]
results['modules'] = [n for n, _ in m.named_modules()]
results['state_keys'] = list(m.state_dict().keys())
results['count'] = len(list(m.parameters()))
out = m(torch.tensor([0, 3, 4]))
loss = nn.functional.cross_entropy(out, torch.tensor([1, 2, 0]))
loss.backward()
results['loss'] = loss.item()
results['shared_grad'] = m.emb.weight.grad.tolist()
results['same_grad_object'] = m.proj.weight.grad is m.emb.weight.grad
results['mix_grad'] = m.mix.weight.grad.tolist()
opt = torch.optim.SGD(m.parameters(), lr=0.5)
opt.step()
results['after_step'] = [m.proj.weight.tolist(), m.emb.weight.data_ptr() == m.proj.weight.data_ptr()]
results['num_param_tensors_in_opt'] = len(opt.param_groups[0]['params'])
print(json.dumps(results))
