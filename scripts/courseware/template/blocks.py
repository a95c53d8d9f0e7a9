"""The walk through a template's lines that every guard needs: which lines are tags,
which lie inside an HWBEGIN/HWEND block, and which ``## `` section each is in.

Blocks may span cells, so the state carries from cell to cell. Misspelt tags are
plain lines here (the splitter reports them; a guard only needs to skip tags).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from courseware.template.parse import Template, TemplateCell
from courseware.template.tags import HWBEGIN, HWEND, tag_name


@dataclasses.dataclass(frozen=True)
class Line:
    lineno: int                 # template line (1-based)
    text: str
    tag: str | None             # HWBEGIN, HWEND, MSG, SKIPQUESTEXEC or None
    in_block: bool              # between HWBEGIN and HWEND (the two tag lines included)
    section: int                # how many `## ` headings outside blocks came so far (in
                                # markdown cells; always 0 when walking raw text)
    cell: TemplateCell | None   # None when walking raw text
    index: int                  # in its cell (its line in the text, 0-based, for raw text)


def walk(items: Iterable[tuple[TemplateCell | None, int, int, str]]) -> Iterator[Line]:
    """(cell, index, lineno, text) in template order -> Lines."""
    in_block, section = False, 0
    for cell, index, lineno, text in items:
        tag = tag_name(text)
        if tag == HWBEGIN:
            in_block = True
        if (not in_block and tag is None and text.startswith("## ")
                and cell is not None and cell.cell_type == "markdown"):
            section += 1
        yield Line(lineno, text, tag, in_block, section, cell, index)
        if tag == HWEND:
            in_block = False


def template_lines(template: Template) -> Iterator[Line]:
    """Every line of every cell of a parsed template."""
    return walk((cell, index, cell.lineno(index), text)
                for cell in template.cells for index, text in enumerate(cell.lines))


def text_lines(text: str) -> Iterator[Line]:
    """Every line of a template's raw text (fences and header included)."""
    return walk((None, index, index + 1, line) for index, line in enumerate(text.splitlines()))
