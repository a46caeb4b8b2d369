"""The CIFAR-10 subset in ../shared/datasets (official binary format) for the PyTorch cross-checks, and the
normalization Blindspot trains with (the full training set's per-channel mean and standard deviation)."""
import numpy as np
import torch

DATA = '../shared/datasets/cifar-10-batches-bin/%s.bin'
MEAN = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
STD = torch.tensor([0.2470, 0.2435, 0.2616]).view(1, 3, 1, 1)


def load(names):
    """The images of the named batch files (e.g. ['data_batch_1', 'data_batch_2']) in [0, 1], and their labels."""
    raw = np.concatenate([np.fromfile(DATA % n, dtype=np.uint8).reshape(-1, 3073) for n in names])
    return (torch.tensor(raw[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255),
            torch.tensor(raw[:, 0].astype(np.int64)))
