"""nanoGPT's GPT (karpathy/nanoGPT, model.py) at its CPU recipe's sizes.

The recipe (README, "I only have a macbook"): ``--block_size=64 --batch_size=12 --n_layer=4
--n_head=4 --n_embd=128 --dropout=0.0``, shakespeare_char (vocab 65), bias False, AdamW with
nanoGPT's two weight-decay groups, gradient clipping at 1.0. The classes below are model.py's,
written against a ``torch``-like module passed in, so ember and PyTorch run the same code.
"""

from __future__ import annotations

import math

NAME = "nanogpt"
TITLE = "nanoGPT (4 layers, n_embd 128, block 64, batch 12, AdamW)"
VOCAB, BLOCK, N_LAYER, N_HEAD, N_EMBD, BATCH = 65, 64, 4, 4, 128, 12


def classes(torch):
    nn = torch.nn
    F = torch.nn.functional

    class LayerNorm(nn.Module):
        """LayerNorm but with an optional bias (model.py's)."""

        def __init__(self, ndim, bias):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(ndim))
            self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

        def forward(self, input):
            return F.layer_norm(input, self.weight.shape, self.weight, self.bias, 1e-5)

    class CausalSelfAttention(nn.Module):
        def __init__(self, n_embd, n_head, bias, dropout):
            super().__init__()
            self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
            self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)
            self.attn_dropout = nn.Dropout(dropout)
            self.resid_dropout = nn.Dropout(dropout)
            self.n_head = n_head
            self.n_embd = n_embd
            self.dropout = dropout

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
            k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            y = F.scaled_dot_product_attention(
                q, k, v, attn_mask=None, dropout_p=self.dropout if self.training else 0,
                is_causal=True,
            )
            y = y.transpose(1, 2).contiguous().view(B, T, C)
            return self.resid_dropout(self.c_proj(y))

    class MLP(nn.Module):
        def __init__(self, n_embd, bias, dropout):
            super().__init__()
            self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=bias)
            self.gelu = nn.GELU()
            self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=bias)
            self.dropout = nn.Dropout(dropout)

        def forward(self, x):
            return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))

    class Block(nn.Module):
        def __init__(self, n_embd, n_head, bias, dropout):
            super().__init__()
            self.ln_1 = LayerNorm(n_embd, bias=bias)
            self.attn = CausalSelfAttention(n_embd, n_head, bias, dropout)
            self.ln_2 = LayerNorm(n_embd, bias=bias)
            self.mlp = MLP(n_embd, bias, dropout)

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self, vocab_size=VOCAB, block_size=BLOCK, n_layer=N_LAYER, n_head=N_HEAD,
                     n_embd=N_EMBD, dropout=0.0, bias=False):
            super().__init__()
            self.block_size = block_size
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(vocab_size, n_embd),
                wpe=nn.Embedding(block_size, n_embd),
                drop=nn.Dropout(dropout),
                h=nn.ModuleList([Block(n_embd, n_head, bias, dropout) for _ in range(n_layer)]),
                ln_f=LayerNorm(n_embd, bias=bias),
            ))
            self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
            self.transformer.wte.weight = self.lm_head.weight  # weight tying, as model.py
            self.apply(self._init_weights)
            for pn, p in self.named_parameters():
                if pn.endswith("c_proj.weight"):
                    torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

        def _init_weights(self, module):
            if isinstance(module, nn.Linear):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
                if module.bias is not None:
                    torch.nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

        def forward(self, idx, targets=None):
            b, t = idx.size()
            pos = torch.arange(0, t, dtype=torch.long)
            tok_emb = self.transformer.wte(idx)
            pos_emb = self.transformer.wpe(pos)
            x = self.transformer.drop(tok_emb + pos_emb)
            for block in self.transformer.h:
                x = block(x)
            x = self.transformer.ln_f(x)
            logits = self.lm_head(x)
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
                                   ignore_index=-1)
            return logits, loss

        def configure_optimizers(self, weight_decay, learning_rate, betas):
            param_dict = {pn: p for pn, p in self.named_parameters() if p.requires_grad}
            decay = [p for p in param_dict.values() if p.dim() >= 2]
            nodecay = [p for p in param_dict.values() if p.dim() < 2]
            groups = [{"params": decay, "weight_decay": weight_decay},
                      {"params": nodecay, "weight_decay": 0.0}]
            return torch.optim.AdamW(groups, lr=learning_rate, betas=betas)

    return GPT


def build(lib):
    model = classes(lib)()
    # shakespeare_char's config: lr 1e-3, beta2 0.99, weight decay 0.1 (train.py's default)
    opt = model.configure_optimizers(0.1, 1e-3, (0.9, 0.99))
    return model, opt


def batches(rng, n):
    out = []
    for _ in range(n):
        data = rng.integers(0, VOCAB, (BATCH, BLOCK + 1))
        out.append((data[:, :-1].copy(), data[:, 1:].copy()))
    return out


def loss(lib, model, batch):
    return model(*batch)[1]


def step(lib, model, opt, batch):
    """train.py's inner loop with gradient_accumulation_steps=1 and no GradScaler."""
    _, loss = model(*batch)
    loss.backward()
    lib.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss
