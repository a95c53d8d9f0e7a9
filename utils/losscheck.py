"""Check a hand-written multi-class cross-entropy against PyTorch's, including on
large logits, where a naive log(softmax(z)) overflows."""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

from utils import seeding
from utils.checks import CheckFailed


class LossCheckError(CheckFailed):
    pass


def cross_entropy_check(cross_entropy: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
                        seed: int = 0, tolerance: float = 1e-5) -> dict[str, float]:
    """Compare ``cross_entropy(logits, targets)`` (mean over the batch) with
    ``torch.nn.functional.cross_entropy`` on ordinary logits and on logits scaled to
    the hundreds. Returns the absolute error of each case; raises LossCheckError if
    one is not finite or above ``tolerance`` times the size of the loss."""
    generator = seeding.generator(seed)
    logits = torch.randn(8, 5, generator=generator)
    targets = torch.randint(0, 5, (8,), generator=generator)
    errors = {}
    for case, scale in (("ordinary logits", 1.0), ("large logits", 500.0)):
        scaled = logits * scale
        expected = F.cross_entropy(scaled, targets)
        got = torch.as_tensor(cross_entropy(scaled, targets), dtype=expected.dtype)
        error = float((got - expected).abs())
        if not torch.isfinite(got) or error > tolerance * max(1.0, float(expected.abs())):
            raise LossCheckError(f"cross-entropy check failed on {case}: got {float(got):.6g}, "
                                 f"torch gives {float(expected):.6g}")
        errors[case] = error
    return errors
