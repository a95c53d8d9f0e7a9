#!/usr/bin/env python
"""Other draws: does every check pass the solution on other seeds and thread counts?

    python scripts/robust.py [TEMPLATE ...] [--offsets 1-5] [--threads 1,4] [--jobs N]

What it checks, and how, is the docstring of ``courseware.guards.robust``.
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
from courseware.guards.robust import number_list, report_lines, run_one
from courseware.guards.solution_runs import solution_cells


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="*", metavar="TEMPLATE",
                        help="lab templates (default: every labs/*.md)")
    parser.add_argument("--offsets", type=number_list, default=number_list("1-5"),
                        help="seed offsets to run (default 1-5)")
    parser.add_argument("--threads", type=number_list, default=number_list("1,4"),
                        help="thread counts to run (default 1,4)")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                        help="runs at once (default: number of cores)")
    args = parser.parse_args(argv)
    if args.jobs < 1 or min(args.threads) < 1:
        parser.error("--jobs and --threads must be at least 1")

    paths = [Path(name) for name in args.templates] or [display(path) for path in lab_templates()]
    runs, problems = [], False
    for path in paths:
        try:
            cells = solution_cells(path, path.read_text(encoding="utf-8"))
        except OSError as error:
            print(f"{path}:1: cannot read template: {error.strerror}", file=sys.stderr)
            return 2
        except TemplateError as error:
            print(error, file=sys.stderr)
            problems = True
            continue
        runs += [(str(path), cells, offset, threads) for offset in args.offsets for threads in args.threads]

    started = time.monotonic()
    results: dict[str, list] = {}
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [(run, pool.submit(run_one, *run)) for run in runs]
        for (path, _, offset, threads), future in futures:
            failures, seconds = future.result()
            results.setdefault(path, []).append((offset, threads, failures, seconds))
            for line in report_lines(path, offset, threads, failures):
                print(line, flush=True)
    for path, done in results.items():
        failed = [(o, t) for o, t, failures, _ in done if failures]
        seconds = sum(s for *_, s in done)
        problems |= bool(failed)
        print(f"{path}: {len(done)} runs (offsets {','.join(map(str, args.offsets))} x "
              f"{','.join(map(str, args.threads))} threads), {len(failed)} with a failure"
              + (": " + ", ".join(f"offset {o}/{t} threads" for o, t in failed) if failed else "")
              + f"; {seconds:.0f} s of runs")
    print(f"{len(results)} lab{'s' * (len(results) != 1)} in {time.monotonic() - started:.0f} s "
          f"with {args.jobs} job{'s' * (args.jobs != 1)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
