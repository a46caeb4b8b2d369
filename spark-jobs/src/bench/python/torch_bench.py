"""PyTorch baseline for `make bench`: the same architectures, batch and optimizer as Blindspot's.

Prints one JSON object per line: {"arch", "threads", "batch", "train_ips", "infer_ips", "backprop_ips"}.
Run with Debian's python3-torch: /usr/bin/python3 torch_bench.py --threads 2 --steps 20
"""
import argparse, json, time
import torch, torch.nn as nn, torch.nn.functional as F


def compact_cnn(classes, width=128, init=None):
    """compact-cnn, its last conv `width` channels wide; `init`, if given, is called on each conv and on the
    classifier as soon as it is built (so the random draws come in the order of the layers)."""
    layers, c = [], 3
    for w in [32, 32, 0, 64, 64, 0, width, 0]:
        if w == 0:
            layers.append(nn.MaxPool2d(2))
        else:
            conv = nn.Conv2d(c, w, 3, 1, 1, bias=False)
            if init:
                init(conv)
            layers += [conv, nn.BatchNorm2d(w), nn.ReLU(inplace=True)]
            c = w
    fc = nn.Linear(c, classes)
    if init:
        init(fc)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), fc)


class PreActBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(cin), nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2, self.conv2 = nn.BatchNorm2d(cout), nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.short = nn.Conv2d(cin, cout, 1, stride, bias=False) if stride != 1 or cin != cout else None

    def forward(self, x):
        a = F.relu(self.bn1(x))
        s = self.short(a) if self.short is not None else x
        return self.conv2(F.relu(self.bn2(self.conv1(a)))) + s


class PreActResNet18(nn.Module):
    def __init__(self, classes):
        super().__init__()
        stem = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        blocks, cin = [], 64
        for w, s in zip([64, 128, 256, 512], [1, 2, 2, 2]):
            blocks += [PreActBlock(cin, w, s), PreActBlock(w, w, 1)]
            cin = w
        # The 512 GAP features apart from the classifier, as fine_pruning_check.py prunes them.
        self.features = nn.Sequential(stem, *blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        return self.fc(self.features(x))


def rate(fn, steps, warmup, batch):
    for _ in range(warmup):
        fn()
    t0 = time.perf_counter()
    for _ in range(steps):
        fn()
    return steps * batch / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--arch", action="append")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    for name in a.arch or ["compact-cnn", "preact-resnet18"]:
        model = compact_cnn(10) if name == "compact-cnn" else PreActResNet18(10)
        x = torch.randn(a.batch, 3, 32, 32)
        y = torch.randint(0, 10, (a.batch,))
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

        def train():
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            opt.step()

        xin = x.clone().requires_grad_(True)

        def backprop():  # Neural Cleanse's inner step: gradient w.r.t. the input, no update
            xin.grad = None
            F.cross_entropy(model(xin), y).backward()

        model.train()
        train_ips = rate(train, a.steps, a.warmup, a.batch)
        model.eval()
        backprop_ips = rate(backprop, a.steps, a.warmup, a.batch)
        with torch.no_grad():
            infer_ips = rate(lambda: model(x), a.steps, a.warmup, a.batch)
        print(json.dumps({"arch": name, "threads": a.threads, "batch": a.batch, "torch": torch.__version__,
                          "train_ips": train_ips, "infer_ips": infer_ips, "backprop_ips": backprop_ips}), flush=True)


if __name__ == "__main__":
    main()
