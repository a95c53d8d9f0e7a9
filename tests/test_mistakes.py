"""make mistakes and make robust: the mistakes file, how a mistake is applied and
judged (pure, on tiny texts), and both commands end to end on tiny templates."""
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT
from courseware.guards.mistakes import (Mistake, MistakesError, apply_mistake, judge, read_mistakes,
                                        template_sections)
from courseware.guards.robust import number_list
from courseware.guards.solution_runs import Failure

FIXTURES = ROOT / "tests" / "fixtures"

TEMPLATE = textwrap.dedent('''\
    # Lab

    ```python
    import torch
    ```

    ## Exercise 1: squares

    ```python
    def square(x):
        #!TAG HWBEGIN
        return x * x
        #!TAG HWEND
    ```

    ```python
    check_close("square(3)", square(3.0), 9.0)
    ```

    ## Exercise 2: cubes

    ```python
    def cube(x):
        #!TAG HWBEGIN
        return x * x * x
        #!TAG HWEND
    ```
    ''')


def mistake(exercise="Exercise 1", old="    return x * x\n", new="    return x + x\n", expect="square"):
    return Mistake(7, exercise, "doubles", ((old, new),), expect)


def test_a_mistake_replaces_solution_lines_of_its_exercise():
    layout = template_sections("lab.md", TEMPLATE)
    assert sorted(layout.headings.values()) == ["Exercise 1: squares", "Exercise 2: cubes"]
    text, section = apply_mistake("lab.md", TEMPLATE, layout, mistake())
    assert "    return x + x\n" in text and "    return x * x\n" not in text
    assert layout.headings[section] == "Exercise 1: squares"


@pytest.mark.parametrize("wrong, message", [
    (mistake(exercise="Exercise 3"), "no `## ` heading of lab.md matches exercise 'Exercise 3'"),
    (mistake(old="    return y\n"), "'replace' is found 0 times in lab.md"),
    (mistake(old="    return x"), "'replace' is found 2 times in lab.md"),
    (mistake(old="import torch\n"), "'replace' takes line 4 of lab.md, which is not inside a solution block"),
    (mistake(exercise="Exercise 2"), "'replace' lies outside the section of 'Exercise 2'"),
    (mistake(new="    #!TAG HWEND\n"), "'with' contains a tag line"),
])
def test_a_mistake_that_cannot_be_applied_says_why_at_its_line(wrong, message):
    layout = template_sections("lab.md", TEMPLATE)
    with pytest.raises(MistakesError) as error:
        apply_mistake("lab.md", TEMPLATE, layout, wrong)
    assert str(error.value) == f"lab.mistakes.toml:7: 'doubles': {message}" + (
        "; it must be whole lines found exactly once" if "times" in message else "")


def test_the_mistakes_file_is_checked_at_its_lines(tmp_path):
    path = tmp_path / "lab.mistakes.toml"
    good = '[[mistake]]\nexercise = "Exercise 1"\nname = "n"\nreplace = "a"\nwith = "b"\nexpect = "e"\n'
    [read] = read_mistakes(path, good)
    assert read == Mistake(1, "Exercise 1", "n", (("a\n", "b\n"),), "e")
    with pytest.raises(MistakesError, match=rf"^{path}:8: the mistake lacks expect, name$"):
        read_mistakes(path, good + '\n[[mistake]]\nexercise = "x"\nreplace = "a"\nwith = "b"\n')
    with pytest.raises(MistakesError, match=rf"^{path}:1: unknown key 'hint'"):
        read_mistakes(path, good + 'hint = "h"\n')
    with pytest.raises(MistakesError, match=rf"^{path}:1: 'replace' and 'with' must be two strings"):
        read_mistakes(path, good.replace('with = "b"', 'with = ["b", "c"]'))
    with pytest.raises(MistakesError, match=rf"^{path}:2: not valid TOML"):
        read_mistakes(path, '[[mistake]]\nexercise = \n')


