#!/usr/bin/env python
"""Render lab templates into executed question and solution notebooks.

    python scripts/render.py [TEMPLATE ...] [--out DIR] [--no-execute] [--jobs N] [--force]
                             [--cell-timeout SECONDS] [--sheets]

For ``labs/NN-topic.md`` it writes ``DIR/questions/NN-topic.{ipynb,md}`` and
``DIR/solutions/NN-topic.{ipynb,md}``. The pipeline, one module a step:

    parse_template     template file -> cells that know their template lines
    split_tags         cells -> question cells, solution cells (tags checked)
    placeholders       question code cells kept compilable
    build_notebooks    cells -> nbformat notebooks
    reuse_outputs      outputs of the last good build, if the code has not changed
    execute_notebooks  otherwise nbclient, SKIPQUESTEXEC cells skipped in the question
    cell_errors        a failed cell told in template lines
    write_outputs      all four files written atomically, or none

``build_labs`` runs the steps for every lab; ``lab_inputs`` and ``stamps`` decide what
is up to date. A lab is rebuilt only when one of its inputs changed (the template, the
renderer, the ``utils`` modules it imports, the pinned requirements), and a notebook is
executed again only when its code, its kernel or its environment changed (``--force``:
always). Notebooks execute in parallel, ``--jobs`` at a time.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
from pathlib import Path

import fast_imports  # noqa: F401  (before anything imports nbformat)
from lab_inputs import ROOT, input_digest
from stamps import output_paths, stamp_is_current, stamp_path

DEFAULT_CELL_TIMEOUT = 120     # a whole solution should take 30 s; this leaves room on a busy machine


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived while no kernel was running."""

    def __init__(self, signum: int):
        self.signum = signum


def say(line: str, error: bool = False) -> None:
    """Print one whole line in one write: several labs report at once, and print() may
    write a line and its newline separately, gluing two lines together."""
    stream = sys.stderr if error else sys.stdout
    stream.flush()
    os.write(stream.fileno(), (line + "\n").encode())


def is_up_to_date(template: Path, out: Path, execute: bool) -> bool:
    return stamp_is_current(stamp_path(template, out), input_digest(template, execute),
                            output_paths(template, out).values())


def out_problem(out: Path) -> str | None:
    """Why the build folder cannot be written to, or None. Nothing is created."""
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        what = "is a file" if existing == out else f"is inside {existing}, which is a file"
        return f"{out}: cannot be the build folder: it {what}"
    for sub in ("questions", "solutions", ".stamps"):
        if (out / sub).exists() and not (out / sub).is_dir():
            return f"{out / sub}: is a file where the build writes a folder"
    try:                        # os.access says yes to root even on a read-only mount
        tempfile.TemporaryFile(dir=existing).close()
    except OSError as error:
        return f"{out}: cannot write in the build folder{'' if existing == out else f' ({existing})'}: {error.strerror}"
    return None


def find_templates(names: list[str]) -> list[Path]:
    if names:
        return [Path(name) for name in names]
    return sorted((ROOT / "labs").glob("*.md"), key=lambda p: p.name)


def display(path: Path) -> Path:
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


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
    from build_labs import Builder
    builder = Builder(args.out, execute, args.force, args.jobs, args.cell_timeout, say)
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
    built = len(builder.built)
    print(f"interrupted: {built} lab{'s' * (built != 1)} built, {len(builder.unfinished)} not "
          f"finished (nothing written for them)", file=sys.stderr)
    return 128 + builder.signal


def report(builder, templates: list[Path], stale: int, args) -> int:
    """The summary, then the sheets if asked for; the exit status."""
    failed = builder.failed
    print(f"{len(templates)} labs: {len(builder.built)} built, {len(templates) - stale} up to date, "
          f"{len(failed)} failed" + "".join(f"\n  failed: {t}" for t in failed))
    if args.sheets and args.no_execute:
        print("--sheets needs executed notebooks; ignored with --no-execute", file=sys.stderr)
    if args.sheets and not args.no_execute:
        from make_sheets import main as make_sheets_main
        built = [str(t) for t in templates if t not in failed]
        if built and make_sheets_main([*built, "--out", str(args.out)] + ["--force"] * args.force):
            return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
