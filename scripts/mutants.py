#!/usr/bin/env python
"""Mutation test of a lab's checks: does a wrong solution fail the build?

    python scripts/mutants.py [TEMPLATE ...] [--jobs N] [--limit N] [--per-line N]
                              [--seed S] [--min-score F] [--verbose]

What it checks, and how, is the docstring of ``courseware.guards.mutants``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import courseware.fast_imports  # noqa: F401  (before anything imports nbformat)
from courseware.layout import lab_templates
from courseware.messages import display, say
from courseware.template.parse import TemplateError
from courseware.guards.mutants import MIN_TIMEOUT, TIMEOUT_FACTOR, _run_job, generate_mutants, score_lines, show


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="*", metavar="TEMPLATE",
                        help="lab templates (default: every labs/*.md)")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                        help="mutants executed in parallel (default: number of cores)")
    parser.add_argument("--per-line", type=int, default=1, help="mutants per solution line (default 1)")
    parser.add_argument("--limit", type=int, default=None, help="at most N mutants per lab")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sampling (default 0)")
    parser.add_argument("--min-score", type=float, default=0.9,
                        help="fail when a lab kills fewer than this fraction (default 0.9)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list killed mutants too")
    parser.add_argument("--list", action="store_true", help="only list the mutants; run nothing")
    args = parser.parse_args(argv)
    if args.per_line < 1 or (args.limit is not None and args.limit < 1) or args.jobs < 1:
        parser.error("--per-line, --limit and --jobs must be at least 1")

    paths = [Path(name) for name in args.templates] or [display(path) for path in lab_templates()]
    labs, failed = [], False
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
            mutants = generate_mutants(text, str(path), per_line=args.per_line,
                                       limit=args.limit, seed=args.seed)
        except OSError as error:
            print(f"{path}:1: cannot read template: {error.strerror}", file=sys.stderr)
            return 2
        except TemplateError as error:
            print(error, file=sys.stderr)
            failed = True
            continue
        labs.append((str(path), text, mutants))
        if args.list:
            for mutant in mutants:
                print(f"{show(str(path), mutant)}   [{mutant.description}]")
            print(f"{path}: {len(mutants)} mutants")
    if args.list:
        return 1 if failed else 0

    started = time.monotonic()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        # First the unmutated labs (all at once): their times set each mutant's limit.
        baselines = list(pool.map(_run_job, [(i, None, path, text, 600.0)
                                        for i, (path, text, _) in enumerate(labs)]))
        jobs, timeouts = [], {}
        for (i, _, outcome), (path, text, mutants) in zip(baselines, labs):
            if outcome.killed:
                say(f"{path}: the unmutated lab does not build, no score: {outcome.detail}",
                    error=True)
                failed = True
                continue
            timeouts[i] = max(MIN_TIMEOUT, TIMEOUT_FACTOR * outcome.seconds)
            say(f"{path}: {len(mutants)} mutants; unmutated solution {outcome.seconds:.1f} s, "
                f"limit {timeouts[i]:.0f} s each")
            jobs += [(i, mutant, path, text, timeouts[i]) for mutant in mutants]
        # Longest labs first, so that the pool is not left with one lab's tail.
        jobs.sort(key=lambda job: -timeouts[job[0]])
        results: dict[int, list] = {i: [] for i in timeouts}
        lab_started = {i: time.monotonic() for i in timeouts}
        for i in [i for i in timeouts if not labs[i][2]]:
            lines, _ = score_lines(labs[i][0], [])
            say("\n".join(lines))
        for i, mutant, outcome in pool.map(_run_job, jobs):
            results[i].append((mutant, outcome))
            if len(results[i]) == len(labs[i][2]):
                lines, score = score_lines(labs[i][0], results[i], verbose=args.verbose)
                cpu = sum(o.seconds for _, o in results[i])
                say("\n".join(lines) + f"\n{labs[i][0]}: {cpu:.0f} s of mutant runs, "
                    f"done {time.monotonic() - lab_started[i]:.0f} s after the baselines")
                failed |= score < args.min_score
    say(f"{len(labs)} labs in {time.monotonic() - started:.0f} s with {args.jobs} jobs")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
