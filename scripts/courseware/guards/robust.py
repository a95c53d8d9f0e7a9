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
import tempfile
import time
from pathlib import Path

from courseware.guards.solution_runs import SolutionKernel, run_all

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
