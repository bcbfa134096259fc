# ruff: noqa  (upstream PyTorch example style, kept as the examples write it)
"""'What is torch.nn really?' (Jeremy Howard's tutorial), on a synthetic 28x28 'MNIST': from raw
tensors to nn.Module, optim, Dataset, DataLoader, a CNN with nn.Sequential and a Lambda layer."""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

import exutil

torch.manual_seed(0)
rng = np.random.default_rng(0)
templates = (rng.random((10, 784)) > 0.75).astype(np.float32)
y_all = rng.integers(0, 10, 300)
x_all = np.clip(templates[y_all] * 0.9 + 0.2 * rng.random((300, 784)) - 0.1, 0, 1).astype(np.float32)
x_train, y_train, x_valid, y_valid = x_all[:200], y_all[:200], x_all[200:], y_all[200:]

x_train, y_train, x_valid, y_valid = map(
    torch.tensor, (x_train, y_train, x_valid, y_valid)
)
n, c = x_train.shape
print(x_train, y_train)
print(x_train.shape)
print(y_train.min(), y_train.max())
results = {}

# ------------------------------------------------------------------ Neural net from scratch
weights = torch.from_numpy(rng.standard_normal((784, 10)).astype(np.float32)) / math.sqrt(784)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


bs = 64  # batch size
xb = x_train[0:bs]  # a mini-batch from x
preds = model(xb)  # predictions
preds[0], preds.shape
print(preds[0], preds.shape)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


loss_func = nll
yb = y_train[0:bs]
print(loss_func(preds, yb))


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


print(accuracy(preds, yb))
lr = 0.5  # learning rate
epochs = 2  # how many epochs to train for
scratch = []
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)
        scratch.append(loss.item())

        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
print(loss_func(model(xb), yb), accuracy(model(xb), yb))
results['scratch'] = scratch + [accuracy(model(x_valid), y_valid).item()]

# ------------------------------------------------------------------ torch.nn.functional
loss_func = F.cross_entropy


def model(xb):
    return xb @ weights + bias


results['functional_same'] = abs(loss_func(model(xb), yb).item() -
                                 nll(log_softmax(model(xb)), yb).item())


# ------------------------------------------------------------------ nn.Module, nn.Linear, optim
class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(784, 10)

    def forward(self, xb):
        return self.lin(xb)


def get_model():
    model = Mnist_Logistic()
    exutil.share_init(model, 'logistic')
    return model, optim.SGD(model.parameters(), lr=lr)


model, opt = get_model()
print(loss_func(model(xb), yb))
train_ds = TensorDataset(x_train, y_train)
train_dl = DataLoader(train_ds, batch_size=bs)
logistic = []
for epoch in range(epochs):
    for xb, yb in train_dl:
        pred = model(xb)
        loss = loss_func(pred, yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
        logistic.append(loss.item())
results['logistic'] = logistic


# ------------------------------------------------------------------ fit() and get_data()
def get_data(train_ds, valid_ds, bs):
    return (
        DataLoader(train_ds, batch_size=bs, shuffle=True),
        DataLoader(valid_ds, batch_size=bs * 2),
    )


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)

    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()

    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    history = []
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)

        model.eval()
        with torch.no_grad():
            losses, nums = zip(
                *[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl]
            )
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)

        print(epoch, val_loss)
        history.append(float(val_loss))
    return history


valid_ds = TensorDataset(x_valid, y_valid)


class Lambda(nn.Module):
    def __init__(self, func):
        super().__init__()
        self.func = func

    def forward(self, x):
        return self.func(x)


def preprocess(x):
    return x.view(-1, 1, 28, 28)


class WrappedDataLoader:
    def __init__(self, dl, func):
        self.dl = dl
        self.func = func

    def __len__(self):
        return len(self.dl)

    def __iter__(self):
        for b in self.dl:
            yield (self.func(*b))


def preprocess2(x, y):
    dev = torch.device("cpu")
    return x.view(-1, 1, 28, 28).to(dev), y.to(dev)


bs = 16
train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
model = nn.Sequential(
    Lambda(preprocess),
    nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.AvgPool2d(4),
    Lambda(lambda x: x.view(x.size(0), -1)),
)
exutil.share_init(model, 'cnn_seq')
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
results["cnn_seq"] = fit(4, model, loss_func, opt, train_dl, valid_dl)

train_dl = WrappedDataLoader(DataLoader(train_ds, batch_size=bs), preprocess2)
valid_dl = WrappedDataLoader(DataLoader(valid_ds, batch_size=bs * 2), preprocess2)
model = nn.Sequential(
    nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
    Lambda(lambda x: x.view(x.size(0), -1)),
)
exutil.share_init(model, 'cnn_adaptive')
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
results["cnn_adaptive"] = fit(4, model, loss_func, opt, train_dl, valid_dl)
exutil.report(**results)
