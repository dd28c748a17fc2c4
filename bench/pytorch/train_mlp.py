#!/usr/bin/python3
"""Training throughput of the texts' Fashion-MNIST networks in PyTorch, the oracle Strata's bench compares with.

Runs the same model, batch size and optimizer as `strata bench train`: Flatten → Dense(300, ELU) →
Dense(100, ELU) → Dense(10) with softmax cross-entropy, SGD(0.01), optionally with BatchNorm1d layers
(momentum = 1 − Keras's 0.99, eps = Keras's 1e-3). Synthetic data: throughput does not depend on it.
Prints one JSON object: {"samples_per_second": [...one per repeat...]}.
"""
import argparse, json, time
import torch
import torch.nn as nn

from fashion_accuracy import build, build_cnn  # the same networks, initialized as Strata initializes them


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--samples", type=int, default=32768)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--bn", action="store_true")
    p.add_argument("--cnn", action="store_true", help="the cnn-bn preset, trained with Adam(0.001)")
    p.add_argument("--frozen-base", action="store_true",
                   help="with --cnn: the convolutions up to Flatten frozen (no gradients, eval mode, run under no_grad), the head trained")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x = torch.rand(a.samples, 28, 28)
    y = torch.randint(0, 10, (a.samples,))
    model = build_cnn() if a.cnn else build(a.bn)
    model.train()
    base, head = (model[:10], model[10:]) if a.frozen_base else (None, model)
    if base is not None:
        for w in base.parameters():
            w.requires_grad_(False)
        base.eval()  # BatchNorm2d on its running statistics, as a frozen Strata or Keras layer
    opt = torch.optim.Adam(head.parameters(), lr=0.001) if a.cnn else torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()

    def forward(xb):
        if base is None:
            return model(xb)
        with torch.no_grad():
            features = base(xb)
        return head(features)

    def epoch():
        order = torch.randperm(a.samples)
        for start in range(0, a.samples - a.batch_size + 1, a.batch_size):
            idx = order[start:start + a.batch_size]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(forward(xb), yb)
            loss.backward()
            opt.step()

    epoch()  # warm-up
    rates = []
    for _ in range(a.repeats):
        t = time.perf_counter()
        epoch()
        rates.append((a.samples // a.batch_size) * a.batch_size / (time.perf_counter() - t))
    print(json.dumps({"samples_per_second": rates, "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
