import pytest
import torch

from utils import seeding
from utils.data import digits, split


def test_without_an_offset_seeds_are_torchs(monkeypatch):
    monkeypatch.delenv(seeding.OFFSET_VARIABLE, raising=False)
    assert seeding.offset() == 0
    assert torch.equal(torch.randn(3, generator=seeding.generator(7)),
                       torch.randn(3, generator=torch.Generator().manual_seed(7)))
    seeding.manual_seed(5)
    first = torch.rand(2)
    torch.manual_seed(5)
    assert torch.equal(first, torch.rand(2))


def test_an_offset_shifts_every_seed(monkeypatch):
    monkeypatch.setenv(seeding.OFFSET_VARIABLE, "3")
    assert seeding.seed(4) == 7
    assert torch.equal(torch.randn(3, generator=seeding.generator(4)),
                       torch.randn(3, generator=torch.Generator().manual_seed(7)))
    seeding.manual_seed(4)
    first = torch.rand(2)
    torch.manual_seed(7)
    assert torch.equal(first, torch.rand(2))


def test_the_helpers_that_take_a_seed_shift_it(monkeypatch):
    x, y = digits(classes=[0, 1])
    monkeypatch.setenv(seeding.OFFSET_VARIABLE, "0")
    plain = split(x, y, seed=1)[0][1]
    monkeypatch.setenv(seeding.OFFSET_VARIABLE, "1")
    assert torch.equal(split(x, y, seed=0)[0][1], plain)
    assert not torch.equal(split(x, y, seed=1)[0][1], plain)


def test_a_bad_offset_says_what_is_wrong(monkeypatch):
    monkeypatch.setenv(seeding.OFFSET_VARIABLE, "two")
    with pytest.raises(ValueError, match="LABS_SEED_OFFSET='two': the seed offset must be a whole number"):
        seeding.seed(1)
