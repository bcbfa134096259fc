# ruff: noqa  (upstream PyTorch example style, kept as the examples write it)
"""pytorch/examples siamese_network (pairs, BCELoss on sigmoid of the concatenated embeddings)
and a triplet-margin / contrastive embedding network, on synthetic 1x16x16 'digits'."""
import argparse
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, Dataset

import exutil


class SiameseNetwork(nn.Module):
    """Siamese network for image similarity estimation: a shared CNN embeds both images; the
    embeddings are concatenated and a small MLP says whether they show the same class."""

    def __init__(self):
        super(SiameseNetwork, self).__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d((2, 2)),
        )
        self.fc_in_features = 16 * 2 * 2
        self.fc = nn.Sequential(
            nn.Linear(self.fc_in_features * 2, 32),
            nn.ReLU(inplace=True),
            nn.Linear(32, 1),
        )
        self.sigmoid = nn.Sigmoid()
        self.cnn.apply(self.init_weights)
        self.fc.apply(self.init_weights)

    def init_weights(self, m):
        if isinstance(m, nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
            m.bias.data.fill_(0.01)

    def forward_once(self, x):
        output = self.cnn(x)
        output = output.view(output.size()[0], -1)
        return output

    def forward(self, input1, input2):
        output1 = self.forward_once(input1)
        output2 = self.forward_once(input2)
        output = torch.cat((output1, output2), 1)
        output = self.fc(output)
        output = self.sigmoid(output)
        return output


class PairDataset(Dataset):
    def __init__(self, images, labels, n_pairs, seed):
        self.images, self.labels = images, labels
        self.rng = random.Random(seed)
        self.by_class = {c: [i for i in range(len(labels)) if labels[i] == c]
                         for c in sorted(set(labels.tolist()))}
        self.pairs = []
        for k in range(n_pairs):
            i = self.rng.randrange(len(labels))
            same = k % 2 == 0
            c = int(labels[i])
            if same:
                j = self.rng.choice(self.by_class[c])
            else:
                other = self.rng.choice([o for o in self.by_class if o != c])
                j = self.rng.choice(self.by_class[other])
            self.pairs.append((i, j, 1.0 if same else 0.0))

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, index):
        i, j, target = self.pairs[index]
        return self.images[i], self.images[j], torch.tensor(target, dtype=torch.float)


class TripletDataset(PairDataset):
    def __getitem__(self, index):
        i, _, _ = self.pairs[index]
        c = int(self.labels[i])
        r = random.Random(index)
        pos = r.choice(self.by_class[c])
        neg = r.choice(self.by_class[r.choice([o for o in self.by_class if o != c])])
        return self.images[i], self.images[pos], self.images[neg]


class EmbeddingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.convnet = nn.Sequential(nn.Conv2d(1, 8, 5), nn.PReLU(), nn.MaxPool2d(2, stride=2),
                                     nn.Conv2d(8, 16, 3), nn.PReLU(), nn.MaxPool2d(2, stride=2))
        self.fc = nn.Sequential(nn.Linear(16 * 2 * 2, 32), nn.PReLU(), nn.Linear(32, 8))

    def forward(self, x):
        output = self.convnet(x)
        output = output.view(output.size()[0], -1)
        return self.fc(output)


def contrastive_loss(output1, output2, target, margin=1.0):
    distances = F.pairwise_distance(output1, output2)
    losses = 0.5 * (target * distances.pow(2) +
                    (1 - target) * torch.clamp(margin - distances, min=0.0).pow(2))
    return losses.mean()


def train(args, model, device, train_loader, optimizer, epoch, criterion, losses):
    model.train()
    for batch_idx, (images_1, images_2, targets) in enumerate(train_loader):
        images_1, images_2, targets = images_1.to(device), images_2.to(device), targets.to(device)
        optimizer.zero_grad()
        outputs = model(images_1, images_2).squeeze()
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if batch_idx % args.log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(images_1), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))


