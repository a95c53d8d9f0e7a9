"""The leak guard's rules for check cells: no solution line, no secret number, no
solution output. Each rule fires on a planted example and stays quiet on a clean lab."""
import nbformat

from courseware.notebooks.build import build_notebook
from courseware.guards.leaks import calls_a_check, check_lab, find_check_leaks, numbers
from courseware.template.parse import parse_template
from courseware.template.tags import split_template

TEMPLATE = '''# Lab 0: checks

## Exercise 1: count

```python
from utils.checks import check_that
learning_rate = 0.1
```

```python
#!TAG SKIPQUESTEXEC
#!TAG HWBEGIN
#!MSG TODO count the steps
steps = int(3 * 15.0)
total = torch.tensor([1.5, 2.5]).sum() * learning_rate + steps
#!TAG HWEND
print("steps taken:", steps)
```

```python
#!TAG SKIPQUESTEXEC
check_that(steps > 10 and learning_rate == 0.1, "steps", "too few")  # 1e-6 is fine
```

## Exercise 2: again

```python
#!TAG SKIPQUESTEXEC
check_that(steps < 15 * 100, "steps", "too many")
```
'''
CHECK_1 = 'check_that(steps > 10 and learning_rate == 0.1, "steps", "too few")  # 1e-6 is fine'


def test_a_clean_lab_has_no_check_leak():
    assert find_check_leaks("lab.md", TEMPLATE) == []


def test_rule_1a_a_solution_line_in_a_check_cell():
    text = TEMPLATE.replace(CHECK_1, CHECK_1 + "\ntotal = torch.tensor([1.5, 2.5]).sum() * learning_rate + steps")
    assert find_check_leaks("lab.md", text) == [
        "lab.md:23: the check cell contains the solution line "
        "'total = torch.tensor([1.5, 2.5]).sum() * learning_rate + steps' (line 15)"]


def test_rule_1b_a_number_only_the_solution_of_the_exercise_has():
    text = TEMPLATE.replace(CHECK_1, 'check_that(steps == 3 * 15, "steps", "not 1.50 as expected")')
    assert find_check_leaks("lab.md", text) == [
        "lab.md:22: the check cell contains 15, a number only the solution of this exercise "
        "has (line 14)",
        "lab.md:22: the check cell contains 1.50, a number only the solution of this exercise "
        "has (line 15)"]
    # 15 in exercise 2's check is not flagged: it is exercise 1's secret. Once a
    # non-check line outside the blocks states it, it is not a secret of exercise 1 either.
    public = text.replace("learning_rate = 0.1", "learning_rate = 0.1\nmax_steps = 15")
    assert find_check_leaks("lab.md", public) == [
        "lab.md:23: the check cell contains 1.50, a number only the solution of this exercise "
        "has (line 16)"]


def test_numbers_by_value_small_integers_and_names_aside():
    assert numbers("x1 = f(3, 45.0, 1e-3, '0.0010', 2.5.) # ab12 12cd") == {
        45.0: "45.0", 0.001: "1e-3", 2.5: "2.5"}


def test_what_counts_as_a_check_cell():
    assert calls_a_check("check_close('x', x, y)")
    assert calls_a_check("expect_failure (check_shape, 'x', x, (2,))")
    assert not calls_a_check("print('check_close(x)')  # check_that(x)")


def built(text: str):
    question_cells, solution_cells = split_template(parse_template("lab.md", text))
    question = build_notebook(question_cells, {})
    solution = build_notebook(solution_cells, {})
    stream = lambda text: nbformat.v4.new_output("stream", name="stdout", text=text)
    solution.cells[2].outputs = [stream("steps taken: 45\n")]     # the exercise cell
    solution.cells[3].outputs = [stream("check passed: steps\n")]
    return question, solution, stream


def test_rule_2_a_check_cell_that_prints_a_solution_output(tmp_path):
    question, solution, stream = built(TEMPLATE)
    assert find_check_leaks("lab.md", TEMPLATE, solution, question) == []
    solution.cells[3].outputs.append(stream("steps taken: 45\n"))
    assert find_check_leaks("lab.md", TEMPLATE, solution, question) == [
        "lab.md:21: the check cell prints 'steps taken: 45', an output only the solution prints"]
    # The same through check_lab, on files as `make` writes them.
    lab = tmp_path / "00-lab.md"
    lab.write_text(TEMPLATE)
    for version, notebook in (("questions", question), ("solutions", solution)):
        (tmp_path / version).mkdir()
        nbformat.write(notebook, tmp_path / version / "00-lab.ipynb")
    (tmp_path / "questions" / "00-lab.md").write_text("# Lab 0: checks\n")
    assert check_lab(lab, tmp_path) == [
        f"{lab}:21: the check cell prints 'steps taken: 45', an output only the solution prints"]


def test_rule_2_spares_what_a_shared_cell_prints_too():
    question, solution, stream = built(TEMPLATE)
    solution.cells[3].outputs.append(stream("steps taken: 45\n"))
    solution.cells[1].outputs = [stream("steps taken: 45\n")]      # the imports cell
    assert find_check_leaks("lab.md", TEMPLATE, solution, question) == []


# ---- numbers of the solution in what the question shows ----------------------------------

NUMBER_TEMPLATE = '''# Lab 0: counting parameters

How many parameters has `MLP([64, 256, 10])`? TEXT

```python
sizes = [64, 256, 10]
print(OUTPUT)
```

#!TAG HWBEGIN
$64 \\cdot 256 + 256 + 256 \\cdot 10 + 10 = 19210$: there are 19,210 parameters, and the
loss ends at 0.4567. COMMENT
#!TAG HWEND
'''


def number_leaks(text="", output='"ready"', comment=""):
    template = NUMBER_TEMPLATE.replace("TEXT", text).replace("OUTPUT", output).replace("COMMENT", comment)
    question = build_notebook(split_template(parse_template("lab.md", template))[0], {})
    for cell in question.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{eval(output)}\n")]
    from courseware.guards.leaks import find_number_leaks
    return find_number_leaks("lab.md", template, question)


def test_a_number_of_the_solution_in_the_question_text_or_outputs_is_a_leak():
    assert number_leaks() == []
    assert number_leaks(text="(19,210 parameters)") == [
        'lab.md:11: question cell 0 says 19210, which gives away "19210", a number of the solution']
    assert number_leaks(output='"final loss", 0.45671') == [
        'lab.md:12: question cell 1 prints 0.45671, which gives away "0.4567", a number of the solution']


def test_sizes_round_numbers_and_numbers_shown_on_purpose_are_not_leaks():
    assert number_leaks(text="Use $19210$ as a hint.") == []            # math the exercise gives
    assert number_leaks(text="(about 1,000 of them)") == []             # one significant digit
    assert number_leaks(output='"final loss", 0.4567',
                        comment="<!-- shown to students: 0.4567 (the question runs it) -->") == []
