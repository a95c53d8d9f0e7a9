#!/usr/bin/env python
"""Printable sheets of every built notebook, HTML and PDF.

    python scripts/make_sheets.py [TEMPLATE ...] [--out DIR] [--jobs N] [--force]
                                  [--settings course.toml]

For ``labs/NN-topic.md`` it reads ``DIR/{questions,solutions}/NN-topic.ipynb`` (build
them first) and writes ``DIR/sheets/NN-topic-{question,solution}.{html,pdf}``, with
nothing but what ``make`` installs into .venv (pandoc and typst come as wheels). The
steps are the ``courseware.sheets`` package's; labs are made in parallel, and only
those whose inputs changed.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import courseware.fast_imports  # noqa: F401  (before anything imports nbformat)
from courseware.layout import lab_templates
from courseware.messages import display
from courseware.settings import SETTINGS, SettingsError, load_settings
from courseware.sheets.build import make_all_sheets


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="*", type=Path,
                        help="lab templates (default: every labs/*.md)")
    parser.add_argument("--out", type=Path, default=Path("build"), help="build folder (default: build)")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                        help="labs made in parallel (default: number of cores)")
    parser.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    parser.add_argument("--settings", type=Path, default=SETTINGS,
                        help="the course settings (default: course.toml at the top of the repository)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.settings)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    templates = [display(path) for path in args.templates or lab_templates()]
    failed = make_all_sheets(templates, args.out, jobs=args.jobs, force=args.force, settings=settings)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
