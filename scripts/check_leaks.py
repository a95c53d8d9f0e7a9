#!/usr/bin/env python
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
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

from split_tags import HWBEGIN, HWEND, UnknownTag, parse_tag

_KEYWORDS = {"else:", "try:", "finally:", "pass", "return", "break", "continue",
             "except:", "raise", "yield", "...", "else", "do", "end"}
_LATEX_ENVIRONMENT = re.compile(r"^\\(begin|end)\{[a-z*]+\}$")


def is_trivial(line: str) -> bool:
    stripped = line.strip()
    return (not any(ch.isalnum() for ch in stripped) or stripped in _KEYWORDS
            or bool(_LATEX_ENVIRONMENT.match(stripped)))


def _tag_name(line: str) -> str | None:
    try:
        tag = parse_tag(line)
    except UnknownTag:
        return None
    return tag.name if tag else None


def secret_lines(template_text: str) -> set[str]:
    """Stripped, non-trivial lines inside blocks that never stand outside a block."""
    inside, outside, in_block = set(), set(), False
    for line in template_text.splitlines():
        name = _tag_name(line)
        if name == HWBEGIN:
            in_block = True
        elif name == HWEND:
            in_block = False
        elif name is None:
            (inside if in_block else outside).add(line.strip())
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


def check_lab(template: Path, out: Path) -> list[str]:
    stem = template.stem
    try:
        question = nbformat.read(out / "questions" / f"{stem}.ipynb", as_version=4)
        solution = nbformat.read(out / "solutions" / f"{stem}.ipynb", as_version=4)
        markdown = (out / "questions" / f"{stem}.md").read_text(encoding="utf-8")
    except FileNotFoundError as error:
        return [f"not built: {error.filename} (run `make` first)"]
    return find_leaks(template.read_text(encoding="utf-8"), question, markdown, solution)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build"))
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    templates = args.templates or sorted((root / "labs").glob("*.md"))
    failed = 0
    for template in templates:
        leaks = check_lab(template, args.out)
        for leak in leaks:
            print(f"{template}: question {leak}", file=sys.stderr)
        failed += bool(leaks)
        print(f"{'LEAK' if leaks else 'ok  '} {template}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
