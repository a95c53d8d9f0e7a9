"""Numbers the outputs support: every number a solution's prose quotes from a run must
be one that an output of the built solution prints.

    python scripts/check_numbers.py [TEMPLATE ...] [--out DIR]

Which numbers. In the prose inside HWBEGIN/HWEND blocks (the solution's text) every
number that could come from a run: a decimal (``0.488``), a number in scientific
notation (``7.42e+08``), a percentage (``99.8%``), a number with a thousands separator
(``85,002``), a whole number of three or more significant digits (``1797``, not
``100``), and both ends of a quoted range (``36 to 86``, ``36–86``).

Exempt, each for a reason a reader can see:

- numbers inside LaTeX math (``$...$``, ``$$...$$``) or inline code (backticks): a
  derivation or a constant, not a measurement;
- numbers that stand anywhere in the template outside every block (the exercise
  states them: a learning rate, a size) or in the solution's code (constants);
- numbers after a word that makes them a name: exercise, question, section, lab,
  equation, figure, cell, step, seed, epoch, layer, part, chapter, version, Python;
  a year after a comma or an opening parenthesis, as citations write it (Hornik, 1989);
- numbers an HTML comment on the same line names: ``<!-- not printed: 0.5, 1.25 -->``
  (say why in the comment).

Matching. A quoted number matches an output when some number that an output of the
solution notebook prints (stream text, ``text/plain``, an error) equals it at the
quoted precision: ``0.457`` is supported by ``0.4567`` (and so is ``0.46``), not by
``0.4581``; ``99.8%`` by ``99.8`` or by the fraction ``0.998``; ``7.42e+08`` by
``742013954.0``. Signs are ignored (the prose says "a drop of 0.02" of ``-0.02``).
A failure reads ``PATH:LINE: "0.488" matches no output of the solution (nearest:
0.457, cell 23)``.
"""
from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

from courseware.template.blocks import template_lines
from courseware.template.parse import parse_template

# A number as prose writes it: sign aside, thousands separators, decimals, exponent, %.
_NUMBER = re.compile(r"(?<![\w.,])(?P<body>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                     r"(?P<exponent>[eE][-+]?\d+)?(?P<percent>\s?%)?(?![\w.]\d|\w)")
_RANGE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:to|–|—)\s*(\d+(?:\.\d+)?)(?![\w.]\d)")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]+\$|`[^`\n]*`", re.DOTALL)   # inline math may span lines
_EXEMPT_COMMENT = re.compile(r"<!--\s*not printed:(?P<numbers>.*?)-->", re.IGNORECASE)
_NAMING_WORDS = {"exercise", "exercises", "question", "questions", "section", "sections", "lab",
                 "labs", "equation", "equations", "eq", "figure", "fig", "cell", "cells", "step",
                 "steps", "seed", "seeds", "epoch", "epochs", "layer", "layers", "part", "chapter",
                 "version", "python", "pytorch", "torch", "line", "lines", "table"}
# Output numbers: also negative, with exponents, as Python and PyTorch print them.
_OUTPUT_NUMBER = re.compile(r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][-+]?\d+)?(?!\w)"
                            r"|(?<![\w.])-?\.\d+(?:[eE][-+]?\d+)?")


@dataclasses.dataclass(frozen=True)
class Quoted:
    """A number the prose quotes."""
    line: int            # template line
    text: str            # as written, e.g. "99.8%"
    value: float         # its value, percent sign aside (99.8)
    tolerance: float     # half a unit of its last written digit
    percent: bool


def _value(body: str, exponent: str | None) -> tuple[float, float]:
    """(value, half a unit in the last place) of a number written as body + exponent."""
    digits = body.replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    scale = 10 ** int(exponent[1:]) if exponent else 1
    return float(digits) * scale, 0.5 * 10 ** -decimals * scale


def value_digits(body: str) -> int:
    """Significant digits of the value, trailing zeros aside (1,000 -> 1; 0.0100 -> 1)."""
    digits = body.replace(",", "").replace(".", "").strip("0")
    return len(digits)


def significant_digits(body: str) -> int:
    digits = body.replace(",", "").replace(".", "").lstrip("0")
    return len(digits.rstrip("0")) if "." not in body else len(digits)


def masked(text: str) -> str:
    """The text with math, inline code and HTML comments blanked (newlines kept)."""
    blank = lambda match: re.sub(r"[^\n]", " ", match.group())
    return re.sub(r"<!--.*?-->", blank, _MATH.sub(blank, text), flags=re.DOTALL)


