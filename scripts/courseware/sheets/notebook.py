"""Sheets, step 1: a built notebook made ready for printing.

The lab's title leaves the first heading (the sheet's title block shows it; the other
headings move up a level, so that '## Exercise 1' becomes section 1). Given the other
version of the lab, the headings that only this version has (the '### Solution' of a
solution block) lose their number, so that a section shared by both sheets has the same
number on each. A marker goes where a solution was cut from the text (``answer_space``
cell metadata: the lines before which the split removed a solution, with the room it
leaves in ``answer_lines``; room recorded on a code cell goes after it). Each output
keeps only the one representation that the target shows best (a figure's PDF for the
PDF sheet, its PNG for HTML), a figure gets its printed size (``figures``), and a
check's message returned after being printed (an ``execute_result`` that repeats a
printed line) is shown once.
"""
from __future__ import annotations

import ast
import copy
import difflib
import re

import nbformat

from courseware.sheets.figures import figure_placement

# Turned into blank room by filter.lua (PDF) or the HTML sheet's style sheet.
ANSWER_SPACE = '<div class="answer-space"></div>'

# Per target, the output representations in order of preference; others are dropped.
PREFERRED = {
    "pdf": ("application/pdf", "image/svg+xml", "image/png", "image/jpeg",
            "text/markdown", "text/latex", "text/plain"),
    "html": ("image/svg+xml", "image/png", "image/jpeg", "text/html", "text/markdown",
             "text/latex", "text/plain"),
}

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#+)(\s+)(.*?)\s*$")


def answer_marker(lines: int | None = None) -> str:
    """The marker of room for an answer, of ``lines`` handwritten lines (the sheet's
    default without)."""
    return ANSWER_SPACE if lines is None else f'<div class="answer-space" data-lines="{lines}"></div>'


def lab_title(notebook) -> str:
    """'Lab 3: Gradient descent ...' from the first heading of the first text cell."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = re.match(r"#\s+(.+)", cell.source.lstrip())
            if match:
                return match.group(1).strip()
            break
    return ""


def heading_lines(source: str) -> list[int]:
    """The indices of the lines of a Markdown source that are ATX headings (not the
    comments of a fenced code block)."""
    found, fenced = [], False
    for index, line in enumerate(source.split("\n")):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and _HEADING.match(line):
            found.append(index)
    return found


def headings(notebook) -> list[str]:
    """Every heading of the notebook's text cells, in order."""
    return [cell.source.split("\n")[index].strip()
            for cell in notebook.cells if cell.cell_type == "markdown"
            for index in heading_lines(cell.source)]


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


def repeated_result(output, printed: str) -> bool:
    """An execute_result that only repeats, as a quoted string, what the cell printed
    (a check's message, printed and returned)."""
    if output.get("output_type") != "execute_result":
        return False
    text = output.get("data", {}).get("text/plain", "")
    text = "".join(text) if isinstance(text, list) else text
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False
    return isinstance(value, str) and bool(value.strip()) and value.strip() in printed


def size_figure(output, target: str, warnings: list | None, where: str):
    """Give a figure output its printed size (before ``best_output`` drops its PDF): the
    Lua filter reads ``sheet-width`` (points) and ``sheet-sideways``; HTML prints it at
    that width too."""
    place = figure_placement(output)
    if place is None:
        return
    if target == "pdf" and place.smallest and place.smallest < 5.8 and warnings is not None:
        warnings.append(f"{where}: the figure prints its smallest text at {place.smallest:.1f} pt "
                        "even at its best placement; make it narrower or its text larger")
    mime = "application/pdf" if target == "pdf" else next(
        (m for m in PREFERRED["html"] if m in output["data"] and m.startswith("image/")), None)
    if mime is None:
        return
    attributes = {key: value for key, value in output.setdefault("metadata", {}).get(mime, {}).items()
                  if key not in ("width", "height")}
    if target == "pdf":
        attributes.update({"sheet-width": f"{place.width:.1f}",
                           "sheet-sideways": "true" if place.sideways else "false",
                           "sheet-full": "true" if place.full_width else "false"})
    elif not place.sideways:       # a browser prints it at the same width, at most the page's
        attributes["width"] = f"{place.width / 72:.2f}in"
    output["metadata"][mime] = attributes


def unnumber_own_headings(sheet, other):
    """Headings that only ``sheet`` has (not the other version) get no number."""
    mine, theirs = headings(sheet), headings(other)
    shared = set()
    for block in difflib.SequenceMatcher(None, mine, theirs, autojunk=False).get_matching_blocks():
        shared.update(range(block.a, block.a + block.size))
    position = 0
    for cell in sheet.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        for index in heading_lines(cell.source):
            if position not in shared:
                lines[index] = lines[index].rstrip() + " {.unnumbered}"
            position += 1
        cell.source = "\n".join(lines)


def sheet_notebook(notebook, target: str, other=None, warnings: list | None = None):
    """A copy made for printing on ``target`` ('pdf' or 'html'): see the module's text.
    ``other`` is the lab's other version (question or solution), if at hand; what the
    sheet should warn about goes into ``warnings``."""
    sheet = copy.deepcopy(notebook)
    sheets = [sheet] + ([copy.deepcopy(other)] if other is not None else [])
    for version in sheets:
        title = lab_title(version)
        if title:
            first = next(cell for cell in version.cells if cell.cell_type == "markdown")
            first.source = re.sub(r"^\s*#\s+.+\n*", "", first.source, count=1)
            if not first.source.strip():
                version.cells.remove(first)
        for cell in version.cells:
            if title and cell.cell_type == "markdown":   # '## Exercise 1' becomes section 1
                lines = cell.source.split("\n")
                for index in heading_lines(cell.source):
                    lines[index] = lines[index][1:] if lines[index].startswith("##") else lines[index]
                cell.source = "\n".join(lines)
    if other is not None:
        unnumber_own_headings(sheet, sheets[1])

    cells = []
    for cell in sheet.cells:
        room = dict(zip(cell.metadata.get("answer_space", []), cell.metadata.get("answer_lines", [])))
        spaces = sorted(cell.metadata.get("answer_space", []), reverse=True)
        if cell.cell_type == "markdown":
            lines = cell.source.split("\n")
            for line in spaces:
                lines.insert(line, f"\n\n{answer_marker(room.get(line))}\n")
            cell.source = "\n".join(lines)
        printed = "".join(output.get("text", "") if isinstance(output.get("text", ""), str)
                          else "".join(output["text"])
                          for output in cell.get("outputs", []) if output.get("output_type") == "stream")
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.outputs if not repeated_result(output, printed)]
        for output in cell.get("outputs", []):
            if "data" in output:
                size_figure(output, target, warnings, f"the cell [{cell.get('execution_count') or ' '}]")
            best_output(output, target)
        cells.append(cell)
        if cell.cell_type != "markdown" and spaces:   # room after a code cell
            cells.append(nbformat.v4.new_markdown_cell(
                "\n\n".join(answer_marker(room.get(line)) for line in sorted(spaces))))
    sheet.cells = cells
    return sheet
