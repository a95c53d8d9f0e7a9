"""The digits loader, the seeded split and the shared training loop."""
import pytest
import torch
from torch import nn

from utils.data import digits, split
from utils.training import accuracy, train_classifier


def test_digits_ship_with_scikit_learn_and_are_scaled():
    x, y = digits()
    assert x.shape == (1797, 64) and y.shape == (1797,) and y.dtype == torch.int64
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0
    zeros_and_ones, labels = digits(classes=(0, 1))
    assert set(labels.tolist()) == {0, 1} and len(labels) == 360


def test_split_is_seeded_disjoint_and_complete():
    x = torch.arange(10.0).unsqueeze(1)
    y = torch.arange(10)
    parts = split(x, y, (0.6, 0.2, 0.2), seed=3)
    assert [len(part_y) for _, part_y in parts] == [6, 2, 2]
    assert sorted(torch.cat([part_y for _, part_y in parts]).tolist()) == list(range(10))
    again = split(x, y, (0.6, 0.2, 0.2), seed=3)
    assert all(torch.equal(a[1], b[1]) for a, b in zip(parts, again))
    with pytest.raises(ValueError, match="do not add up to 1"):
        split(x, y, (0.5, 0.2))


def test_training_learns_the_digits_and_is_reproducible():
    x, y = digits()
    (x_train, y_train), (x_val, y_val) = split(x, y, (0.8, 0.2))

    def run():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
        history = train_classifier(model, x_train, y_train, epochs=5, lr=1e-2,
                                   validation=(x_val, y_val))
        return model, history

    model, history = run()
    assert history["train_loss"][-1] < history["train_loss"][0] / 2
    assert history["val_accuracy"][-1] > 0.9
    assert accuracy(model, x_val, y_val) == history["val_accuracy"][-1]
    assert model.training                      # accuracy() restored the mode
    assert run()[1] == history
