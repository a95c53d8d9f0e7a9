"""A failed cell, told in template lines: where the failing statement is in the
template, then the last frames of the kernel's traceback.

IPython names a frame of cell code ``Cell In[N], line K`` (N: the execution count,
K: the line in that cell) and a frame of a file ``File PATH:LINE``; the renderer knows
the template line of every line of every cell, so each cell frame becomes
``TEMPLATE:LINE``.
"""
from __future__ import annotations

import re

FRAMES_SHOWN = 6
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_HEADER = re.compile(r"^\s*(?:Cell In\[(?P<count>\d+)\], line (?P<line>\d+)"
                     r"|File (?P<file>.+?):(?P<file_line>\d+))(?:, in (?P<function>[^\s(]+))?")
_ARROW = re.compile(r"^-*>\s*\d+\s?(?P<code>.*)$")


def frames(traceback: list[str]) -> list[dict]:
    """IPython's traceback (coloured text) -> frames: count/line or file/file_line,
    function, and the code of the line that was running."""
    found: list[dict] = []
    for line in _ANSI.sub("", "\n".join(traceback)).split("\n"):
        header = _HEADER.match(line)
        if header:
            # a SyntaxError's frame is indented and shows the bad line as it is
            found.append({**header.groupdict(), "code": None, "syntax": line[:1].isspace()})
        elif found and found[-1]["code"] is None and line.strip():
            arrow = _ARROW.match(line.strip())
            if arrow:
                found[-1]["code"] = arrow["code"].strip()
            elif found[-1]["syntax"]:
                found[-1]["code"] = line.strip()
    return found


def describe_failure(template, cells, counts: dict[int, int], index: int,
                     error: dict) -> tuple[int, list[str]]:
    """(template line of the failing statement in cell ``index``, lines that tell the
    traceback). ``cells``: the notebook's RenderedCells; ``counts``: execution count ->
    cell index; ``error``: the cell's error output (ename, evalue, traceback)."""
    def where(frame) -> str | None:
        if frame["count"] is None:
            return f"{frame['file']}:{frame['file_line']}"
        cell_index = counts.get(int(frame["count"]))
        linenos = cells[cell_index].linenos if cell_index is not None else []
        line = int(frame["line"])
        return f"{template}:{linenos[line - 1]}" if 0 < line <= len(linenos) else None

    found = frames(error.get("traceback", []))
    line = cells[index].first_line
    for frame in found:                        # the outermost frame in the failing cell
        if frame["count"] is not None and counts.get(int(frame["count"])) == index:
            place = where(frame)
            line = int(place.rsplit(":", 1)[1]) if place else line
            break
    told = []
    for frame in found[-FRAMES_SHOWN:]:
        place = where(frame) or f"cell In[{frame['count']}], line {frame['line']}"
        function = f", in {frame['function']}" if frame["function"] else ""
        code = f": {frame['code']}" if frame["code"] else ""
        told.append(f"  {place}{function}{code}")
    if len(found) > FRAMES_SHOWN:
        told.insert(0, f"  ... {len(found) - FRAMES_SHOWN} earlier frames")
    return line, told
