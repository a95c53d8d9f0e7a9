#!/usr/bin/env python
"""Other draws: does every check pass the solution on other seeds and thread counts?

    python scripts/robust.py [TEMPLATE ...] [--offsets 1-5] [--threads 1,4] [--jobs N]

A student's right answer draws other random numbers than the build does: their layers
are made in another order, their laptop has four cores. Every lab seeds through
``utils.seeding``, which adds ``LABS_SEED_OFFSET`` to every seed, so this command runs
each solution (the template's solution cells, as the build renders them) once per
offset and thread count, each in a kernel of its own, going on after a failure, and
reports every cell that failed: ``PATH:LINE: offset O, T threads: CheckFailed: ...``.
A check that fails here fails a right answer. The text's numbers are not compared
(they are the build's draw); only failures count. Slow (a lab's solution per run), so
it is not part of ``make test``: ``make robust [LAB=...] [OFFSETS=1-5] [THREADS=1,4]``.

Exit status 1 when any run failed, 2 on a usage error.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import fast_imports  # noqa: F401  (before anything imports nbformat)
from parse_template import TemplateError
from solution_runs import SolutionKernel, run_all, solution_cells

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 600.0          # seconds for one whole solution run (the build allows 30 s)


def number_list(text: str) -> list[int]:
    """'1-5' or '1,4' or '0,2-3' -> the whole numbers it names, in order."""
    found: list[int] = []
    try:
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            found += range(int(low), int(high or low) + 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected numbers like 1-5 or 1,4") from None
    if not found:
        raise argparse.ArgumentTypeError(f"{text!r}: names no number")
    return list(dict.fromkeys(found))


def run_one(path: str, cells, offset: int, threads: int) -> tuple[list, float]:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="robust-") as folder, \
            SolutionKernel(path, offset=offset, threads=threads, cwd=Path(folder)) as kernel:
        failures = run_all(kernel, cells, BUDGET)
    return failures, time.monotonic() - started


def report_lines(path: str, offset: int, threads: int, failures) -> list[str]:
    return [f"{path}:{failure.line}: offset {offset}, {threads} thread{'s' * (threads != 1)}: "
            f"{failure.message.splitlines()[0] if failure.message else failure.ename}"
            for failure in failures]


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

    paths = [Path(name) for name in args.templates] or sorted((ROOT / "labs").glob("*.md"))
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
