#!/usr/bin/env python
"""Leak guard: nothing of a solution may reach a question notebook.

    python scripts/check_leaks.py [TEMPLATE ...] [--out DIR]

What it checks, and how, is the docstring of ``courseware.guards.leaks``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from courseware.guards.leaks import check_lab
from courseware.layout import lab_templates
from courseware.messages import display


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build"))
    args = parser.parse_args(argv)
    templates = args.templates or [display(path) for path in lab_templates()]
    failed = 0
    for template in templates:
        leaks = check_lab(template, args.out)
        for leak in leaks:
            print(leak, file=sys.stderr)
        failed += bool(leaks)
        print(f"{'LEAK' if leaks else 'ok  '} {template}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
