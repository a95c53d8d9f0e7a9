"""How the commands speak: whole lines, paths as the user would type them, plurals."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path


def say(line: str, error: bool = False) -> None:
    """Print one whole line in one write: several labs report at once, and print() may
    write a line and its newline separately, gluing two lines together."""
    stream = sys.stderr if error else sys.stdout
    stream.flush()
    os.write(stream.fileno(), (line + "\n").encode())


def display(path: Path) -> Path:
    """``path`` relative to the working folder when it lies below it (labs/01-topic.md,
    not /home/.../labs/01-topic.md), as given otherwise."""
    try:
        return Path(path).resolve().relative_to(Path.cwd())
    except ValueError:
        return Path(path)


def count(number: int, noun: str) -> str:
    """'1 lab', '2 labs', '0 labs'."""
    return f"{number} {noun}{'s' * (number != 1)}"


def report_each_lab(templates: list[Path], problems_of: Callable[[Path], list[str]], word: str) -> int:
    """For each lab its problems on stderr, then ``ok`` or ``word`` and the lab on stdout
    (a guard's report); the exit status: 1 when any lab has a problem."""
    failed = False
    for template in templates:
        problems = problems_of(template)
        for problem in problems:
            print(problem, file=sys.stderr)
        failed |= bool(problems)
        print(f"{word if problems else 'ok'.ljust(len(word))} {template}", flush=True)
    return 1 if failed else 0
