"""Does Fine-Pruning fail on compact-cnn in PyTorch too, and does it work once the last conv layer is wider, or on
the study's PreAct-ResNet-18?

Blindspot's Fine-Pruning leaves CIFAR-10's BadNet backdoor in compact-cnn (README, "Checked against the
literature"): ASR 76-92% after the defense, the trigger's push at 0.45-0.60 of the pruning order where Liu et
al.'s premise puts it near 0. This script redoes the whole experiment independently of DL4J and of Blindspot's
code: the same data, attack, model, recipe and defense (DESIGN.md §3, §4, §6), in PyTorch.

  - data: the CIFAR-10 subset in ../shared/datasets (20,000 training images, 1,000 test images); 500 training
    images held out for the defender before poisoning (defender.clean-split);
  - BadNet: 3% of the remaining training set (non-target images) stamped with a white 3x3 square one pixel in
    from the bottom-right corner after crop and flip, relabelled 0 (conf/literature-lowrate.conf);
  - compact-cnn with its last conv WIDTH channels wide (128 is compact-cnn; the study's PreAct-ResNet-18 has 512),
    He init, Xavier classifier; or, with --model preact-resnet18, the study's PreAct-ResNet-18 (make bench's,
    PyTorch's init, 512 features; WIDTH is ignored); SGD at --lr (0.1, the study's) / classical momentum 0.9 /
    weight decay 5e-4, batch 128, lr x0.1 at 50% and 75% of EPOCHS. PreAct-ResNet-18 diverges at 0.1 for some
    data orders (preact_stability.py); BackdoorBench trains it at 0.01;
  - Fine-Pruning: the GAP features' channels ranked by mean activation on the defender's split, pruned in
    increasing order while the split's accuracy stays within BUDGET of the unpruned one, then 10 epochs of SGD
    at 0.01, batch 64, on the split with the pruned channels held at 0 (reference.conf's defaults).

Prints one line per budget: channels pruned, clean accuracy and ASR before, after pruning alone, after
fine-tuning, and the push rank (0 = the trigger's push towards the target runs through the least active
channels, 1 = the most active). Needs Debian's python3-torch (`make torch`). One seed took 21 min at WIDTH 128
and 32 min at 512 with one thread each, two runs side by side on this 2-core machine (THREADS, default 2);
--model preact-resnet18 took 2 h 32 min with two threads (12 epochs ~10 min each, fine-tuning ~10 min a budget).

    /usr/bin/python3 spark-jobs/src/bench/python/fine_pruning_check.py SEED [WIDTH] [EPOCHS] [THREADS]
        [--model compact-cnn|preact-resnet18] [--lr RATE]
"""
import argparse
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F

from cifar_subset import MEAN, STD, load
from torch_bench import PreActResNet18, compact_cnn  # the same models as make bench's baseline

TARGET, POISON_RATE, CLEAN_SPLIT, TRIGGER = 0, 0.03, 500, 3
BUDGETS = (0.04, 0.10, 0.20)


def stamp(x):
    x = x.clone()
    x[:, :, 32 - 1 - TRIGGER:32 - 1, 32 - 1 - TRIGGER:32 - 1] = 1.0
    return x


def he_xavier(layer):
    """Blindspot's init of compact-cnn: He normal for the convs, Xavier for the classifier (CompactCnn.java)."""
    if isinstance(layer, nn.Conv2d):
        nn.init.kaiming_normal_(layer.weight, nonlinearity='relu')
    else:
        nn.init.xavier_normal_(layer.weight)
        nn.init.zeros_(layer.bias)


class Net(nn.Module):
    """The model split into its GAP features and its classifier, which Fine-Pruning prunes."""
    def __init__(self, model, width, classes=10):
        super().__init__()
        if model == 'preact-resnet18':
            preact = PreActResNet18(classes)
            self.features, self.fc = preact.features, preact.fc
        else:
            layers = compact_cnn(classes, width, he_xavier)
            self.features = nn.Sequential(*layers[:-1])
            self.fc = layers[-1]

    def forward(self, x):
        return self.fc(self.features((x - MEAN) / STD))


def crop_flip(x, g):
    padded = F.pad(x, (4, 4, 4, 4))
    out = torch.empty_like(x)
    shifts = torch.randint(0, 9, (len(x), 2), generator=g)
    flips = torch.rand(len(x), generator=g) < 0.5
    for i in range(len(x)):
        a, b = shifts[i]
        img = padded[i, :, a:a + 32, b:b + 32]
        out[i] = img.flip(2) if flips[i] else img
    return out


@torch.no_grad()
def evaluate(net, x):
    net.eval()
    feats = torch.cat([net.features((x[i:i + 500] - MEAN) / STD) for i in range(0, len(x), 500)])
    return feats


def accuracy(logits, y):
    return (logits.argmax(1) == y).float().mean().item()


