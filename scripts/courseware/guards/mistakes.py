"""Students' mistakes: does each one fail at its own exercise's check, saying why?

    python scripts/mistakes.py [TEMPLATE ...] [--jobs N] [--fresh] [--verbose]

Beside each template ``labs/NN-topic.md`` stands ``labs/NN-topic.mistakes.toml``, the
mistakes students really make, each a replacement of solution lines:

    [[mistake]]
    exercise = "Exercise 3"      # the ``## `` heading it belongs to (its text up to a
                                 # non-alphanumeric character)
    name = "the update adds the gradient"
    replace = '''
            w = w - lr * grad
    '''                          # whole template lines inside a block, found once
    with = '''
            w = w + lr * grad
    '''                          # what the student wrote instead
    expect = "loss"              # a piece of the check's message (any case)

(``replace`` and ``with`` may be lists of the same length, for a mistake in two
places.) A mistake is CAUGHT when the solution with the mistake, run from the top,
first fails in a check cell of the mistake's exercise, with ``CheckFailed`` or a
subclass, a message that contains ``expect`` and no number that only the solution
writes (the leak guard's secret numbers). Anything else is reported: the mistake
passed every check of its exercise, crashed with another error (a PyTorch error is no
verdict), failed at another exercise, or the message does not point at it. A coding
exercise (a ``## `` section with a check cell) with fewer than ``MIN_PER_EXERCISE``
mistakes is reported too.

A mistake needs the notebook only up to its exercise's last check. The mistakes of a
lab share one kernel: the right cells run up to an exercise, then each of its mistakes
runs, and the exercise's right cells run again to put the state back (a fresh kernel
takes over when that fails; ``--fresh`` gives every mistake a fresh kernel). Slow, so
not part of ``make test``: ``make mistakes [LAB=...]``. Exit status 1 when a mistake
is not caught or an exercise has too few, 2 on a usage error.
"""
from __future__ import annotations

import dataclasses
import re
import tempfile
import time
import tomllib
from pathlib import Path

from courseware.guards.leaks import calls_a_check, numbers, template_layout
from courseware.template.parse import TemplateError, parse_template
from courseware.guards.solution_runs import Failure, SolutionKernel, solution_cells
from courseware.template.blocks import template_lines
from courseware.template.tags import HWBEGIN, HWEND, tag_name

MIN_PER_EXERCISE = 3
BUDGET = 600.0              # seconds for one lab's run up to an exercise
KEYS = {"exercise", "name", "replace", "with", "expect"}


class MistakesError(Exception):
    """A mistakes file that cannot be used; the message is ``PATH:LINE: what``."""


def mistakes_path(template: Path) -> Path:
    return template.with_name(f"{template.stem}.mistakes.toml")


@dataclasses.dataclass(frozen=True)
class Mistake:
    line: int                       # of its [[mistake]] in the mistakes file
    exercise: str
    name: str
    edits: tuple[tuple[str, str], ...]    # (replace, with)
    expect: str


def _entry_lines(text: str) -> list[int]:
    return [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"^[ \t]*\[\[mistake\]\]", text, re.M)]


