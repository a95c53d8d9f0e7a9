"""The sheets of one lab, all four or none, and whether they are up to date.

The title is the lab's first heading; under it, the course and term from the course
settings (``courseware.settings``); then the build's date. A lab's sheets are rebuilt
only when one of their inputs changed: its notebooks, the course settings, the sheet
modules or the pinned requirements (never the notebooks themselves: changing the term
re-executes nothing).
"""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from courseware.layout import PACKAGE, ROOT, VERSIONS, built_notebook, sheet_path, stamp_path
from courseware.messages import count
from courseware.notebooks.stamps import stamp_bytes, stamp_is_current
from courseware.settings import CourseSettings, load_settings
from courseware.sheets.pandoc import SheetError

TITLES = {"question": "Questions", "solution": "Solutions"}
TARGETS = ("html", "pdf")
SHEETS = Path(__file__).resolve().parent
INPUTS = [*sorted(p for p in SHEETS.iterdir() if p.suffix in (".py", ".lua", ".typ", ".html")),
          PACKAGE / "settings.py", PACKAGE / "notebooks" / "stamps.py",
          ROOT / "requirements.txt", ROOT / "constraints.txt"]

__all__ = ["SheetError", "make_all_sheets", "make_sheets", "sheet_meta", "sheet_paths", "is_up_to_date"]


def sheet_paths(stem: str, out: Path) -> dict[tuple[str, str], Path]:
    return {(version, target): sheet_path(out, version, stem, target)
            for version in VERSIONS for target in TARGETS}


def digest(stem: str, out: Path, settings: CourseSettings) -> str:
    """A hash of everything a lab's sheets are made from."""
    hasher = hashlib.sha256(repr(settings).encode())
    for path in INPUTS + [built_notebook(out, version, stem) for version in VERSIONS]:
        if path.exists():
            hasher.update(f"\n{path.name}\n".encode())
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


def build_day() -> datetime.date:
    """Today, or SOURCE_DATE_EPOCH's day when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return (datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date()
            if epoch and epoch.isdigit() else datetime.date.today())


def sheet_meta(title: str, version: str, settings: CourseSettings, stem: str) -> dict:
    """What the templates show besides the notebook: title, course line, version, date."""
    title = title or stem
    day = build_day()
    return {"title": title, "version": TITLES[version], "lab": title.split(":")[0],
            "course": settings.name, "term": settings.term,
            "institution": settings.institution, "author": list(settings.authors),
            "licence": settings.licence, "date": f"{day.day} {day:%B %Y}",
            # the PDF's own creation date: the day, not the second, so that two builds
            # of a day (or with one SOURCE_DATE_EPOCH) give the same bytes
            "year": str(day.year), "month": str(day.month), "day": str(day.day)}


def is_up_to_date(template: Path, out: Path, settings: CourseSettings) -> bool:
    stem = template.stem
    return stamp_is_current(stamp_path(out, stem, "sheets"), digest(stem, out, settings),
                            sheet_paths(stem, out).values())


def make_sheets(template: Path, out: Path, force: bool = False,
                settings: CourseSettings | None = None) -> str:
    """Write the four sheets of one lab; returns 'built' or 'up to date'. Warnings from
    pandoc go to stderr, naming the notebook they are about."""
    import nbformat
    from courseware.sheets.html import html_bytes
    from courseware.sheets.notebook import lab_title, sheet_notebook
    from courseware.sheets.typst import pdf_bytes
    from courseware.notebooks.write import write_all

    settings = settings if settings is not None else load_settings()
    stem = template.stem
    for version in VERSIONS:
        path = built_notebook(out, version, stem)
        if not path.exists():
            raise SheetError(f"{path} does not exist: render the lab first (make)")
    stamp = stamp_path(out, stem, "sheets")
    paths = sheet_paths(stem, out)
    current = digest(stem, out, settings)
    if not force and stamp_is_current(stamp, current, paths.values()):
        return "up to date"
    files = {}
    notebooks = {version: nbformat.read(built_notebook(out, version, stem), as_version=4)
                 for version in VERSIONS}
    for version in VERSIONS:
        source = built_notebook(out, version, stem)
        notebook = notebooks[version]
        other = next(notebooks[v] for v in VERSIONS if v != version)   # for the numbering
        meta = sheet_meta(lab_title(notebook), version, settings, stem)
        for target, convert in (("pdf", pdf_bytes), ("html", html_bytes)):
            warnings = []
            try:
                sheet = sheet_notebook(notebook, target, other, warnings)
                files[paths[version, target]], more = convert(sheet, meta)
            except SheetError as error:
                raise SheetError(f"{source}: {target} sheet: {error}") from None
            for warning in warnings + more:
                print(f"{source}: {target} sheet: {warning}", file=sys.stderr, flush=True)
    files[stamp] = stamp_bytes(template, current)
    write_all(files)
    return "built"


def make_sheets_reporting(template: Path, out: Path, force: bool,
                    settings: CourseSettings) -> tuple[str, float, str]:
    """Worker: (status, seconds, error message); a failed lab writes nothing."""
    start = time.monotonic()
    try:
        return make_sheets(template, out, force, settings), time.monotonic() - start, ""
    except SheetError as error:
        return "FAILED", time.monotonic() - start, str(error)


def make_all_sheets(templates: list[Path], out: Path, *, jobs: int, force: bool,
                    settings: CourseSettings) -> list[Path]:
    """The sheets of every lab that needs them, ``jobs`` labs at a time, each told in a
    line as it ends, then a summary line; returns the labs that failed."""
    # Checked here, so that a no-op run starts no worker (and imports neither pandoc nor typst).
    stale = [t for t in templates if force or not is_up_to_date(t, out, settings)]
    for template in templates:
        if template not in stale:
            print(f"[up to date] sheets of {template}", flush=True)
    jobs = max(1, min(jobs, len(stale)))
    failed = []
    # Workers come from a forkserver, not a fork of this process: a fork copies the locks
    # other threads hold (pytest-xdist's, pandoc's), and such a worker can wait forever.
    workers = (ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("forkserver"))
               if jobs > 1 else contextlib.nullcontext())
    with workers as pool:
        arguments = (stale, [out] * len(stale), [force] * len(stale), [settings] * len(stale))
        results = (pool.map(make_sheets_reporting, *arguments) if pool
                   else map(make_sheets_reporting, *arguments))
        for template, (status, seconds, message) in zip(stale, results):
            if message:
                failed.append(template)
                print(f"{template}:1: sheets failed: {message}", file=sys.stderr, flush=True)
            print(f"[{status}] sheets of {template} in {seconds:.1f} s", flush=True)
    print(f"{count(len(templates), 'lab')}: {len(stale) - len(failed)} built, "
          f"{len(templates) - len(stale)} up to date, {len(failed)} failed"
          + "".join(f"\n  failed: {t}" for t in failed))
    return failed
