"""Mutation test of a lab's checks: does a wrong solution fail the build?

    python scripts/mutants.py [TEMPLATE ...] [--jobs N] [--limit N] [--per-line N]
                              [--seed S] [--min-score F] [--verbose]

Without TEMPLATE it tests every ``labs/*.md``. Slow (one notebook execution per
mutant), so it is not part of ``make test``; run it as ``make mutants [LAB=...]``.

What a mutant is. The solution code lines of a template are the lines inside an
``#!TAG HWBEGIN``/``#!TAG HWEND`` block that belong to a code cell and are code: not a
tag or ``#!MSG`` line, not a comment-only or blank line, not prose. Each code cell is
cut into tokens with Python's ``tokenize`` (strings, f-strings and comments are single
tokens and are never changed). A mutant changes ONE token of ONE solution line:

- an operator: ``+`` <-> ``-``, ``*`` <-> ``/``, ``//`` -> ``/``, ``**`` -> ``*``,
  ``<`` <-> ``<=``, ``>`` <-> ``>=``, ``==`` <-> ``!=``, ``+=`` <-> ``-=``,
  ``*=`` <-> ``/=``, ``and`` <-> ``or`` (``*`` and ``**`` only as binary operators,
  not in ``*args``);
- a number: ``0`` -> ``1``, ``1`` -> ``0`` and ``2``, another integer ``n`` -> ``n+1``,
  a float -> twice and half its value;
- ``True``/``False``;
- a function swapped for a similar one, when called as an attribute (``torch.sum``,
  ``x.sum()``): sum/mean, max/min, amax/amin, argmax/argmin, maximum/minimum,
  exp/log, sigmoid/tanh, relu -> sigmoid, softmax/log_softmax, zeros/ones,
  zeros_like/ones_like, sin/cos, Sigmoid/Tanh, ReLU -> Sigmoid; also the builtins
  ``max``/``min`` when called bare;
- ``.T`` dropped.

A mutant after which its cell no longer compiles is dropped: a syntax error says
nothing about the checks. Of the remaining mutants of a line, at most ``--per-line``
(default 1) are kept, chosen by a random generator seeded with ``--seed`` and the
line's text (so a line keeps its mutants when others move); ``--limit N`` then keeps
N of the lab's mutants (seeded sample, default all). Generation is a pure function of
the template text (``generate_mutants``): the same text gives the same mutants.

How a mutant is judged. The unmutated template is rendered first with the project's
own pipeline (parse_template, split_tags -- which also renders and compiles the
question --, build_notebooks; the solution executed with nbclient as
``execute_notebooks`` does, in its environment, but under one time limit for the whole
run rather than one per cell); if that fails the lab gets no score. Each
mutant is written into the template text, rendered the same way, and only its
solution notebook is executed, in a temporary folder, with a time limit of
max(20 s, 3 x the unmutated solution's time). KILLED: rendering failed, a cell raised
(a check fired, or any other error), or the time ran out. SURVIVED: the solution ran
to the end. Mutants run in parallel (``--jobs``, default the number of cores).

It prints each survivor as ``PATH:LINE: original -> mutated`` and per lab the score
``killed/total (pct)`` with how the mutants were killed (by a check -- an exception
named ``*Check*``, e.g. ``CheckFailed``, ``GradientCheckError`` --, by another error, by the time limit); ``--verbose``
lists the killed mutants too, with what raised where; ``--list`` only lists mutants. Exit status 1 when a lab scores below ``--min-score`` (default
0.9) or does not build, 2 on a usage error.
"""
from __future__ import annotations

import ast
import dataclasses
import io
import math
import os
import random
import tempfile
import time
import tokenize

from courseware.template.parse import TemplateError, parse_template
from courseware.template.placeholders import compile_error
from courseware.template.blocks import template_lines

MIN_TIMEOUT = 20.0
TIMEOUT_FACTOR = 3.0

