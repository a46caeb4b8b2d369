"""Is the study's recipe stable for PreAct-ResNet-18 in PyTorch itself? (model/PreActResNet18.java cites it.)

Trains the study's architecture (the CIFAR variant: no normalization between the last block and the classifier)
with SGD lr 0.1, momentum 0.9, weight decay 5e-4, batch 128, crop (pad 4, one shift per batch) and flip, on the
CIFAR-10 subset in ../shared/datasets, and prints the loss and the weights' norm every 10 steps; stops at the
first non-finite loss. Needs Debian's python3-torch (`make torch`).

    /usr/bin/python3 spark-jobs/src/bench/python/preact_stability.py INIT MOMENTUM STEPS SEED
    INIT: default (PyTorch's) or he; MOMENTUM: classical or nesterov; SEED: the data order's
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from cifar_subset import MEAN, STD, load
from torch_bench import PreActResNet18  # the same model as make bench's baseline


def main(init, momentum, steps, seed):
    torch.manual_seed(0)
    torch.set_num_threads(2)
    net = PreActResNet18(10)
    if init == 'he':
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, nonlinearity='relu')
    x, y = load(['data_batch_1', 'data_batch_2'])
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4,
                          nesterov=(momentum == 'nesterov'))
    g = torch.Generator().manual_seed(seed)
    order = torch.cat([torch.randperm(len(y), generator=g) for _ in range(4)])
    for step in range(steps):
        idx = order[step * 128:(step + 1) * 128]
        xb = F.pad(x[idx], (4, 4, 4, 4))
        i, j = torch.randint(0, 9, (2,), generator=g)
        xb = xb[:, :, i:i + 32, j:j + 32]
        if torch.rand(1, generator=g) < 0.5:
            xb = xb.flip(3)
        loss = F.cross_entropy(net((xb - MEAN) / STD), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 10 == 0 or not torch.isfinite(loss):
            norm = torch.sqrt(sum((p.detach() ** 2).sum() for p in net.parameters()))
            print(init, momentum, 'seed', seed, 'step', step + 1, 'loss %.4f' % loss.item(), '|W| %.1f' % norm.item(),
                  flush=True)
        if not torch.isfinite(loss):
            break


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
