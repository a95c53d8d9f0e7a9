#!/usr/bin/env python
"""Render lab templates into executed question and solution notebooks.

    python scripts/render.py [TEMPLATE ...] [--out DIR] [--no-execute] [--jobs N] [--force]
                             [--cell-timeout SECONDS] [--sheets]

For ``labs/NN-topic.md`` it writes ``DIR/questions/NN-topic.{ipynb,md}`` and
``DIR/solutions/NN-topic.{ipynb,md}``. This file is the command (arguments, messages,
exit status); the steps are modules of the ``courseware`` package beside it:

    template/parse          template file -> cells that know their template lines
    template/tags           cells -> question cells, solution cells (tags checked)
    template/placeholders   question code cells kept compilable
    notebooks/inputs        what a lab is made from, hashed: up to date or not
    notebooks/prepare       cells -> notebooks (notebooks/build); outputs of the last
                            good build where the code has not changed (notebooks/reuse)
    notebooks/schedule      the other notebooks executed (notebooks/execute, nbclient),
                            longest first, ``--jobs`` at a time; Ctrl-C and SIGTERM
    notebooks/finish        all four files and the stamp written atomically, or none
                            (notebooks/write, notebooks/stamps); a failed cell told in
                            template lines (notebooks/cell_errors)

A lab is rebuilt only when one of its inputs changed (the template, the renderer, the
``utils`` modules it imports, the pinned requirements), and a notebook is executed
again only when its code, its kernel or its environment changed (``--force``: always).
``--sheets`` then runs ``make_sheets.py`` on the labs that built.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
from pathlib import Path

import courseware.fast_imports  # noqa: F401  (before anything imports nbformat)
from courseware.layout import STAMPS, lab_templates, stamp_path
from courseware.messages import count, display, say
from courseware.notebooks.inputs import input_digest
from courseware.notebooks.stamps import output_paths, stamp_is_current

DEFAULT_CELL_TIMEOUT = 120     # a whole solution should take 30 s; this leaves room on a busy machine


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived while no kernel was running."""

    def __init__(self, signum: int):
        self.signum = signum


def is_up_to_date(template: Path, out: Path, execute: bool) -> bool:
    return stamp_is_current(stamp_path(out, template.stem), input_digest(template, execute),
                            output_paths(template, out).values())


def out_problem(out: Path) -> str | None:
    """Why the build folder cannot be written to, or None. Nothing is created."""
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        what = "is a file" if existing == out else f"is inside {existing}, which is a file"
        return f"{out}: cannot be the build folder: it {what}"
    for sub in ("questions", "solutions", STAMPS):
        if (out / sub).exists() and not (out / sub).is_dir():
            return f"{out / sub}: is a file where the build writes a folder"
    try:                        # os.access says yes to root even on a read-only mount
        tempfile.TemporaryFile(dir=existing).close()
    except OSError as error:
        return f"{out}: cannot write in the build folder{'' if existing == out else f' ({existing})'}: {error.strerror}"
    return None


def find_templates(names: list[str]) -> list[Path]:
    return [Path(name) for name in names] if names else lab_templates()


def positive_seconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole, positive number of seconds")
    return value


def template_problems(templates: list[Path]) -> list[str]:
    problems, stems = [], {}
    for path in templates:
        if path.is_dir():
            problems.append(f"{path}: is a folder; a template is a file, such as labs/01-topic.md")
        elif not path.is_file():
            problems.append(f"{path}:1: no such template")
        elif path.stem in stems:
            problems.append(f"{path}:1: writes the same notebooks as {stems[path.stem]}")
        stems.setdefault(path.stem, path)
    return problems


def raise_interrupted(signum, frame) -> None:
    raise Interrupted(signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="*", metavar="TEMPLATE",
                        help="lab templates (default: every labs/*.md)")
    parser.add_argument("--out", type=Path, default=Path("build"), help="build folder (default: build)")
    parser.add_argument("--no-execute", action="store_true", help="write notebooks without outputs")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                        help="notebooks executed in parallel (default: number of cores)")
    parser.add_argument("--force", action="store_true",
                        help="rebuild even what is up to date, and execute every notebook")
    parser.add_argument("--cell-timeout", type=positive_seconds, default=DEFAULT_CELL_TIMEOUT,
                        metavar="SECONDS", help="stop a cell that runs longer than this "
                        f"(default: {DEFAULT_CELL_TIMEOUT}; a lab's whole solution must run in 30 s)")
    parser.add_argument("--sheets", action="store_true",
                        help="then make HTML and PDF sheets of every lab that built (make_sheets.py)")
    args = parser.parse_args(argv)
    execute = not args.no_execute

    templates = [display(path) for path in find_templates(args.templates)]
    problems = template_problems(templates) + [problem for problem in [out_problem(args.out)] if problem]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, raise_interrupted)
    from courseware.notebooks.schedule import Scheduler
    builder = Scheduler(args.out, execute, args.force, args.jobs, args.cell_timeout, say)
    stale: list[tuple[Path, str]] = []
    try:
        stale = [(t, input_digest(t, execute)) for t in templates
                 if args.force or not is_up_to_date(t, args.out, execute)]
        for template in templates:
            if template not in {t for t, _ in stale}:
                say(f"[ok]     {template} (up to date)")
        if stale:
            asyncio.run(builder.build(stale))    # handles the signals itself while it runs
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, raise_interrupted)
        if builder.signal is None:
            return report(builder, templates, len(stale), args)
    except (Interrupted, KeyboardInterrupt) as interrupted:  # no kernel is running here
        builder.signal = getattr(interrupted, "signum", signal.SIGINT)
        done = set(builder.built) | set(builder.failed)
        builder.unfinished = [t for t, _ in stale if t not in done] if stale else templates
    print(f"interrupted: {count(len(builder.built), 'lab')} built, {len(builder.unfinished)} not "
          f"finished (nothing written for them)", file=sys.stderr)
    return 128 + builder.signal


def report(builder, templates: list[Path], stale: int, args) -> int:
    """The summary, then the sheets if asked for; the exit status."""
    failed = builder.failed
    print(f"{count(len(templates), 'lab')}: {len(builder.built)} built, {len(templates) - stale} up to date, "
          f"{len(failed)} failed" + "".join(f"\n  failed: {t}" for t in failed))
    if args.sheets and args.no_execute:
        print("--sheets needs executed notebooks; ignored with --no-execute", file=sys.stderr)
    if args.sheets and not args.no_execute:
        from courseware.settings import SettingsError, load_settings
        from courseware.sheets.build import make_all_sheets
        built = [t for t in templates if t not in failed]
        try:
            settings = load_settings()
        except SettingsError as error:
            print(error, file=sys.stderr)
            return 1
        if built and make_all_sheets(built, args.out, jobs=args.jobs, force=args.force, settings=settings):
            return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
