"""Figures the labs share: decision boundaries and loss curves."""
from __future__ import annotations

from typing import Callable, Sequence

import matplotlib.pyplot as plt
import torch


def prediction_grid(x: torch.Tensor, margin: float = 1.0, resolution: int = 101):
    """A square grid covering the data with a margin: (grid_x1, grid_x2, points)
    where ``points`` has shape (resolution**2, 2)."""
    low = float(x.min()) - margin
    high = float(x.max()) + margin
    axis = torch.linspace(low, high, resolution, dtype=x.dtype)
    grid_x1, grid_x2 = torch.meshgrid(axis, axis, indexing="xy")
    points = torch.stack([grid_x1.reshape(-1), grid_x2.reshape(-1)], dim=1)
    return grid_x1, grid_x2, points


def plot_decision_boundary(model: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                           y: torch.Tensor, ax=None, title: str | None = None,
                           margin: float = 1.0, resolution: int = 101,
                           value_label: str = "P(y = 1)"):
    """Shade P(y=1) predicted by ``model`` over a grid around the data, draw the 0.5
    contour (the decision boundary) and the labelled points.

    ``model`` is any callable from an (n, 2) tensor to n probabilities (shape (n,) or
    (n, 1)): a function, a network's forward method, a lambda. ``value_label`` names
    the shaded quantity on the colour bar.
    """
    ax = ax if ax is not None else plt.gca()
    grid_x1, grid_x2, points = prediction_grid(x, margin, resolution)
    with torch.no_grad():
        probabilities = torch.as_tensor(model(points)).reshape(grid_x1.shape)
    shading = ax.contourf(grid_x1, grid_x2, probabilities, levels=torch.linspace(0, 1, 11),
                          cmap="RdBu_r", alpha=0.8)
    if float(probabilities.min()) < 0.5 < float(probabilities.max()):
        ax.contour(grid_x1, grid_x2, probabilities, levels=[0.5], colors="black", linewidths=1.5)
    ax.figure.colorbar(shading, ax=ax, label=value_label)
    for label, marker, colour in ((1, "o", "tab:red"), (0, "s", "tab:blue")):
        mask = y.reshape(-1) == label
        ax.scatter(x[mask, 0], x[mask, 1], marker=marker, c=colour, edgecolors="black",
                   s=80, label=f"y = {label}", zorder=3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")
    ax.legend(loc="upper right")
    if title:
        ax.set_title(title)
    return ax


def plot_loss_curve(losses: Sequence[float], ax=None, title: str = "Training loss",
                    ylabel: str = "loss", log_scale: bool = False):
    """Loss after each update, against the update number."""
    ax = ax if ax is not None else plt.gca()
    values = [float(loss) for loss in losses]
    ax.plot(range(1, len(values) + 1), values)
    ax.set_xlabel("update")
    ax.set_ylabel(ylabel)
    if log_scale:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    return ax
