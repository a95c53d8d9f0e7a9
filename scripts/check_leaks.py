#!/usr/bin/env python
"""Leak guard: nothing of a solution may reach a question notebook.

    python scripts/check_leaks.py [TEMPLATE ...] [--out DIR]

What it checks, and how, is the docstring of ``courseware.guards.leaks``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import courseware.fast_imports  # noqa: F401  (before anything imports nbformat)
from courseware.guards.leaks import check_lab
from courseware.layout import lab_templates
from courseware.messages import display, report_each_lab


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build"))
    args = parser.parse_args(argv)
    templates = args.templates or [display(path) for path in lab_templates()]
    return report_each_lab(templates, lambda template: check_lab(template, args.out), "LEAK")


if __name__ == "__main__":
    sys.exit(main())
