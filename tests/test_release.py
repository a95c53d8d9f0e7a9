"""The student release: what it holds, that nothing of a solution is in it, and that
its question notebooks run from the unpacked archive alone."""
import os
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest

from courseware.guards.release import check_release
from conftest import ROOT, command
from courseware.layout import STUDENT
from courseware.release.build import pinned, requirements_text, write_release

BUILD = ROOT / "build"
ARCHIVE = BUILD / "release" / f"{STUDENT}.zip"


def test_requirements_pin_what_students_need_as_the_course_does():
    constraints = "numpy==2.4.6\ntorch==2.13.0\nscikit_learn==1.9.1\npytest==9.2.0\n"
    assert pinned(constraints, ("torch", "scikit-learn")) == ["torch==2.13.0", "scikit_learn==1.9.1"]
    with pytest.raises(SystemExit, match="constraints.txt:1: no pin for jupyterlab"):
        pinned(constraints, ("jupyterlab",))
    text = requirements_text((ROOT / "constraints.txt").read_text())
    assert "torch==2.13.0" in text and "-e ." in text and "pytest" not in text
    assert "-f https://download.pytorch.org/whl/cpu/torch/" in text          # the CPU build


def test_archives_are_reproducible_and_mirror_the_folder(tmp_path):
    files = {"b.txt": b"two", "a/one.py": b"print(1)\n"}
    first = write_release(files, tmp_path / "x" / "pkg").read_bytes()
    second = write_release(files, tmp_path / "y" / "pkg").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "x" / "pkg.zip") as bundle:
        assert bundle.namelist() == ["pkg/a/one.py", "pkg/b.txt"]
        assert bundle.read("pkg/b.txt") == b"two"
    assert (tmp_path / "x" / "pkg" / "a" / "one.py").read_bytes() == b"print(1)\n"


# ---- on the real release (make release) -------------------------------------------

def release_copy(tmp_path):
    """A copy of build/ holding only the release and the notebooks it is checked against."""
    out = tmp_path / "build"
    shutil.copytree(BUILD / "release", out / "release")
    shutil.copytree(BUILD / "solutions", out / "solutions")
    return out


@pytest.mark.notebooks
def test_student_release_holds_questions_sheets_utils_and_nothing_of_a_solution():
    with zipfile.ZipFile(ARCHIVE) as bundle:
        names = {name.removeprefix(f"{STUDENT}/") for name in bundle.namelist()}
    stems = sorted(p.stem for p in (ROOT / "labs").glob("*.md"))
    from courseware.guards.release import released_utils
    expected = ({f"labs/{stem}.ipynb" for stem in stems}
                | {f"sheets/{stem}-question.{kind}" for stem in stems for kind in ("html", "pdf")}
                | {f"utils/{p.name}" for p in released_utils(stems)}
                | {"README.md", "LICENSE", "requirements.txt", "pyproject.toml"})
    assert names == expected
    assert check_release(BUILD) == []


def test_the_guard_keeps_a_pdf_sheets_text_and_reads_it_again_when_a_byte_changes(tmp_path, monkeypatch):
    import pypdf
    import typst
    from courseware.guards.release import sheet_lines

    def pdf(text):
        source = tmp_path / "sheet.typ"
        source.write_text(text)
        return typst.compile(str(source), root=str(tmp_path), ignore_system_fonts=True)

    sheet, out = tmp_path / "sheet.pdf", tmp_path / "build"
    sheet.write_bytes(pdf("Nothing to see here."))
    assert sheet_lines(sheet, out) == sheet_lines(sheet) == ["Nothing to see here."]
    assert len(list((out / ".cache" / "pdf-text").iterdir())) == 1
    sheet.write_bytes(pdf("total = secret + 1"))                 # a leak planted in the PDF
    assert sheet_lines(sheet, out) == ["total = secret + 1"]
    monkeypatch.setattr(pypdf, "PdfReader", None)                # kept: pypdf is not needed
    assert sheet_lines(sheet, out) == ["total = secret + 1"]
    with pytest.raises(TypeError):
        sheet_lines(sheet)                                       # without out, read every time


@pytest.mark.notebooks
def test_release_guard_fires_on_a_planted_solution(tmp_path):
    out = release_copy(tmp_path)
    folder = out / "release" / STUDENT
    shutil.copy(BUILD / "solutions" / "03-gradient-descent.ipynb", folder / "labs" / "03-solution.ipynb")
    problems = check_release(out, stems=["03-gradient-descent"])
    assert any("03-solution.ipynb: does not belong" in p for p in problems)
    assert any("03-solution.ipynb: missing from the archive" in p for p in problems)


