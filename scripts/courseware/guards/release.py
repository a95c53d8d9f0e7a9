"""The leak guard over the student release: folder and archive (``make_release.py``
runs it on every release before it replaces the last one).

Checks ``DIR/release/dl-labs/`` and ``dl-labs.zip`` (scripts/make_release.py):

- the archive holds exactly the folder's files, byte for byte, so checking the folder
  checks the archive;
- no file is a template, a solution, a build stamp, or named after one;
- every question notebook passes the notebook leak guard (``courseware.guards.leaks``)
  against its template and the built solution;
- no line of a lab's question sheets (HTML text; PDF text read with pypdf) is a
  solution line of that lab's template or an output only its solution printed (a line
  one lab hides, a training loop say, may stand in the open in a later lab).

The helpers, README, requirements and pyproject are written by the course on purpose
and are not searched.
"""
from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import nbformat
from pypdf.errors import PdfReadError

from courseware.guards.leaks import find_leaks, secret_lines, solution_only_outputs
from courseware.layout import STUDENT, built_notebook, lab_templates

OTHER_FILES = re.compile(r"^(utils/\w+\.py|pyproject\.toml|requirements\.txt|README\.md)$")


def archive_problems(folder: Path) -> list[str]:
    archive = folder.with_suffix(".zip")
    if not archive.exists():
        return [f"{archive}: missing (run make release)"]
    on_disk = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with zipfile.ZipFile(archive) as bundle:
        packed = {name.removeprefix(f"{folder.name}/"): bundle.read(name)
                  for name in bundle.namelist() if not name.endswith("/")}
    problems = [f"{archive}: {name}: not in the folder" for name in sorted(packed.keys() - on_disk.keys())]
    problems += [f"{archive}: {name}: missing from the archive" for name in sorted(on_disk.keys() - packed.keys())]
    problems += [f"{archive}: {name}: differs from the folder's copy"
                 for name in sorted(packed.keys() & on_disk.keys()) if packed[name] != on_disk[name]]
    return problems


def name_problems(folder: Path, stems: list[str]) -> list[str]:
    """Files other than each lab's question notebook and question sheets, the helpers
    and the set-up files."""
    expected = {f"labs/{stem}.ipynb" for stem in stems}
    expected |= {f"sheets/{stem}-question.{kind}" for stem in stems for kind in ("html", "pdf")}
    return [f"{path}: does not belong in a student release (a template, a solution or a stamp?)"
            for path in sorted(folder.rglob("*"))
            if path.is_file() and str(path.relative_to(folder)) not in expected
            and not OTHER_FILES.match(str(path.relative_to(folder)))]


def sheet_lines(path: Path) -> list[str]:
    """The text of a sheet, line by line: HTML without its tags, PDF through pypdf."""
    if path.suffix == ".html":
        text = re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))
        return html.unescape(text).splitlines()
    from pypdf import PdfReader
    return [line for page in PdfReader(path).pages for line in (page.extract_text() or "").splitlines()]


def check_release(out: Path, release: Path | None = None, stems: list[str] | None = None) -> list[str]:
    """Every problem of the student release in ``release`` (default ``out/release``),
    checked against the templates and the solutions built in ``out``. ``stems``: look
    inside only these labs' notebooks and sheets (the names and the archive are
    always checked whole)."""
    folder = (release or out / "release") / STUDENT
    if not folder.is_dir():
        return [f"{folder}: missing (run make release)"]
    templates = lab_templates()
    problems = archive_problems(folder) + name_problems(folder, [t.stem for t in templates])
    for template in templates:
        if stems is not None and template.stem not in stems:
            continue
        stem, text = template.stem, template.read_text(encoding="utf-8")
        solution = nbformat.read(built_notebook(out, "solution", stem), as_version=4)
        released = folder / "labs" / f"{stem}.ipynb"
        if not released.exists():
            problems.append(f"{released}: missing")
            continue
        question = nbformat.read(released, as_version=4)
        problems += [f"{released}: {leak}" for leak in find_leaks(text, question, "", solution)]
        # A lab's sheets against that lab's secrets: a line one lab hides (a training
        # loop) may stand in the open in another.
        secrets = {line: "solution line" for line in secret_lines(text)}
        for line in solution_only_outputs(solution, question):
            secrets.setdefault(line, "solution output")
        for sheet in sorted((folder / "sheets").glob(f"{stem}-*")):
            try:
                lines = sheet_lines(sheet)
            except (PdfReadError, UnicodeDecodeError) as error:
                problems.append(f"{sheet}: cannot be read, so cannot be checked ({error})")
                continue
            problems += [f"{sheet}: {secrets[line.strip()]} of {template.name} {line.strip()!r}"
                         for line in lines if line.strip() in secrets]
    return problems
