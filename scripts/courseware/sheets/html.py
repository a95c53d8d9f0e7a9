"""Sheets, step 3b: the HTML sheet, one file that needs no network.

Math is MathML (which browsers draw without a script), figures are data URIs, the style
sheet is inline (template.html): nothing refers to an outside URL. Each line of code
(of a cell's source or of what it printed) becomes a span that knows its indentation
(``--i``), so that the style sheet can wrap it readably: the continuation indented past
the line's own indentation and marked, and a break allowed after an opening bracket or
a comma as well as at a space.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from courseware.sheets.pandoc import SHEETS, run_pandoc

TEMPLATE = SHEETS / "template.html"

# A line of highlighted code as pandoc writes it, up to the text after its anchor.
_SOURCE_LINE = re.compile(r'(<span id="cb\d+-\d+")(><a href="#cb\d+-\d+" aria-hidden="true" tabindex="-1"></a>)( *)')
_OUTPUT = re.compile(r"<pre><code>(.*?)</code></pre>", re.DOTALL)
# A break opportunity after an opening bracket or a comma that a character follows.
_BREAK_AFTER = re.compile(r"([(\[{,])(?!\s|[)\]}]|</|$)")


def _breakable(text: str) -> str:
    """Code HTML with <wbr> after brackets and commas (in text, not inside tags)."""
    parts = re.split(r"(<[^>]*>)", text)
    return "".join(part if part.startswith("<") else _BREAK_AFTER.sub(r"\1<wbr>", part)
                   for part in parts)


def _source_line(match: re.Match) -> str:
    return f'{match[1]} style="--i:{len(match[3])}"{match[2]}{match[3]}'


def _output(match: re.Match) -> str:
    lines = match[1].rstrip("\n").split("\n")
    spans = [f'<span class="line" style="--i:{len(line) - len(line.lstrip(" "))}">{_breakable(line)}</span>'
             for line in lines]
    return '<pre class="output-text"><code>' + "\n".join(spans) + "</code></pre>"


def wrap_code(page: str) -> str:
    """The HTML with its code lines made wrappable (see the module's text)."""
    page = _SOURCE_LINE.sub(_source_line, page)
    page = re.sub(r'(<code class="sourceCode[^"]*">)(.*?)(</code>)',
                  lambda m: m[1] + _breakable(m[2]) + m[3], page, flags=re.DOTALL)
    return _OUTPUT.sub(_output, page)


def html_bytes(notebook, meta: dict) -> tuple[bytes, list[str]]:
    """The HTML sheet of a prepared notebook, and pandoc's warnings."""
    with tempfile.TemporaryDirectory(prefix="sheet-") as folder:
        text, warnings = run_pandoc(notebook, "html5", Path(folder), meta,
                                    [f"--template={TEMPLATE}", "--mathml", "--embed-resources",
                                     "--number-sections", "--extract-media=media"])
    return wrap_code(text).encode("utf-8"), warnings