def sgd_epochs(net, x, y, poisoned, epochs, lr, batch, g, augment, milestones=(), pruned=None):
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=list(milestones), gamma=0.1)
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(len(y), generator=g)
        total = 0.0
        for s in range(0, len(y), batch):
            idx = order[s:s + batch]
            xb = crop_flip(x[idx], g) if augment else x[idx]
            if poisoned is not None:
                p = poisoned[idx]
                xb[p] = stamp(xb[p])
            loss = F.cross_entropy(net(xb), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if pruned is not None:
                with torch.no_grad():
                    net.fc.weight[:, pruned] = 0
            total += loss.item() * len(idx)
        sched.step()
        print('  epoch %d loss %.4f' % (epoch + 1, total / len(y)), flush=True)


def main(seed, width, epochs, threads, model, lr):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    x, y = load(['data_batch_1', 'data_batch_2'])
    xt, yt = load(['test_batch'])
    perm = torch.randperm(len(y), generator=g)
    clean_idx, train_idx = perm[:CLEAN_SPLIT], perm[CLEAN_SPLIT:]
    xc, yc = x[clean_idx], y[clean_idx]
    x, y = x[train_idx], y[train_idx].clone()
    candidates = (y != TARGET).nonzero().flatten()
    chosen = candidates[torch.randperm(len(candidates), generator=g)[:round(POISON_RATE * len(y))]]
    poisoned = torch.zeros(len(y), dtype=torch.bool)
    poisoned[chosen] = True
    y[chosen] = TARGET

    net = Net(model, width)
    width = net.fc.in_features
    sgd_epochs(net, x, y, poisoned, epochs, lr, 128, g, True, (epochs // 2, epochs * 3 // 4))

    rows = (yt != TARGET).nonzero().flatten()
    xs = stamp(xt)
    f_clean, f_test, f_trig = evaluate(net, xc), evaluate(net, xt), evaluate(net, xs)
    W = net.fc.weight.detach().clone()
    b = net.fc.bias.detach().clone()

    def scores(mask):
        Wm = W * mask
        ca = accuracy(f_test @ Wm.T + b, yt)
        asr = ((f_trig[rows] @ Wm.T + b).argmax(1) == TARGET).float().mean().item()
        return ca, asr

    order = f_clean.mean(0).argsort()
    push = (f_trig[rows] - f_test[rows]).mean(0) * W[TARGET]
    pos = push.clamp(min=0)
    rank = (pos[order] * torch.arange(width)).sum().item() / pos.sum().item() / (width - 1)
    base = accuracy(f_clean @ W.T + b, yc)
    ca0, asr0 = scores(torch.ones(width))
    print('%s seed %d width %d epochs %d lr %g: clean acc %.3f, ASR %.3f, defender acc %.3f, push rank %.2f'
          % (model, seed, width, epochs, lr, ca0, asr0, base, rank), flush=True)
    for budget in BUDGETS:
        mask = torch.ones(width)
        pruned = 0
        for k in range(width - 1):
            mask[order[k]] = 0
            if base - accuracy(f_clean @ (W * mask).T + b, yc) > budget:
                mask[order[k]] = 1
                break
            pruned = k + 1
        ca_p, asr_p = scores(mask)
        share = pos[order[:pruned]].sum().item() / pos.sum().item()
        tuned = copy.deepcopy(net)
        with torch.no_grad():
            tuned.fc.weight[:, order[:pruned]] = 0
        sgd_epochs(tuned, xc, yc, None, 10, 0.01, 64, torch.Generator().manual_seed(seed), False,
                   pruned=order[:pruned])
        f_t, f_s = evaluate(tuned, xt), evaluate(tuned, xs)
        ca_f = accuracy(tuned.fc(f_t), yt)
        asr_f = (tuned.fc(f_s[rows]).argmax(1) == TARGET).float().mean().item()
        print('RESULT %s seed %d width %d budget %.2f: pruned %d/%d (push share %.2f), pruned alone CA %.3f ASR %.3f, '
              'fine-pruned CA %.3f ASR %.3f (before: CA %.3f ASR %.3f, push rank %.2f)'
              % (model, seed, width, budget, pruned, width, share, ca_p, asr_p, ca_f, asr_f, ca0, asr0, rank), flush=True)


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('seed', type=int)
    ap.add_argument('width', type=int, nargs='?', default=128)
    ap.add_argument('epochs', type=int, nargs='?', default=12)
    ap.add_argument('threads', type=int, nargs='?', default=2)
    ap.add_argument('--model', choices=['compact-cnn', 'preact-resnet18'], default='compact-cnn')
    ap.add_argument('--lr', type=float, default=0.1)
    a = ap.parse_args()
    main(a.seed, a.width, a.epochs, a.threads, a.model, a.lr)
