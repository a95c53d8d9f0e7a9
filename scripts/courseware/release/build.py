"""The student release, one folder and one zip archive.

From the built labs (``make`` and ``make sheets`` first) it writes
``DIR/release/dl-labs/`` and ``DIR/release/dl-labs.zip``, for all labs or for those
given (a week's labs):

    labs/NN-topic.ipynb                executed question notebooks; every cell runs
                                       (no ``skip-execution``), so running one stops at
                                       the first TODO or wrong answer
    sheets/NN-topic-question.{html,pdf} question sheets
    utils/                             the helpers those labs import, installable
    requirements.txt                   what students install, pinned as the course's,
                                       PyTorch's CPU build
    README.md, LICENSE                 set up, open in Jupyter, run the checks; terms

No template, no solution notebook or sheet, no build stamp. With ``--solutions`` it
also writes ``dl-labs-solutions/`` and ``dl-labs-solutions.zip`` (solution notebooks
and sheets, for teaching assistants). The archives are reproducible: entries sorted,
dated by the last commit that changed the released inputs. Both are written aside and the student release leak-checked
(``courseware.guards.release``) before they replace an earlier release.
"""
from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

from courseware.guards.release import check_release, released_utils
from courseware.layout import ASSISTANT, LABS, ROOT, STUDENT, VERSIONS, built_notebook, lab_templates, sheet_path
from courseware.settings import CourseSettings

# What a student's environment needs to run the question notebooks (no build tools).
# nbclient and nbformat: the verdict command (python -m utils.checks).
STUDENT_PACKAGES = ("torch", "numpy", "matplotlib", "scikit-learn", "jupyterlab",
                    "ipykernel", "matplotlib-inline", "nbclient", "nbformat")
# PyTorch's page of CPU wheels: pip prefers 2.13.0+cpu there to PyPI's 2.13.0, which
# pulls in about 2.7 GB of CUDA libraries on Linux (macOS and Windows wheels are CPU).
TORCH_CPU_WHEELS = "https://download.pytorch.org/whl/cpu/torch/"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)         # the earliest date zip can store: no date known

PYPROJECT = '''[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "dl-course-utils"
version = "{version}"
description = "Helpers the labs of the deep-learning course import"
requires-python = ">=3.11"

[tool.setuptools]
packages = ["utils"]
'''

README = '''# {course}: labs for students
{term_line}
Every lab is a Jupyter notebook in `labs/`, with its exercise sheet in `sheets/`
(HTML and PDF). The notebooks import the course's helpers from `utils/`.
This archive holds: {labs}.

## Set up (once)

With Python 3.11 (the version the labs are built and tested with; others are untested),
in this folder:

```sh
python3 -m venv .venv
.venv/bin/pip install -r requirements.txt     # Windows: .venv\\Scripts\\pip
```

`requirements.txt` pins the versions the labs were tested with and installs `utils`
from this folder. PyTorch comes as its CPU build (the `-f` line names PyTorch's page of
CPU wheels); no GPU is needed.

## Work on a lab

Start Jupyter in this folder, so that both `labs/` and `sheets/` are in its file
browser:

```sh
.venv/bin/jupyter lab
```

In the file browser on the left, open `labs/`, then the lab's notebook
(`NN-topic.ipynb`), and run it from the top. Cells you did not have to write already
show their outputs. Where a cell says `# TODO`, replace `raise NotImplementedError`
with your code. The sheets are in `sheets/` (the HTML opens in the browser).

If Jupyter stops with "Running as root is not recommended" (a container, WSL as root),
start it as `.venv/bin/jupyter lab --allow-root`.

## The next labs

Each week's archive holds only that week's labs (and the helpers they need). Unpack it
into the folder above this one, so that it lands in this folder: it adds the new
notebooks and sheets and replaces `utils/`, `requirements.txt` and this README, and
leaves the notebooks you worked in as they are. Then run
`.venv/bin/pip install -r requirements.txt` again.

## Check your answers

Every coding exercise ends with a check cell. Run it after your code:

- `check passed: ...` means your answer passed the check;
- an error `CheckFailed: ...` says what is wrong (which function, which input, which
  property). It never tells you the answer. Fix your code and run both cells again.

All the verdicts of a lab at once, without Jupyter (it runs the notebook from the top
in a fresh kernel, and changes nothing in it):

```sh
.venv/bin/python -m utils.checks labs/NN-topic.ipynb
```

It prints each check's verdict under its exercise (`passed`, `FAILED` with the
message, `not done` where a TODO is left), then a total.

Checks compare with independent references (PyTorch's own functions, autograd, finite
differences) or with properties the answer must have, so a passed check is strong
evidence, not proof: also read what your code prints and the figures it draws.

Licence: {licence}.
'''


