"""The course's data sets, made in code (nothing is downloaded)."""
from __future__ import annotations

from collections.abc import Sequence

import torch

from utils import seeding


# The five points of lab 1, used again in labs 3 and 4.
FIVE_POINTS = ((0.0, 0.0), (1.0, 0.0), (0.0, -1.0), (-1.0, 0.0), (0.0, 1.0))


def five_points(positive=(0,), dtype=torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """The five-point data set x1=(0,0), x2=(1,0), x3=(0,-1), x4=(-1,0), x5=(0,1).

    ``positive`` lists the (0-based) indices of the points labelled 1; the default,
    only x1 = (0, 0), is the labelling that no single neuron can separate.
    Returns ``x`` of shape (5, 2) and labels ``y`` of shape (5,), both of ``dtype``.
    """
    x = torch.tensor(FIVE_POINTS, dtype=dtype)
    y = torch.zeros(len(FIVE_POINTS), dtype=dtype)
    y[list(positive)] = 1
    return x, y


def digits(classes: Sequence[int] | None = None,
           dtype=torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """The 8x8 handwritten digits that ship inside scikit-learn (1,797 images; nothing
    is downloaded). Returns pixels ``x`` of shape (n, 64) scaled to [0, 1] and labels
    ``y`` (int64) of shape (n,). ``classes`` keeps only those digits, labels unchanged.
    Reshape with ``x.view(-1, 1, 8, 8)`` for a convolution."""
    from sklearn.datasets import load_digits

    data = load_digits()
    x = torch.tensor(data.data / 16.0, dtype=dtype)
    y = torch.tensor(data.target, dtype=torch.int64)
    if classes is not None:
        keep = torch.isin(y, torch.tensor(list(classes)))
        x, y = x[keep], y[keep]
    return x, y


def split(x: torch.Tensor, y: torch.Tensor, fractions: Sequence[float] = (0.6, 0.2, 0.2),
          seed: int = 0) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Shuffle with ``seed`` and cut into parts of the given fractions (train,
    validation, test by default): a list of ``(x_part, y_part)``. The last part takes
    what rounding leaves."""
    if abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(f"fractions {tuple(fractions)} do not add up to 1")
    order = torch.randperm(len(x), generator=seeding.generator(seed))
    sizes = [round(f * len(x)) for f in fractions[:-1]]
    sizes.append(len(x) - sum(sizes))
    return [(x[part], y[part]) for part in torch.split(order, sizes)]
