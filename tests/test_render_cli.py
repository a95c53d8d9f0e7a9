"""The render command end to end: files written, execution, errors, atomic writes."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, render
from courseware.template.placeholders import compile_error

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


def notebooks(out: Path, stem: str) -> dict[str, bytes]:
    """The four notebook files (the stamp also records how long execution took)."""
    return {name: data for name, data in outputs(out, stem).items() if not name.startswith(".stamps")}


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
    from courseware.notebooks.inputs import UTILS, utils_dependencies
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
    first, second = notebooks(tmp_path / "a", "96-random"), notebooks(tmp_path / "b", "96-random")
    assert len(first) == 4 and first == second
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
    from courseware.notebooks.stamps import stamp_bytes, stamp_is_current
    output, stamp = tmp_path / "lab.ipynb", tmp_path / "lab.json"
    output.write_text("{}")
    stamp.write_bytes(stamp_bytes("lab.md", "abc"))
    assert stamp_is_current(stamp, "abc", [output])
    assert not stamp_is_current(stamp, "other", [output])
    assert not stamp_is_current(stamp, "abc", [output, tmp_path / "missing.md"])
    for corrupt in ("{not json", "[]", '{"template": "lab.md"}'):
        stamp.write_text(corrupt)
        assert not stamp_is_current(stamp, "abc", [output])


# ---- bad arguments: PATH: message, non-zero, no traceback ---------------------------

def test_out_that_is_a_file_is_refused(lab, tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("not a folder")
    result = render(lab, "--out", out)
    assert result.returncode == 2
    assert result.stderr == f"{out}: cannot be the build folder: it is a file\n"
    inside = render(lab, "--out", out / "build")
    assert inside.stderr == f"{out / 'build'}: cannot be the build folder: it is inside {out}, which is a file\n"
    assert out.read_text() == "not a folder"


@pytest.fixture
def read_only_folder(tmp_path) -> Path:
    """A folder nobody may write in: /sys for root (whom chmod does not stop)."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir(mode=0o555)
        return folder
    if os.path.isdir("/sys") and not os.access("/sys", os.W_OK) or _cannot_write("/sys"):
        return Path("/sys")
    pytest.skip("no read-only folder to try on this machine")


def _cannot_write(folder) -> bool:
    try:
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        return True
    return False


def test_out_that_cannot_be_written_is_refused(lab, read_only_folder):
    result = render(lab, "--out", read_only_folder)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{read_only_folder}: cannot write in the build folder: ")
    below = render(lab, "--out", read_only_folder / "build")
    assert below.stderr.startswith(f"{read_only_folder / 'build'}: cannot write in the build "
                                   f"folder ({read_only_folder}): ")
    assert "Traceback" not in result.stderr + below.stderr


