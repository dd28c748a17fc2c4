#!/usr/bin/python3
"""Times PyTorch's conv2d forward + backward (input, weight and bias gradients) and prints µs per call as JSON.

Usage: conv.py [--threads 2] [--repeats 5] [--min-seconds 0.5]; the shape is the CNN issue's:
[64, 28, 28, 32] (NHWC, so PyTorch gets [64, 32, 28, 28]) → 64 filters of 3×3, "same" padding.
"""
import argparse, json
import torch

from timing import median_microseconds


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--min-seconds", type=float, default=0.5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    conv = torch.nn.Conv2d(32, 64, 3, padding=1)
    x = torch.randn(64, 32, 28, 28, requires_grad=True)
    dy = torch.randn(64, 64, 28, 28)

    def step():
        x.grad = None
        conv.zero_grad(set_to_none=True)
        conv(x).backward(dy)
    us = median_microseconds(step, a.repeats, a.min_seconds)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "microseconds": us}))


if __name__ == "__main__":
    main()
