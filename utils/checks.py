"""The checks that end every coding exercise.

A check compares a student's answer with something independent of the solution: a
reference implementation (autograd, ``torch.nn.functional``), a property (a shape, a
symmetry, a loss that falls), or a hash of the rounded answer. When all is well it
prints one line, ``check passed: WHAT``. When not, it raises ``CheckFailed`` (an
``AssertionError``) whose message says what is wrong -- which function, which input,
which property -- and never states the answer itself.

In the solution notebooks the checks run at build time, so a wrong solution fails the
build; in the question notebooks students run them to get a verdict on their code.
"""
from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import torch


class CheckFailed(AssertionError):
    """A check found a wrong answer. The message says what is wrong, not what is right."""


def passed(what: str) -> None:
    """The one line a check prints when the answer passes."""
    print(f"check passed: {what}")


def check_that(condition: bool, what: str, problem: str) -> None:
    """Pass when ``condition`` holds; otherwise fail with ``WHAT: PROBLEM``."""
    if not condition:
        raise CheckFailed(f"{what}: {problem}")
    passed(what)


def _as_float64(value: Any, what: str) -> torch.Tensor:
    try:
        return torch.as_tensor(value.detach() if isinstance(value, torch.Tensor) else value,
                               dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as error:
        raise CheckFailed(f"{what}: expected a number or a tensor, got {type(value).__name__} "
                          f"({error})") from None


def check_shape(what: str, tensor: Any, shape: Sequence[int]) -> None:
    """Pass when ``tensor`` is a tensor of exactly ``shape``."""
    if not isinstance(tensor, torch.Tensor):
        raise CheckFailed(f"{what}: expected a tensor of shape {tuple(shape)}, "
                          f"got {type(tensor).__name__}")
    if tuple(tensor.shape) != tuple(shape):
        raise CheckFailed(f"{what}: expected shape {tuple(shape)}, got {tuple(tensor.shape)}")
    passed(f"{what} has shape {tuple(shape)}")


def check_close(what: str, got: Any, reference: Any, *, rtol: float = 1e-5,
                atol: float = 1e-8, show_reference: bool = True) -> None:
    """Pass when ``got`` equals ``reference`` entry by entry, within
    ``|got - reference| <= atol + rtol * |reference|`` (shapes must agree exactly).

    ``reference`` must come from an independent computation (autograd, a library
    function, a closed form stated in the exercise). Its value appears in the message
    only when ``show_reference`` is true; leave that false when the reference *is*
    what the student is asked to find.
    """
    got_t, ref_t = _as_float64(got, what), _as_float64(reference, what)
    if got_t.shape != ref_t.shape:
        raise CheckFailed(f"{what}: expected shape {tuple(ref_t.shape)}, got {tuple(got_t.shape)}")
    if not torch.isfinite(got_t).all():
        bad = int((~torch.isfinite(got_t)).reshape(-1).nonzero()[0])
        raise CheckFailed(f"{what}: entry {_index(bad, got_t.shape)} is "
                          f"{got_t.reshape(-1)[bad].item()} (not finite)")
    excess = (got_t - ref_t).abs() - (atol + rtol * ref_t.abs())
    if got_t.numel() and (excess > 0).any():
        flat = int(excess.reshape(-1).argmax())
        wrong = int((excess > 0).sum())
        where = f"entry {_index(flat, got_t.shape)}" if got_t.dim() else "the value"
        got_value = got_t.reshape(-1)[flat].item()
        if show_reference:
            detail = f"{where} is {got_value:.6g}, the reference gives {ref_t.reshape(-1)[flat].item():.6g}"
        else:
            detail = f"{where} ({got_value:.6g}) is not what it should be"
        count = f"{wrong} of {got_t.numel()} entries differ" if got_t.dim() else "wrong value"
        raise CheckFailed(f"{what}: {count}; {detail} (tolerance rtol={rtol:g}, atol={atol:g})")
    passed(what)


def _index(flat: int, shape: torch.Size) -> tuple[int, ...] | int:
    """A flat index as the tensor index a student would type."""
    if len(shape) <= 1:
        return flat
    index = []
    for size in reversed(shape):
        index.append(flat % size)
        flat //= size
    return tuple(reversed(index))


def check_gradients(what: str, function: Callable[..., torch.Tensor],
                    inputs: Sequence[torch.Tensor], gradients: Sequence[torch.Tensor], *,
                    rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Pass when ``gradients`` (hand-computed, one per input) equal autograd's gradients
    of the scalar ``function(*inputs)``, computed in float64 on copies of the inputs."""
    if len(gradients) != len(inputs):
        raise CheckFailed(f"{what}: expected {len(inputs)} gradients (one per input), "
                          f"got {len(gradients)}")
    tracked = [x.detach().to(torch.float64).clone().requires_grad_(True) for x in inputs]
    output = function(*tracked)
    if output.numel() != 1:
        raise CheckFailed(f"{what}: the function must return a scalar, got shape {tuple(output.shape)}")
    reference = torch.autograd.grad(output, tracked, allow_unused=True)
    for position, (hand, auto, x) in enumerate(zip(gradients, reference, tracked)):
        auto = torch.zeros_like(x) if auto is None else auto
        hand_t = _as_float64(hand, what)
        if hand_t.shape != auto.shape:
            raise CheckFailed(f"{what}: gradient {position} has shape {tuple(hand_t.shape)}, "
                              f"its input has shape {tuple(auto.shape)}")
        excess = (hand_t - auto).abs() - (atol + rtol * auto.abs())
        if (excess > 0).any():
            flat = int(excess.reshape(-1).argmax())
            raise CheckFailed(
                f"{what}: gradient {position} differs from autograd at entry "
                f"{_index(flat, hand_t.shape)}: hand-written {hand_t.reshape(-1)[flat].item():.6g}, "
                f"autograd {auto.reshape(-1)[flat].item():.6g}")
    passed(what)


def check_decreasing(what: str, values: Sequence[float], *, factor: float = 1.0,
                     start: int = 0) -> None:
    """Pass when the last of ``values`` is below ``factor`` times ``values[start]``:
    a loss that training made fall (by at least that factor)."""
    values = [float(v) for v in values]
    if len(values) < start + 2:
        raise CheckFailed(f"{what}: expected at least {start + 2} values, got {len(values)}")
    first, last = values[start], values[-1]
    if not math.isfinite(last):
        raise CheckFailed(f"{what}: the last value is {last} (training diverged)")
    if not last < factor * first:
        target = "below" if factor == 1 else f"below {factor:g} times"
        raise CheckFailed(f"{what}: went from {first:.4g} to {last:.4g}; expected the end to be "
                          f"{target} the start")
    passed(what)


def answer_digest(value: Any, decimals: int = 4) -> str:
    """A short hash of ``value`` rounded to ``decimals`` places: a number, a sequence of
    numbers, or a tensor. The lab stores the digest, never the value."""
    numbers = _as_float64(value, "answer").reshape(-1).tolist()
    text = ",".join(_rounded(number, decimals) for number in numbers)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _rounded(number: float, decimals: int) -> str:
    text = f"{number:.{decimals}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text.lstrip("+")


def check_digest(what: str, value: Any, digest: str, *, decimals: int = 4) -> None:
    """Pass when ``value``, rounded to ``decimals`` places, hashes to ``digest`` (made
    with ``answer_digest``). The message on failure shows only the rounded value given."""
    if answer_digest(value, decimals) != digest:
        shown = ", ".join(_rounded(n, decimals) for n in
                          _as_float64(value, what).reshape(-1).tolist()[:6])
        raise CheckFailed(f"{what}: {shown} (rounded to {decimals} decimals) is not the "
                          f"expected answer")
    passed(what)


def expect_failure(check: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """Run ``check`` on a deliberately wrong input and show that it fires: prints and
    returns its message. If the check passes instead, that is itself a failure."""
    try:
        check(*args, **kwargs)
    except CheckFailed as error:
        print(f"the check fires, as it should: {error}")
        return str(error)
    raise CheckFailed(f"{getattr(check, '__name__', check)} passed on an input that is wrong "
                      f"on purpose; the check cannot tell right from wrong")


# ---- every verdict of a lab at once: python -m utils.checks labs/NN-topic.ipynb ---------

_CHECK_CALL = re.compile(r"\b(?:check_\w+|expect_failure)\s*\(")


def _exercise_of(source: str, current: str) -> str:
    """The exercise a markdown cell opens (its `## ` heading), or the current one."""
    headings = [line[3:].strip() for line in source.splitlines() if line.startswith("## ")]
    return headings[-1] if headings else current


def _verdict(cell) -> list[tuple[str, str]]:
    """(status, what) for a check cell that has run: each 'check passed' line, or why it
    did not pass."""
    found = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            found += [("passed", line[len("check passed: "):]) for line in output.get("text", "").splitlines()
                      if line.startswith("check passed: ")]
        elif output.get("output_type") == "error":
            name, value = output.get("ename", "Error"), output.get("evalue", "")
            if name.endswith(("CheckFailed", "CheckError")):
                found.append(("FAILED", value))
            elif name == "NotImplementedError":
                found.append(("not done", "a TODO is left: NotImplementedError raised"))
            else:               # the code under test, or a cell above it, went wrong
                found.append(("error", f"{name}: {value}"))
    return found or [("error", "the cell printed no verdict")]


def verdicts(path: str, timeout: int = 600) -> int:
    """Run the notebook at ``path`` top to bottom in a fresh kernel, going on after
    errors, and print every check's verdict, exercise by exercise, then a total. The
    exit status is 0 only when every check passed."""
    import sys
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as error:
        print(f"{path}: cannot read the notebook ({error})", file=sys.stderr)
        return 2
    for cell in notebook.cells:      # run what the notebook shows, every cell
        tags = cell.get("metadata", {}).get("tags", [])
        if "skip-execution" in tags:
            cell.metadata["tags"] = [tag for tag in tags if tag != "skip-execution"]
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(Path(path).resolve().parent)}})
    client.execute()
    exercise, shown, counts = "", None, {"passed": 0, "FAILED": 0, "not done": 0, "error": 0}
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            exercise = _exercise_of(cell.source, exercise)
        elif cell.cell_type == "code" and _CHECK_CALL.search(cell.source):
            if exercise != shown:
                print(exercise or "(before the first exercise)")
                shown = exercise
            for status, what in _verdict(cell):
                counts[status] += 1
                print(f"  {status:8}  {what.splitlines()[0] if what else ''}")
    total = sum(counts.values())
    print(f"{path}: {counts['passed']} of {total} checks passed, {counts['FAILED']} failed, "
          f"{counts['not done']} not done, {counts['error']} with an error")
    return 0 if counts["passed"] == total else 1


if __name__ == "__main__":
    import sys
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        print("usage: python -m utils.checks labs/NN-topic.ipynb   (every check's verdict)", file=sys.stderr)
        sys.exit(2)
    sys.exit(verdicts(sys.argv[1]))
