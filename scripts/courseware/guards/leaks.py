"""Leak guard: nothing of a solution may reach a question notebook.

    python scripts/check_leaks.py [TEMPLATE ...] [--out DIR]

For each lab it checks the built question notebook (sources, outputs, metadata) and
its Markdown twin against

- every line inside an HWBEGIN/HWEND block of the template, and
- every output line that only the solution's own cells produced (cells that differ
  from the question's or that the question does not have).

Exempt, because they carry no solution and would only raise false alarms:

- trivial lines: blank, or without a letter or digit (a lone bracket, '$$', a
  table rule), or a bare keyword ('else:', 'pass', 'return', 'break', ...);
- LaTeX environment lines ('\\begin{aligned}', '\\end{pmatrix}');
- lines that also stand outside every block of the template: the author put them in
  the question on purpose (a repeated 'return x', a shared heading);
- output lines that a cell the question shares with the solution also prints.

Check cells (a code cell outside every block whose code calls a ``check_*`` helper or
``expect_failure``; students see and run them) must not give the answer away either:

1. Source. (a) No line of a check cell may be a solution line: a non-trivial line that
   stands inside a block and nowhere outside one except in check cells. (b) No number
   in a check cell (in its code, strings or comments) may be a *secret number* of its
   exercise. The exercise of a line is the ``## `` section it stands in. A secret
   number of an exercise is the value of a number written on a line inside one of its
   blocks (code or prose) that appears nowhere outside the blocks of the template,
   check cells aside (code, strings, comments, prose, LaTeX: any line); numbers
   compare by value (``45`` = ``45.0``, ``1e-3`` = ``0.001``), signs are ignored, and
   integers from 0 to 10 are never secret (indices, sizes, equation numbers). So a
   check that writes ``steps == 45`` leaks when 45 is only in the solution, but a
   tolerance or a size that the exercise text or other code states is fine.
2. Outputs. In the built solution notebook, no output line of a check cell may be a
   solution output: an output line of a solution-only cell that no shared cell other
   than a check cell prints. (The question guard above cannot see this: a check cell
   is shared, so what it prints counts as shared output.)

Numbers in what the question shows. A number of three or more significant digits
(``85,002``, ``0.457``; not ``1,000`` or ``0.0100``) that a line inside a block writes
(prose or code) is a number of the solution. No output of the question notebook may
print it and no text of the question may say it (math and inline code aside: sizes and
formulas the exercise gives), at its written precision (so ``85002`` and ``0.4567``
both give those two away). Lines are compared whole above; this rule finds an answer
inside a longer line ("(85,002 parameters)"). Where the solution discusses a number
that the question shows on purpose (a shared experiment's result), the line says so in
a comment the reader sees: ``<!-- shown to students: 0.2782, 0.0984 -->``.
"""
from __future__ import annotations

import dataclasses
import io
import re
import tokenize
from pathlib import Path

import nbformat

from courseware.template.parse import TemplateError, parse_template
from courseware.layout import built_notebook
from courseware.template.blocks import template_lines, text_lines
from courseware.template.tags import split_template

_KEYWORDS = {"else:", "try:", "finally:", "pass", "return", "break", "continue",
             "except:", "raise", "yield", "...", "else", "do", "end"}
_LATEX_ENVIRONMENT = re.compile(r"^\\(begin|end)\{[a-z*]+\}$")


def is_trivial(line: str) -> bool:
    stripped = line.strip()
    return (not any(ch.isalnum() for ch in stripped) or stripped in _KEYWORDS
            or bool(_LATEX_ENVIRONMENT.match(stripped)))


def secret_lines(template_text: str) -> set[str]:
    """Stripped, non-trivial lines inside blocks that never stand outside a block."""
    inside, outside = set(), set()
    for line in text_lines(template_text):
        if line.tag is None:
            (inside if line.in_block else outside).add(line.text.strip())
    return {line for line in inside - outside if not is_trivial(line)}


def output_lines(cell) -> list[str]:
    lines = []
    for output in cell.get("outputs", []):
        texts = [output.get("text", "")] + [value for key, value in output.get("data", {}).items()
                                            if key.startswith("text/")]
        texts += [output.get("evalue", "")] if output.get("output_type") == "error" else []
        for text in texts:
            lines += ("".join(text) if isinstance(text, list) else text).splitlines()
    return lines


