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
    expected = ({f"labs/{stem}.ipynb" for stem in stems}
                | {f"sheets/{stem}-question.{kind}" for stem in stems for kind in ("html", "pdf")}
                | {f"utils/{p.name}" for p in (ROOT / "utils").glob("*.py")}
                | {"README.md", "requirements.txt", "pyproject.toml"})
    assert names == expected
    assert check_release(BUILD) == []


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
def test_question_notebooks_run_from_the_unpacked_archive_with_its_own_utils(tmp_path):
    with zipfile.ZipFile(ARCHIVE) as bundle:
        bundle.extractall(tmp_path)
    release = tmp_path / STUDENT
    # Each notebook first proves that `utils` comes from the release, not the repository.
    for path in sorted((release / "labs").glob("*.ipynb")):
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
    (out / "questions" / "01-linear-classifiers.ipynb").write_text("{}")   # would change the archive
    assert make_release.main(["--out", str(out)]) == 1
    assert "x.ipynb: planted leak" in capsys.readouterr().err
    assert (out / "release" / f"{STUDENT}.zip").read_bytes() == good
    assert sorted(p.name for p in (out / "release").iterdir()) == [STUDENT, f"{STUDENT}.zip"]
