"""The digits CNN of examples/demo.py: Conv2d(1,16,3,p1) -> ReLU -> MaxPool2d(2) ->
Conv2d(16,32,3,p1) -> ReLU -> MaxPool2d(2) -> Linear(128,64) -> ReLU -> Linear(64,10),
cross-entropy, Adam lr 3e-3, batch 32 of 8x8 images."""

from __future__ import annotations

import numpy as np

from ._classify import loss, step  # noqa: F401  (this workload's loss and step)

NAME = "cnn"
TITLE = "digits CNN (examples/demo.py, batch 32, Adam)"
BATCH = 32


def classes(torch):
    nn = torch.nn
    F = torch.nn.functional

    class SmallCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, kernel_size=3, padding=1)
            self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)
            self.pool = nn.MaxPool2d(2)
            self.fc1 = nn.Linear(32 * 2 * 2, 64)
            self.fc2 = nn.Linear(64, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = torch.flatten(x, 1)
            return self.fc2(F.relu(self.fc1(x)))

    return SmallCNN


def build(lib):
    model = classes(lib)()
    return model, lib.optim.Adam(model.parameters(), lr=3e-3)


def batches(rng, n):
    # digit-like inputs: 8x8 pixels in [0, 1] (the demo scales sklearn's 0..16 by 1/16)
    return [(rng.integers(0, 17, (BATCH, 1, 8, 8)).astype(np.float32) / 16.0,
             rng.integers(0, 10, BATCH)) for _ in range(n)]
