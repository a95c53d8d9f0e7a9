"""Step 1 of the pipeline: a template file -> cells that know their template lines.

A template is a jupytext Markdown notebook. Tag lines (``#!TAG ...``, ``#!MSG ...``)
are ordinary text to jupytext, so the template is parsed into cells first and the
tags are handled afterwards, cell by cell (see ``split_tags``). That keeps the cell
structure of the template intact whatever a block removes.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import jupytext


class TemplateError(Exception):
    """One or more mistakes in a template, each reported as ``PATH:LINE: message``."""

    def __init__(self, path, problems: list[tuple[int, str]]):
        self.path = str(path)
        self.problems = sorted(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(f"{self.path}:{line}: {message}" for line, message in self.problems)


@dataclasses.dataclass
class TemplateCell:
    cell_type: str                 # "code", "markdown" or "raw"
    metadata: dict
    lines: list[str]               # the cell's source, line by line, tags included
    first_line: int                # template line (1-based) of lines[0]

    def lineno(self, index: int) -> int:
        return self.first_line + index


@dataclasses.dataclass
class Template:
    path: str
    metadata: dict                 # notebook metadata from the YAML header
    cells: list[TemplateCell]


def decode_template(path, data: bytes) -> str:
    """UTF-8 bytes -> text with Unix line endings; a byte-order mark is dropped."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise TemplateError(path, [(line, f"not valid UTF-8: byte 0x{data[error.start]:02x} "
                                          "cannot be decoded (save the template as UTF-8)")])
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def locate_cells(path, text: str, sources: list[str]) -> list[int]:
    """The template line (1-based) where each cell's source starts.

    jupytext keeps cell sources verbatim, so each cell is found as a run of lines,
    in order, after the previous one.
    """
    lines = text.split("\n")
    starts, position = [], 0
    for index, source in enumerate(sources):
        wanted = source.split("\n")
        for start in range(position, len(lines) - len(wanted) + 1):
            if lines[start:start + len(wanted)] == wanted:
                break
        else:
            raise TemplateError(path, [(position + 1, f"cannot locate cell {index} of the "
                                        "parsed notebook in the template text")])
        starts.append(start + 1)
        position = start + len(wanted)
    return starts


def check_structure(text: str) -> list[tuple[int, str]]:
    """Code fences and regions that are opened and never closed.

    jupytext accepts both silently: the rest of the template would become one code
    cell or one text cell, which is never what the author meant.
    """
    problems, fence, region = [], None, None
    for lineno, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if fence is not None:
            if stripped == fence[1]:
                fence = None
        elif stripped.startswith("```"):
            fence = (lineno, stripped[: len(stripped) - len(stripped.lstrip("`"))])
        elif stripped.startswith("<!-- #endregion"):
            if region is None:
                problems.append((lineno, "'<!-- #endregion -->' without '<!-- #region -->'"))
            region = None
        elif stripped.startswith("<!-- #region"):
            if region is not None:
                problems.append((lineno, f"'<!-- #region -->' inside the region opened at "
                                         f"line {region}; regions do not nest"))
            region = lineno
    if fence is not None:
        problems.append((fence[0], f"code fence '{fence[1]}' is never closed"))
    if region is not None:
        problems.append((region, "'<!-- #region -->' is never closed by '<!-- #endregion -->'"))
    return problems


def parse_template(path, text: str) -> Template:
    """Template text -> cells with their line numbers (pure: no file access)."""
    problems = check_structure(text)
    if problems:
        raise TemplateError(path, problems)
    # jupytext takes a first line starting with '#!' for a shebang and drops it; a tag
    # there must stay a line of the first cell, so such a text is parsed one line down.
    shift = 1 if text.startswith("#!") else 0
    text = "\n" * shift + text
    try:
        notebook = jupytext.reads(text, fmt="md")
    except Exception as error:  # jupytext raises many kinds; all mean "unreadable"
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        if mark is not None:                             # YAML errors in the header
            what = " ".join(filter(None, (getattr(error, "context", None), error.problem)))
            raise TemplateError(path, [(mark.line + 1, f"the YAML header cannot be read: {what}")])
        summary = str(error).split("\n")[0]
        raise TemplateError(path, [(1, f"jupytext cannot read this template: "
                                       f"{type(error).__name__}: {summary}")]) from error
    sources = [cell.source for cell in notebook.cells]
    starts = [start - shift for start in locate_cells(path, text, sources)]
    cells = [TemplateCell(cell.cell_type, dict(cell.metadata), source.split("\n"), start)
             for cell, source, start in zip(notebook.cells, sources, starts)]
    metadata = dict(notebook.metadata)
    metadata.pop("jupytext", None)      # the renderer's own version goes in the outputs
    return Template(str(path), metadata, cells)


def read_template(path) -> Template:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise TemplateError(path, [(1, f"cannot read template: {error.strerror}")]) from error
    return parse_template(path, decode_template(path, data))
