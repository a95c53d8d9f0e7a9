"""Every seed of the labs, in one place, so that a build can draw again.

A lab never calls ``torch.manual_seed(3)`` or ``torch.Generator().manual_seed(3)``
itself; it calls ``manual_seed(3)`` or ``generator(3)`` from here. Both add the offset
in the environment variable ``LABS_SEED_OFFSET`` (0 when unset, so an ordinary build
draws exactly what ``torch.manual_seed(3)`` would). ``make robust`` builds every
solution under other offsets: a check that fails a right answer there is a check that
only holds for one draw.

The helpers in ``utils`` that take a ``seed`` argument shift it here too, so a lab
passes them plain numbers.
"""
from __future__ import annotations

import os

import torch

OFFSET_VARIABLE = "LABS_SEED_OFFSET"


def offset() -> int:
    """The shift added to every seed (``LABS_SEED_OFFSET``, 0 when unset)."""
    text = os.environ.get(OFFSET_VARIABLE, "").strip()
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{OFFSET_VARIABLE}={text!r}: the seed offset must be a whole number") from None


def seed(n: int) -> int:
    """Seed ``n`` of a lab, shifted by the offset."""
    return int(n) + offset()


def manual_seed(n: int) -> torch.Generator:
    """Seed PyTorch's global generator (weights, dropout, ``torch.randn`` without a
    generator) with seed ``n``; returns it, as ``torch.manual_seed`` does."""
    return torch.manual_seed(seed(n))


def generator(n: int) -> torch.Generator:
    """A generator of its own seeded with seed ``n``: draws that do not depend on what
    ran before (data, noise, a check's random inputs)."""
    return torch.Generator().manual_seed(seed(n))
