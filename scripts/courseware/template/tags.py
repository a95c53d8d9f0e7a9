"""Step 2 of the pipeline: template cells -> question cells and solution cells.

The tag language (see README, "Writing a lab"):

    #!TAG HWBEGIN ... #!TAG HWEND   lines between: removed from the question, kept in
                                    the solution; a block may span cells
    #!MSG text                      inside a block: '# text' (code) or 'text' (prose)
                                    in the question; removed from the solution
    #!TAG SKIPQUESTEXEC             in a code cell: the question cell is tagged so that
                                    nbclient and nbval skip it

Where a block is cut from the text of the question, the question cell records it for
the printable sheets, which leave room for the answer there: ``answer_space`` (the
line of the cell's source before which the block stood; for a code cell, or a text
cell that was wholly inside the block, the room goes after the cell before it) and
``answer_lines`` (how much room, in handwritten lines, one number per place). The room
comes from the length of the hidden text, or from the author: a line
``<!-- answer space: 12 lines -->`` (or ``<!-- answer space: none -->``) inside the block.

Everything here is a pure function of the parsed template; every mistake is collected
and raised as one TemplateError listing ``PATH:LINE: message`` for each.
"""
from __future__ import annotations

import dataclasses
import difflib
import math
import re

from courseware.template.parse import Template, TemplateError
from courseware.template.placeholders import RemovalSite, compile_error, insert_placeholders

HWBEGIN, HWEND, SKIP, MSG = "#!TAG HWBEGIN", "#!TAG HWEND", "#!TAG SKIPQUESTEXEC", "#!MSG"
KNOWN_TAGS = (HWBEGIN, HWEND, SKIP, MSG)
SKIP_CELL_TAGS = ("skip-execution", "nbval-skip")   # honoured by nbclient and by nbval

_CANDIDATE = re.compile(r"^(?P<indent>\s*)(?P<tag>#!.*?)\s*$")

# The author's say on the room a sheet leaves for one answer (a line inside the block).
ANSWER_SPACE_COMMENT = re.compile(
    r"^\s*<!--\s*answer[ -]space\s*:\s*(?:(?P<lines>\d+)\s*lines?|(?P<none>none))\s*-->\s*$",
    re.IGNORECASE)
# By default the room follows the length of the hidden text: a typeset line of a sheet
# holds about 90 characters, and a handwritten answer takes about half as many lines as
# the worked solution (which explains more than a student's answer needs), within
# 4 and 24 lines.
SHEET_LINE_CHARS, ANSWER_PER_SOLUTION_LINE, ANSWER_LINES_RANGE = 90, 0.5, (4, 24)


@dataclasses.dataclass(frozen=True)
class Tag:
    name: str          # one of KNOWN_TAGS
    indent: str
    text: str = ""     # the message of a MSG tag


class UnknownTag(ValueError):
    pass


def parse_tag(line: str) -> Tag | None:
    """The tag on a line, None for an ordinary line; UnknownTag for a misspelt one.

    Any line whose first non-blank characters are '#!' is taken as meant to be a tag
    (so that a misspelt HWBEGIN cannot silently leak a solution), except a shebang
    ('#!/usr/bin/env ...').
    """
    match = _CANDIDATE.match(line)
    if not match or match["tag"].startswith("#!/"):
        return None
    indent, tag = match["indent"], match["tag"]
    if tag in (HWBEGIN, HWEND, SKIP):
        return Tag(tag, indent)
    if tag == MSG or tag.startswith(MSG + " "):
        return Tag(MSG, indent, tag[len(MSG) + 1:])
    # Compare each known tag with the same number of leading characters, so that a
    # message after a misspelt MSG does not hide the resemblance.
    closest = max(KNOWN_TAGS, key=lambda known: difflib.SequenceMatcher(
        None, tag.upper()[:len(known)], known).ratio())
    raise UnknownTag(f"unknown tag '{tag}'; did you mean '{closest}'?")


def tag_name(line: str) -> str | None:
    """The tag a line carries (HWBEGIN, MSG, ...), or None for a plain line or a
    misspelt tag (the splitter reports those; the guards only need to skip them)."""
    try:
        tag = parse_tag(line)
    except UnknownTag:
        return None
    return tag.name if tag else None


