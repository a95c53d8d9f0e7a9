#!/usr/bin/env python
"""Step 6 of the pipeline: printable sheets of every built notebook, HTML and PDF.

    python scripts/make_sheets.py [TEMPLATE ...] [--out DIR] [--jobs N] [--force]
                                  [--settings course.toml]

For ``labs/NN-topic.md`` it reads ``DIR/{questions,solutions}/NN-topic.ipynb`` (build
them first) and writes ``DIR/sheets/NN-topic-{question,solution}.{html,pdf}``, with
nothing but what ``make`` installs into .venv (pandoc and typst come as wheels):

    sheet_notebook  the notebook made ready for printing (title, answer space, outputs)
    sheet_pandoc    pandoc reads it, with a Lua filter for prompts and outputs
    sheet_typst     the PDF: pandoc's typst output, compiled by the typst wheel
    sheet_html      the HTML: one offline file, math as MathML

The title is the lab's first heading; under it, the course and term from the course
settings (course_settings.py); then the build's date. Labs build in parallel, and a
lab's sheets are rebuilt only when one of their inputs changed: its notebooks, the
course settings, these scripts or the pinned requirements (never the notebooks
themselves: changing the term re-executes nothing).
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from course_settings import SETTINGS, CourseSettings, SettingsError, load_settings
from sheet_pandoc import SheetError
from stamps import stamp_bytes, stamp_is_current

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
VERSIONS = {"question": "Questions", "solution": "Solutions"}
TARGETS = ("html", "pdf")
INPUTS = [SCRIPTS / name for name in (
    "make_sheets.py", "sheet_notebook.py", "sheet_pandoc.py", "sheet_typst.py", "sheet_html.py",
    "sheet_filter.lua", "sheet_template.typ", "sheet_template.html", "course_settings.py",
    "stamps.py")] + [ROOT / "requirements.txt", ROOT / "constraints.txt"]

__all__ = ["SheetError", "make_sheets", "main", "sheet_meta", "sheet_paths"]


def sheet_paths(stem: str, out: Path) -> dict[tuple[str, str], Path]:
    return {(version, target): out / "sheets" / f"{stem}-{version}.{target}"
            for version in VERSIONS for target in TARGETS}


def notebook_path(stem: str, out: Path, version: str) -> Path:
    return out / f"{version}s" / f"{stem}.ipynb"


def digest(stem: str, out: Path, settings: CourseSettings) -> str:
    """A hash of everything a lab's sheets are made from."""
    hasher = hashlib.sha256(repr(settings).encode())
    for path in INPUTS + [notebook_path(stem, out, version) for version in VERSIONS]:
        if path.exists():
            hasher.update(f"\n{path.name}\n".encode())
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


def build_date() -> str:
    """Today, or SOURCE_DATE_EPOCH's day when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    day = (datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date()
           if epoch and epoch.isdigit() else datetime.date.today())
    return f"{day.day} {day:%B %Y}"


def sheet_meta(title: str, version: str, settings: CourseSettings, stem: str) -> dict:
    """What the templates show besides the notebook: title, course line, version, date."""
    title = title or stem
    return {"title": title, "version": VERSIONS[version], "lab": title.split(":")[0],
            "course": settings.name, "term": settings.term,
            "institution": settings.institution, "author": list(settings.authors),
            "date": build_date()}


def stamp_path(stem: str, out: Path) -> Path:
    return out / ".stamps" / f"{stem}-sheets.json"


def is_up_to_date(template: Path, out: Path, settings: CourseSettings) -> bool:
    stem = template.stem
    return stamp_is_current(stamp_path(stem, out), digest(stem, out, settings),
                            sheet_paths(stem, out).values())


def make_sheets(template: Path, out: Path, force: bool = False,
                settings: CourseSettings | None = None) -> str:
    """Write the four sheets of one lab; returns 'built' or 'up to date'. Warnings from
    pandoc go to stderr, naming the notebook they are about."""
    import nbformat
    from sheet_html import html_bytes
    from sheet_notebook import lab_title, sheet_notebook
    from sheet_typst import pdf_bytes
    from write_outputs import write_all

    settings = settings if settings is not None else load_settings()
    stem = template.stem
    for version in VERSIONS:
        path = notebook_path(stem, out, version)
        if not path.exists():
            raise SheetError(f"{path} does not exist: render the lab first (make)")
    stamp = stamp_path(stem, out)
    paths = sheet_paths(stem, out)
    current = digest(stem, out, settings)
    if not force and stamp_is_current(stamp, current, paths.values()):
        return "up to date"
    files = {}
    for version in VERSIONS:
        source = notebook_path(stem, out, version)
        notebook = nbformat.read(source, as_version=4)
        meta = sheet_meta(lab_title(notebook), version, settings, stem)
        for target, convert in (("pdf", pdf_bytes), ("html", html_bytes)):
            try:
                files[paths[version, target]], warnings = convert(sheet_notebook(notebook, target), meta)
            except SheetError as error:
                raise SheetError(f"{source}: {target} sheet: {error}") from None
            for warning in warnings:
                print(f"{source}: {target} sheet: {warning}", file=sys.stderr, flush=True)
    files[stamp] = stamp_bytes(template, current)
    write_all(files)
    return "built"


def _make_reporting(template: Path, out: Path, force: bool,
                    settings: CourseSettings) -> tuple[str, float, str]:
    """Worker: (status, seconds, error message); a failed lab writes nothing."""
    start = time.monotonic()
    try:
        return make_sheets(template, out, force, settings), time.monotonic() - start, ""
    except SheetError as error:
        return "FAILED", time.monotonic() - start, str(error)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="*", type=Path,
                        help="lab templates (default: every labs/*.md)")
    parser.add_argument("--out", type=Path, default=Path("build"), help="build folder (default: build)")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                        help="labs made in parallel (default: number of cores)")
    parser.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    parser.add_argument("--settings", type=Path, default=SETTINGS,
                        help="the course settings (default: course.toml at the top of the repository)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.settings)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    templates = args.templates or sorted((ROOT / "labs").glob("*.md"))
    # Checked here, so that a no-op run starts no worker (and imports neither pandoc nor typst).
    stale = [t for t in templates if args.force or not is_up_to_date(t, args.out, settings)]
    for template in templates:
        if template not in stale:
            print(f"[up to date] sheets of {template}", flush=True)
    jobs = max(1, min(args.jobs, len(stale)))
    failed = []
    with ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else contextlib.nullcontext() as pool:
        arguments = (stale, [args.out] * len(stale), [args.force] * len(stale),
                     [settings] * len(stale))
        results = pool.map(_make_reporting, *arguments) if pool else map(_make_reporting, *arguments)
        for template, (status, seconds, message) in zip(stale, results):
            if message:
                failed.append(template)
                print(f"{template}:1: sheets failed: {message}", file=sys.stderr, flush=True)
            print(f"[{status}] sheets of {template} in {seconds:.1f} s", flush=True)
    print(f"{len(templates)} labs: {len(stale) - len(failed)} built, "
          f"{len(templates) - len(stale)} up to date, {len(failed)} failed"
          + "".join(f"\n  failed: {t}" for t in failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
