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
        z1 = self.fc1(x)  # (B, H)
        h = torch.relu(z1)  # (B, H)
        z2 = self.fc2(h)  # (B, K) logits
        return self.log_softmax(z2)  # (B, K) log-probabilities

    def load_numpy_weights(self, weights: dict[str, np.ndarray]) -> TorchMLP:
        """Copy NumPy-layout weights (W: (in, out)) into nn.Linear's (out, in) layout."""
        with torch.no_grad():
            for layer, W, b in ((self.fc1, "W1", "b1"), (self.fc2, "W2", "b2")):
                layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(weights[W].T)))
                layer.bias.copy_(torch.from_numpy(weights[b]))
        return self

    def numpy_params(self) -> dict[str, np.ndarray]:
        """The parameters in the NumPy network's layout (W: (in, out)): the inverse of
        load_numpy_weights."""
        return {"W1": self.fc1.weight.detach().cpu().numpy().T, "b1": self.fc1.bias.detach().cpu().numpy(),
                "W2": self.fc2.weight.detach().cpu().numpy().T, "b2": self.fc2.bias.detach().cpu().numpy()}

    def numpy_grads(self) -> dict[str, np.ndarray]:
        """The gradients autograd left on the parameters, in the NumPy network's layout
        (W: (in, out)), to compare with NumpyMLP.backward."""
        return {"W1": self.fc1.weight.grad.cpu().numpy().T, "b1": self.fc1.bias.grad.cpu().numpy(),
                "W2": self.fc2.weight.grad.cpu().numpy().T, "b2": self.fc2.bias.grad.cpu().numpy()}

    @property
    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


def init_parameters(model: TorchMLP, scheme: str) -> TorchMLP:
    """Draw the initial weights of one of the `init` schemes (numpy_mlp.init_weights) with
    torch.nn.init, from torch's global generator:

    "pytorch": nn.Linear's own reset_parameters, the scheme's definition;
    "he":      kaiming_normal_ (fan_in, ReLU's gain sqrt 2), i.e. N(0, 2/fan_in), zero biases;
    "small":   N(0, 0.01^2) weights, zero biases.
    """
    with torch.no_grad():
        for layer in (model.fc1, model.fc2):
            if scheme == "pytorch":
                layer.reset_parameters()
                continue
            if scheme == "he":
                nn.init.kaiming_normal_(layer.weight, mode="fan_in", nonlinearity="relu")
            elif scheme == "small":
                nn.init.normal_(layer.weight, 0.0, 0.01)
            else:
                raise ValueError(f"init must be one of pytorch, he, small; got {scheme!r}")
            nn.init.zeros_(layer.bias)
    return model


def build(n_in: int, n_hidden: int, n_out: int, seed: int, device: str = "cpu",
          weights: dict[str, np.ndarray] | None = None, init: str | None = None) -> TorchMLP:
    """The network's initial weights, drawn with `seed`: nn.Linear's own initialisation
    (init None), one of the `init` schemes through torch.nn.init, or a copy of the given
    NumPy weights (parity)."""
    torch.manual_seed(seed)
    model = TorchMLP(n_in, n_hidden, n_out)
    if weights is not None:
        model.load_numpy_weights(weights)
    elif init is not None:
        init_parameters(model, init)
    return model.to(device)


def train_epoch(model: TorchMLP, optimizer: torch.optim.Optimizer,
                X: torch.Tensor, y: torch.Tensor,
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
    # Mean over the examples: each batch's mean loss weighted by its size
    # (the last may be smaller).
    sizes = torch.full((len(losses),), float(batch_size),
                       dtype=torch.float64, device=X.device)
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
