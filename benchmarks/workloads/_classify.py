"""``loss`` and ``step`` of the classification workloads (mlp, cnn): batches of
``(inputs, labels)``, cross-entropy, one plain training step."""

from __future__ import annotations


def loss(lib, model, batch):
    return lib.nn.functional.cross_entropy(model(batch[0]), batch[1])


def step(lib, model, opt, batch):
    x, y = batch
    opt.zero_grad()
    loss = lib.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return loss
