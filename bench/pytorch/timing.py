"""Shared timing for the PyTorch side of bench/: the median over repeats of µs per call."""
import statistics
import time


def median_microseconds(step, repeats, min_seconds, warmup=3):
    """Runs step() warmup times, then `repeats` times for at least min_seconds each; returns the median µs per call."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < min_seconds:
            step()
            count += 1
        times.append((time.perf_counter() - start) / count * 1e6)
    return statistics.median(times)
