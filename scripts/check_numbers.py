#!/usr/bin/env python
"""Numbers guard: every number a solution's prose quotes from a run is printed by it.

    python scripts/check_numbers.py [TEMPLATE ...] [--out DIR]

What counts as such a number, what is exempt, and how a number matches an output, is
the docstring of ``courseware.guards.numbers``. Reads text only: run it after a build.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import courseware.fast_imports  # noqa: F401  (before anything imports nbformat)
from courseware.guards.numbers import check_lab_numbers
from courseware.layout import lab_templates
from courseware.messages import display


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="*", type=Path, help="lab templates (default: every labs/*.md)")
    parser.add_argument("--out", type=Path, default=Path("build"), help="build folder (default: build)")
    args = parser.parse_args(argv)
    failed = 0
    for template in args.templates or [display(path) for path in lab_templates()]:
        problems = check_lab_numbers(template, args.out)
        for problem in problems:
            print(problem, file=sys.stderr)
        failed += bool(problems)
        print(f"{'NUMBERS' if problems else 'ok     '} {template}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
