"""The same two-layer network in PyTorch: nn.Linear -> ReLU -> nn.Linear -> LogSoftmax,
trained with nn.NLLLoss and torch.optim.SGD, as the study describes.

The training set lives in one tensor on the device and each minibatch is indexed
from it directly: a DataLoader over in-memory tensors would add per-batch Python
work (collating single samples) that has nothing to do with the framework's
arithmetic. `train_epoch_dataloader` keeps the idiomatic DataLoader version for the
benchmark, which measures that overhead separately.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


class TorchMLP(nn.Module):
    def __init__(self, n_in: int = 784, n_hidden: int = 128, n_out: int = 10):
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.fc2 = nn.Linear(n_hidden, n_out)
        self.log_softmax = nn.LogSoftmax(dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.log_softmax(self.fc2(torch.relu(self.fc1(x))))

    def load_numpy_weights(self, weights: dict[str, np.ndarray]) -> "TorchMLP":
        """Copy NumPy-layout weights (W: (in, out)) into nn.Linear's (out, in) layout."""
        with torch.no_grad():
            for layer, W, b in ((self.fc1, "W1", "b1"), (self.fc2, "W2", "b2")):
                layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(weights[W].T)))
                layer.bias.copy_(torch.from_numpy(weights[b]))
        return self

    def numpy_grads(self) -> dict[str, np.ndarray]:
        """The gradients autograd left on the parameters, in the NumPy network's layout
        (W: (in, out)), to compare with NumpyMLP.backward."""
        return {"W1": self.fc1.weight.grad.cpu().numpy().T, "b1": self.fc1.bias.grad.cpu().numpy(),
                "W2": self.fc2.weight.grad.cpu().numpy().T, "b2": self.fc2.bias.grad.cpu().numpy()}

    @property
    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


def build(n_in: int, n_hidden: int, n_out: int, seed: int, device: str = "cpu",
          weights: dict[str, np.ndarray] | None = None) -> TorchMLP:
    """nn.Linear's own initialisation drawn with `seed`, or the given NumPy weights (parity)."""
    torch.manual_seed(seed)
    model = TorchMLP(n_in, n_hidden, n_out)
    if weights is not None:
        model.load_numpy_weights(weights)
    return model.to(device)


def train_epoch(model: TorchMLP, optimizer: torch.optim.Optimizer, X: torch.Tensor, y: torch.Tensor,
                order: torch.Tensor, batch_size: int) -> float:
    """One epoch over X[order]; returns the mean training loss (before each step).

    Per-step overhead, not arithmetic, dominates at batch 64 on the CPU, so the
    loop issues as few operations per step as the idiom allows: the minibatch is
    gathered with index_select (advanced indexing X[idx] goes through a more
    general, slower kernel), and each step's loss is only kept (detach) and
    averaged once after the loop instead of being accumulated with two more
    operations per step. Neither changes the arithmetic of the step itself.
    """
    model.train()
    loss_fn = nn.NLLLoss()
    losses = []  # stays on the device: no sync per batch
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(X.index_select(0, idx)), y.index_select(0, idx))
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
    # Mean over the examples: each batch's mean loss weighted by its size (the last may be smaller).
    sizes = torch.full((len(losses),), float(batch_size), dtype=torch.float64, device=X.device)
    sizes[-1] = len(order) - batch_size * (len(losses) - 1)
    return float(torch.stack(losses).double() @ sizes) / len(order)


def train_epoch_dataloader(model: TorchMLP, optimizer: torch.optim.Optimizer, loader) -> float:
    """The pytorch/examples idiom: iterate a DataLoader. Used by the benchmark only."""
    model.train()
    loss_fn = nn.NLLLoss()
    total, n = 0.0, 0
    for data, target in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(data), target)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(target)
        n += len(target)
    return total / n


