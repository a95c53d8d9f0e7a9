"""Sheets, step 1: a built notebook made ready for printing.

The lab's title leaves the first heading (the sheet's title block shows it; the other
headings move up a level, so that '## Exercise 1' becomes section 1), a marker goes
where a solution was cut from the text (``answer_space`` cell metadata: the lines before
which the split removed a solution), and each output keeps only the one representation
that the target shows best (a figure's PDF for the PDF sheet, its PNG for HTML).
"""
from __future__ import annotations

import copy
import re

# Turned into blank room by sheet_filter.lua (PDF) or the HTML sheet's style sheet.
ANSWER_SPACE = '<div class="answer-space"></div>'

# Per target, the output representations in order of preference; others are dropped.
PREFERRED = {
    "pdf": ("application/pdf", "image/svg+xml", "image/png", "image/jpeg",
            "text/markdown", "text/latex", "text/plain"),
    "html": ("image/svg+xml", "image/png", "image/jpeg", "text/html", "text/markdown",
             "text/latex", "text/plain"),
}


def lab_title(notebook) -> str:
    """'Lab 3: Gradient descent ...' from the first heading of the first text cell."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = re.match(r"#\s+(.+)", cell.source.lstrip())
            if match:
                return match.group(1).strip()
            break
    return ""


def best_output(output, target: str):
    """The output with only the representation the target shows best."""
    if "data" not in output:
        return output
    for mime in PREFERRED[target]:
        if mime in output["data"]:
            output["data"] = {mime: output["data"][mime]}
            output.setdefault("metadata", {})
            output["metadata"] = {key: value for key, value in output["metadata"].items()
                                  if key == mime}
            return output
    return output


def sheet_notebook(notebook, target: str):
    """A copy made for printing on ``target`` ('pdf' or 'html'): see the module's text."""
    sheet = copy.deepcopy(notebook)
    title = lab_title(sheet)
    if title:
        first = next(cell for cell in sheet.cells if cell.cell_type == "markdown")
        first.source = re.sub(r"^\s*#\s+.+\n*", "", first.source, count=1)
        if not first.source.strip():
            sheet.cells.remove(first)
    for cell in sheet.cells:
        if title and cell.cell_type == "markdown":   # '## Exercise 1' becomes section 1
            cell.source = re.sub(r"^#(#+\s)", r"\1", cell.source, flags=re.MULTILINE)
        lines = cell.source.split("\n")
        for line in sorted(cell.metadata.get("answer_space", []), reverse=True):
            lines.insert(line, f"\n\n{ANSWER_SPACE}\n")
        cell.source = "\n".join(lines)
        for output in cell.get("outputs", []):
            best_output(output, target)
    return sheet
