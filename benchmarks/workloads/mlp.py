"""The 784-256-256-10 MLP (ReLU), cross-entropy, SGD with momentum 0.9, batch 64 — the model
of benchmarks/bench_training.py and of the ``ember.compile`` bar."""

from __future__ import annotations

import numpy as np

from ._classify import loss, step  # noqa: F401  (this workload's loss and step)

NAME = "mlp"
TITLE = "MLP 784-256-256-10 (batch 64, SGD momentum)"
BATCH = 64


def classes(torch):
    nn = torch.nn

    def MLP():
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                             nn.Linear(256, 10))

    return MLP


def build(lib):
    model = classes(lib)()
    return model, lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)


def batches(rng, n):
    return [(rng.standard_normal((BATCH, 784)).astype(np.float32), rng.integers(0, 10, BATCH))
            for _ in range(n)]