@dataclasses.dataclass
class RenderedCell:
    """A cell of the question or of the solution, with its template lines."""
    cell_type: str
    metadata: dict
    lines: list[str]
    linenos: list[int]             # template line of each line
    first_line: int                # template line where the cell starts

    @property
    def source(self) -> str:
        return "\n".join(self.lines)


class _CellBuilder:
    """Collects the kept lines of one cell for one version of the notebook."""

    def __init__(self):
        self.lines: list[str] = []
        self.linenos: list[int] = []
        self.removed = False       # something was removed since the last kept line

    def keep(self, line: str, lineno: int):
        blank = not line.strip()
        if blank and (not self.lines or (self.removed and not self.lines[-1].strip())):
            return                 # no leading blank line, no double blank at a cut
        self.lines.append(line)
        self.linenos.append(lineno)
        if not blank:
            self.removed = False

    def remove(self):
        self.removed = True

    def finish(self) -> tuple[list[str], list[int]]:
        while self.lines and not self.lines[-1].strip():
            self.lines.pop()
            self.linenos.pop()
        return self.lines, self.linenos


def answer_lines(template: Template) -> dict[int, int]:
    """For each block (by the template line of its HWBEGIN), the handwritten lines a
    sheet leaves for its answer: the author's number if the block says, else from the
    length of its text (every line with a letter or digit, code cells included)."""
    sizes: dict[int, int] = {}
    said: dict[int, int] = {}
    block_start, length = None, 0
    for cell in template.cells:
        for index, line in enumerate(cell.lines):
            try:
                tag = parse_tag(line)
            except UnknownTag:
                continue
            name = tag.name if tag else None
            if name == HWBEGIN and block_start is None:
                block_start, length = cell.lineno(index), 0
            elif name == HWEND and block_start is not None:
                low, high = ANSWER_LINES_RANGE
                sizes[block_start] = said.get(block_start, min(high, max(low, round(
                    length * ANSWER_PER_SOLUTION_LINE))))
                block_start = None
            elif name is None and block_start is not None:
                match = ANSWER_SPACE_COMMENT.match(line)
                if match:
                    said[block_start] = 0 if match["none"] else int(match["lines"])
                elif re.search(r"\w", line):
                    length += math.ceil(len(line.strip()) / SHEET_LINE_CHARS)
    return sizes


def _leave_room(metadata: dict, position: int, lines: int):
    """Record room for an answer before line ``position`` of a question cell (room
    for two answers at one place adds up; none for a block that asks for none)."""
    if lines <= 0:
        return
    room = dict(zip(metadata.get("answer_space", []), metadata.get("answer_lines", [])))
    room[position] = room.get(position, 0) + lines
    metadata["answer_space"] = sorted(room)
    metadata["answer_lines"] = [room[line] for line in sorted(room)]


