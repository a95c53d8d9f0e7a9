"""A plain training loop for classifiers, for the labs after lab 6 (where students
write this loop themselves): mini-batches shuffled by a seeded generator, cross-entropy,
and a history of what was measured, labelled by when it was measured."""
from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from utils import seeding


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """The fraction of ``x`` that ``model`` (logits out) classifies as ``y``, in eval mode;
    the model's mode is restored afterwards."""
    was_training = model.training
    model.eval()
    correct = (model(x).argmax(dim=1) == y).float().mean().item()
    model.train(was_training)
    return correct


def train_classifier(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, epochs: int,
                     optimizer: torch.optim.Optimizer | None = None, lr: float = 1e-3,
                     batch_size: int = 64, seed: int = 0,
                     validation: tuple[torch.Tensor, torch.Tensor] | None = None,
                     loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = F.cross_entropy,
                     report_every: int = 0) -> dict[str, list[float]]:
    """Train ``model`` on ``(x, y)`` for ``epochs`` passes of shuffled mini-batches
    (Adam with ``lr`` unless an ``optimizer`` is given).

    Returns a history: ``train_loss`` is the mean loss over each epoch's mini-batches,
    each measured before its update; ``val_accuracy`` (with ``validation``) is measured
    after each epoch, in eval mode. With ``report_every``, prints a line every that
    many epochs.
    """
    optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr)
    generator = seeding.generator(seed)
    history: dict[str, list[float]] = {"train_loss": []}
    if validation is not None:
        history["val_accuracy"] = []
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(x), generator=generator)
        total, count = 0.0, 0
        for batch in torch.split(order, batch_size):
            loss = loss_fn(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
            count += len(batch)
        history["train_loss"].append(total / count)
        line = f"epoch {epoch:3}: train loss {history['train_loss'][-1]:.4f} (mean over the epoch)"
        if validation is not None:
            history["val_accuracy"].append(accuracy(model, *validation))
            line += f", validation accuracy {history['val_accuracy'][-1]:.3f} (after the epoch)"
        if report_every and epoch % report_every == 0:
            print(line)
    return history