def solution_only_outputs(solution, question) -> set[str]:
    """Non-trivial output lines of solution cells the question lacks or changed,
    minus what the cells both share print anyway."""
    shared_sources = {cell.source for cell in question.cells if cell.cell_type == "code"}
    own, shared = set(), set()
    for cell in solution.cells:
        if cell.cell_type == "code":
            (shared if cell.source in shared_sources else own).update(
                line.strip() for line in output_lines(cell))
    return {line for line in own - shared if not is_trivial(line)}


def string_lines(value) -> list[str]:
    """The lines of every string (keys included) inside nested metadata."""
    if isinstance(value, str):
        return value.splitlines()
    if isinstance(value, dict):
        return [line for key, item in value.items() for line in string_lines(key) + string_lines(item)]
    if isinstance(value, (list, tuple)):
        return [line for item in value for line in string_lines(item)]
    return []


def question_texts(question, markdown: str) -> dict[str, list[str]]:
    """Every place of the question where text can hide, as lines, by place."""
    places = {"metadata": string_lines(question.metadata), "markdown twin": markdown.splitlines()}
    for index, cell in enumerate(question.cells):
        places[f"cell {index} source"] = cell.source.splitlines()
        places[f"cell {index} outputs"] = output_lines(cell)
        places[f"cell {index} metadata"] = string_lines(cell.metadata)
    return places


def find_leaks(template_text: str, question, question_markdown: str, solution) -> list[str]:
    """One message per leaked line: where in the question, and what."""
    secrets = {line: "solution line" for line in secret_lines(template_text)}
    for line in solution_only_outputs(solution, question):
        secrets.setdefault(line, "solution output")
    leaks = []
    for place, lines in question_texts(question, question_markdown).items():
        for line in lines:
            kind = secrets.get(line.strip())
            if kind:
                leaks.append(f"{place}: {kind} {line.strip()!r}")
    return leaks


# ---- check cells ------------------------------------------------------------------------

_CHECK_CALL = re.compile(r"\b(check_\w+|expect_failure)\s*\(")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?!\w|\.\d)")
SMALL_INTEGERS = 10       # 0..10 are never secret numbers
MIN_TOKENS = 7            # a shorter solution line is too generic to count as revealing


def code_tokens(line: str) -> int:
    """How many tokens of code (comments and line ends aside) a line has."""
    count = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(line.strip()).readline):
            count += token.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE,
                                        tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return count


