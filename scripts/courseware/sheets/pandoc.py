"""Sheets, step 2: pandoc reads a notebook prepared by sheet_notebook and writes it out.

pandoc comes inside the pypandoc-binary wheel, so no system package is needed. Its Lua
filter (sheet_filter.lua) adds the execution prompts, sets the outputs apart from the
code and turns the answer-space markers into room for answers.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

SHEETS = Path(__file__).resolve().parent       # the package folder, with the filter and templates
FILTER = SHEETS / "filter.lua"
# The notebook reader, with two extensions of pandoc's Markdown: an ordered list keeps
# its start number ("3." stays 3), and a heading may carry attributes (notebook.py marks
# the headings one version has alone '{.unnumbered}').
READER = "ipynb+startnum+header_attributes"


class SheetError(Exception):
    """A sheet that could not be made; the message says why."""


def pandoc_binary() -> str:
    import pypandoc
    try:
        return pypandoc.get_pandoc_path()
    except OSError:
        raise SheetError("pandoc not found: the pypandoc-binary wheel is missing from .venv "
                         "(run `make venv`)") from None


def metadata_arguments(meta: dict) -> list[str]:
    """``-M key=value`` for each entry (repeated for a list): pandoc takes these as plain
    strings and escapes them for the output format."""
    arguments = []
    for key, value in meta.items():
        for item in (value if isinstance(value, (list, tuple)) else [value]):
            if item:
                arguments.append(f"--metadata={key}={item}")
    return arguments


def run_pandoc(notebook, to: str, folder: Path, meta: dict, options: list) -> tuple[str, list[str]]:
    """The document pandoc writes in format ``to`` (working in ``folder``), and its
    warnings; raises SheetError if pandoc fails."""
    import nbformat

    source = folder / "sheet.ipynb"
    source.write_text(nbformat.writes(notebook), encoding="utf-8")
    command = [pandoc_binary(), source.name, f"--from={READER}", f"--to={to}", "--standalone",
               f"--lua-filter={FILTER}", *metadata_arguments(meta), *map(str, options)]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True)
    if result.returncode != 0:
        raise SheetError(f"pandoc failed (exit {result.returncode}):\n{result.stderr.strip()}")
    return result.stdout, [line for line in result.stderr.splitlines() if line.strip()]
