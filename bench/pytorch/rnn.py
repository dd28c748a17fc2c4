#!/usr/bin/python3
"""Times one PyTorch training step of a recurrent model and prints µs per step as JSON.

Usage: rnn.py [--batch 32] [--time 100] [--features 2] [--units 32] [--threads 2] [--repeats 5] [--min-seconds 0.5]
The model is Strata's `bench rnn` model: nn.RNN (tanh), nn.LSTM or nn.GRU with batch_first, the last step into a
Linear(units, 1), mean squared error, Adam. One step = zero the gradients, forward, loss, backward, update.
Output: {"torch": version, "threads": n, "results": {"simple_rnn": µs, "lstm": µs, "gru": µs}}.
"""
import argparse, json
import torch

from timing import median_microseconds


class Model(torch.nn.Module):
    def __init__(self, kind, features, units):
        super().__init__()
        self.rnn = {"simple_rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](features, units, batch_first=True)
        self.dense = torch.nn.Linear(units, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.dense(out[:, -1, :])


def make_step(kind, a):
    torch.manual_seed(0)
    model = Model(kind, a.features, a.units)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(a.batch, a.time, a.features)
    y = torch.rand(a.batch, 1)
    loss_fn = torch.nn.MSELoss()

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        optimizer.step()
    return step


def main():
    p = argparse.ArgumentParser()
    for name, default in (("--batch", 32), ("--time", 100), ("--features", 2), ("--units", 32), ("--threads", 2), ("--repeats", 5)):
        p.add_argument(name, type=int, default=default)
    p.add_argument("--min-seconds", type=float, default=0.5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    results = {kind: median_microseconds(make_step(kind, a), a.repeats, a.min_seconds, warmup=5)
               for kind in ("simple_rnn", "lstm", "gru")}
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
