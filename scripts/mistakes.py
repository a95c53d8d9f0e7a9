#!/usr/bin/env python
"""Students' mistakes: does each one fail at its own exercise's check, saying why?

    python scripts/mistakes.py [TEMPLATE ...] [--jobs N] [--fresh] [--verbose]

What it checks, and how, is the docstring of ``courseware.guards.mistakes``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import courseware.fast_imports  # noqa: F401  (before anything imports nbformat)
from courseware.layout import lab_templates
from courseware.messages import display
from courseware.template.parse import TemplateError
from courseware.guards.mistakes import MistakesError, exercises_short_of_mistakes, mistakes_path, prepare, run_lab


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="*", metavar="TEMPLATE",
                        help="lab templates (default: every labs/*.md)")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                        help="labs run at once (default: number of cores)")
    parser.add_argument("--fresh", action="store_true", help="a fresh kernel for every mistake")
    parser.add_argument("--verbose", "-v", action="store_true", help="show the caught mistakes too")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    paths = [Path(name) for name in args.templates] or [display(path) for path in lab_templates()]
    failed, labs = False, []
    for path in paths:
        if not path.is_file():
            print(f"{path}:1: no such template", file=sys.stderr)
            return 2
        try:
            lab, prepared = prepare(path)
        except (MistakesError, TemplateError) as error:
            print(error, file=sys.stderr)
            failed = True
            continue
        short = exercises_short_of_mistakes(lab, prepared)
        for line in short:
            print(line, file=sys.stderr)
        failed |= bool(short)
        labs.append((lab, prepared))

    def say(lab):
        def tell(mistake, problem, failure):
            sidecar = mistakes_path(Path(lab.path))
            if problem is not None:
                print(f"{sidecar}:{mistake.line}: {mistake.name!r} {problem}", flush=True)
            elif args.verbose:
                print(f"{sidecar}:{mistake.line}: {mistake.name!r} caught at {lab.path}:{failure.line}: "
                      f"{failure.message.splitlines()[0]}", flush=True)
        return tell

    def run(item):
        lab, prepared = item
        started = time.monotonic()
        try:
            results = run_lab(lab, prepared, args.fresh, say(lab))
        except RuntimeError as error:
            print(error, file=sys.stderr, flush=True)
            results = [(mistake, "not run: the right solution failed") for mistake, _, _ in prepared]
        return lab, results, time.monotonic() - started

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for lab, results, seconds in pool.map(run, labs):
            missed = [m for m, problem in results if problem is not None]
            failed |= bool(missed)
            per = {}
            for mistake, _ in results:
                per[mistake.exercise] = per.get(mistake.exercise, 0) + 1
            print(f"{lab.path}: {len(results) - len(missed)}/{len(results)} mistakes caught at their "
                  f"exercise's check ({', '.join(f'{e}: {n}' for e, n in per.items())}); {seconds:.0f} s")
    print(f"{len(labs)} lab{'s' * (len(labs) != 1)} in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