def calls_a_check(source: str) -> bool:
    """Whether the code (strings and comments aside) calls check_* or expect_failure."""
    code = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type not in (tokenize.STRING, tokenize.COMMENT):
                code.append(token.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return bool(_CHECK_CALL.search(" ".join(code).replace(" (", "(")))


def numbers(line: str) -> dict[float, str]:
    """The numbers written on a line (value -> first spelling), small integers aside."""
    found = {}
    for match in _NUMBER.finditer(line):
        value = float(match.group())
        if not (value.is_integer() and value <= SMALL_INTEGERS):
            found.setdefault(value, match.group())
    return found


@dataclasses.dataclass
class CheckCell:
    first_line: int
    source: str
    lines: list[tuple[int, str]]   # (template line, text)
    exercise: int


def template_layout(path, text: str):
    """(check cells, {line: (text, exercise)} inside blocks, lines outside blocks and
    outside check cells) of a template."""
    template = parse_template(path, text)
    inside, outside_lines, section = {}, {}, {}
    for line in template_lines(template):
        section[line.lineno] = line.section
        if line.tag is None:
            (inside if line.in_block else outside_lines)[line.lineno] = line.text
    _, solution_cells = split_template(template)
    checks = []
    for cell in solution_cells:
        if (cell.cell_type == "code" and not any(n in inside for n in cell.linenos)
                and calls_a_check(cell.source)):
            checks.append(CheckCell(cell.first_line, cell.source, list(zip(cell.linenos, cell.lines)),
                                    section[cell.first_line]))
    in_checks = {n for cell in checks for n, _ in cell.lines}
    outside = [line for n, line in outside_lines.items() if n not in in_checks]
    return checks, {n: (line, section[n]) for n, line in inside.items()}, outside


def find_check_leaks(path, template_text: str, solution=None, question=None) -> list[str]:
    """Rule 1 on the template; rule 2 too when the built notebooks are given."""
    checks, inside, outside = template_layout(path, template_text)
    outside_stripped = {line.strip() for line in outside}
    public_numbers = {value for line in outside for value in numbers(line)}
    solution_lines: dict[str, int] = {}
    secret_numbers: dict[int, dict[float, int]] = {}
    for lineno, (line, exercise) in sorted(inside.items()):
        stripped = line.strip()
        if (not is_trivial(stripped) and stripped not in outside_stripped
                and code_tokens(stripped) >= MIN_TOKENS):
            solution_lines.setdefault(stripped, lineno)
        for value in numbers(line):
            if value not in public_numbers:
                secret_numbers.setdefault(exercise, {}).setdefault(value, lineno)
    leaks = []
    for cell in checks:
        secrets = secret_numbers.get(cell.exercise, {})
        for lineno, line in cell.lines:
            if line.strip() in solution_lines:
                leaks.append(f"{path}:{lineno}: the check cell contains the solution line "
                             f"{line.strip()!r} (line {solution_lines[line.strip()]})")
                continue
            for value, spelling in numbers(line).items():
                if value in secrets:
                    leaks.append(f"{path}:{lineno}: the check cell contains {spelling}, a number "
                                 f"only the solution of this exercise has (line {secrets[value]})")
    if solution is not None and question is not None:
        leaks += _check_output_leaks(path, checks, solution, question)
    return leaks


def _check_output_leaks(path, checks: list[CheckCell], solution, question) -> list[str]:
    shared_sources = {cell.source for cell in question.cells if cell.cell_type == "code"}
    check_lines = {cell.source: cell.first_line for cell in checks}
    own, shared = set(), set()
    for cell in solution.cells:
        if cell.cell_type == "code" and cell.source not in check_lines:
            (shared if cell.source in shared_sources else own).update(
                line.strip() for line in output_lines(cell))
    secrets = {line for line in own - shared if not is_trivial(line)}
    leaks = []
    for cell in solution.cells:
        if cell.cell_type == "code" and cell.source in check_lines:
            for line in dict.fromkeys(line.strip() for line in output_lines(cell)):
                if line in secrets:
                    leaks.append(f"{path}:{check_lines[cell.source]}: the check cell prints "
                                 f"{line!r}, an output only the solution prints")
    return leaks


_SHOWN = re.compile(r"<!--\s*shown to students:(?P<numbers>.*?)-->", re.IGNORECASE)


def solution_numbers(template_text: str) -> dict[float, tuple[str, int, float]]:
    """Value -> (spelling, template line, half a unit of its last digit) of every number
    of three or more significant digits (or with a thousands separator) that a line
    inside a block writes, but those a ``shown to students`` comment names."""
    from courseware.guards.numbers import counted_numbers
    inside: dict[float, tuple[str, int, float]] = {}
    shown: set[float] = set()
    for line in text_lines(template_text):
        if line.tag is not None:
            continue
        for comment in _SHOWN.finditer(line.text):
            shown |= {value for _, value, _ in counted_numbers(comment["numbers"])}
        if line.in_block:
            for spelling, value, tolerance in counted_numbers(_SHOWN.sub("", line.text)):
                inside.setdefault(value, (spelling, line.lineno, tolerance))
    return {value: found for value, found in inside.items() if value not in shown}


def find_number_leaks(path, template_text: str, question) -> list[str]:
    """Each cell of the question whose source or output shows a number of the solution."""
    from courseware.guards.numbers import masked, numbers_in, printed_numbers
    secrets = solution_numbers(template_text)
    shown = [(value, cell, "prints") for value, cell in printed_numbers(question)]
    shown += [(value, index, "says") for index, cell in enumerate(question.cells)
              if cell.cell_type == "markdown" for value in numbers_in(masked(cell.source))]
    leaks = []
    for value, cell, how in dict.fromkeys(shown):
        for secret, (spelling, lineno, tolerance) in secrets.items():
            if abs(value - secret) <= tolerance * (1 + 1e-9):
                leaks.append(f"{path}:{lineno}: question cell {cell} {how} {value:g}, which gives away "
                             f"\"{spelling}\", a number of the solution")
    return sorted(set(leaks), key=lambda leak: int(leak.split(":")[1]))


def check_lab(template: Path, out: Path) -> list[str]:
    """Every leak of a built lab, one message each (PATH: or PATH:LINE: first)."""
    stem = template.stem
    try:
        question = nbformat.read(built_notebook(out, "question", stem), as_version=4)
        solution = nbformat.read(built_notebook(out, "solution", stem), as_version=4)
        markdown = built_notebook(out, "question", stem, ".md").read_text(encoding="utf-8")
    except FileNotFoundError as error:
        return [f"{template}: not built: {error.filename} (run `make` first)"]
    text = template.read_text(encoding="utf-8")
    leaks = [f"{template}: question {leak}" for leak in find_leaks(text, question, markdown, solution)]
    leaks += find_number_leaks(template, text, question)
    try:
        leaks += find_check_leaks(template, text, solution, question)
    except TemplateError as error:
        leaks.append(str(error))
    return leaks