OPERATORS = {"+": ("-",), "-": ("+",), "*": ("/",), "/": ("*",), "//": ("/",), "**": ("*",),
             "<": ("<=",), "<=": ("<",), ">": (">=",), ">=": (">",), "==": ("!=",),
             "!=": ("==",), "+=": ("-=",), "-=": ("+=",), "*=": ("/=",), "/=": ("*=",)}
KEYWORDS = {"and": "or", "or": "and", "True": "False", "False": "True"}
# Swapped only where they are attributes (torch.sum, x.sum()): a bare local name could
# not be swapped without a NameError, which would test nothing.
SIMILAR = {"sum": "mean", "mean": "sum", "max": "min", "min": "max", "amax": "amin",
           "amin": "amax", "argmax": "argmin", "argmin": "argmax", "maximum": "minimum",
           "minimum": "maximum", "exp": "log", "log": "exp", "sigmoid": "tanh",
           "tanh": "sigmoid", "relu": "sigmoid", "softmax": "log_softmax",
           "log_softmax": "softmax", "zeros": "ones", "ones": "zeros",
           "zeros_like": "ones_like", "ones_like": "zeros_like", "sin": "cos", "cos": "sin",
           "Sigmoid": "Tanh", "Tanh": "Sigmoid", "ReLU": "Sigmoid"}
BUILTIN_SIMILAR = {"max": "min", "min": "max"}
# After these tokens a '*' or '**' is a binary operator, not an unpacking star.
_OPERAND_END = {tokenize.NAME, tokenize.NUMBER, tokenize.STRING}
_CLOSING = {")", "]", "}"}
_NOT_OPERANDS = {"and", "or", "not", "in", "is", "if", "else", "return", "lambda", "yield",
                 "for", "while", "print", "await", "assert", "del", "import", "from", "with"}


@dataclasses.dataclass(frozen=True)
class Mutant:
    line: int           # template line (1-based)
    original: str       # the line as written
    mutated: str        # the line after the mutation
    description: str    # e.g. "'+' -> '-'"


# ---- generation (pure) ----------------------------------------------------------------

def solution_cells(text: str, path: str = "template.md"):
    """(cell, set of indices of its solution code lines) for each code cell with any.

    Blocks may span cells, so the block state is carried from cell to cell."""
    found: dict[int, tuple] = {}
    for line in template_lines(parse_template(path, text)):
        if (line.tag is None and line.in_block and line.cell.cell_type == "code"
                and line.text.strip() and not line.text.strip().startswith("#")):
            found.setdefault(id(line.cell), (line.cell, set()))[1].add(line.index)
    return list(found.values())


def _tokens(source: str) -> list[tokenize.TokenInfo]:
    """The tokens of a cell, as many as tokenize gives before any error (a magic, say)."""
    tokens = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            tokens.append(token)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return tokens


def _number_mutations(text: str) -> list[str]:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return []
    if isinstance(value, bool) or isinstance(value, complex):
        return []
    if isinstance(value, int):
        return {0: ["1"], 1: ["0", "2"]}.get(value, [str(value + 1)])
    if value == 0:
        return ["1.0"]
    return [repr(value * 2), repr(value / 2)]