def select(stems: list[str], wanted: list[str]) -> list[str]:
    """The labs of ``stems`` that ``wanted`` names ("03" or "03-gradient-descent"); all
    when ``wanted`` is empty. SystemExit, naming the labs there are, for one that matches
    none."""
    if not wanted:
        return stems
    chosen = []
    for name in wanted:
        found = [stem for stem in stems if stem == name or stem.split("-")[0] == name]
        if not found:
            raise SystemExit(f"{LABS / name}: no such lab (there are {', '.join(stems)})")
        chosen += [stem for stem in found if stem not in chosen]
    return sorted(chosen)


def student_notebook(data: bytes) -> bytes:
    """A question notebook as students get it: every cell runs. ``skip-execution``
    tells nbclient to skip a cell, so ``jupyter nbconvert --execute`` would run only the
    given cells and say nothing of the student's; ``nbval-skip`` stays for the tests."""
    import nbformat
    notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
    for cell in notebook.cells:
        tags = cell.metadata.get("tags")
        if tags and "skip-execution" in tags:
            cell.metadata["tags"] = [tag for tag in tags if tag != "skip-execution"]
    return (nbformat.writes(notebook) + "\n").encode()


def release_date(paths: list[Path]) -> tuple[int, ...]:
    """The date of the last commit that changed ``paths`` (so that the same inputs give
    the same archive); SOURCE_DATE_EPOCH without git; 1980 when neither is known."""
    try:
        stamp = subprocess.run(["git", "log", "-1", "--format=%ct", "--", *map(str, paths)],
                               cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        stamp = ""
    stamp = stamp or os.environ.get("SOURCE_DATE_EPOCH", "")
    if not stamp.isdigit():
        return ZIP_DATE
    day = datetime.datetime.fromtimestamp(int(stamp), datetime.timezone.utc)
    return max(ZIP_DATE, (day.year, day.month, day.day, day.hour, day.minute, day.second - day.second % 2))


def pinned(constraints: str, packages: tuple[str, ...]) -> list[str]:
    """``name==version`` for each package, as ``constraints.txt`` pins it."""
    pins = {}
    for line in constraints.splitlines():
        name, sep, version = line.strip().partition("==")
        if sep:
            pins[name.lower().replace("_", "-")] = f"{name}=={version}"
    missing = [name for name in packages if name not in pins]
    if missing:
        raise SystemExit(f"constraints.txt:1: no pin for {', '.join(missing)} (run make lock)")
    return [pins[name] for name in packages]


def requirements_text(constraints: str) -> str:
    return ("# The versions the labs were built and tested with; PyTorch's CPU build.\n"
            f"-f {TORCH_CPU_WHEELS}\n"
            + "\n".join(pinned(constraints, STUDENT_PACKAGES))
            + "\n# The course's helpers, from this folder.\n-e .\n")


def labs(out: Path, wanted: list[str] | None = None) -> list[str]:
    """Stems of the labs to release (``wanted``, or all), each checked to be built."""
    stems = select(sorted(p.stem for p in lab_templates()), wanted or [])
    missing = [stem for stem in stems
               if not all(built_notebook(out, version, stem).exists() for version in VERSIONS)]
    if missing:
        raise SystemExit(f"{built_notebook(out, 'question', missing[0])}: not built (run make first)")
    return stems


def student_files(out: Path, stems: list[str], course: CourseSettings) -> dict[str, bytes]:
    """Path in the release -> content, for everything a student gets."""
    import nbformat
    files: dict[str, bytes] = {}
    for stem in stems:
        notebook = built_notebook(out, "question", stem)
        try:
            files[f"labs/{stem}.ipynb"] = student_notebook(notebook.read_bytes())
        except (ValueError, nbformat.ValidationError) as error:     # not JSON, not a notebook
            raise SystemExit(f"{notebook}: not a notebook ({str(error).splitlines()[0]}); run make again") from None
        for target in ("html", "pdf"):
            sheet = sheet_path(out, "question", stem, target)
            if not sheet.exists():
                raise SystemExit(f"{sheet}: no question sheet (run make sheets first)")
            files[f"sheets/{sheet.name}"] = sheet.read_bytes()
    for module in released_utils(stems):
        files[f"utils/{module.name}"] = module.read_bytes()
    version = _project_version()
    files["pyproject.toml"] = PYPROJECT.format(version=version).encode()
    files["requirements.txt"] = requirements_text((ROOT / "constraints.txt").read_text()).encode()
    term_line = "".join(f"\n{part}\n" for part in (course.term, course.institution) if part)
    files["README.md"] = README.format(course=course.name, term_line=term_line, licence=course.licence,
                                       labs=", ".join(f"`{stem}`" for stem in stems)).encode()
    files["LICENSE"] = (ROOT / "LICENSE").read_bytes()
    return files


def assistant_files(out: Path, stems: list[str]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for stem in stems:
        files[f"solutions/{stem}.ipynb"] = built_notebook(out, "solution", stem).read_bytes()
        for target in ("html", "pdf"):
            sheet = sheet_path(out, "solution", stem, target)
            if sheet.exists():
                files[f"sheets/{sheet.name}"] = sheet.read_bytes()
    return files


def _project_version() -> str:
    import tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def write_release(files: dict[str, bytes], folder: Path, date: tuple[int, ...] = ZIP_DATE) -> Path:
    """The folder (replaced whole) and a zip of it beside it, entries sorted and
    all dated ``date``, so that two releases of the same build are byte-identical."""
    if folder.exists():
        shutil.rmtree(folder)
    archive = folder.with_suffix(".zip")
    folder.parent.mkdir(parents=True, exist_ok=True)
    temporary = archive.with_name(f".{archive.name}.tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in sorted(files):
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(files[name])
            info = zipfile.ZipInfo(f"{folder.name}/{name}", date_time=date)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, files[name])
    temporary.replace(archive)
    return archive


def publish(out: Path, stems: list[str], course: CourseSettings, solutions: bool) -> list[str]:
    """Write the student release (and with ``solutions`` the assistants') aside, check it
    for leaks, and only then replace the earlier release; the problems found (nothing is
    replaced when there are any)."""
    release = out / "release"
    staging = release / ".staging"
    shutil.rmtree(staging, ignore_errors=True)
    names = [STUDENT]
    inputs = [LABS / f"{stem}.md" for stem in stems] + released_utils(stems) + [
        ROOT / name for name in ("course.toml", "constraints.txt", "LICENSE", "pyproject.toml")]
    date = release_date(inputs)
    write_release(student_files(out, stems, course), staging / STUDENT, date)
    if solutions:
        write_release(assistant_files(out, stems), staging / ASSISTANT, date)
        names.append(ASSISTANT)
    problems = check_release(out, staging)
    if problems:
        shutil.rmtree(staging)
        return problems
    for name in names:
        for path in (release / name, release / f"{name}.zip"):
            if path.is_dir():
                shutil.rmtree(path)
            path.unlink(missing_ok=True)
        (staging / name).rename(release / name)
        (staging / f"{name}.zip").rename(release / f"{name}.zip")
    staging.rmdir()
    return []
