# ruff: noqa  (upstream PyTorch example style, kept as the examples write it)
"""The 'Transfer Learning for Computer Vision' tutorial, on a tiny convnet 'pretrained' in place
(no downloads): fine-tune everything, then use it as a frozen feature extractor."""
import copy
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim import lr_scheduler
from torch.utils.data import DataLoader, Dataset

import exutil

torch.manual_seed(0)
device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")


class TinyResNet(nn.Module):
    """conv -> bn -> relu -> residual block -> avgpool -> fc, named like torchvision's ResNet."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, kernel_size=3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8),
                                    nn.ReLU(inplace=True),
                                    nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(8, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.relu(x + self.layer1(x))
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


class AntsBees(Dataset):
    """Two classes of 3x16x16 images that differ in their colour balance."""

    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.labels = rng.integers(0, 2, n)
        imgs = rng.standard_normal((n, 3, 16, 16)) * 0.5
        imgs[:, 0] += np.where(self.labels == 1, 0.8, -0.8)[:, None, None]
        self.imgs = imgs.astype(np.float32)
        self.classes = ['ants', 'bees']

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return torch.from_numpy(self.imgs[idx]), int(self.labels[idx])


image_datasets = {x: AntsBees(48 if x == 'train' else 24, seed=i)
                  for i, x in enumerate(['train', 'val'])}
dataloaders = {x: DataLoader(image_datasets[x], batch_size=8, shuffle=False, num_workers=0)
               for x in ['train', 'val']}
dataset_sizes = {x: len(image_datasets[x]) for x in ['train', 'val']}
class_names = image_datasets['train'].classes


def train_model(model, criterion, optimizer, scheduler, num_epochs=25, history=None):
    since = time.time()

    best_model_params_path = os.path.join(os.environ.get('EXAMPLE_DIR', '.'),
                                          'best_model_params.pt')
    torch.save(model.state_dict(), best_model_params_path)
    best_model_wts = copy.deepcopy(model.state_dict())
    best_acc = 0.0

    for epoch in range(num_epochs):
        print(f'Epoch {epoch}/{num_epochs - 1}')
        print('-' * 10)

        # Each epoch has a training and validation phase
        for phase in ['train', 'val']:
            if phase == 'train':
                model.train()  # Set model to training mode
            else:
                model.eval()   # Set model to evaluate mode

            running_loss = 0.0
            running_corrects = 0

            # Iterate over data.
            for inputs, labels in dataloaders[phase]:
                inputs = inputs.to(device)
                labels = labels.to(device)

                # zero the parameter gradients
                optimizer.zero_grad()

                # forward
                # track history if only in train
                with torch.set_grad_enabled(phase == 'train'):
                    outputs = model(inputs)
                    _, preds = torch.max(outputs, 1)
                    loss = criterion(outputs, labels)

                    # backward + optimize only if in training phase
                    if phase == 'train':
                        loss.backward()
                        optimizer.step()

                # statistics
                running_loss += loss.item() * inputs.size(0)
                running_corrects += torch.sum(preds == labels.data)
            if phase == 'train':
                scheduler.step()

            epoch_loss = running_loss / dataset_sizes[phase]
            epoch_acc = running_corrects.double() / dataset_sizes[phase]
            history.append((phase, epoch_loss, epoch_acc.item()))

            print(f'{phase} Loss: {epoch_loss:.4f} Acc: {epoch_acc:.4f}')

            # deep copy the model
            if phase == 'val' and epoch_acc > best_acc:
                best_acc = epoch_acc
                torch.save(model.state_dict(), best_model_params_path)
                best_model_wts = copy.deepcopy(model.state_dict())

        print()

    time_elapsed = time.time() - since
    print(f'Training complete in {time_elapsed // 60:.0f}m {time_elapsed % 60:.0f}s')
    print(f'Best val Acc: {best_acc:4f}')

    # load best model weights
    model.load_state_dict(torch.load(best_model_params_path, weights_only=True))
    assert all(torch.equal(v, best_model_wts[k]) for k, v in model.state_dict().items())
    return model, float(best_acc)


def visualize_model(model, num_images=6):
    was_training = model.training
    model.eval()
    images_so_far = 0
    titles = []
    with torch.no_grad():
        for i, (inputs, labels) in enumerate(dataloaders['val']):
            inputs = inputs.to(device)
            labels = labels.to(device)
            outputs = model(inputs)
            _, preds = torch.max(outputs, 1)
            for j in range(inputs.size()[0]):
                images_so_far += 1
                titles.append(f'predicted: {class_names[preds[j]]}')
                if images_so_far == num_images:
                    model.train(mode=was_training)
                    return titles
        model.train(mode=was_training)
    return titles


results = {}
pretrained = TinyResNet(num_classes=10)
exutil.share_init(pretrained, 'pretrained')

# ----- Finetuning the ConvNet
model_ft = copy.deepcopy(pretrained)
num_ftrs = model_ft.fc.in_features
# Here the size of each output sample is set to 2.
# Alternatively, it can be generalized to ``nn.Linear(num_ftrs, len(class_names))``.
model_ft.fc = nn.Linear(num_ftrs, 2)
exutil.share_init(model_ft.fc, 'fc_ft')
model_ft = model_ft.to(device)
criterion = nn.CrossEntropyLoss()
# Observe that all parameters are being optimized; the backbone with a smaller lr
optimizer_ft = optim.SGD([
    {'params': [p for n, p in model_ft.named_parameters() if not n.startswith('fc.')],
     'lr': 0.01},
    {'params': model_ft.fc.parameters()},
], lr=0.05, momentum=0.9)
# Decay LR by a factor of 0.1 every 7 epochs
exp_lr_scheduler = lr_scheduler.StepLR(optimizer_ft, step_size=3, gamma=0.1)
history = []
model_ft, best = train_model(model_ft, criterion, optimizer_ft, exp_lr_scheduler,
                             num_epochs=4, history=history)
results['finetune'] = {'history': history, 'best': best,
                       'lrs': [g['lr'] for g in optimizer_ft.param_groups]}
print(visualize_model(model_ft))

# ----- ConvNet as fixed feature extractor
model_conv = copy.deepcopy(pretrained)
for param in model_conv.parameters():
    param.requires_grad = False
model_conv.layer1.requires_grad_(False)
# Parameters of newly constructed modules have requires_grad=True by default
num_ftrs = model_conv.fc.in_features
model_conv.fc = nn.Linear(num_ftrs, 2)
exutil.share_init(model_conv.fc, 'fc_conv')
model_conv = model_conv.to(device)
trainable = list(filter(lambda p: p.requires_grad, model_conv.parameters()))
assert len(trainable) == 2
# Observe that only parameters of final layer are being optimized as opposed to before.
optimizer_conv = optim.SGD(model_conv.fc.parameters(), lr=0.05, momentum=0.9)
exp_lr_scheduler = lr_scheduler.StepLR(optimizer_conv, step_size=3, gamma=0.1)
frozen_before = model_conv.conv1.weight.detach().clone()
history = []
model_conv, best = train_model(model_conv, criterion, optimizer_conv, exp_lr_scheduler,
                               num_epochs=4, history=history)
assert model_conv.conv1.weight.grad is None
assert torch.equal(model_conv.conv1.weight, frozen_before)
results['feature_extractor'] = {'history': history, 'best': best,
                                'lr': exp_lr_scheduler.get_last_lr()[0]}
exutil.report(**results)