def _significant(tokens, index, step):
    """The nearest token before (step=-1) or after (step=1) in the same statement,
    skipping comments and line breaks inside brackets; NEWLINE ends a statement."""
    index += step
    while 0 <= index < len(tokens) and tokens[index].type in (
            tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
        index += step
    return tokens[index] if 0 <= index < len(tokens) else None


def _is_binary(tokens, index) -> bool:
    before = _significant(tokens, index, -1)
    if before is None:
        return False
    if before.type == tokenize.OP:
        return before.string in _CLOSING
    return before.type in _OPERAND_END and before.string not in _NOT_OPERANDS


def token_mutations(tokens, index) -> list[tuple[int, int, str, str]]:
    """(start column, end column, new text, description) for the token at ``index``;
    a replacement may cover two tokens (``.T`` dropped)."""
    token = tokens[index]
    (row, start), (_, end) = token.start, token.end
    text, found = token.string, []
    before = _significant(tokens, index, -1)
    after = _significant(tokens, index, 1)
    if token.type == tokenize.OP and text in OPERATORS:
        if text in ("*", "**") and not _is_binary(tokens, index):
            return []
        found = [(start, end, new, f"{text!r} -> {new!r}") for new in OPERATORS[text]]
    elif token.type == tokenize.NUMBER:
        found = [(start, end, new, f"{text} -> {new}") for new in _number_mutations(text)]
    elif token.type == tokenize.NAME and text in KEYWORDS:
        found = [(start, end, KEYWORDS[text], f"{text} -> {KEYWORDS[text]}")]
    elif token.type == tokenize.NAME:
        is_attribute = before is not None and before.string == "."
        called = after is not None and after.string == "("
        if is_attribute and text in SIMILAR:
            found = [(start, end, SIMILAR[text], f"{text} -> {SIMILAR[text]}")]
        elif not is_attribute and called and text in BUILTIN_SIMILAR:
            found = [(start, end, BUILTIN_SIMILAR[text], f"{text} -> {BUILTIN_SIMILAR[text]}")]
        if is_attribute and text == "T" and before.start[0] == row:
            found.append((before.start[1], end, "", ".T dropped"))
    return found


def line_mutants(cell, index: int, tokens) -> list[Mutant]:
    """Every compilable single-token mutant of line ``index`` of ``cell``."""
    line, mutants, seen = cell.lines[index], [], set()
    for position, token in enumerate(tokens):
        if token.start[0] != index + 1 or token.end[0] != index + 1:
            continue
        for start, end, new, description in token_mutations(tokens, position):
            mutated = line[:start] + new + line[end:]
            if mutated in seen or mutated == line:
                continue
            seen.add(mutated)
            lines = cell.lines[:index] + [mutated] + cell.lines[index + 1:]
            if compile_error("\n".join(lines)) is None:
                mutants.append(Mutant(cell.lineno(index), line, mutated, description))
    return mutants


def generate_mutants(text: str, path: str = "template.md", *, per_line: int = 1,
                     limit: int | None = None, seed: int = 0) -> list[Mutant]:
    """The mutants of a template's solution code lines, in line order (deterministic).

    Raises TemplateError if the template cannot be parsed."""
    chosen: list[Mutant] = []
    for cell, indices in solution_cells(text, path):
        tokens = _tokens("\n".join(cell.lines))
        for index in sorted(indices):
            candidates = line_mutants(cell, index, tokens)
            if len(candidates) > per_line:
                rng = random.Random(f"{seed}\0{cell.lines[index].strip()}")
                candidates = sorted(rng.sample(candidates, per_line),
                                    key=candidates.index)
            chosen += candidates
    if limit is not None and len(chosen) > limit:
        picked = set(random.Random(seed).sample(range(len(chosen)), limit))
        chosen = [mutant for i, mutant in enumerate(chosen) if i in picked]
    return chosen


def apply_mutant(text: str, mutant: Mutant) -> str:
    """The template text with the mutant's line replaced."""
    lines = text.split("\n")
    if lines[mutant.line - 1] != mutant.original:
        raise ValueError(f"line {mutant.line} is not {mutant.original!r}")
    lines[mutant.line - 1] = mutant.mutated
    return "\n".join(lines)


# ---- running ----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Outcome:
    killed: bool
    how: str            # "check", "error", "timeout", "render" or "" when it survived
    detail: str         # what raised, where
    seconds: float


def _kind(ename: str) -> str:
    """A check's exception (CheckFailed, GradientCheckError, LossCheckError) or another."""
    return "check" if "Check" in ename else "error"


def run_solution(path: str, text: str, timeout: float) -> Outcome:
    """Render ``text`` as the pipeline does and execute only its solution notebook."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    from courseware.notebooks.build import build_notebook
    from courseware.notebooks.execute import REPRODUCIBLE_ENV
    from courseware.template.tags import split_template

    start = time.monotonic()
    try:
        template = parse_template(path, text)
        _, cells = split_template(template)
    except TemplateError as error:
        return Outcome(True, "render", str(error).split("\n")[0], time.monotonic() - start)
    notebook = build_notebook(cells, template.metadata)
    os.environ.update(REPRODUCIBLE_ENV)                 # inherited by the kernel
    index = None
    with tempfile.TemporaryDirectory(prefix="mutant-") as folder:
        client = NotebookClient(notebook, timeout=int(timeout), kernel_name="python3",
                                resources={"metadata": {"path": folder}},
                                record_timing=False, coalesce_streams=True,
                                extra_arguments=["--IPKernelApp.log_level=ERROR"])
        client.reset_execution_trackers()
        where = lambda: f"{path}:{cells[index].first_line if index is not None else 1}"
        try:
            with client.setup_kernel():
                for index, cell in enumerate(notebook.cells):
                    remaining = timeout - (time.monotonic() - start)
                    if remaining <= 0:
                        raise CellTimeoutError("time limit")
                    client.timeout = max(1, math.ceil(remaining))   # the whole run's limit
                    client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        except CellExecutionError as error:
            message = f"{where()}: {error.ename}: {error.evalue}".split("\n")[0]
            return Outcome(True, _kind(error.ename), message, time.monotonic() - start)
        except CellTimeoutError:
            return Outcome(True, "timeout", f"{where()}: no end within {timeout:.0f} s",
                           time.monotonic() - start)
        except DeadKernelError as error:
            return Outcome(True, "error", f"{where()}: the kernel died ({error})",
                           time.monotonic() - start)
    return Outcome(False, "", "", time.monotonic() - start)


def _run_job(job):
    """Pool worker: (lab index, mutant or None, outcome)."""
    lab, mutant, path, text, timeout = job
    if mutant is not None:
        text = apply_mutant(text, mutant)
    return lab, mutant, run_solution(path, text, timeout)


# ---- reporting (pure) -------------------------------------------------------------------

def score_lines(path: str, results: list[tuple[Mutant, Outcome]], *, verbose: bool = False
                ) -> tuple[list[str], float]:
    """The report of one lab: survivors as PATH:LINE: original -> mutated, then the score."""
    lines = []
    for mutant, outcome in sorted(results, key=lambda pair: pair[0].line):
        if not outcome.killed:
            lines.append(f"{show(path, mutant)}   [survived: {mutant.description}]")
        elif verbose:
            lines.append(f"{show(path, mutant)}   [killed by {outcome.how}: {outcome.detail}]")
    total = len(results)
    killed = sum(outcome.killed for _, outcome in results)
    score = killed / total if total else 1.0
    ways = {"check": "a check", "error": "another error", "timeout": "the time limit",
            "render": "rendering"}
    how = ", ".join(f"{count} by {ways[way]}" for way in ways
                    if (count := sum(o.how == way for _, o in results)))
    lines.append(f"{path}: score {killed}/{total} ({100 * score:.0f}%) killed"
                 + (f" ({how})" if how else "") + ("; no mutants" if not total else ""))
    return lines, score


def _code(line: str) -> str:
    """A line without its indentation and trailing comment, for the report."""
    tokens = _tokens(line.strip())
    comments = [t for t in tokens if t.type == tokenize.COMMENT]
    return line.strip()[:comments[0].start[1]].rstrip() if comments else line.strip()


def show(path: str, mutant: Mutant) -> str:
    return f"{path}:{mutant.line}: {_code(mutant.original)} -> {_code(mutant.mutated)}"
