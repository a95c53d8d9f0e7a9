#!/usr/bin/env python
"""The student release: question notebooks and sheets, utils, a README, one zip.

    python scripts/make_release.py [--out DIR] [--labs NN ...] [--solutions]

From the built labs (``make`` and ``make sheets`` first) it writes
``DIR/release/dl-labs/`` and ``DIR/release/dl-labs.zip`` of every lab, or of the labs
``--labs`` names (``--labs 01 02 03``: a week's labs, with only the helpers they
import), leak-checked before it replaces an earlier release (``courseware.release``
says what goes in); ``--solutions`` adds ``dl-labs-solutions.zip`` for teaching
assistants.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import courseware.fast_imports  # noqa: F401  (before anything imports nbformat)
from courseware.layout import ASSISTANT, STUDENT
from courseware.messages import count
from courseware.release.build import labs, publish
from courseware.settings import SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("build"), help="build folder (default: build)")
    parser.add_argument("--labs", nargs="+", default=[], metavar="NN",
                        help="release only these labs (01 or 01-linear-classifiers); default: all")
    parser.add_argument("--solutions", action="store_true",
                        help="also write the solutions archive for teaching assistants")
    args = parser.parse_args(argv)
    try:
        course = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    stems = labs(args.out, args.labs)
    problems = publish(args.out, stems, course, args.solutions)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"release leak guard: {count(len(problems), 'problem')}; nothing released", file=sys.stderr)
        return 1
    release = args.out / "release"
    print(f"student release ({count(len(stems), 'lab')}, leak-checked): {release / STUDENT}/ and "
          f"{release / STUDENT}.zip")
    if args.solutions:
        print(f"solutions for teaching assistants: {release / ASSISTANT}.zip")
    return 0


if __name__ == "__main__":
    sys.exit(main())
