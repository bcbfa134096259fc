# ruff: noqa  (upstream PyTorch example style, kept as the examples write it)
"""pytorch/examples super_resolution (ESPCN with PixelShuffle) plus the idioms of the 'Saving
and Loading a General Checkpoint', 'Writing Custom Datasets, DataLoaders' and learning-rate
scheduler recipes, on synthetic images."""
import argparse
import os
from math import log10

import numpy as np
import torch
import torch.nn as nn
import torch.nn.init as init
import torch.optim as optim
from torch.utils.data import DataLoader, Dataset

import exutil


class Net(nn.Module):
    def __init__(self, upscale_factor):
        super(Net, self).__init__()

        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 16, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(16, 16, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(16, 8, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(8, upscale_factor ** 2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)

        self._initialize_weights()

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        x = self.pixel_shuffle(self.conv4(x))
        return x

    def _initialize_weights(self):
        init.orthogonal_(self.conv1.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv2.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv3.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv4.weight)


class DatasetFromArrays(Dataset):
    """Returns dict samples, with an optional transform, as in the custom-dataset tutorial."""

    def __init__(self, images, upscale_factor, transform=None):
        super(DatasetFromArrays, self).__init__()
        self.images = images
        self.upscale_factor = upscale_factor
        self.transform = transform

    def __getitem__(self, index):
        if torch.is_tensor(index):
            index = index.tolist()
        target = self.images[index]
        f = self.upscale_factor
        h, w = target.shape
        small = target.reshape(h // f, f, w // f, f).mean(axis=(1, 3))
        sample = {'input': small[None], 'target': target[None]}
        if self.transform:
            sample = self.transform(sample)
        return sample

    def __len__(self):
        return len(self.images)


class ToTensor(object):
    """Convert ndarrays in sample to Tensors."""

    def __call__(self, sample):
        return {k: torch.from_numpy(v.astype(np.float32)) for k, v in sample.items()}


def collate(batch):
    return torch.stack([b['input'] for b in batch]), torch.stack([b['target'] for b in batch])


parser = argparse.ArgumentParser(description='PyTorch Super Res Example')
parser.add_argument('--upscale_factor', type=int, default=2, help="super resolution upscale factor")
parser.add_argument('--batchSize', type=int, default=8, help='training batch size')
parser.add_argument('--testBatchSize', type=int, default=10, help='testing batch size')
parser.add_argument('--nEpochs', type=int, default=6, help='number of epochs to train for')
parser.add_argument('--lr', type=float, default=0.01, help='Learning Rate. Default=0.01')
parser.add_argument('--seed', type=int, default=123, help='random seed to use. Default=123')
opt = parser.parse_args()
print(opt)
torch.manual_seed(opt.seed)
device = torch.device("cpu")

print('===> Loading datasets')
rng = np.random.default_rng(0)
yy, xx = np.mgrid[0:16, 0:16] / 16.0
images = np.stack([0.5 + 0.5 * np.sin(2 * np.pi * (a * xx + b * yy))
                   for a, b in rng.uniform(0.2, 1.5, (48, 2))])
train_set = DatasetFromArrays(images[:32], opt.upscale_factor, transform=ToTensor())
test_set = DatasetFromArrays(images[32:], opt.upscale_factor, transform=ToTensor())
sample = train_set[torch.tensor(0)]
print(0, sample['input'].shape, sample['target'].shape)
training_data_loader = DataLoader(dataset=train_set, batch_size=opt.batchSize, shuffle=False)
testing_data_loader = DataLoader(dataset=test_set, batch_size=opt.testBatchSize,
                                 shuffle=False, collate_fn=collate)

print('===> Building model')
model = Net(upscale_factor=opt.upscale_factor).to(device)
exutil.share_init(model)
criterion = nn.MSELoss()

optimizer = optim.Adam(model.parameters(), lr=opt.lr)
scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, 'min', factor=0.5, patience=0)
feature_shapes = []
handle = model.conv3.register_forward_hook(
    lambda module, inp, out: feature_shapes.append(tuple(out.shape)))


def train(epoch):
    epoch_loss = 0
    for iteration, batch in enumerate(training_data_loader, 1):
        input, target = batch['input'].to(device), batch['target'].to(device)

        optimizer.zero_grad()
        loss = criterion(model(input), target)
        epoch_loss += loss.item()
        loss.backward()
        optimizer.step()

    print("===> Epoch {} Complete: Avg. Loss: {:.4f}".format(
        epoch, epoch_loss / len(training_data_loader)))
    return epoch_loss / len(training_data_loader)


def test():
    avg_psnr = 0
    with torch.no_grad():
        for batch in testing_data_loader:
            input, target = batch[0].to(device), batch[1].to(device)

            prediction = model(input)
            mse = criterion(prediction, target)
            psnr = 10 * log10(1 / mse.item())
            avg_psnr += psnr
    print("===> Avg. PSNR: {:.4f} dB".format(avg_psnr / len(testing_data_loader)))
    return avg_psnr / len(testing_data_loader)


def checkpoint(epoch, loss):
    model_out_path = os.path.join(os.environ.get('EXAMPLE_DIR', '.'),
                                  "model_epoch_{}.pth".format(epoch))
    torch.save({
        'epoch': epoch,
        'model_state_dict': model.state_dict(),
        'optimizer_state_dict': optimizer.state_dict(),
        'scheduler_state_dict': scheduler.state_dict(),
        'loss': loss,
    }, model_out_path)
    print("Checkpoint saved to {}".format(model_out_path))
    return model_out_path


losses, psnrs, lrs = [], [], []
path = None
for epoch in range(1, opt.nEpochs + 1):
    losses.append(train(epoch))
    psnrs.append(test())
    scheduler.step(losses[-1])
    lrs.append(optimizer.param_groups[0]['lr'])
    if epoch == opt.nEpochs // 2:
        path = checkpoint(epoch, torch.tensor(losses[-1]))
handle.remove()
n_hooked = len(feature_shapes)
model(torch.zeros(1, 1, 8, 8))
assert len(feature_shapes) == n_hooked  # the hook is gone

# Resume from the checkpoint and replay the second half: the same numbers must come out.
model = Net(upscale_factor=opt.upscale_factor)
optimizer = optim.Adam(model.parameters(), lr=opt.lr)
scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, 'min', factor=0.5, patience=0)
checkpoint_ = torch.load(path, weights_only=True)
model.load_state_dict(checkpoint_['model_state_dict'])
optimizer.load_state_dict(checkpoint_['optimizer_state_dict'])
scheduler.load_state_dict(checkpoint_['scheduler_state_dict'])
start_epoch = checkpoint_['epoch']
loss = checkpoint_['loss']
model.train()
resumed = []
for epoch in range(start_epoch + 1, opt.nEpochs + 1):
    resumed.append(train(epoch))
    scheduler.step(resumed[-1])

exutil.report(losses=losses, psnrs=psnrs, lrs=lrs, resumed=resumed, ckpt_loss=loss.item(),
              hooked=n_hooked, feature_shape=list(feature_shapes[0]))