@pytest.mark.notebooks
def test_release_guard_fires_on_a_solution_line_in_a_sheet(tmp_path):
    out = release_copy(tmp_path)
    folder = out / "release" / STUDENT
    sheet = folder / "sheets" / "03-gradient-descent-question.html"
    sheet.write_text(sheet.read_text() + "\n<pre>gradient = torch.stack([2 * (x[0] - 6) - x[1], 2 * x[1] - x[0]])</pre>\n")
    problems = check_release(out, stems=["03-gradient-descent"])
    assert any("03-gradient-descent-question.html: solution line of 03-gradient-descent.md" in p
               for p in problems), problems


@pytest.mark.notebooks
def test_a_question_notebook_runs_from_the_unpacked_archive_with_its_own_utils(tmp_path):
    """One lab from the archive; `make test` runs every released notebook from the
    release folder (which the archive mirrors, as a test above shows) the same way."""
    with zipfile.ZipFile(ARCHIVE) as bundle:
        bundle.extractall(tmp_path)
    release = tmp_path / STUDENT
    path, *others = sorted((release / "labs").glob("*.ipynb"))
    for other in others:
        other.unlink()
    # The notebook first proves that `utils` comes from the release, not the repository.
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(
        "import pathlib, utils\n"
        f"assert pathlib.Path(utils.__file__).resolve().is_relative_to({str(release.resolve())!r}), utils.__file__"))
    nbformat.write(notebook, path)
    environment = {**os.environ, "PYTHONPATH": str(release)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "--rootdir", str(release), "--nbval-lax", "labs"],
                            cwd=release, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


@pytest.mark.notebooks
def test_a_release_with_a_leak_replaces_nothing(tmp_path, monkeypatch, capsys):
    import courseware.release.build as release_build
    make_release = command("make_release")
    out = tmp_path / "build"
    for part in ("questions", "solutions", "sheets"):
        shutil.copytree(BUILD / part, out / part)
    shutil.copytree(BUILD / "release" / STUDENT, out / "release" / STUDENT)   # as `make release` left it
    shutil.copy(ARCHIVE, out / "release")
    good = (out / "release" / f"{STUDENT}.zip").read_bytes()
    monkeypatch.setattr(release_build, "check_release", lambda out, release: ["x.ipynb: planted leak"])
    shutil.copy(out / "questions" / "02-forward-pass.ipynb",                 # would change the archive
                out / "questions" / "01-linear-classifiers.ipynb")
    assert make_release.main(["--out", str(out)]) == 1
    assert "x.ipynb: planted leak" in capsys.readouterr().err
    assert (out / "release" / f"{STUDENT}.zip").read_bytes() == good
    assert sorted(p.name for p in (out / "release").iterdir()) == [STUDENT, f"{STUDENT}.zip"]


# ---- a week's labs; notebooks that run what they show; every verdict at once ----------

@pytest.mark.notebooks
def test_a_release_of_three_labs_holds_only_them_and_the_helpers_they_import(tmp_path):
    from courseware.release.build import labs, publish
    from courseware.settings import load_settings
    out = tmp_path / "build"
    for part in ("questions", "solutions", "sheets"):
        shutil.copytree(BUILD / part, out / part)
    stems = labs(out, ["01", "02", "03-gradient-descent"])
    assert publish(out, stems, load_settings(), solutions=False) == []
    with zipfile.ZipFile(out / "release" / f"{STUDENT}.zip") as bundle:
        names = {name.removeprefix(f"{STUDENT}/") for name in bundle.namelist()}
        dates = {info.date_time for info in bundle.infolist()}
    modules = {"__init__", "checks", "data", "diagrams", "gradcheck", "losscheck", "plotting", "seeding"}
    assert names == ({f"labs/{stem}.ipynb" for stem in stems} | {f"utils/{m}.py" for m in modules}
                     | {f"sheets/{stem}-question.{kind}" for stem in stems for kind in ("html", "pdf")}
                     | {"README.md", "LICENSE", "requirements.txt", "pyproject.toml"})
    assert len(dates) == 1 and dates != {(1980, 1, 1, 0, 0, 0)}      # the inputs' last commit
    readme = (out / "release" / STUDENT / "README.md").read_text()
    assert "`01-linear-classifiers`, `02-forward-pass`, `03-gradient-descent`" in readme
    assert "--allow-root" in readme and "python -m utils.checks" in readme
    # a solution line planted in a shipped helper: the guard names the module and the line
    helper = out / "release" / STUDENT / "utils" / "plotting.py"
    helper.write_text(helper.read_text() + "    gradient = torch.stack([2 * (x[0] - 6) - x[1], 2 * x[1] - x[0]])\n")
    problems = [p for p in check_release(out) if "plotting.py" in p and "solution line" in p]
    assert problems and "03-gradient-descent.md" in problems[0]
    with pytest.raises(SystemExit, match="labs/99: no such lab"):
        labs(out, ["99"])


