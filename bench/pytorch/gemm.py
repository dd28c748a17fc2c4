"""Times torch.mm for the GEMM shapes Strata benchmarks and prints GFLOPS as JSON.

Usage: gemm.py SHAPES_JSON [--threads 2] [--repeats 5] [--min-seconds 0.2]
SHAPES_JSON is a list of {"name", "variant" (NN | NT | TN), "m", "k", "n", "beta" (0 | 1)}; the variants match
Strata's Gemm: NN C = A[m,k]·B[k,n], NT C = A[m,k]·B[n,k]ᵀ, TN C = A[k,m]ᵀ·B[k,n]; beta 1 accumulates into C.
Output: {"torch": version, "threads": n, "results": {name: median GFLOPS}}.
"""
import argparse
import json
import statistics
import time

import torch


def make_step(variant, m, k, n, beta):
    """Returns a closure doing one product with preallocated operands (transposes are views, as in a trainer)."""
    a = torch.rand(k, m) if variant == "TN" else torch.rand(m, k)
    b = torch.rand(n, k) if variant == "NT" else torch.rand(k, n)
    left = a.t() if variant == "TN" else a
    right = b.t() if variant == "NT" else b
    c = torch.zeros(m, n)
    if beta == 0:
        return lambda: torch.mm(left, right, out=c)
    return lambda: c.addmm_(left, right)


def time_shape(shape, repeats, min_seconds):
    """Median over repeats of GFLOPS, each repeat running the product for at least min_seconds."""
    step = make_step(shape["variant"], shape["m"], shape["k"], shape["n"], shape["beta"])
    flops = 2.0 * shape["m"] * shape["k"] * shape["n"]
    warm_end = time.perf_counter() + min_seconds
    while time.perf_counter() < warm_end:
        step()
    rates = []
    for _ in range(repeats):
        iterations = 0
        start = time.perf_counter()
        while True:
            step()
            iterations += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds:
                break
        rates.append(flops * iterations / elapsed / 1e9)
    return statistics.median(rates)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("shapes")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--min-seconds", type=float, default=0.2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with torch.no_grad():
        results = {s["name"]: time_shape(s, args.repeats, args.min_seconds) for s in json.loads(args.shapes)}
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
