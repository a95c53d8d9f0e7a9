"""The numbers guard: every number a solution's prose quotes from a run is printed."""
import textwrap

import nbformat
import pytest

from courseware.guards.numbers import check_numbers, quoted_numbers
from courseware.notebooks.build import build_notebook
from courseware.template.parse import parse_template
from courseware.template.tags import split_template

TEMPLATE = textwrap.dedent('''\
    # Lab

    Train for 300 steps with a rate of 0.05.

    ```python
    loss = 0.4567
    print(f"final loss {loss:.4f}, accuracy 0.9823, 85002 parameters")
    ```

    #!TAG HWBEGIN
    The loss ends at 0.457 (about 0.46), the accuracy at 98.2%, with 85,002 parameters.
    ANSWER
    After 300 steps at rate 0.05 the loss is $0.5 \\cdot 0.9 = 0.45$ in theory.
    #!TAG HWEND
    ''')


def solution_of(template_text):
    cells = split_template(parse_template("lab.md", template_text))[1]
    notebook = build_notebook(cells, {})
    for cell in notebook.cells:     # what running it would print
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                   text="final loss 0.4567, accuracy 0.9823, 85002 parameters\n")]
    return notebook


def check(answer):
    text = TEMPLATE.replace("ANSWER", answer)
    return check_numbers("lab.md", text, solution_of(text))


def test_numbers_the_outputs_print_pass_at_their_precision():
    assert check("") == []


def test_a_changed_digit_and_a_number_no_output_has_are_named_at_their_lines():
    assert check("It ends at 0.458, and the test loss at 0.731.") == [
        'lab.md:12: "0.458" matches no output of the solution (nearest: 0.4567, cell 1)',
        'lab.md:12: "0.731" matches no output of the solution (nearest: 0.9823, cell 1)']


@pytest.mark.parametrize("answer", [
    "The run took 12 steps.",                          # one or two significant digits
    "See question 3.2 and equation 4.5.",              # names
    "As Hornik showed (Baldi and Hornik, 1989).",      # a year
    "A derivation: $\\sqrt{2} \\approx 1.414$.",        # math
    "The call `torch.randn(3, 0.731)` shows it.",      # code
    "Half of them, 0.5. <!-- not printed: 0.5 (a fraction the text defines) -->",
    "Over 300 steps, at 0.05.",                        # stated outside the blocks
])
def test_exempt_numbers(answer):
    assert check(answer) == []


@pytest.mark.parametrize("answer, flagged", [
    ("A percentage: 97.0%.", ["97.0%"]),
    ("A range: 36 to 86 degrees.", ["36", "86"]),
    ("Scientific: 7.42e+08.", ["7.42e+08"]),
    ("Thousands: 12,345 images.", ["12,345"]),
    ("Three digits: 1797 images.", ["1797"]),
])
def test_what_counts_as_a_number_from_a_run(answer, flagged):
    assert [f'"{text}"' for text in flagged] == [p.split(" ")[1] for p in check(answer)]


def test_percentages_match_fractions_and_scientific_numbers_their_digits():
    [percent] = quoted_numbers(1, "accuracy 98.2%")
    assert percent.percent and percent.value == 98.2 and percent.tolerance == pytest.approx(0.05)
    [scientific] = quoted_numbers(1, "about 7.42e+08")
    assert scientific.value == pytest.approx(7.42e8) and scientific.tolerance == pytest.approx(5e5)
    assert check("Accuracy 98.23%, i.e. 0.98.") == []
