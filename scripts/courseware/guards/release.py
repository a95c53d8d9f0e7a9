"""The leak guard over the student release: folder and archive (``make_release.py``
runs it on every release before it replaces the last one).

Checks ``DIR/release/dl-labs/`` and ``dl-labs.zip`` (scripts/make_release.py):

- the archive holds exactly the folder's files, byte for byte, so checking the folder
  checks the archive;
- no file is a template, a solution, a build stamp, or named after one; the helpers
  are exactly the ``utils`` modules the released labs import;
- no line of a shipped ``utils`` module is a solution line (with four names or numbers
  or more) of a released lab, unless
  the lab comes before the first lab that imports the module (its week is over);
- every question notebook passes the notebook leak guard (``courseware.guards.leaks``)
  against its template and the built solution;
- no line of a lab's question sheets (HTML text; PDF text read with pypdf) is a
  solution line of that lab's template or an output only its solution printed (a line
  one lab hides, a training loop say, may stand in the open in a later lab).

The README, requirements, licence and pyproject are written by the course on purpose
and are not searched.
"""
from __future__ import annotations

import hashlib
import html
import io
import json
import re
import zipfile
from pathlib import Path

import nbformat
from pypdf.errors import PdfReadError

from courseware.guards.leaks import find_leaks, secret_lines, solution_only_outputs
from courseware.layout import LABS, STUDENT, built_notebook, cache_path, lab_templates

MIN_DISTINCTIVE = 4        # names and numbers a utils line needs to give a solution away
# Lines a helper shares with a later lab's solution on purpose, each with the reason it
# gives nothing of that solution away; an entry whose line the helper no longer has is
# reported too, so that none outlives its reason.
SHARED_ON_PURPOSE = {
    ("training.py", "total += loss.item() * len(batch)"):
        "a running total of the loss; lab 11's loop trains an autoencoder, whose loss and "
        "data the classifier loop of utils.training do not give away",
}
OTHER_FILES = re.compile(r"^(pyproject\.toml|requirements\.txt|README\.md|LICENSE)$")


def released_utils(stems: list[str]) -> list[Path]:
    """The utils modules the labs ``stems`` import, directly or through other modules
    (with ``utils/__init__.py``): all a release of those labs ships of ``utils``."""
    from courseware.notebooks.inputs import utils_dependencies
    found: set[Path] = set()
    for stem in stems:
        found |= set(utils_dependencies((LABS / f"{stem}.md").read_text(encoding="utf-8")))
    return sorted(found)


def first_importers(stems: list[str]) -> dict[str, int]:
    """utils module name -> the position in ``stems`` (the course's labs in order) of the
    first lab that imports it: the week the module arrives in a student's folder."""
    first: dict[str, int] = {}
    for position, stem in enumerate(stems):
        for module in released_utils([stem]):
            first.setdefault(module.name, position)
    return first


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
    """Files other than each released lab's question notebook and question sheets, the
    helpers those labs import and the set-up files."""
    expected = {f"labs/{stem}.ipynb" for stem in stems}
    expected |= {f"sheets/{stem}-question.{kind}" for stem in stems for kind in ("html", "pdf")}
    expected |= {f"utils/{module.name}" for module in released_utils(stems)}
    return [f"{path}: does not belong in a student release (a template, a solution or a stamp?)"
            for path in sorted(folder.rglob("*"))
            if path.is_file() and str(path.relative_to(folder)) not in expected
            and not OTHER_FILES.match(str(path.relative_to(folder)))]


def sheet_lines(path: Path, out: Path | None = None) -> list[str]:
    """The text of a sheet, line by line: HTML without its tags, PDF through pypdf.
    pypdf takes about a second a sheet, so with ``out`` a PDF's lines are kept in
    ``out/.cache/pdf-text/``, known by the hash of the PDF's bytes and pypdf's version:
    a sheet changed in any byte (a leak planted in it, say) is read again."""
    if path.suffix == ".html":
        text = re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))
        return html.unescape(text).splitlines()
    import pypdf
    data = path.read_bytes()
    cached = None
    if out is not None:
        key = hashlib.sha256(data + f"pypdf {pypdf.__version__}".encode()).hexdigest()
        cached = cache_path(out, "pdf-text", f"{key}.json")
        try:
            return json.loads(cached.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    lines = [line for page in pypdf.PdfReader(io.BytesIO(data)).pages
             for line in (page.extract_text() or "").splitlines()]
    if cached is not None:
        from courseware.notebooks.write import write_all
        write_all({cached: json.dumps(lines).encode("utf-8")})
    return lines


def distinctive(line: str) -> int:
    """How many names (keywords aside) and numbers a line of code has: 'with
    torch.no_grad():' has 2 and gives nothing away, 'total, count = 0.0, 0' has 4."""
    import keyword
    import tokenize
    count = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(line.strip()).readline):
            count += (token.type == tokenize.NAME and not keyword.iskeyword(token.string)) or \
                token.type == tokenize.NUMBER
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return count


