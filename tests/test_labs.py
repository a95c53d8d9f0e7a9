"""Every lab in labs/: its question compiles, and nothing of the solution leaks."""
from pathlib import Path

import nbformat
import pytest

from courseware.notebooks.build import build_notebook
from courseware.guards.leaks import check_lab, find_leaks
from conftest import ROOT
from courseware.template.parse import parse_template, read_template
from courseware.template.placeholders import compile_error
from courseware.template.tags import split_template

LABS = sorted((ROOT / "labs").glob("*.md"))
BUILD = ROOT / "build"


def test_the_thirteen_labs_are_there_and_in_the_readme():
    assert [int(lab.name[:2]) for lab in LABS] == list(range(1, 14))
    readme = (ROOT / "README.md").read_text()
    for lab in LABS:
        assert f"`labs/{lab.name}`" in readme, lab.name


@pytest.mark.parametrize("lab", LABS, ids=lambda p: p.stem)
def test_every_coding_exercise_ends_with_a_check(lab):
    """A code cell with a solution block is followed, before the next exercise heading,
    by a cell outside every block that calls a check from utils.checks."""
    from courseware.guards.leaks import calls_a_check
    cells = read_template(lab).cells
    pending = None
    for cell in cells:
        text = "\n".join(cell.lines)
        if cell.cell_type == "markdown" and text.lstrip().startswith("## ") and pending:
            raise AssertionError(f"{lab}:{pending}: no check after this exercise's code")
        if cell.cell_type == "code" and "#!TAG HWBEGIN" in text and "def " in text:
            pending = pending or cell.lineno(0)
        elif cell.cell_type == "code" and "#!TAG HWBEGIN" not in text and calls_a_check(text):
            pending = None
    assert pending is None, f"{lab}:{pending}: no check after this exercise's code"


@pytest.mark.parametrize("lab", LABS, ids=lambda p: p.stem)
def test_every_question_code_cell_compiles(lab):
    question, _ = split_template(read_template(lab))
    for cell in question:
        if cell.cell_type == "code":
            assert compile_error(cell.source) is None, f"{lab}:{cell.first_line}"


@pytest.mark.parametrize("lab", LABS, ids=lambda p: p.stem)
def test_lab_title_is_a_numbered_heading(lab):
    first = read_template(lab).cells[0].lines[0]
    assert first.startswith(f"# Lab {int(lab.name[:2])}: "), first


@pytest.mark.notebooks
@pytest.mark.parametrize("lab", LABS, ids=lambda p: p.stem)
def test_no_solution_leaks_into_the_built_question(lab):
    assert check_lab(lab, BUILD) == []


@pytest.mark.notebooks
@pytest.mark.notebooks
@pytest.mark.parametrize("lab", LABS, ids=lambda p: p.stem)
def test_every_number_in_the_solutions_text_is_printed_by_its_code(lab):
    from courseware.guards.numbers import check_lab_numbers
    assert check_lab_numbers(lab, BUILD) == []


@pytest.mark.parametrize("lab", LABS, ids=lambda p: p.stem)
def test_every_lab_seeds_through_utils_seeding(lab):
    """So that `make robust` can draw again: no seed that LABS_SEED_OFFSET cannot shift."""
    import re
    direct = [f"{lab.name}:{number}: {line.strip()}" for number, line in
              enumerate(lab.read_text(encoding="utf-8").splitlines(), 1)
              if re.search(r"(?<!`)(torch\.manual_seed\(|torch\.Generator\(\)\.manual_seed\(|np\.random\.seed\("
                           r"|default_rng\(|random\.seed\(|random_state\s*=\s*\d)", line)]   # prose may name them
    assert direct == [], "seed through utils.seeding (seeding.manual_seed, seeding.generator)"


@pytest.mark.parametrize("lab", LABS, ids=lambda p: p.stem)
def test_built_solution_ran_every_cell_and_question_skipped_only_tagged_cells(lab):
    solution = nbformat.read(BUILD / "solutions" / f"{lab.stem}.ipynb", as_version=4)
    question = nbformat.read(BUILD / "questions" / f"{lab.stem}.ipynb", as_version=4)
    for cell in solution.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None, cell.source[:60]
            assert not any(o.output_type == "error" for o in cell.outputs)
    for cell in question.cells:
        if cell.cell_type == "code":
            skipped = "skip-execution" in cell.metadata.get("tags", [])
            assert (cell.execution_count is None) == skipped, cell.source[:60]


# ---- the guard itself can fire --------------------------------------------------------

TEMPLATE = '''# Lab 0: leaks

```python
x = 2
print("shared", x)
```

```python
#!TAG SKIPQUESTEXEC
#!TAG HWBEGIN
#!MSG TODO square x
answer = x ** 2
#!TAG HWEND
```

```python
#!TAG HWBEGIN
print("the answer is", 4)
#!TAG HWEND
```

#!TAG HWBEGIN
### Solution
Squaring gives four.
#!TAG HWEND
'''


def tiny_lab():
    question_cells, solution_cells = split_template(parse_template("lab.md", TEMPLATE))
    question = build_notebook(question_cells, {})
    solution = build_notebook(solution_cells, {})
    stream = lambda text: nbformat.v4.new_output("stream", name="stdout", text=text)
    solution.cells[1].outputs = [stream("shared 2\n")]
    solution.cells[3].outputs = [stream("the answer is 4\n")]
    question.cells[1].outputs = [stream("shared 2\n")]
    return question, solution


def test_clean_question_has_no_leak():
    question, solution = tiny_lab()
    assert find_leaks(TEMPLATE, question, "# Lab 0: leaks\n", solution) == []


def test_planted_solution_line_in_a_cell_is_found():
    question, solution = tiny_lab()
    question.cells[2].source += "\nanswer = x ** 2"
    assert find_leaks(TEMPLATE, question, "", solution) == [
        "cell 2 source: solution line 'answer = x ** 2'"]


def test_planted_solution_output_is_found():
    question, solution = tiny_lab()
    question.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                        text="the answer is 4\n")]
    assert find_leaks(TEMPLATE, question, "", solution) == [
        "cell 2 outputs: solution output 'the answer is 4'"]


def test_planted_leak_in_metadata_and_markdown_twin_is_found():
    question, solution = tiny_lab()
    question.metadata["notes"] = "Squaring gives four."
    leaks = find_leaks(TEMPLATE, question, "text\nSquaring gives four.\n", solution)
    assert "markdown twin: solution line 'Squaring gives four.'" in leaks
    assert "metadata: solution line 'Squaring gives four.'" in leaks
