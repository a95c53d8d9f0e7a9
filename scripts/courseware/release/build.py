"""The student release, one folder and one zip archive.

From the built labs (``make`` and ``make sheets`` first) it writes
``DIR/release/dl-labs/`` and ``DIR/release/dl-labs.zip``:

    labs/NN-topic.ipynb                executed question notebooks
    sheets/NN-topic-question.{html,pdf} question sheets
    utils/                             the helpers, installable (pyproject.toml)
    requirements.txt                   what students install, pinned as the course's
    README.md                          set up, open in Jupyter, run the checks

No template, no solution notebook or sheet, no build stamp. With ``--solutions`` it
also writes ``dl-labs-solutions/`` and ``dl-labs-solutions.zip`` (solution notebooks
and sheets, for teaching assistants). The archives are reproducible: entries sorted,
dates fixed. Both are written aside and the student release leak-checked
(``courseware.guards.release``) before they replace an earlier release.
"""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from courseware.guards.release import check_release
from courseware.layout import ASSISTANT, ROOT, STUDENT, UTILS, VERSIONS, built_notebook, lab_templates, sheet_path
from courseware.settings import CourseSettings

# What a student's environment needs to run the question notebooks (no build tools).
STUDENT_PACKAGES = ("torch", "numpy", "matplotlib", "scikit-learn", "jupyterlab",
                    "ipykernel", "matplotlib-inline")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)         # the earliest date zip can store: no build date

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

## Set up (once)

With Python 3.11:

```sh
python3 -m venv .venv
.venv/bin/pip install -r requirements.txt     # Windows: .venv\\Scripts\\pip
```

`requirements.txt` pins the versions the labs were tested with and installs `utils`
from this folder. PyTorch comes as its CPU build; no GPU is needed.

## Work on a lab

```sh
.venv/bin/jupyter lab labs/
```

Open `labs/NN-topic.ipynb` and run it from the top. Cells you did not have to write
already show their outputs. Where a cell says `# TODO`, replace
`raise NotImplementedError` with your code.

## Check your answers

Every coding exercise ends with a check cell. Run it after your code:

- `check passed: ...` means your answer passed the check;
- an error `CheckFailed: ...` says what is wrong (which function, which input, which
  property). It never tells you the answer. Fix your code and run both cells again.

Checks compare with independent references (PyTorch's own functions, autograd, finite
differences) or with properties the answer must have, so a passed check is strong
evidence, not proof: also read what your code prints and the figures it draws.

Licence: {licence}.
'''


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
    return ("# The versions the labs were built and tested with.\n"
            + "\n".join(pinned(constraints, STUDENT_PACKAGES))
            + "\n# The course's helpers, from this folder.\n-e .\n")


def labs(out: Path) -> list[str]:
    """Stems of the labs that were built (both notebooks present)."""
    stems = sorted(p.stem for p in lab_templates())
    missing = [stem for stem in stems
               if not all(built_notebook(out, version, stem).exists() for version in VERSIONS)]
    if missing:
        raise SystemExit(f"{built_notebook(out, 'question', missing[0])}: not built (run make first)")
    return stems


def student_files(out: Path, stems: list[str], course: CourseSettings) -> dict[str, bytes]:
    """Path in the release -> content, for everything a student gets."""
    files: dict[str, bytes] = {}
    for stem in stems:
        files[f"labs/{stem}.ipynb"] = built_notebook(out, "question", stem).read_bytes()
        for target in ("html", "pdf"):
            sheet = sheet_path(out, "question", stem, target)
            if not sheet.exists():
                raise SystemExit(f"{sheet}: no question sheet (run make sheets first)")
            files[f"sheets/{sheet.name}"] = sheet.read_bytes()
    for module in sorted(UTILS.glob("*.py")):
        files[f"utils/{module.name}"] = module.read_bytes()
    version = _project_version()
    files["pyproject.toml"] = PYPROJECT.format(version=version).encode()
    files["requirements.txt"] = requirements_text((ROOT / "constraints.txt").read_text()).encode()
    term_line = "".join(f"\n{part}\n" for part in (course.term, course.institution) if part)
    files["README.md"] = README.format(course=course.name, term_line=term_line,
                                       licence=course.licence).encode()
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


def write_release(files: dict[str, bytes], folder: Path) -> Path:
    """The folder (replaced whole) and a zip of it beside it, entries sorted and
    dated 1980, so that two releases of the same build are byte-identical."""
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
            info = zipfile.ZipInfo(f"{folder.name}/{name}", date_time=ZIP_DATE)
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
    write_release(student_files(out, stems, course), staging / STUDENT)
    if solutions:
        write_release(assistant_files(out, stems), staging / ASSISTANT)
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
