"""The render command end to end: files written, execution, errors, atomic writes."""
import json
import textwrap
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, render
from placeholders import compile_error

GOOD = textwrap.dedent('''\
    # Lab 99: a tiny lab

    ```python
    values = [1, 2, 3]
    print("sum", sum(values))
    ```

    ```python
    #!TAG SKIPQUESTEXEC
    def double(x):
        #!TAG HWBEGIN
        #!MSG TODO return twice x
        return 2 * x
        #!TAG HWEND

    print("double", double(21))
    ```

    #!TAG HWBEGIN
    The answer is 42.
    #!TAG HWEND
    ''')


def outputs(out: Path, stem: str) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes()
            for p in sorted(out.rglob(f"{stem}.*"))}


@pytest.fixture
def lab(tmp_path) -> Path:
    path = tmp_path / "elsewhere" / "99-tiny.md"     # a template outside labs/
    path.parent.mkdir()
    path.write_text(GOOD)
    return path


def test_no_execute_writes_four_files_without_outputs(lab, tmp_path):
    out = tmp_path / "out"
    result = render(lab, "--out", out, "--no-execute")
    assert result.returncode == 0, result.stderr
    assert sorted(outputs(out, "99-tiny")) == [".stamps/99-tiny.json",
                                             "questions/99-tiny.ipynb", "questions/99-tiny.md",
                                             "solutions/99-tiny.ipynb", "solutions/99-tiny.md"]
    question = nbformat.read(out / "questions" / "99-tiny.ipynb", as_version=4)
    assert all(not cell.get("outputs") for cell in question.cells)
    assert "return 2 * x" not in (out / "questions" / "99-tiny.md").read_text()
    assert "# TODO return twice x" in (out / "questions" / "99-tiny.md").read_text()
    assert "The answer is 42." in (out / "solutions" / "99-tiny.md").read_text()


def test_execution_runs_solution_fully_and_skips_tagged_question_cells(lab, tmp_path):
    out = tmp_path / "out"
    result = render(lab, "--out", out)
    assert result.returncode == 0, result.stderr
    solution = nbformat.read(out / "solutions" / "99-tiny.ipynb", as_version=4)
    question = nbformat.read(out / "questions" / "99-tiny.ipynb", as_version=4)
    texts = lambda nb: ["".join(o.get("text", "") for o in c.get("outputs", [])) for c in nb.cells]
    assert texts(solution) == ["", "sum 6\n", "double 42\n", ""]
    assert texts(question) == ["", "sum 6\n", ""]      # the skipped cell never ran
    assert question.cells[2].metadata.tags == ["skip-execution", "nbval-skip"]
    assert question.cells[2].execution_count is None


def test_failing_cell_names_template_line_notebook_and_error(tmp_path):
    path = tmp_path / "98-broken.md"
    path.write_text("# Broken\n\n```python\nx = 1\n```\n\nText.\n\n```python\n1 / 0\n```\n")
    out = tmp_path / "out"
    result = render(path, "--out", out)
    assert result.returncode == 1
    assert (f"{path}:10: solution notebook {out}/solutions/98-broken.ipynb, cell 3 failed: "
            "ZeroDivisionError: division by zero") in result.stderr
    assert "failed: " in result.stdout and "98-broken.md" in result.stdout
    assert not (out / "solutions" / "98-broken.ipynb").exists()


def test_failed_render_leaves_earlier_outputs_byte_identical(lab, tmp_path):
    out = tmp_path / "out"
    assert render(lab, "--out", out, "--no-execute").returncode == 0
    before = outputs(out, "99-tiny")
    lab.write_text(GOOD.replace("#!TAG HWEND\n\nprint", "\nprint"))   # unclosed block
    result = render(lab, "--out", out, "--no-execute")
    assert result.returncode == 1
    assert result.stderr == f"{lab}:18: HWBEGIN inside the block opened at line 11; blocks do not nest\n"
    assert outputs(out, "99-tiny") == before
    assert not list(out.rglob("*.tmp"))


def test_one_failing_template_does_not_stop_the_others(lab, tmp_path):
    bad = tmp_path / "97-bad.md"
    bad.write_text("Text\n#!TAG HWBEGN\n")
    out = tmp_path / "out"
    result = render(bad, lab, "--out", out, "--no-execute", "--jobs", "2")
    assert result.returncode == 1
    assert f"{bad}:2: unknown tag '#!TAG HWBEGN'; did you mean '#!TAG HWBEGIN'?" in result.stderr
    assert (out / "solutions" / "99-tiny.ipynb").exists()
    assert result.stdout.rstrip().endswith(f"2 labs: 1 built, 0 up to date, 1 failed\n  failed: {bad}")


