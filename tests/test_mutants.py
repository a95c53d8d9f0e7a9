"""The mutation tester: which mutants it makes, and how it scores and reports them."""
import subprocess
import sys

import pytest

from conftest import ROOT
from courseware.guards.mutants import Mutant, Outcome, apply_mutant, generate_mutants, score_lines

TINY = '''# Lab 0: tiny

```python
from utils.checks import check_close
x = 3.0
```

#!TAG HWBEGIN
### Solution
Prose 2 + 2 is never mutated.
#!TAG HWEND

```python
#!TAG SKIPQUESTEXEC
def double(v):
    #!TAG HWBEGIN
    #!MSG TODO return 2 * v
    # a comment 1 + 1
    return v * 2  # trailing 1
    #!TAG HWEND


def label(v):
    #!TAG HWBEGIN
    return "big" if v > 10 else "small"
    #!TAG HWEND
```

```python
#!TAG SKIPQUESTEXEC
check_close("double(x)", double(x), x + x)
```
'''

DOUBLE = "    return v * 2  # trailing 1"
LABEL = '    return "big" if v > 10 else "small"'


def test_every_mutant_of_the_solution_code_lines_and_nothing_else():
    # Not the prose, the tag and MSG lines, the comment, the string, the code outside.
    assert generate_mutants(TINY, per_line=5) == [
        Mutant(19, DOUBLE, "    return v / 2  # trailing 1", "'*' -> '/'"),
        Mutant(19, DOUBLE, "    return v * 3  # trailing 1", "2 -> 3"),
        Mutant(25, LABEL, '    return "big" if v >= 10 else "small"', "'>' -> '>='"),
        Mutant(25, LABEL, '    return "big" if v > 11 else "small"', "10 -> 11"),
    ]


def test_one_mutant_per_line_by_default_sampled_the_same_way_every_time():
    chosen = generate_mutants(TINY)
    assert [m.line for m in chosen] == [19, 25]
    assert chosen == generate_mutants(TINY)
    assert set(chosen) <= set(generate_mutants(TINY, per_line=5))
    # A line keeps its mutant when the lines above it move.
    moved = generate_mutants(TINY.replace("# Lab 0: tiny\n", "# Lab 0: tiny\n\nMore text.\n"))
    assert [(m.line - 2, m.mutated) for m in moved] == [(m.line, m.mutated) for m in chosen]
    assert len(generate_mutants(TINY, per_line=5, limit=3)) == 3


def block(code: str) -> str:
    return "# Lab 0: ops\n\n```python\n#!TAG HWBEGIN\n" + code + "\n#!TAG HWEND\n```\n"


def mutated(code: str) -> list[tuple[str, str]]:
    return [(m.mutated, m.description) for m in generate_mutants(block(code), per_line=99)]


def test_operators_constants_and_keywords():
    assert mutated("y = a ** 2.5 // b - c") == [
        ("y = a * 2.5 // b - c", "'**' -> '*'"),
        ("y = a ** 5.0 // b - c", "2.5 -> 5.0"),
        ("y = a ** 1.25 // b - c", "2.5 -> 1.25"),
        ("y = a ** 2.5 / b - c", "'//' -> '/'"),
        ("y = a ** 2.5 // b + c", "'-' -> '+'"),
    ]
    assert mutated("ok = a <= 0 and b != 1 or True") == [
        ("ok = a < 0 and b != 1 or True", "'<=' -> '<'"),
        ("ok = a <= 1 and b != 1 or True", "0 -> 1"),
        ("ok = a <= 0 or b != 1 or True", "and -> or"),
        ("ok = a <= 0 and b == 1 or True", "'!=' -> '=='"),
        ("ok = a <= 0 and b != 0 or True", "1 -> 0"),
        ("ok = a <= 0 and b != 2 or True", "1 -> 2"),
        ("ok = a <= 0 and b != 1 and True", "or -> and"),
        ("ok = a <= 0 and b != 1 or False", "True -> False"),
    ]
    assert mutated("total += 7") == [("total -= 7", "'+=' -> '-='"), ("total += 8", "7 -> 8")]


