"""Sheets, step 3b: the HTML sheet, one file that needs no network.

Math is MathML (which browsers draw without a script), figures are data URIs, the style
sheet is inline (sheet_template.html): nothing refers to an outside URL.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from courseware.sheets.pandoc import SHEETS, run_pandoc

TEMPLATE = SHEETS / "template.html"


def html_bytes(notebook, meta: dict) -> tuple[bytes, list[str]]:
    """The HTML sheet of a prepared notebook, and pandoc's warnings."""
    with tempfile.TemporaryDirectory(prefix="sheet-") as folder:
        text, warnings = run_pandoc(notebook, "html5", Path(folder), meta,
                                    [f"--template={TEMPLATE}", "--mathml", "--embed-resources",
                                     "--number-sections", "--extract-media=media"])
    return text.encode("utf-8"), warnings
