"""nbval as `make test` runs it: stored outputs compared, sanitized, skips honoured."""
import re
import subprocess
import sys
import textwrap

import nbformat
import pytest

from conftest import ROOT, render

SANITIZE = ROOT / "tests" / "nbval-sanitize.cfg"

LAB = textwrap.dedent('''\
    # Lab 0: nbval

    ```python
    import warnings
    values = [1, 2, 3]
    print("sum", sum(values))
    ```

    ```python
    print(object())          # an address: different on every run
    ```

    ```python
    #!TAG SKIPQUESTEXEC
    def double(x):
        #!TAG HWBEGIN
        return 2 * x
        #!TAG HWEND

    print(double(21))
    ```
    ''')


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nbval")
    template = tmp / "00-nbval.md"
    template.write_text(LAB)
    result = render(template, "--out", tmp / "build")
    assert result.returncode == 0, result.stderr
    return tmp / "build"


def nbval(option, notebook):
    """Run nbval from the notebook's folder, so that test ids start with its name."""
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-v",
                           "--color=no", "--rootdir", str(notebook.parent),
                           "--nbval-sanitize-with", str(SANITIZE), option,
                           notebook.name], capture_output=True, text=True, cwd=notebook.parent)


def test_solution_matches_its_stored_outputs_despite_addresses(built):
    result = nbval("--nbval", built / "solutions" / "00-nbval.ipynb")
    assert result.returncode == 0, result.stdout
    assert "3 passed" in result.stdout


def tampered(notebook_path, tmp_path, change):
    """A copy of a built notebook with `change(notebook)` applied."""
    notebook = nbformat.read(notebook_path, as_version=4)
    change(notebook)
    copy = tmp_path / notebook_path.name
    nbformat.write(notebook, copy)
    return copy


def test_changed_output_fails_and_names_the_cell(built, tmp_path):
    def change_numbers(notebook):                           # the lab's numbers changed
        notebook.cells[1].outputs[0].text = "sum 7\n"
    result = nbval("--nbval", tampered(built / "solutions" / "00-nbval.ipynb", tmp_path, change_numbers))
    assert result.returncode == 1
    assert re.search(r"^FAILED \S*00-nbval\.ipynb::Cell 0 - ", result.stdout, re.MULTILINE)
    assert "Cell 0: Cell outputs differ" in result.stdout
    assert "- sum 6" in result.stdout and "+ sum 7" in result.stdout


def test_question_runs_lax_with_its_skipped_cell_skipped(built):
    result = nbval("--nbval-lax", built / "questions" / "00-nbval.ipynb")
    assert result.returncode == 0, result.stdout
    assert "2 passed, 1 skipped" in result.stdout


def test_question_fails_lax_if_the_skip_tag_is_lost(built, tmp_path):
    def drop_skip_tags(notebook):
        notebook.cells[-1].metadata.pop("tags")
    result = nbval("--nbval-lax", tampered(built / "questions" / "00-nbval.ipynb", tmp_path, drop_skip_tags))
    assert result.returncode == 1
    assert "NotImplementedError" in result.stdout