def test_second_run_does_nothing_and_an_edit_rebuilds(lab, tmp_path):
    out = tmp_path / "out"
    assert render(lab, "--out", out, "--no-execute").returncode == 0
    again = render(lab, "--out", out, "--no-execute")
    assert "(up to date)" in again.stdout and "0 built" in again.stdout
    executed = render(lab, "--out", out)          # executing is a different build
    assert "1 built" in executed.stdout
    lab.write_text(GOOD.replace("The answer is 42.", "The answer is 6 * 7."))
    assert "1 built" in render(lab, "--out", out).stdout
    stamp = json.loads((out / ".stamps" / "99-tiny.json").read_text())
    assert stamp["template"] == str(lab)


def test_missing_template_is_an_error(tmp_path):
    result = render(tmp_path / "nope.md", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert f"{tmp_path}/nope.md:1: no such template" in result.stderr


def test_a_lab_depends_on_the_utils_modules_it_imports_and_theirs():
    from render import UTILS, utils_dependencies
    deps = utils_dependencies("from utils.plotting import plot_loss_curve\nimport torch\n")
    assert deps == [UTILS / "__init__.py", UTILS / "plotting.py"]
    assert UTILS / "data.py" in utils_dependencies("from utils.data import five_points")
    assert utils_dependencies("import torch") == []


RANDOM = textwrap.dedent('''\
    # Lab 96: random

    ```python
    import matplotlib.pyplot as plt
    import torch
    from matplotlib_inline.backend_inline import set_matplotlib_formats
    set_matplotlib_formats("png", "pdf")
    torch.manual_seed(0)
    values = torch.randn(20)
    print(values)
    plt.plot(values)
    plt.title("seeded noise")
    plt.show()
    ```
    ''')


def test_two_clean_builds_are_byte_identical(tmp_path):
    template = tmp_path / "96-random.md"
    template.write_text(RANDOM)
    for out in ("a", "b"):
        assert render(template, "--out", tmp_path / out).returncode == 0
    first, second = outputs(tmp_path / "a", "96-random"), outputs(tmp_path / "b", "96-random")
    assert first == second
    solution = nbformat.read(tmp_path / "a" / "solutions" / "96-random.ipynb", as_version=4)
    kinds = {key for output in solution.cells[1].outputs for key in output.get("data", {})}
    assert {"image/png", "application/pdf"} <= kinds       # the figure is in both forms


SEED = ROOT.parent / "shared" / "seeds" / "004_4da08060d20b3abe.txt"


@pytest.mark.skipif(not SEED.exists(), reason="the seed documents are not beside this clone")
def test_seed_template_renders_into_well_formed_notebooks(tmp_path):
    """The lab-3 seed crosses a region boundary with a solution block, puts HWBEGIN at
    column 0 inside a function, and wraps blocks in brackets."""
    result = render(SEED, "--out", tmp_path, "--no-execute")
    assert result.returncode == 0, result.stderr
    question = nbformat.read(tmp_path / "questions" / f"{SEED.stem}.ipynb", as_version=4)
    sources = [cell.source for cell in question.cells]
    assert any(source.startswith("## Exercise 2\n") for source in sources)
    text = "\n".join(sources) + (tmp_path / "questions" / f"{SEED.stem}.md").read_text()
    for solution_line in ("2*x[0] - x[1] - 12", "### Solution", "return 1 / (1 + torch.exp(-x))",
                          "x_cp.data -= self.alpha * x_cp.grad", "#!TAG", "#!MSG"):
        assert solution_line not in text, solution_line
    for cell in question.cells:
        if cell.cell_type == "code":
            assert compile_error(cell.source) is None, cell.source


def test_a_corrupt_or_foreign_stamp_means_build_again(tmp_path):
    from stamps import stamp_bytes, stamp_is_current
    output, stamp = tmp_path / "lab.ipynb", tmp_path / "lab.json"
    output.write_text("{}")
    stamp.write_bytes(stamp_bytes("lab.md", "abc"))
    assert stamp_is_current(stamp, "abc", [output])
    assert not stamp_is_current(stamp, "other", [output])
    assert not stamp_is_current(stamp, "abc", [output, tmp_path / "missing.md"])
    for corrupt in ("{not json", "[]", '{"template": "lab.md"}'):
        stamp.write_text(corrupt)
        assert not stamp_is_current(stamp, "abc", [output])
