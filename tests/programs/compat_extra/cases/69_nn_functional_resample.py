"""nn.functional: interpolate (nearest, linear, bilinear, bicubic, align_corners, scale_factor), Upsample, unfold/fold, pixel_shuffle, normalize, cosine_similarity, pairwise_distance, Bilinear, affine_grid."""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

TIER = 'nn'
DTYPE = 'float32'

results = {}
a1 = np.arange(10, dtype=np.float32).reshape(1, 2, 5) ** 1.5 / 5
a2 = np.sin(np.arange(2 * 3 * 4, dtype=np.float32)).reshape(1, 2, 3, 4)


def run(name, fn, arr):
    x = torch.tensor(arr, requires_grad=True)
    out = fn(x)
    w = torch.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)), dtype=torch.float32)
    (out * w).sum().backward()
    results[name] = {'out': out.detach().tolist(), 'shape': list(out.shape), 'grad': x.grad.tolist()}


run('nearest1d', lambda x: F.interpolate(x, size=8), a1)
run('nearest1d_scale', lambda x: F.interpolate(x, scale_factor=2), a1)
run('nearest_exact', lambda x: F.interpolate(x, size=7, mode='nearest-exact'), a1)
run('linear', lambda x: F.interpolate(x, size=8, mode='linear'), a1)
run('linear_ac', lambda x: F.interpolate(x, size=8, mode='linear', align_corners=True), a1)
run('nearest2d', lambda x: F.interpolate(x, size=(5, 6)), a2)
run('bilinear', lambda x: F.interpolate(x, scale_factor=2, mode='bilinear'), a2)
run('bilinear_ac', lambda x: F.interpolate(x, size=(4, 7), mode='bilinear', align_corners=True), a2)
run('bilinear_down', lambda x: F.interpolate(x, size=(2, 3), mode='bilinear'), a2)
run('bicubic', lambda x: F.interpolate(x, size=(5, 5), mode='bicubic'), a2)
run('area', lambda x: F.interpolate(x, size=(2, 2), mode='area'), a2)
run('upsample_mod', nn.Upsample(scale_factor=(2, 1), mode='nearest'), a2)
run('upsample_bilinear_mod', nn.UpsamplingBilinear2d(scale_factor=2), a2)
run('unfold', lambda x: F.unfold(x, kernel_size=2, padding=1, stride=2), a2)
run('unfold_dil', nn.Unfold(kernel_size=(2, 3), dilation=(1, 1)), a2)
run('fold', lambda x: F.fold(x, output_size=(3, 4), kernel_size=2), np.arange(2 * 4 * 6, dtype=np.float32).reshape(1, 8, 6))
run('pixel_shuffle', nn.PixelShuffle(2), np.arange(8 * 2 * 3, dtype=np.float32).reshape(1, 8, 2, 3))
run('pixel_unshuffle', nn.PixelUnshuffle(2), np.arange(2 * 4 * 4, dtype=np.float32).reshape(1, 2, 4, 4))
run('channel_shuffle', nn.ChannelShuffle(2), np.arange(1 * 4 * 2 * 2, dtype=np.float32).reshape(1, 4, 2, 2))
run('normalize', lambda x: F.normalize(x, dim=1), a2)
run('normalize_p1', lambda x: F.normalize(x, p=1, dim=-1), a1)
b = torch.tensor(np.cos(np.arange(10, dtype=np.float32)).reshape(2, 5))
run('cosine_sim', lambda x: F.cosine_similarity(x[0], b, dim=1), a1)
run('pairwise', lambda x: F.pairwise_distance(x[0], b, p=2.0, eps=1e-6), a1)
run('pairwise_p1_keep', lambda x: nn.PairwiseDistance(p=1, keepdim=True)(x[0], b), a1)
run('pdist', lambda x: F.pdist(x[0].T), a1)
bil = nn.Bilinear(2, 3, 2)
with torch.no_grad():
    bil.weight.copy_(torch.arange(12, dtype=torch.float32).reshape(2, 2, 3) / 10)
    bil.bias.copy_(torch.tensor([0.5, -0.5]))
run('bilinear_layer', lambda x: bil(x[0, 0, :, :2], x[0, 1, :, 1:4]), a2)
theta = torch.tensor([[[0.8, -0.2, 0.1], [0.3, 1.1, -0.2]]])
grid = F.affine_grid(theta, [1, 2, 3, 4], align_corners=False)
results['affine_grid'] = grid.tolist()
results['grid_sample'] = F.grid_sample(torch.tensor(a2), grid, align_corners=False).tolist()
results['upsample_repr'] = repr(nn.Upsample(scale_factor=2.0, mode='bilinear'))
print(json.dumps(results))
