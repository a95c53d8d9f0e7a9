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
from courseware.messages import display, report_each_lab


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="*", type=Path, help="lab templates (default: every labs/*.md)")
    parser.add_argument("--out", type=Path, default=Path("build"), help="build folder (default: build)")
    args = parser.parse_args(argv)
    templates = args.templates or [display(path) for path in lab_templates()]
    return report_each_lab(templates, lambda template: check_lab_numbers(template, args.out), "NUMBERS")


if __name__ == "__main__":
    sys.exit(main())
