"""Every check in utils/checks.py passes on a right answer and fires, with its message,
on a wrong one. The messages are asserted whole: they are what students read."""
import pytest
import torch

from utils.checks import (CheckFailed, answer_digest, check_close, check_decreasing,
                          check_digest, check_gradients, check_shape, check_that, expect_failure)


def fails(check, *args, **kwargs) -> str:
    with pytest.raises(CheckFailed) as caught:
        check(*args, **kwargs)
    return str(caught.value)


def test_check_that(capsys):
    check_that(2 + 2 == 4, "addition", "2 + 2 is not 4")
    assert capsys.readouterr().out == "check passed: addition\n"
    assert fails(check_that, False, "addition", "2 + 2 is not 4") == "addition: 2 + 2 is not 4"


def test_check_shape(capsys):
    check_shape("weights", torch.zeros(2, 3), (2, 3))
    assert capsys.readouterr().out == "check passed: weights has shape (2, 3)\n"
    assert fails(check_shape, "weights", torch.zeros(3, 2), (2, 3)) == \
        "weights: expected shape (2, 3), got (3, 2)"
    assert fails(check_shape, "weights", [1, 2], (2,)) == \
        "weights: expected a tensor of shape (2,), got list"


def test_check_close_passes_within_tolerance(capsys):
    check_close("sigmoid(0)", torch.tensor(0.5 + 1e-9), 0.5)
    assert capsys.readouterr().out == "check passed: sigmoid(0)\n"


def test_check_close_names_the_worst_entry_and_the_reference():
    got = torch.tensor([[1.0, 2.0], [3.0, 5.0]])
    assert fails(check_close, "conv", got, torch.tensor([[1.0, 2.0], [3.0, 4.0]])) == \
        "conv: 1 of 4 entries differ; entry (1, 1) is 5, the reference gives 4 (tolerance rtol=1e-05, atol=1e-08)"


def test_check_close_can_hide_the_reference():
    message = fails(check_close, "step size", 0.3, 1 / 3, show_reference=False)
    assert message == "step size: wrong value; the value (0.3) is not what it should be (tolerance rtol=1e-05, atol=1e-08)"
    assert "0.333" not in message


def test_check_close_refuses_wrong_shapes_and_non_finite_values():
    assert fails(check_close, "x", torch.zeros(3), torch.zeros(2)) == "x: expected shape (2,), got (3,)"
    assert fails(check_close, "x", torch.tensor([0.0, float("nan")]), torch.zeros(2)) == \
        "x: entry 1 is nan (not finite)"
    assert fails(check_close, "x", "abc", 1.0).startswith("x: expected a number or a tensor, got str")


def test_check_gradients_against_autograd(capsys):
    w = torch.tensor([1.0, -2.0])
    x = torch.tensor([0.5, 3.0])
    loss = lambda w, x: (w * x).sum() ** 2
    right = [2 * (w @ x) * x, 2 * (w @ x) * w]
    check_gradients("d loss / d (w, x)", loss, [w, x], right)
    assert capsys.readouterr().out == "check passed: d loss / d (w, x)\n"
    wrong = [(w @ x) * x, right[1]]          # the factor 2 forgotten
    assert fails(check_gradients, "d loss", loss, [w, x], wrong) == \
        "d loss: gradient 0 differs from autograd at entry 1: hand-written -16.5, autograd -33"
    assert fails(check_gradients, "d loss", loss, [w, x], right[:1]) == \
        "d loss: expected 2 gradients (one per input), got 1"
    assert fails(check_gradients, "d loss", loss, [w, x], [right[0][:1], right[1]]) == \
        "d loss: gradient 0 has shape (1,), its input has shape (2,)"


def test_check_decreasing(capsys):
    check_decreasing("training loss", [1.0, 0.5, 0.2], factor=0.5)
    assert capsys.readouterr().out == "check passed: training loss\n"
    assert fails(check_decreasing, "training loss", [1.0, 0.9], factor=0.5) == \
        "training loss: went from 1 to 0.9; expected the end to be below 0.5 times the start"
    assert fails(check_decreasing, "training loss", [1.0, 1.2]) == \
        "training loss: went from 1 to 1.2; expected the end to be below the start"
    assert fails(check_decreasing, "loss", [1.0, float("nan")]) == "loss: the last value is nan (training diverged)"
    assert fails(check_decreasing, "loss", [1.0]) == "loss: expected at least 2 values, got 1"


def test_answer_digest_rounds_and_ignores_the_sign_of_zero():
    assert answer_digest(1 / 3) == answer_digest(0.33333)
    assert answer_digest(1 / 3) != answer_digest(0.3334)
    assert answer_digest(-0.00001) == answer_digest(0.0)
    assert answer_digest(torch.tensor([8.0, 4.0])) == answer_digest((8, 4))
    assert answer_digest((8, 4)) != answer_digest((4, 8))


def test_check_digest_never_shows_the_answer(capsys):
    digest = answer_digest((8.0, 4.0), decimals=3)
    check_digest("the minimum", torch.tensor([8.0, 4.0]), digest, decimals=3)
    assert capsys.readouterr().out == "check passed: the minimum\n"
    assert fails(check_digest, "the minimum", (8.5, 4), digest, decimals=3) == \
        "the minimum: 8.500, 4.000 (rounded to 3 decimals) is not the expected answer"


def test_expect_failure_returns_the_message_and_fails_when_the_check_passes(capsys):
    message = expect_failure(check_close, "x", 2.0, 1.0)
    assert capsys.readouterr().out == f"the check fires, as it should: {message}\n"
    assert message.startswith("x: wrong value")
    assert fails(expect_failure, check_close, "x", 1.0, 1.0) == \
        "check_close passed on an input that is wrong on purpose; the check cannot tell right from wrong"


def test_older_checks_are_check_failures_too():
    from utils.gradcheck import GradientCheckError
    from utils.losscheck import LossCheckError
    assert issubclass(GradientCheckError, CheckFailed) and issubclass(LossCheckError, CheckFailed)
