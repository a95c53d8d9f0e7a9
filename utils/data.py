"""The course's data sets, made in code (nothing is downloaded)."""
from __future__ import annotations

import torch

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
