#!/usr/bin/python3
"""The `strata train` recipe in PyTorch, for comparing test accuracy on Fashion-MNIST.

Same data (the Debian package's IDX files, pixels / 255, the last 5000 training images held out for
validation), same networks (the mlp or mlp-bn preset: He-normal kernels truncated at 2σ like Keras, zero
biases, BatchNorm with momentum 0.01 = 1 − Keras's 0.99 and eps 1e-3), SGD(0.01), batch 32, reshuffled
every epoch, 10 epochs. Prints {"model", "seed", "test_accuracy", "holdout"}.
Usage: fashion_accuracy.py [--model mlp|mlp-bn] [--seed 42] [--epochs 10] [--no-holdout]
"""
import argparse, gzip, json, math, struct
import torch
import torch.nn as nn

DATA = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(f"{DATA}/{name}.gz", "rb") as f:
        raw = f.read()
    rank = raw[3]
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    return torch.frombuffer(bytearray(raw[4 + 4 * rank:]), dtype=torch.uint8).reshape(dims)


def he_normal_(w):
    # Keras he_normal: truncated normal at ±2σ, σ = √(2/fan_in)/0.8796 (PyTorch's weight is [out, in]).
    std = math.sqrt(2.0 / w.shape[1]) / 0.87962566103423978
    with torch.no_grad():
        nn.init.trunc_normal_(w, 0.0, std, -2 * std, 2 * std)


def glorot_uniform_(w):
    limit = math.sqrt(6.0 / (w.shape[0] + w.shape[1]))
    with torch.no_grad():
        w.uniform_(-limit, limit)


def build(bn):
    def norm(n):
        return [nn.BatchNorm1d(n, momentum=0.01, eps=1e-3)] if bn else []
    l1, l2, l3 = nn.Linear(784, 300), nn.Linear(300, 100), nn.Linear(100, 10)
    he_normal_(l1.weight), he_normal_(l2.weight), glorot_uniform_(l3.weight)
    for l in (l1, l2, l3):
        nn.init.zeros_(l.bias)
    return nn.Sequential(nn.Flatten(), *norm(784), l1, nn.ELU(), *norm(300), l2, nn.ELU(), *norm(100), l3)


def build_cnn():
    """The cnn-bn preset, channels-first: PyTorch's layout (Strata's is NHWC); BN momentum 0.01 / eps 1e-3."""
    def bn2(c):
        return nn.BatchNorm2d(c, momentum=0.01, eps=1e-3)
    return nn.Sequential(nn.Unflatten(1, (1, 28)),
                         nn.Conv2d(1, 32, 3, padding=1), bn2(32), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), bn2(64), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(3136, 128, bias=False), nn.BatchNorm1d(128, momentum=0.01, eps=1e-3),
                         nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="mlp")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--no-holdout", action="store_true")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(2)
    x = idx("train-images-idx3-ubyte").float() / 255
    y = idx("train-labels-idx1-ubyte").long()
    xt = idx("t10k-images-idx3-ubyte").float() / 255
    yt = idx("t10k-labels-idx1-ubyte").long()
    if not a.no_holdout:
        x, y = x[:55000], y[:55000]
    model = build(a.model == "mlp-bn")
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(a.epochs):
        model.train()
        order = torch.randperm(len(x))
        for start in range(0, len(x), 32):
            idx_ = order[start:start + 32]
            opt.zero_grad()
            loss_fn(model(x[idx_]), y[idx_]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(xt).argmax(1) == yt).float().mean().item()
    print(json.dumps({"model": a.model, "seed": a.seed, "test_accuracy": round(acc, 4), "holdout": not a.no_holdout}))


if __name__ == "__main__":
    main()