def test_a_broken_question_notebook_stops_the_release_with_its_path(tmp_path):
    from courseware.release.build import student_files
    from courseware.settings import load_settings
    (tmp_path / "questions").mkdir()
    (tmp_path / "questions" / "01-linear-classifiers.ipynb").write_text("{}")
    with pytest.raises(SystemExit, match=r"questions/01-linear-classifiers.ipynb: not a notebook"):
        student_files(tmp_path, ["01-linear-classifiers"], load_settings())


def test_released_notebooks_run_every_cell_but_keep_nbvals_tags():
    from courseware.release.build import student_notebook
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", metadata={
        "tags": ["skip-execution", "nbval-skip", "mine"]})])
    released = nbformat.reads(student_notebook(nbformat.writes(notebook).encode()).decode(), as_version=4)
    assert released.cells[0].metadata["tags"] == ["nbval-skip", "mine"]


@pytest.fixture(scope="module")
def tiny_release(tmp_path_factory):
    """The tiny fixture lab rendered and made into a student's notebook, untouched,
    with a wrong answer and with a right one."""
    from conftest import render
    from courseware.release.build import student_notebook
    out = tmp_path_factory.mktemp("tiny")
    result = render(ROOT / "tests" / "fixtures" / "99-mistakes.md", "--out", out, "--jobs", "1")
    assert result.returncode == 0, result.stderr
    question = student_notebook((out / "questions" / "99-mistakes.ipynb").read_bytes()).decode()
    copies = {"untouched": question,
              "wrong": question.replace("raise NotImplementedError", "return x + x", 1),
              "right": question.replace("raise NotImplementedError", "return x * x", 1)
                               .replace("raise NotImplementedError", "return x.sum() / len(x)", 1)}
    for name, text in copies.items():
        (out / f"{name}.ipynb").write_text(text)
    return out


@pytest.mark.parametrize("copy, outcome", [("untouched", "NotImplementedError"), ("wrong", "CheckFailed"),
                                           ("right", None)])
def test_nbconvert_execute_on_a_released_notebook_stops_at_a_todo_or_a_wrong_answer(tiny_release, copy, outcome):
    result = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                             "--output", f"run-{copy}.ipynb", f"{copy}.ipynb"],
                            cwd=tiny_release, capture_output=True, text=True)
    if outcome is None:
        assert result.returncode == 0, result.stderr[-2000:]
    else:
        assert result.returncode != 0 and outcome in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize("copy, lines, total", [
    ("untouched", ["  not done  a TODO is left: NotImplementedError raised"] * 2,
     "0 of 2 checks passed, 0 failed, 2 not done, 0 with an error"),
    ("wrong", ["  FAILED    square(3): wrong value; the value is 6, the reference gives 9 "
               "(tolerance rtol=1e-05, atol=1e-08)", "  not done  a TODO is left: NotImplementedError raised"],
     "0 of 2 checks passed, 1 failed, 1 not done, 0 with an error"),
    ("right", ["  passed    square(3)", "  passed    mean of [1, 2, 6]"],
     "2 of 2 checks passed, 0 failed, 0 not done, 0 with an error"),
])
def test_the_verdict_command_prints_every_check_by_exercise_then_a_total(tiny_release, copy, lines, total):
    result = subprocess.run([sys.executable, "-m", "utils.checks", f"{copy}.ipynb"],
                            cwd=tiny_release, capture_output=True, text=True)
    assert result.stdout.splitlines() == ["Exercise 1: squares", lines[0], "Exercise 2: the mean", lines[1],
                                          f"{copy}.ipynb: {total}"], result.stderr[-2000:]
    assert result.returncode == (0 if copy == "right" else 1)


@pytest.mark.notebooks
def test_a_real_released_notebook_stops_at_its_first_todo(tmp_path):
    with zipfile.ZipFile(ARCHIVE) as bundle:
        bundle.extractall(tmp_path)
    release = tmp_path / STUDENT
    result = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                             "--output", str(tmp_path / "run.ipynb"), "labs/03-gradient-descent.ipynb"],
                            cwd=release, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(release)})
    assert result.returncode != 0 and "NotImplementedError" in result.stderr, result.stderr[-2000:]


def test_a_line_shared_on_purpose_must_still_be_there(tmp_path):
    from courseware.guards.release import SHARED_ON_PURPOSE, utils_problems
    [(module, line)] = list(SHARED_ON_PURPOSE)
    folder = tmp_path / STUDENT
    (folder / "utils").mkdir(parents=True)
    (folder / "utils" / module).write_text("def nothing():\n    pass\n")
    assert utils_problems(folder, ["11-autoencoders"]) == [
        f"{folder / 'utils' / module}: SHARED_ON_PURPOSE names {line!r}, which the module no longer has"]
