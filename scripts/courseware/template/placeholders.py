"""Keep every question code cell compilable after its solution lines are removed.

Removing a block can leave a compound statement without a body::

    def sigmoid(x):
        # TODO compute the sigmoid
    <end of cell>

Python then refuses the whole cell. At such a place a placeholder is inserted, at the
indentation the removed lines had, so the student sees where the code goes.

A block removed from inside a function gets the placeholder too, even where the
function still compiles (it keeps a docstring, a first line, a ``return``): otherwise
the student's unfinished function silently returns ``None`` or a half-made value, and
the check after it fails with an error that hides the cause. As in nbgrader, an
unfinished function raises ``NotImplementedError``.
"""
from __future__ import annotations

import dataclasses
import re

from IPython.core.inputtransformer2 import TransformerManager

PLACEHOLDER = "raise NotImplementedError"
_MISSING_BODY = re.compile(r"expected an indented block.* on line (\d+)")


@dataclasses.dataclass
class RemovalSite:
    """Where a block's lines were removed from a code cell."""
    index: int             # insertion index into the cell's lines
    indent: str | None     # indentation of the removed code, if it had any
    lineno: int            # template line, for messages


def compile_error(source: str) -> SyntaxError | None:
    """The SyntaxError that compiling the cell raises (IPython syntax), or None."""
    try:
        python = TransformerManager().transform_cell(source)
        compile(python, "<cell>", "exec")
    except SyntaxError as error:        # IndentationError is a SyntaxError
        return error
    return None


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def insert_placeholders(lines: list[str], linenos: list[int], sites: list[RemovalSite]):
    """Insert a placeholder at each removal site that left a statement without body.

    Returns the new (lines, linenos). Compiles the cell once per placeholder: cells are
    short and this is exact where a guess from the text (a line ending in ':') is not.
    """
    lines, linenos, sites = list(lines), list(linenos), sorted(sites, key=lambda s: s.index)
    for _ in range(len(sites)):
        error = compile_error("\n".join(lines))
        match = _MISSING_BODY.search(str(error.msg)) if error else None
        if not match:
            break
        header = int(match.group(1))               # 1-based line of the `def ...:`
        site = next((s for s in sites if s.index >= header), None)
        if site is None:
            break
        header_indent = _indent(lines[header - 1])
        indent = site.indent if site.indent is not None and len(site.indent) > len(header_indent) \
            else header_indent + "    "
        lines.insert(site.index, indent + PLACEHOLDER)
        linenos.insert(site.index, site.lineno)
        sites.remove(site)
        for other in sites:
            if other.index >= site.index:
                other.index += 1
    for site in sorted(sites, key=lambda s: s.index, reverse=True):   # later first: indices hold
        if site.indent and _inside_function(lines, site.index, site.indent) \
                and not _placeholder_at(lines, site.index, site.indent):
            candidate = lines[:site.index] + [site.indent + PLACEHOLDER] + lines[site.index:]
            if compile_error("\n".join(candidate)) is None:     # not inside brackets, say
                lines = candidate
                linenos.insert(site.index, site.lineno)
    return lines, linenos


def _is_code(line: str) -> bool:
    return bool(line.strip()) and not line.lstrip().startswith("#")


def _inside_function(lines: list[str], index: int, indent: str) -> bool:
    """Whether code at ``indent`` inserted before ``lines[index]`` is in a def's body."""
    level = len(indent)
    for line in reversed(lines[:index]):
        if _is_code(line) and len(_indent(line)) < level:
            if re.match(r"(async\s+)?def\s", line.lstrip()):
                return True
            level = len(_indent(line))
            if level == 0:
                return False
    return False


def _placeholder_at(lines: list[str], index: int, indent: str) -> bool:
    following = next((line for line in lines[index:] if _is_code(line)), "")
    return following == indent + PLACEHOLDER