def read_mistakes(path: Path, text: str) -> list[Mistake]:
    """The mistakes of a mistakes file's text; MistakesError when it cannot be used."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\(at line (\d+)", str(error))
        raise MistakesError(f"{path}:{found.group(1) if found else 1}: not valid TOML: "
                            f"{re.sub(r' [(]at .*[)]$', '', str(error))}") from None
    unknown = set(data) - {"mistake"}
    if unknown:
        raise MistakesError(f"{path}:1: unknown table {sorted(unknown)[0]!r}; every entry is a [[mistake]]")
    entries, lines = data.get("mistake", []), _entry_lines(text)
    mistakes = []
    for number, entry in enumerate(entries):
        line = lines[number] if number < len(lines) else 1
        where = f"{path}:{line}"
        missing = sorted(KEYS - set(entry))
        if missing:
            raise MistakesError(f"{where}: the mistake lacks {', '.join(missing)}")
        if set(entry) - KEYS:
            raise MistakesError(f"{where}: unknown key {sorted(set(entry) - KEYS)[0]!r} "
                                f"(known: {', '.join(sorted(KEYS))})")
        old, new = entry["replace"], entry["with"]
        if isinstance(old, str) and isinstance(new, str):
            old, new = [old], [new]
        if not (isinstance(old, list) and isinstance(new, list) and len(old) == len(new) and old
                and all(isinstance(t, str) for t in old + new)):
            raise MistakesError(f"{where}: 'replace' and 'with' must be two strings, or two lists of "
                                "strings of the same length")
        for key in ("exercise", "name", "expect"):
            if not isinstance(entry[key], str) or not entry[key].strip():
                raise MistakesError(f"{where}: {key!r} must be a non-empty string")
        mistakes.append(Mistake(line, entry["exercise"].strip(), entry["name"].strip(),
                                tuple((o if o.endswith("\n") else o + "\n", n if n.endswith("\n") or not n else n + "\n")
                                      for o, n in zip(old, new)), entry["expect"]))
    return mistakes


# ---- the template's sections and blocks (pure) ------------------------------------------

@dataclasses.dataclass
class Layout:
    headings: dict[int, str]        # template line -> text of each `## ` heading outside blocks
    in_block: set[int]              # template lines inside blocks (tags aside)
    secret_numbers: dict[int, dict[float, int]]   # exercise number -> value -> line

    def section_of(self, line: int) -> int | None:
        """The line of the `## ` heading whose section holds ``line``."""
        starts = [start for start in self.headings if start <= line]
        return max(starts) if starts else None


def template_sections(path, text: str) -> Layout:
    headings, in_block, previous = {}, set(), 0
    for line in template_lines(parse_template(path, text)):
        if line.in_block and line.tag not in (HWBEGIN, HWEND):
            in_block.add(line.lineno)
        if line.section != previous:          # this line is the section's heading
            headings[line.lineno], previous = line.text[3:].strip(), line.section
    _, block_lines, outside = template_layout(path, text)
    public = {value for line in outside for value in numbers(line)}
    secrets: dict[int, dict[float, int]] = {}
    for lineno, (line, exercise) in sorted(block_lines.items()):
        for value in numbers(line):
            if value not in public:
                secrets.setdefault(exercise, {}).setdefault(value, lineno)
    return Layout(headings, in_block, secrets)


def heading_matches(heading: str, exercise: str) -> bool:
    return heading == exercise or (heading.startswith(exercise)
                                   and not heading[len(exercise)].isalnum())


def apply_mistake(path, text: str, layout: Layout, mistake: Mistake) -> tuple[str, int]:
    """(the template text with the mistake, line of its exercise's heading); a
    MistakesError (at the mistake's line) when it cannot be applied as written."""
    where = f"{mistakes_path(Path(path))}:{mistake.line}: {mistake.name!r}"
    sections = [start for start, heading in layout.headings.items()
                if heading_matches(heading, mistake.exercise)]
    if len(sections) != 1:
        raise MistakesError(f"{where}: {'no' if not sections else 'more than one'} `## ` heading "
                            f"of {path} matches exercise {mistake.exercise!r}")
    section = sections[0]
    for old, new in mistake.edits:
        if any(tag_name(line) for line in new.splitlines()):
            raise MistakesError(f"{where}: 'with' contains a tag line")
        if re.search(r"^\s*```", new, re.M):
            raise MistakesError(f"{where}: 'with' contains a code fence; a mistake changes lines, not cells")
        count = text.count(old) if old.startswith("\n") else len(re.findall(
            r"(?:^|(?<=\n))" + re.escape(old), text))
        if count != 1:
            raise MistakesError(f"{where}: 'replace' is found {count} times in {path}; it must be "
                                "whole lines found exactly once")
        start = re.search(r"(?:^|(?<=\n))" + re.escape(old), text).start()
        first = text.count("\n", 0, start) + 1
        lines = range(first, first + old.count("\n"))
        outside = [n for n in lines if n not in layout.in_block]
        if outside:
            raise MistakesError(f"{where}: 'replace' takes line {outside[0]} of {path}, which is not "
                                "inside a solution block")
        if any(layout.section_of(n) != section for n in lines):
            raise MistakesError(f"{where}: 'replace' lies outside the section of {mistake.exercise!r}")
        text = text[:start] + new + text[start + len(old):]
    return text, section


# ---- judging (pure) ---------------------------------------------------------------------

def judge(path, mistake: Mistake, failure: Failure | None, check_cells: dict[int, int],
          section_of_cell: dict[int, int | None], section: int, headings: dict[int, str],
          secrets: dict[float, int]) -> str | None:
    """None when the mistake is caught as it must be; otherwise what went wrong.
    ``check_cells``: cell index -> template line, of the exercise's check cells."""
    exercise = headings[section]
    if failure is None:
        return f"passed every check of {exercise!r}: no check catches it"
    where = f"{path}:{failure.line}"
    first = failure.message.splitlines()[0] if failure.message else failure.ename
    if section_of_cell.get(failure.index) != section:
        other = headings.get(section_of_cell.get(failure.index), "the lab's set-up")
        return f"fails in {other!r}, not in {exercise!r}, at {where}: {first}"
    if failure.index not in check_cells:
        return f"crashes before the check, at {where}: {first} (a check must say what is wrong)"
    if not failure.by_check:
        return f"the check at {where} crashes instead of failing: {first} (raise CheckFailed with a message)"
    if mistake.expect.lower() not in failure.evalue.lower():
        return f"the check at {where} fails, but its message does not mention {mistake.expect!r}: {first}"
    given = [spelling for value, spelling in numbers(failure.evalue).items() if value in secrets]
    if given:
        return (f"the check at {where} gives away {given[0]}, a number only the solution writes "
                f"(line {secrets[float(given[0])]}): {first}")
    return None


# ---- running ----------------------------------------------------------------------------

@dataclasses.dataclass
class Lab:
    path: str
    cells: list                          # the right solution's cells
    sections: dict[int, int | None]      # cell index -> heading line
    checks: dict[int, dict[int, int]]    # heading line -> {check cell index: template line}
    layout: Layout
    exercise_numbers: dict[int, int]     # heading line -> the leak guard's exercise number


def load_lab(path: Path) -> Lab:
    text = path.read_text(encoding="utf-8")
    layout = template_sections(path, text)
    cells = solution_cells(path, text)
    sections = {i: layout.section_of(cell.first_line) for i, cell in enumerate(cells)}
    checks: dict[int, dict[int, int]] = {}
    for i, cell in enumerate(cells):
        if (cell.cell_type == "code" and sections[i] is not None
                and not any(n in layout.in_block for n in cell.linenos) and calls_a_check(cell.source)):
            checks.setdefault(sections[i], {})[i] = cell.first_line
    # the leak guard numbers every `## ` heading outside blocks from 1, in order
    numbering = {start: number for number, start in enumerate(sorted(layout.headings), 1)}
    return Lab(str(path), cells, sections, checks, layout, numbering)


def run_exercise(kernel: SolutionKernel, cells, indices: list[int], deadline: float) -> Failure | None:
    for index in indices:
        failure = kernel.run(cells, index, deadline - time.monotonic())
        if failure is not None:
            return failure
    return None


def run_lab(lab: Lab, mistakes: list[tuple[Mistake, list, int]], fresh: bool, say
            ) -> list[tuple[Mistake, str | None]]:
    """Each mistake (with its cells and exercise) run; (mistake, problem or None)."""
    by_section: dict[int, list] = {}
    for mistake, cells, section in mistakes:
        by_section.setdefault(section, []).append((mistake, cells))
    results = []
    with tempfile.TemporaryDirectory(prefix="mistakes-") as folder, \
            SolutionKernel(lab.path, cwd=Path(folder)) as kernel:
        ran: int | None = 0        # the right cells [0, ran) have run; None: state unknown
        for section in sorted(by_section):
            span = [i for i, s in lab.sections.items() if s == section]
            start, last_check = span[0], max(lab.checks.get(section) or span)
            for mistake, cells in by_section[section]:
                deadline = time.monotonic() + BUDGET
                for attempt in (1, 2):
                    if ran is None or (fresh and ran > start) or attempt == 2:
                        kernel.restart()
                        ran = 0
                    failure = run_exercise(kernel, lab.cells, list(range(ran, start)), deadline)
                    if failure is None:
                        break
                    ran = None
                if failure is not None:
                    raise RuntimeError(f"{lab.path}:{failure.line}: the right solution fails before "
                                       f"{lab.layout.headings[section]!r}: {failure.message}")
                ran = max(ran, start)
                failure = run_exercise(kernel, cells, [i for i in span if i <= last_check], deadline)
                secrets = lab.layout.secret_numbers.get(lab.exercise_numbers[section], {})
                problem = judge(lab.path, mistake, failure, lab.checks.get(section, {}), lab.sections,
                                section, lab.layout.headings, secrets)
                results.append((mistake, problem))
                say(mistake, problem, failure)
                # Put the right state back (the exercise's right cells again), or start over.
                if fresh or (failure is not None and failure.ename in ("Timeout", "DeadKernel")):
                    ran = None
                else:
                    ran = None if run_exercise(kernel, lab.cells, span, deadline) else span[-1] + 1
    return results


def exercises_short_of_mistakes(lab: Lab, mistakes: list[tuple[Mistake, list, int]]) -> list[str]:
    counts = {section: 0 for section in lab.checks}
    for _, _, section in mistakes:
        counts[section] = counts.get(section, 0) + 1
    return [f"{lab.path}:{section}: {lab.layout.headings[section]!r} lists {count} mistake"
            f"{'s' * (count != 1)}; at least {MIN_PER_EXERCISE} are asked (in "
            f"{mistakes_path(Path(lab.path))})"
            for section, count in sorted(counts.items()) if section in lab.checks and count < MIN_PER_EXERCISE]


def prepare(path: Path) -> tuple[Lab, list[tuple[Mistake, list, int]]]:
    """The lab and its mistakes, each with its rendered cells and exercise; raises
    MistakesError or TemplateError with every problem at its line."""
    lab = load_lab(path)
    sidecar = mistakes_path(path)
    try:
        text = sidecar.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MistakesError(f"{sidecar}:1: no mistakes file for {path} (see scripts/mistakes.py)") from None
    template_text = path.read_text(encoding="utf-8")
    problems, prepared = [], []
    for mistake in read_mistakes(sidecar, text):
        try:
            mistaken, section = apply_mistake(path, template_text, lab.layout, mistake)
            cells = solution_cells(path, mistaken)
        except MistakesError as error:
            problems.append(str(error))
            continue
        except TemplateError as error:
            problems.append(f"{sidecar}:{mistake.line}: {mistake.name!r}: the template with the "
                            f"mistake does not render: {str(error).splitlines()[0]}")
            continue
        if len(cells) != len(lab.cells):
            problems.append(f"{sidecar}:{mistake.line}: {mistake.name!r}: the mistake changes the cells")
            continue
        prepared.append((mistake, cells, section))
    if problems:
        raise MistakesError("\n".join(problems))
    return lab, prepared