def utils_problems(folder: Path, released: list[str]) -> list[str]:
    """Each line of a shipped utils module that gives away a solution of a released
    lab that comes no earlier than the module: a helper may hold the answer of a lab
    whose week is over when it arrives (a training loop that an earlier lab asked
    students to write), never of its own week or a later one. A line counts when it
    has at least ``MIN_DISTINCTIVE`` names and numbers and no lab before the module's
    arrival has it in its solution (students wrote it already)."""
    course = [template.stem for template in lab_templates()]
    first = first_importers(course)
    solutions = {stem: {line for line in secret_lines((LABS / f"{stem}.md").read_text(encoding="utf-8"))
                        if distinctive(line) >= MIN_DISTINCTIVE} for stem in course}
    problems = []
    for module in sorted((folder / "utils").glob("*.py")):
        arrives = first.get(module.name, 0)
        known = set().union(*(solutions[stem] for stem in course[:arrives]))
        lines = [line.strip() for line in module.read_text(encoding="utf-8").splitlines()]
        problems += [f"{module}: SHARED_ON_PURPOSE names {line!r}, which the module no longer has"
                     for name, line in SHARED_ON_PURPOSE if name == module.name and line not in lines]
        for number, line in enumerate(lines, 1):
            if (module.name, line) in SHARED_ON_PURPOSE:
                continue
            for stem in released:
                if course.index(stem) >= arrives and line in solutions[stem] - known:
                    problems.append(f"{module}:{number}: solution line of {stem}.md {line!r} "
                                    f"(the module arrives with {course[arrives]})")
    return problems


def check_release(out: Path, release: Path | None = None, stems: list[str] | None = None) -> list[str]:
    """Every problem of the student release in ``release`` (default ``out/release``),
    checked against the templates and the solutions built in ``out``. The release's
    labs are the notebooks it holds. ``stems``: look inside only these labs' notebooks
    and sheets (the names, the helpers and the archive are always checked whole)."""
    folder = (release or out / "release") / STUDENT
    if not folder.is_dir():
        return [f"{folder}: missing (run make release)"]
    course = [template.stem for template in lab_templates()]
    released = [stem for stem in course if (folder / "labs" / f"{stem}.ipynb").exists()]
    if not released:
        return [f"{folder}: no lab in the release"]
    problems = archive_problems(folder) + name_problems(folder, released) + utils_problems(folder, released)
    for template in [LABS / f"{stem}.md" for stem in released]:
        if stems is not None and template.stem not in stems:
            continue
        stem, text = template.stem, template.read_text(encoding="utf-8")
        solution = nbformat.read(built_notebook(out, "solution", stem), as_version=4)
        notebook = folder / "labs" / f"{stem}.ipynb"
        question = nbformat.read(notebook, as_version=4)
        problems += [f"{notebook}: {leak}" for leak in find_leaks(text, question, "", solution)]
        # A lab's sheets against that lab's secrets: a line one lab hides (a training
        # loop) may stand in the open in another.
        secrets = {line: "solution line" for line in secret_lines(text)}
        for line in solution_only_outputs(solution, question):
            secrets.setdefault(line, "solution output")
        for sheet in sorted((folder / "sheets").glob(f"{stem}-*")):
            try:
                lines = sheet_lines(sheet, out)
            except (PdfReadError, UnicodeDecodeError) as error:
                problems.append(f"{sheet}: cannot be read, so cannot be checked ({error})")
                continue
            problems += [f"{sheet}: {secrets[line.strip()]} of {template.name} {line.strip()!r}"
                         for line in lines if line.strip() in secrets]
    return problems