def test_similar_functions_only_where_a_swap_can_run():
    assert mutated("s = x.T.sum() + sum(v) + max(a, b)") == [
        ("s = x.sum() + sum(v) + max(a, b)", ".T dropped"),
        ("s = x.T.mean() + sum(v) + max(a, b)", "sum -> mean"),
        ("s = x.T.sum() - sum(v) + max(a, b)", "'+' -> '-'"),
        ("s = x.T.sum() + sum(v) - max(a, b)", "'+' -> '-'"),
        ("s = x.T.sum() + sum(v) + min(a, b)", "max -> min"),
    ]
    assert mutated("p = torch.sigmoid(z)") == [("p = torch.tanh(z)", "sigmoid -> tanh")]


def test_unpacking_stars_and_mutants_that_do_not_compile_are_left_out():
    assert mutated("f(*args, **kwargs)\n*head, tail = [x] * 2") == [
        ("*head, tail = [x] / 2", "'*' -> '/'"), ("*head, tail = [x] * 3", "2 -> 3")]
    # 'except*' fools the operator test; the compile test drops '/' there.
    assert mutated("try:\n    pass\nexcept* ValueError:\n    pass") == []


def test_apply_mutant_changes_that_one_line():
    mutant = generate_mutants(TINY)[0]
    text = apply_mutant(TINY, mutant)
    assert text.split("\n")[18] == mutant.mutated
    assert [a for a, b in zip(text.split("\n"), TINY.split("\n")) if a != b] == [mutant.mutated]
    with pytest.raises(ValueError):
        apply_mutant(text, mutant)


def test_report_lists_survivors_with_their_line_and_scores_the_lab():
    kill = Outcome(True, "check", "lab.md:30: CheckFailed: double(x): wrong", 1.0)
    errored = Outcome(True, "error", "lab.md:30: NameError: name 'y' is not defined", 1.0)
    survive = Outcome(False, "", "", 1.0)
    a, b, c = generate_mutants(TINY, per_line=5)[:3]
    lines, score = score_lines("lab.md", [(c, survive), (a, kill), (b, errored)])
    assert lines == [
        'lab.md:25: return "big" if v > 10 else "small" -> '
        'return "big" if v >= 10 else "small"   [survived: \'>\' -> \'>=\']',
        "lab.md: score 2/3 (67%) killed (1 by a check, 1 by another error)"]
    assert score == pytest.approx(2 / 3)
    lines, _ = score_lines("lab.md", [(a, kill)], verbose=True)
    assert lines[0] == ("lab.md:19: return v * 2 -> return v / 2   [killed by check: "
                        "lab.md:30: CheckFailed: double(x): wrong]")
    assert score_lines("lab.md", []) == (["lab.md: score 0/0 (100%) killed; no mutants"], 1.0)


def test_real_run_kills_the_checked_mutant_and_reports_the_unchecked_one(tmp_path):
    # Four small kernels (two labs' unmutated solutions, two mutants), no torch: seconds.
    light = TINY.replace("from utils.checks import check_close",
                         "class CheckFailed(AssertionError):\n    pass")
    light = light.replace('check_close("double(x)", double(x), x + x)',
                          'if double(x) != x + x:\n    raise CheckFailed("double(x) is wrong")')
    lab = tmp_path / "00-tiny.md"
    lab.write_text(light.replace("def label", "def label_unused"))
    broken = tmp_path / "00-broken.md"
    broken.write_text(light.replace("!= x + x", "!= x + 1"))
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "mutants.py"), str(lab),
                          str(broken), "--jobs", "2"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"{lab}:26: return \"big\" if v > 10 else \"small\" -> " in run.stdout
    assert f"{lab}: score 1/2 (50%) killed (1 by a check)" in run.stdout
    assert f"{broken}: the unmutated lab does not build, no score" in run.stderr
    assert "CheckFailed: double(x) is wrong" in run.stderr