def split_template(template: Template) -> tuple[list[RenderedCell], list[RenderedCell]]:
    """Template cells -> (question cells, solution cells), or TemplateError."""
    problems: list[tuple[int, str]] = []
    question: list[RenderedCell] = []
    solution: list[RenderedCell] = []
    block_start: int | None = None          # template line of the open HWBEGIN
    room = answer_lines(template)            # per block, the room for its answer
    placed: set[int] = set()                # blocks whose room is already placed
    unplaced: list[int] = []                # blocks whose room waits for a question cell

    for cell in template.cells:
        is_code = cell.cell_type == "code"
        q, s = _CellBuilder(), _CellBuilder()
        sites: list[RemovalSite] = []
        removed_indents: list[str] = []     # of code removed since the block (re)started
        skip = False
        answers: list[tuple[int, int]] = []  # (line, block) where prose blocks were cut

        def close_site(lineno):
            if block_start is not None and is_code:
                indent = min(removed_indents, key=len) if removed_indents else None
                sites.append(RemovalSite(len(q.lines), indent, lineno))
            elif block_start is not None and block_start not in placed:
                placed.add(block_start)     # one room per block, where it was first cut
                answers.append((len(q.lines), block_start))
            removed_indents.clear()

        for index, line in enumerate(cell.lines):
            lineno = cell.lineno(index)
            try:
                tag = parse_tag(line)
            except UnknownTag as error:
                problems.append((lineno, str(error)))
                tag = None
                line = ""                   # never let a broken tag line through
            if tag is None:
                if block_start is None:
                    q.keep(line, lineno)
                else:
                    q.remove()
                    if line.strip():
                        removed_indents.append(line[: len(line) - len(line.lstrip())])
                s.keep(line, lineno)
                continue
            q.remove()
            s.remove()
            if tag.name == HWBEGIN:
                if block_start is not None:
                    problems.append((lineno, f"HWBEGIN inside the block opened at line "
                                             f"{block_start}; blocks do not nest"))
                else:
                    block_start = lineno
                    removed_indents.clear()
            elif tag.name == HWEND:
                if block_start is None:
                    problems.append((lineno, "HWEND without a matching HWBEGIN"))
                else:
                    close_site(lineno)
                    block_start = None
            elif tag.name == MSG:
                if block_start is None:
                    problems.append((lineno, "MSG outside an HWBEGIN/HWEND block"))
                elif is_code:
                    q.keep(tag.indent + ("# " + tag.text if tag.text else "#"), lineno)
                else:
                    q.keep(tag.indent + tag.text, lineno)
            elif tag.name == SKIP:
                if not is_code:
                    problems.append((lineno, "SKIPQUESTEXEC in a text cell; it only "
                                             "applies to code cells"))
                elif block_start is not None:
                    problems.append((lineno, f"SKIPQUESTEXEC inside the block opened at "
                                             f"line {block_start}; put it outside the block"))
                else:
                    skip = True
        close_site(cell.lineno(len(cell.lines) - 1))

        q_lines, q_linenos = q.finish()
        if is_code and sites and q_lines:
            q_lines, q_linenos = insert_placeholders(q_lines, q_linenos, sites)
        for version, (lines, linenos), tags, space in (
                (question, (q_lines, q_linenos), SKIP_CELL_TAGS if skip else (), answers),
                (solution, s.finish(), (), [])):
            if not lines:
                # A cell wholly inside a block, or only tags: its room for an answer
                # goes after the question cell before it (or before the next one).
                if version is question and question:
                    for _, block in space:
                        _leave_room(question[-1].metadata, len(question[-1].lines), room.get(block, 0))
                elif version is question:
                    unplaced.extend(block for _, block in space)
                continue
            metadata = dict(cell.metadata)
            if tags:
                metadata["tags"] = list(dict.fromkeys([*metadata.get("tags", []), *tags]))
            if version is question:   # where the sheets leave room for an answer
                for block in unplaced:
                    _leave_room(metadata, 0, room.get(block, 0))
                unplaced.clear()
                for line, block in space:
                    _leave_room(metadata, min(line, len(lines)), room.get(block, 0))
            version.append(RenderedCell(cell.cell_type, metadata, lines, linenos,
                                        cell.first_line))

    if block_start is not None:
        problems.append((block_start, "HWBEGIN is never closed by HWEND"))
    if not problems:
        problems += _check_rendered(question, "question") + _check_rendered(solution, "solution")
    if problems:
        raise TemplateError(template.path, problems)
    return question, solution


def _check_rendered(cells: list[RenderedCell], version: str) -> list[tuple[int, str]]:
    """Every code cell compiles; no tag line survives."""
    problems = []
    for cell in cells:
        for line, lineno in zip(cell.lines, cell.linenos):
            try:
                survived = parse_tag(line) is not None
            except UnknownTag:
                survived = True
            if survived:
                problems.append((lineno, f"the {version} would contain the tag line "
                                         f"'{line.strip()}'"))
        if cell.cell_type == "code":
            error = compile_error(cell.source)
            if error is not None:
                line = error.lineno or 1
                lineno = cell.linenos[min(max(line - 1, 0), len(cell.linenos) - 1)]
                problems.append((lineno, f"the {version} code cell starting at line "
                                         f"{cell.first_line} does not compile: "
                                         f"{type(error).__name__}: {error.msg}"))
    return problems