def test(model, device, test_loader, criterion):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for (images_1, images_2, targets) in test_loader:
            images_1, images_2, targets = images_1.to(device), images_2.to(device), targets.to(device)
            outputs = model(images_1, images_2).squeeze()
            test_loss += criterion(outputs, targets).sum().item()  # sum up batch loss
            pred = torch.where(outputs > 0.5, 1, 0)  # get the index of the max log-probability
            correct += pred.eq(targets.view_as(pred)).sum().item()

    test_loss /= len(test_loader.dataset)
    print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
        test_loss, correct, len(test_loader.dataset),
        100. * correct / len(test_loader.dataset)))
    return test_loss, correct


def main():
    parser = argparse.ArgumentParser(description='PyTorch Siamese network Example')
    parser.add_argument('--batch-size', type=int, default=16, metavar='N')
    parser.add_argument('--epochs', type=int, default=4, metavar='N')
    parser.add_argument('--lr', type=float, default=1.0, metavar='LR')
    parser.add_argument('--gamma', type=float, default=0.7, metavar='M')
    parser.add_argument('--seed', type=int, default=1, metavar='S')
    parser.add_argument('--log-interval', type=int, default=2, metavar='N')
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device("cpu")

    rng = np.random.default_rng(3)
    templates = (rng.random((4, 16, 16)) > 0.6).astype(np.float32)
    labels = rng.integers(0, 4, 80)
    images = torch.from_numpy(templates[labels][:, None] +
                              0.3 * rng.standard_normal((80, 1, 16, 16)).astype(np.float32))
    labels = torch.from_numpy(labels)

    train_dataset = PairDataset(images[:60], labels[:60], 64, seed=0)
    test_dataset = PairDataset(images[60:], labels[60:], 32, seed=1)
    train_loader = DataLoader(train_dataset, batch_size=args.batch_size, shuffle=False)
    test_loader = DataLoader(test_dataset, batch_size=args.batch_size)

    model = SiameseNetwork().to(device)
    exutil.share_init(model, 'siamese')
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    criterion = nn.BCELoss()

    losses = []
    test_losses = [test(model, device, test_loader, criterion)[0]]
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch, criterion, losses)
        test_losses.append(test(model, device, test_loader, criterion)[0])
        scheduler.step()

    # Triplet and contrastive embedding training.
    embed = EmbeddingNet()
    exutil.share_init(embed, 'embed')
    triplet_loader = DataLoader(TripletDataset(images[:60], labels[:60], 48, seed=2),
                                batch_size=12, shuffle=False)
    triplet_loss = nn.TripletMarginLoss(margin=1.0, p=2)
    opt = optim.Adam(embed.parameters(), lr=1e-2, weight_decay=1e-4)
    triplet_losses, contrastive_losses = [], []
    for epoch in range(3):
        for anchor, positive, negative in triplet_loader:
            opt.zero_grad()
            a, p, n = embed(anchor), embed(positive), embed(negative)
            loss = triplet_loss(a, p, n)
            c_loss = contrastive_loss(a, p, torch.ones(a.size(0))) + \
                contrastive_loss(a, n, torch.zeros(a.size(0)))
            cos = nn.CosineEmbeddingLoss(margin=0.2)(a, n, -torch.ones(a.size(0)))
            (loss + 0.1 * c_loss + 0.1 * cos).backward()
            opt.step()
            triplet_losses.append(loss.item())
            contrastive_losses.append(c_loss.item())
    with torch.no_grad():
        emb = embed(images[60:])
        d = torch.cdist(emb, emb)
        same = labels[60:].unsqueeze(0) == labels[60:].unsqueeze(1)
        ratio = (d[~same].mean() / d[same].mean()).item()

    exutil.report(losses=losses, test_losses=test_losses, triplet=triplet_losses,
                  contrastive=contrastive_losses, distance_ratio=ratio)


if __name__ == '__main__':
    main()