def test_template_that_is_a_folder_is_refused(tmp_path):
    result = render(tmp_path, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr == f"{tmp_path}: is a folder; a template is a file, such as labs/01-topic.md\n"


HEADER_ONLY = "---\njupyter:\n  kernelspec:\n    display_name: Python 3\n    name: python3\n---\n\n"


@pytest.mark.parametrize("text, what", [("", "is empty"), ("\n  \n", "is empty"),
                                        (HEADER_ONLY, "has no cell, only a header")])
def test_empty_template_is_refused(tmp_path, text, what):
    path = tmp_path / "94-empty.md"
    path.write_text(text)
    result = render(path, "--out", tmp_path / "out", "--no-execute")
    assert result.returncode == 1
    assert result.stderr == (f"{path}:1: the template {what}: no text and no code "
                             "(an empty lab is almost always a mistake)\n")
    assert not (tmp_path / "out" / "solutions" / "94-empty.ipynb").exists()


def test_cell_timeout_must_be_a_positive_number(lab, tmp_path):
    result = render(lab, "--out", tmp_path, "--cell-timeout", "0")
    assert result.returncode == 2
    assert "--cell-timeout: '0' is not a whole, positive number of seconds" in result.stderr
    assert "Traceback" not in result.stderr


# ---- cells that hang or fail ----------------------------------------------------------

SLEEPY = textwrap.dedent('''\
    # Lab 93: a cell that never ends

    ```python
    x = 1
    ```

    ```python
    #!TAG SKIPQUESTEXEC
    import time
    time.sleep(600)
    ```
    ''')


def test_a_cell_that_runs_too_long_is_stopped_and_reported(tmp_path):
    path = tmp_path / "93-sleepy.md"
    path.write_text(SLEEPY)
    out = tmp_path / "out"
    start = time.monotonic()
    result = render(path, "--out", out, "--cell-timeout", "3")
    assert time.monotonic() - start < 300                 # not nbclient's 600 s
    assert result.returncode == 1
    assert result.stderr == (f"{path}:8: solution notebook {out}/solutions/93-sleepy.ipynb, "
                             "cell 2 did not finish within 3 s\n")
    assert not (out / "solutions" / "93-sleepy.ipynb").exists()


DEEP = textwrap.dedent('''\
    # Lab 92: an error inside a function

    ```python
    def halve(x):
        half = 1 / x
        return half
    ```

    Text.

    ```python
    a = 1
    b = 2
    c = halve(0) + a
    print(c)
    ```
    ''')


def test_failing_cell_is_reported_at_the_failing_statement_with_the_user_frames(tmp_path):
    path = tmp_path / "92-deep.md"
    path.write_text(DEEP)
    out = tmp_path / "out"
    result = render(path, "--out", out, "--jobs", "1")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (f"{path}:14: solution notebook {out}/solutions/92-deep.ipynb, cell 3 failed: "
                        "ZeroDivisionError: division by zero")
    assert lines[1:] == [f"  {path}:14: c = halve(0) + a", f"  {path}:5, in halve: half = 1 / x"]


def test_traceback_frames_are_read_from_ipython_text():
    from courseware.notebooks.cell_errors import frames
    traceback = [   # as IPython 9 sends them, colours included
        "\x1b[31m-----\x1b[39m", "\x1b[31mZeroDivisionError\x1b[39m   Traceback (most recent call last)",
        "\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[2]\x1b[39m\x1b[32m, line 3\x1b[39m\n\x1b[32m      1\x1b[39m y = "
        "\x1b[32m2\x1b[39m\n\x1b[32m----> \x1b[39m\x1b[32m3\x1b[39m f(\x1b[32m0\x1b[39m)\n",
        "\x1b[36mFile \x1b[39m\x1b[32m/x/utils/checks.py:42\x1b[39m, in \x1b[36mcheck\x1b[39m\x1b[34m(a)\x1b[39m\n"
        "\x1b[32m---> \x1b[39m\x1b[32m42\x1b[39m     \x1b[38;5;28;01mraise\x1b[39;00m ValueError(a)\n",
        "\x1b[31mValueError\x1b[39m: 0"]
    assert [(f["count"], f["line"], f["file"], f["file_line"], f["function"], f["code"])
            for f in frames(traceback)] == [("2", "3", None, None, None, "f(0)"),
                                            (None, None, "/x/utils/checks.py", "42", "check", "raise ValueError(a)")]
    syntax = ["  \x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[3]\x1b[39m\x1b[32m, line 1\x1b[39m\n"
              "\x1b[31m    \x1b[39m\x1b[31mx = = 1\x1b[39m\n        ^\n\x1b[31mSyntaxError\x1b[39m: invalid syntax\n"]
    assert [(f["count"], f["line"], f["code"]) for f in frames(syntax)] == [("3", "1", "x = = 1")]


# ---- Ctrl-C and SIGTERM during a parallel build -------------------------------------

SLOW = textwrap.dedent('''\
    # Lab 95: slow when asked

    ```python
    import os
    import time
    with open({pids!r}, "a") as file:
        file.write(f"{{os.getpid()}}\\n")
    if os.environ.get("LAB_SLEEP"):
        time.sleep(300)
    print("awake")
    ```
    ''')


def kernels_of(pid: int) -> list[int]:
    """Live processes started by process ``pid`` as kernels (jupyter_client sets
    JPY_PARENT_PID in a kernel's environment)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if f"JPY_PARENT_PID={pid}".encode() in environ and state != "Z":
            found.append(int(proc.name))
    return found


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_build_stops_everything_and_a_later_build_finishes_it(lab, tmp_path, signum, status):
    pids, runtime, out = tmp_path / "kernel-pids", tmp_path / "runtime", tmp_path / "out"
    slow = tmp_path / "95-slow.md"
    slow.write_text(SLOW.format(pids=str(pids)))
    env = {**os.environ, "LAB_SLEEP": "1", "JUPYTER_RUNTIME_DIR": str(runtime)}
    build = subprocess.Popen([sys.executable, ROOT / "scripts" / "render.py", lab, slow, "--out", out,
                              "--jobs", "2", "--cell-timeout", "600"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 240
        # both notebooks of the slow lab asleep: the tiny lab (first in line) has ended
        while not (pids.exists() and len(pids.read_text().split()) == 2):
            assert build.poll() is None and time.monotonic() < deadline, build.communicate()
            time.sleep(0.2)
        kernels = [int(pid) for pid in pids.read_text().split()]
        assert all(alive(pid) for pid in kernels) and sorted(kernels_of(build.pid)) == sorted(kernels)
        build.send_signal(signum)
        stdout, stderr = build.communicate(timeout=60)
    finally:
        build.kill()
    assert build.returncode == status
    assert stderr == "interrupted: 1 lab built, 1 not finished (nothing written for them)\n"
    assert f"[done]   {lab} in " in stdout
    assert not any(alive(pid) for pid in kernels) and kernels_of(build.pid) == []
    assert [p.name for p in out.rglob("*") if p.is_file() and p.stem == "95-slow"] == []
    assert not list(out.rglob("*.tmp")) and not list(out.rglob(".*.tmp"))
    assert not list(runtime.glob("kernel-*.json"))            # no connection file left
    again = render(lab, slow, "--out", out)
    assert again.returncode == 0, again.stderr
    assert f"[ok]     {lab} (up to date)" in again.stdout
    assert f"[done]   {slow} in " in again.stdout and "1 built, 1 up to date" in again.stdout


# ---- execution reuse -------------------------------------------------------------------

COUNTED = textwrap.dedent('''\
    # Lab 91: counted runs

    Some prose.

    ```python
    with open({runs!r}, "a") as file:
        file.write("run\\n")
    values = [1, 2, 3]
    print("sum", sum(values))
    ```

    ```python
    def double(x):
        #!TAG HWBEGIN
        #!MSG TODO return twice x
        return 2 * x
        #!TAG HWEND

    #!TAG SKIPQUESTEXEC
    print("double", double(21))
    ```
    ''')


def test_unchanged_code_reuses_outputs_and_gives_a_clean_builds_bytes(tmp_path):
    runs, out = tmp_path / "runs", tmp_path / "out"
    path = tmp_path / "91-counted.md"
    text = COUNTED.format(runs=str(runs))
    path.write_text(text)
    count = lambda: len(runs.read_text().split()) if runs.exists() else 0
    first = render(path, "--out", out)
    assert first.returncode == 0, first.stderr
    assert f"[done]   {path} in " in first.stdout and "(executed)" in first.stdout and count() == 2

    path.write_text(text.replace("Some prose.", "Some more prose, and a new paragraph.\n\nHere."))
    prose = render(path, "--out", out)
    assert "(outputs reused)" in prose.stdout and "[start]" not in prose.stdout
    assert count() == 2                                          # no cell ran
    assert render(path, "--out", tmp_path / "clean-1").returncode == 0
    assert notebooks(out, "91-counted") == notebooks(tmp_path / "clean-1", "91-counted")

    path.write_text(path.read_text().replace("return 2 * x", "return x + x"))   # solution only
    solution = render(path, "--out", out)
    assert "(solution executed, question outputs reused)" in solution.stdout and count() == 5
    assert "return x + x" in (out / "solutions" / "91-counted.md").read_text()

    forced = render(path, "--out", out, "--force")
    assert "(executed)" in forced.stdout and count() == 7
    assert render(path, "--out", out).stdout.count("(up to date)") == 1


def test_execution_key_changes_with_code_metadata_kernel_and_environment():
    import nbformat
    from courseware.notebooks.inputs import execution_key
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Text"),
                                               nbformat.v4.new_code_cell("x = 1")])
    key = execution_key(notebook, "env")
    notebook.cells[0].source = "Other text"
    assert execution_key(notebook, "env") == key
    assert execution_key(notebook, "other env") != key
    notebook.cells[1].metadata["tags"] = ["skip-execution"]
    assert execution_key(notebook, "env") != key
    del notebook.cells[1].metadata["tags"]
    notebook.metadata["kernelspec"] = {"name": "other"}
    assert execution_key(notebook, "env") != key
    notebook.metadata["kernelspec"] = None
    notebook.cells[1].metadata.update(answer_space=[1], answer_lines=[4])   # sheets only
    assert execution_key(notebook, "env") == key


def test_prose_after_the_last_answer_changes_its_room_but_executes_nothing(tmp_path):
    """The room a sheet leaves for the last answer is measured to the end of the
    template, and is kept in a code cell's metadata; a kernel never reads it."""
    runs, out = tmp_path / "runs", tmp_path / "out"
    path = tmp_path / "92-last-answer.md"
    text = COUNTED.format(runs=str(runs)) + "\n#!TAG HWBEGIN\nWhy twice?\n#!TAG HWEND\n"
    path.write_text(text)
    assert render(path, "--out", out).returncode == 0
    before = (out / "questions" / "92-last-answer.ipynb").read_text()
    path.write_text(text + "\nOne more line of prose, and more room for the answer.\n" * 3)
    prose = render(path, "--out", out)
    assert prose.returncode == 0, prose.stderr
    assert "(outputs reused)" in prose.stdout and len(runs.read_text().split()) == 2
    after = (out / "questions" / "92-last-answer.ipynb").read_text()
    assert '"answer_lines"' in after and after != before          # the room did change
    assert render(path, "--out", tmp_path / "clean").returncode == 0
    assert notebooks(out, "92-last-answer") == notebooks(tmp_path / "clean", "92-last-answer")
