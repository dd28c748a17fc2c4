#!/usr/bin/python3
"""Times PyTorch's conv2d forward + backward (input, weight and bias gradients) and prints µs per call as JSON.

Usage: conv.py [--threads 2] [--repeats 5] [--min-seconds 0.5]; the shape is the CNN issue's:
[64, 28, 28, 32] (NHWC, so PyTorch gets [64, 32, 28, 28]) → 64 filters of 3×3, "same" padding.
"""
import argparse, json, statistics, time
import torch


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
    for _ in range(3):
        step()
    times = []
    for _ in range(a.repeats):
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < a.min_seconds:
            step()
            count += 1
        times.append((time.perf_counter() - start) / count * 1e6)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "microseconds": statistics.median(times)}))


if __name__ == "__main__":
    main()