def quoted_numbers(line: int, text: str) -> list[Quoted]:
    """The numbers on one (masked) line of prose that could come from a run."""
    found: dict[int, Quoted] = {}
    range_ends = {m.start(g) for m in _RANGE.finditer(text) for g in (1, 2)}
    for match in _NUMBER.finditer(text):
        body, exponent, percent = match["body"], match["exponent"], bool(match["percent"])
        word = re.search(r"([A-Za-z]+)\.?\s*$", text[:match.start()])
        if word and word.group(1).lower() in _NAMING_WORDS:
            continue
        if re.fullmatch(r"(19|20)\d\d", body) and re.search(r"[(,]\s*$", text[:match.start()]):
            continue                            # a year, as a citation writes it: (Hornik, 1989)
        if not (exponent or percent or "." in body or "," in body or significant_digits(body) >= 3
                or match.start() in range_ends):
            continue
        value, tolerance = _value(body, exponent)
        found[match.start()] = Quoted(line, match.group().strip(), value, tolerance, percent)
    return list(found.values())


def counted_numbers(text: str) -> list[tuple[str, float, float]]:
    """(spelling, absolute value, half a unit of its last digit) of each number on a line
    whose value has three or more significant digits (85,002 and 0.457, not 1,000 or
    0.0100): the numbers of a solution that the leak guard looks for in the question."""
    found = []
    for match in _NUMBER.finditer(text):
        body, exponent = match["body"], match["exponent"]
        if value_digits(body) >= 3:
            value, tolerance = _value(body, exponent)
            found.append((match.group().strip(), abs(value), tolerance))
    return found


def numbers_in(text: str) -> set[float]:
    values = set()
    for match in _OUTPUT_NUMBER.finditer(text):
        try:
            values.add(abs(float(match.group().replace(",", ""))))
        except ValueError:
            pass
    return values


def _output_texts(cell) -> list[str]:
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            texts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            texts.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
        else:
            texts.append(output.get("data", {}).get("text/plain", ""))
    return ["".join(text) if isinstance(text, list) else text for text in texts]


def printed_numbers(notebook) -> list[tuple[float, int]]:
    """(absolute value, cell index) of every number the notebook's outputs print."""
    return [(value, index) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"
            for text in _output_texts(cell) for value in numbers_in(text)]


def supports(printed: float, quoted: Quoted) -> bool:
    slack = quoted.tolerance * (1 + 1e-9) + 1e-12
    candidates = (printed, printed * 100) if quoted.percent else (printed,)
    return any(abs(candidate - abs(quoted.value)) <= slack for candidate in candidates)


def _format(value: float) -> str:
    return f"{value:.6g}"


def check_numbers(path, template_text: str, solution) -> list[str]:
    """One message per quoted number that no output of ``solution`` supports."""
    template = parse_template(path, template_text)
    prose_in_blocks: dict[int, str] = {}
    stated: set[float] = set()
    for line in template_lines(template):
        if line.tag is not None:
            continue
        if line.in_block and line.cell.cell_type == "markdown":
            prose_in_blocks[line.lineno] = line.text
        else:        # outside every block, or solution code: constants
            stated |= numbers_in(line.text)
    # Mask math and code over whole cells (display math spans lines), line by line after.
    prose: dict[int, str] = {}
    for cell in template.cells:
        if cell.cell_type == "markdown":
            for index, text in enumerate(masked("\n".join(cell.lines)).split("\n")):
                if cell.lineno(index) in prose_in_blocks:
                    prose[cell.lineno(index)] = text
    printed = printed_numbers(solution)
    problems = []
    for lineno, text in sorted(prose.items()):
        exempt = {v for m in _EXEMPT_COMMENT.finditer(prose_in_blocks[lineno])
                  for v in numbers_in(m["numbers"])}
        for quoted in quoted_numbers(lineno, text):
            value = abs(quoted.value)
            if value in exempt or value in stated or any(supports(p, quoted) for p, _ in printed):
                continue
            message = f'{path}:{lineno}: "{quoted.text}" matches no output of the solution'
            if printed:
                scale = 100 if quoted.percent else 1
                nearest, cell = min(printed, key=lambda pair: min(
                    abs(math.log((pair[0] * s or 1e-300) / (value or 1e-300))) for s in {1, scale}))
                shown = nearest * scale if quoted.percent and abs(nearest * scale - value) < abs(nearest - value) else nearest
                message += f" (nearest: {_format(shown)}, cell {cell})"
            problems.append(message)
    return problems


def check_lab_numbers(template: Path, out: Path) -> list[str]:
    """The numbers guard over a built lab."""
    import nbformat
    from courseware.layout import built_notebook
    path = built_notebook(out, "solution", template.stem)
    try:
        solution = nbformat.read(path, as_version=4)
    except FileNotFoundError:
        return [f"{template}: not built: {path} (run `make` first)"]
    return check_numbers(template, template.read_text(encoding="utf-8"), solution)
