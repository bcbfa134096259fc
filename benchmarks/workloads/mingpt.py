"""minGPT's GPT (karpathy/minGPT, mingpt/model.py) as projects/chargpt trains it, 'gpt-nano'.

Attention as minGPT writes it: a registered lower-triangular ``bias`` buffer, ``masked_fill``
with -inf, ``F.softmax``, dropout, ``att @ v``; ``NewGELU`` with ``torch.pow(x, 3.0)`` and tanh.
gpt-nano: 3 layers, 3 heads, n_embd 48; chargpt: block 128, batch 64, vocab 65; dropout 0.1
(minGPT's default); AdamW lr 5e-4, betas (0.9, 0.95), weight decay 0.1 on Linear weights only;
gradient clipping at 1.0 (the Trainer's).
"""

from __future__ import annotations

import math

NAME = "mingpt"
TITLE = "minGPT chargpt gpt-nano (3 layers, n_embd 48, block 128, batch 64, AdamW)"
VOCAB, BLOCK, N_LAYER, N_HEAD, N_EMBD, BATCH, PDROP = 65, 128, 3, 3, 48, 64, 0.1


def classes(torch):
    nn = torch.nn
    F = torch.nn.functional

    class NewGELU(nn.Module):
        def forward(self, x):
            return 0.5 * x * (1.0 + torch.tanh(
                math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(N_EMBD, 3 * N_EMBD)
            self.c_proj = nn.Linear(N_EMBD, N_EMBD)
            self.attn_dropout = nn.Dropout(PDROP)
            self.resid_dropout = nn.Dropout(PDROP)
            self.register_buffer(
                "bias", torch.tril(torch.ones(BLOCK, BLOCK)).view(1, 1, BLOCK, BLOCK))
            self.n_head = N_HEAD
            self.n_embd = N_EMBD

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
            k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            att = self.attn_dropout(att)
            y = att @ v
            y = y.transpose(1, 2).contiguous().view(B, T, C)
            return self.resid_dropout(self.c_proj(y))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1 = nn.LayerNorm(N_EMBD)
            self.attn = CausalSelfAttention()
            self.ln_2 = nn.LayerNorm(N_EMBD)
            self.mlp = nn.ModuleDict(dict(
                c_fc=nn.Linear(N_EMBD, 4 * N_EMBD),
                c_proj=nn.Linear(4 * N_EMBD, N_EMBD),
                act=NewGELU(),
                dropout=nn.Dropout(PDROP),
            ))
            m = self.mlp
            self.mlpf = lambda x: m.dropout(m.c_proj(m.act(m.c_fc(x))))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlpf(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(VOCAB, N_EMBD),
                wpe=nn.Embedding(BLOCK, N_EMBD),
                drop=nn.Dropout(PDROP),
                h=nn.ModuleList([Block() for _ in range(N_LAYER)]),
                ln_f=nn.LayerNorm(N_EMBD),
            ))
            self.lm_head = nn.Linear(N_EMBD, VOCAB, bias=False)
            self.apply(self._init_weights)
            for pn, p in self.named_parameters():
                if pn.endswith("c_proj.weight"):
                    torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * N_LAYER))

        def _init_weights(self, module):
            if isinstance(module, nn.Linear):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
                if module.bias is not None:
                    torch.nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            elif isinstance(module, nn.LayerNorm):
                torch.nn.init.zeros_(module.bias)
                torch.nn.init.ones_(module.weight)

        def configure_optimizers(self):
            decay, no_decay = set(), set()
            for mn, m in self.named_modules():
                for pn, _p in m.named_parameters():
                    fpn = f"{mn}.{pn}" if mn else pn
                    if pn.endswith("bias"):
                        no_decay.add(fpn)
                    elif pn.endswith("weight") and isinstance(m, nn.Linear):
                        decay.add(fpn)
                    elif pn.endswith("weight") and isinstance(m, (nn.LayerNorm, nn.Embedding)):
                        no_decay.add(fpn)
            params = dict(self.named_parameters())
            groups = [
                {"params": [params[pn] for pn in sorted(decay)], "weight_decay": 0.1},
                {"params": [params[pn] for pn in sorted(no_decay)], "weight_decay": 0.0},
            ]
            return torch.optim.AdamW(groups, lr=5e-4, betas=(0.9, 0.95))

        def forward(self, idx, targets=None):
            b, t = idx.size()
            pos = torch.arange(0, t, dtype=torch.long).unsqueeze(0)
            x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
            for block in self.transformer.h:
                x = block(x)
            logits = self.lm_head(self.transformer.ln_f(x))
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
                                   ignore_index=-1)
            return logits, loss

    return GPT


def build(lib):
    model = classes(lib)()
    return model, model.configure_optimizers()


def batches(rng, n):
    out = []
    for _ in range(n):
        data = rng.integers(0, VOCAB, (BATCH, BLOCK + 1))
        out.append((data[:, :-1].copy(), data[:, 1:].copy()))
    return out


def loss(lib, model, batch):
    return model(*batch)[1]


def step(lib, model, opt, batch):
    """minGPT Trainer.run's loop body."""
    _, loss = model(*batch)
    model.zero_grad(set_to_none=True)
    loss.backward()
    lib.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss
