#!/usr/bin/python3
"""Times PyTorch's BatchNorm forward + backward in training mode and prints µs per call as JSON.

Usage: batchnorm.py SHAPES_JSON [--threads 2] [--repeats 5] [--min-seconds 0.2]
SHAPES_JSON is a list of channels-last shapes as Strata sees them ([n, c] or [n, h, w, c]); PyTorch gets the
same data channels-first (BatchNorm1d on [n, c], BatchNorm2d on [n, c, h, w]), with momentum 0.01 and
eps 1e-3 (Keras's 0.99 and 1e-3). One call = forward, then backward of a fixed upstream gradient.
Output: {"torch": version, "threads": n, "results": {"n×c…": median µs}}.
"""
import argparse, json
import torch

from timing import median_microseconds


def make_step(shape):
    c = shape[-1]
    if len(shape) == 2:
        bn, x = torch.nn.BatchNorm1d(c, eps=1e-3, momentum=0.01), torch.randn(*shape)
    else:
        n, h, w, _ = shape
        bn, x = torch.nn.BatchNorm2d(c, eps=1e-3, momentum=0.01), torch.randn(n, c, h, w)
    bn.train()
    x.requires_grad_(True)
    dy = torch.randn_like(x)

    def step():
        x.grad = None
        bn.weight.grad = None
        bn.bias.grad = None
        bn(x).backward(dy)
    return step


def main():
    p = argparse.ArgumentParser()
    p.add_argument("shapes")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--min-seconds", type=float, default=0.2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    results = {}
    for shape in json.loads(a.shapes):
        results["×".join(map(str, shape))] = median_microseconds(make_step(shape), a.repeats, a.min_seconds, warmup=20)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