def test_a_mistake_is_caught_only_at_its_own_check_with_its_message():
    headings = {8: "Exercise 1: squares", 20: "Exercise 2: cubes"}
    sections, checks = {0: None, 1: 8, 2: 8, 3: 20}, {2: 17}
    m = mistake(expect="square")

    def verdict(failure, secrets=None):
        return judge("lab.md", m, failure, checks, sections, 8, headings, secrets or {})

    assert verdict(Failure(2, 17, "CheckFailed", "square(3): wrong value")) is None
    assert verdict(Failure(2, 17, "GradientCheckError", "square: wrong gradient")) is None
    assert verdict(None) == "passed every check of 'Exercise 1: squares': no check catches it"
    assert verdict(Failure(3, 25, "CheckFailed", "cube")) == (
        "fails in 'Exercise 2: cubes', not in 'Exercise 1: squares', at lab.md:25: CheckFailed: cube")
    assert verdict(Failure(1, 11, "NameError", "name 'y' is not defined")) == (
        "crashes before the check, at lab.md:11: NameError: name 'y' is not defined "
        "(a check must say what is wrong)")
    assert verdict(Failure(2, 17, "TypeError", "bad operand")) == (
        "the check at lab.md:17 crashes instead of failing: TypeError: bad operand "
        "(raise CheckFailed with a message)")
    assert verdict(Failure(2, 17, "CheckFailed", "wrong value")) == (
        "the check at lab.md:17 fails, but its message does not mention 'square': CheckFailed: wrong value")
    assert verdict(Failure(2, 17, "CheckFailed", "square: got 6, expected 9.5"), {9.5: 12}) == (
        "the check at lab.md:17 gives away 9.5, a number only the solution writes (line 12): "
        "CheckFailed: square: got 6, expected 9.5")


def test_number_lists():
    assert number_list("1-5") == [1, 2, 3, 4, 5]
    assert number_list("1,4") == [1, 4]
    assert number_list("0,2-3,2") == [0, 2, 3]


def run(command, *args):
    return subprocess.run([sys.executable, str(ROOT / "scripts" / command), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT)


def test_make_mistakes_reports_each_mistake_that_is_not_caught_as_it_must_be():
    result = run("mistakes.py", "tests/fixtures/99-mistakes.md")
    sidecar, lab = "tests/fixtures/99-mistakes.mistakes.toml", "tests/fixtures/99-mistakes.md"
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{lab}:8: 'Exercise 1: squares' lists 2 mistakes; at least 3 are asked (in {sidecar})"]
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        f"{sidecar}:29: 'a right answer' passed every check of 'Exercise 2: the mean': no check catches it",
        f"{sidecar}:36: 'no sum' the check at {lab}:36 crashes instead of failing: RuntimeError: "
        "Boolean value of Tensor with more than one value is ambiguous (raise CheckFailed with a message)",
        f"{sidecar}:43: 'a message that does not say' the check at {lab}:36 fails, but its message "
        "does not mention 'divides': CheckFailed: mean of [1, 2, 6]: wrong mean"]
    assert lines[3].startswith(f"{lab}: 3/6 mistakes caught at their exercise's check "
                               "(Exercise 1: 2, Exercise 2: 4); ")


def test_make_robust_reports_each_check_that_fails_on_another_draw():
    result = run("robust.py", "tests/fixtures/99-robust.md", "--offsets", "0-1", "--threads", "1,2")
    lab = "tests/fixtures/99-robust.md"
    assert result.returncode == 1
    assert sorted(result.stdout.splitlines()[:3]) == [
        f"{lab}:17: offset 0, 2 threads: CheckFailed: the draw: too large: 2",
        f"{lab}:17: offset 1, 1 thread: CheckFailed: the draw: too large: 2",
        f"{lab}:17: offset 1, 2 threads: CheckFailed: the draw: too large: 3"]
    assert result.stdout.splitlines()[3].startswith(
        f"{lab}: 4 runs (offsets 0,1 x 1,2 threads), 3 with a failure: offset 0/2 threads, "
        "offset 1/1 threads, offset 1/2 threads; ")
