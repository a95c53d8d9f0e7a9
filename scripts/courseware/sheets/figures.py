"""Sheets, step 1b: how large each figure is printed, so that its text stays readable.

A figure drawn by matplotlib comes with its PDF, which says how wide the figure is and
how large its text is set (in points, at the figure's own size). Printed at scale s,
text of size t is s * t points; the sheet picks the scale so that the smallest text of
the figure prints at READABLE points or more, without enlarging the figure beyond its
own size:

    in the output column (beside the rule under the code)   if that is enough,
    across the whole text width                              else, if that is enough,
    sideways (turned a quarter, along the page's height)     else.

The size of a text is that of its text object (a label, a title, a tick), not of the
sub- and superscripts inside it, which matplotlib sets smaller by design (70%). A
figure too large for all three gets the placement that prints its text largest, and a
warning that names it.
"""
from __future__ import annotations

import base64
import dataclasses
import io
import re

# The sheet's geometry, in points (template.typ: A4, margins 2 cm, prompt column 2.8em
# plus 0.5em gutter at 10.5 pt, the output's left inset 6 pt; the page's height less
# its margins and the figure's caption).
TEXT_WIDTH = (210 - 2 * 20) / 25.4 * 72
COLUMN_WIDTH = TEXT_WIDTH - 3.3 * 10.5 - 6 - 1.5
SIDEWAYS_LENGTH = (297 - 24 - 22) / 25.4 * 72 - 40
READABLE = 6.0            # pt: the smallest text of a figure, as printed
ACCEPTABLE = 5.8          # pt: what a figure may go down to before it is turned sideways

_TEXT_OBJECT = re.compile(rb"\bBT\b(.*?)\bET\b", re.DOTALL)
_FONT = re.compile(rb"(-?[\d.]+)\s+Tf\b")
_MATRIX = re.compile(rb"(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+-?[\d.]+\s+-?[\d.]+\s+Tm\b")


@dataclasses.dataclass(frozen=True)
class Placement:
    width: float          # pt, as printed (the figure's width, also when it is turned)
    sideways: bool
    smallest: float       # pt: the smallest text as printed (0: the figure has none)
    full_width: bool      # across the whole text width rather than in the output column


def figure_size(pdf: bytes) -> tuple[float, float, float]:
    """(width, height, smallest text size) of a one-page PDF figure, in points; the
    text size is 0 when the figure has no text."""
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    box = page.mediabox
    contents = page.get_contents()
    data = contents.get_data() if contents is not None else b""
    sizes = []
    for text_object in _TEXT_OBJECT.finditer(data):
        body = text_object.group(1)
        matrix = _MATRIX.search(body)
        scale = (abs(float(matrix[1]) * float(matrix[4]) - float(matrix[2]) * float(matrix[3])) ** 0.5
                 if matrix else 1.0)
        fonts = [abs(float(size)) for size in _FONT.findall(body)]
        if fonts:
            sizes.append(max(fonts) * scale)   # the text's own size, not its scripts'
    return float(box.width), float(box.height), min(sizes, default=0.0)


def placement(width: float, height: float, smallest: float) -> Placement:
    """Where and how large a figure of this size and smallest text is printed."""
    def option(scale, sideways=False, full=False):
        return Placement(width * scale, sideways, smallest * scale, full)

    column = option(min(1.0, COLUMN_WIDTH / width))
    if not smallest or column.smallest >= READABLE:
        return column
    full = option(min(1.0, TEXT_WIDTH / width), full=True)
    if full.smallest >= ACCEPTABLE:
        return full
    turned = option(min(1.0, SIDEWAYS_LENGTH / width, TEXT_WIDTH / height), sideways=True)
    return turned if turned.smallest > full.smallest else full


def figure_placement(output) -> Placement | None:
    """The placement of a notebook output's figure (its PDF version), None if the
    output has no PDF figure."""
    data = output.get("data", {}) if isinstance(output, dict) else {}
    if "application/pdf" not in data:
        return None
    from pypdf.errors import PyPdfError

    try:
        return placement(*figure_size(base64.b64decode(data["application/pdf"])))
    except (PyPdfError, ValueError, KeyError, IndexError, ZeroDivisionError):
        return None                            # not a PDF we can read: placed as before