@torch.inference_mode()
def evaluate(model: TorchMLP, X: torch.Tensor, y: torch.Tensor, chunk: int = 10_000) -> tuple[float, float, np.ndarray]:
    """(mean NLL, accuracy, predicted labels) on the whole set.

    inference_mode, not just no_grad: besides recording no graph, its tensors
    skip autograd's version counters and view tracking."""
    model.eval()
    logp = torch.cat([model(X[i : i + chunk]) for i in range(0, len(X), chunk)])
    loss = nn.functional.nll_loss(logp, y).item()
    pred = logp.argmax(dim=1)
    return loss, (pred == y).sum().item() / len(y), pred.cpu().numpy()


def time_idioms(X: torch.Tensor, y: torch.Tensor, X_test: torch.Tensor, y_test: torch.Tensor, *, hidden: int,
                lr: float, batch_size: int, seed: int, steps: int = 200, rounds: int = 5) -> dict:
    """What the idioms in train_epoch and evaluate cost on this machine: seconds per
    step (per evaluation for eval) under "seconds", by group and variant.

    Each variant is timed once per round, in a rotating order (so a slow-down of
    the machine falls on all alike), and the median over `rounds` is reported:
      sgd:    optimizer.step() alone (the gradients of one real minibatch), with
              torch.optim.SGD's three implementations: the for-loop over the
              parameters (the default on the CPU), foreach=True (one multi-tensor
              call per operation) and fused=True (one kernel for the whole update);
      gather: the minibatch (images and labels) by X[idx] or by index_select;
      loss:   per-step loss bookkeeping, total += loss.detach() * B against
              keeping loss.detach() in a list (averaged once after the epoch);
      eval:   one evaluation of the test set under no_grad or inference_mode.
    """
    import statistics
    import time

    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(X), generator=g)[: steps * batch_size]
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    n_out = int(max(y.max(), y_test.max())) + 1
    loss_fn = nn.NLLLoss()

    def model_and_sgd(**kw):
        model = build(X.shape[1], hidden, n_out, seed)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, **kw)
        loss_fn(model(X.index_select(0, batches[0])), y.index_select(0, batches[0])).backward()
        return model, optimizer

    sgd = {"for-loop": model_and_sgd(), "foreach": model_and_sgd(foreach=True), "fused": model_and_sgd(fused=True)}

    def sgd_with(name):
        optimizer = sgd[name][1]
        for _ in batches:
            optimizer.step()

    def gather_with(name):
        for idx in batches:
            if name == "X[idx]":
                X[idx], y[idx]
            else:
                X.index_select(0, idx), y.index_select(0, idx)

    loss = torch.tensor(0.5)

    def loss_with(name):
        total, kept = torch.zeros((), dtype=torch.float64), []
        for idx in batches:
            if name == "accumulate":
                total += loss.detach() * len(idx)
            else:
                kept.append(loss.detach())

    eval_model = sgd["for-loop"][0]

    def eval_with(name):
        with torch.no_grad() if name == "no_grad" else torch.inference_mode():
            eval_model.eval()
            logp = eval_model(X_test)
            nn.functional.nll_loss(logp, y_test).item()
            (logp.argmax(dim=1) == y_test).sum().item()

    groups = {"sgd": (sgd_with, list(sgd), len(batches)), "gather": (gather_with, ["X[idx]", "index_select"], len(batches)),
              "loss": (loss_with, ["accumulate", "keep"], len(batches)), "eval": (eval_with, ["no_grad", "inference_mode"], 1)}
    times: dict[str, dict[str, list[float]]] = {k: {v: [] for v in variants} for k, (_, variants, _) in groups.items()}
    for r in range(rounds + 1):  # round 0 warms up and is not counted
        for key, (fn, variants, per) in groups.items():
            for name in variants[r % len(variants):] + variants[: r % len(variants)]:
                t0 = time.perf_counter()
                fn(name)
                if r:
                    times[key][name].append((time.perf_counter() - t0) / per)
    return {"threads": torch.get_num_threads(), "steps": len(batches), "rounds": rounds, "batch_size": batch_size,
            "seconds": {key: {name: statistics.median(v) for name, v in variants.items()} for key, variants in times.items()}}
