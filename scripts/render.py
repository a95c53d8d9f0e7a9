#!/usr/bin/env python
"""Render lab templates into executed question and solution notebooks.

    python scripts/render.py [TEMPLATE ...] [--out DIR] [--no-execute] [--jobs N] [--force]

For ``labs/NN-topic.md`` it writes ``DIR/questions/NN-topic.{ipynb,md}`` and
``DIR/solutions/NN-topic.{ipynb,md}``. The pipeline, one module a step:

    parse_template     template file -> cells that know their template lines
    split_tags         cells -> question cells, solution cells (tags checked)
    placeholders       question code cells kept compilable
    build_notebooks    cells -> nbformat notebooks
    execute_notebooks  nbclient, SKIPQUESTEXEC cells skipped in the question
    write_outputs      all four files written atomically, or none

A lab is rebuilt only when one of its inputs changed (the template, the renderer, the
``utils`` modules it imports, the pinned requirements); labs build in parallel.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from stamps import stamp_bytes, stamp_is_current

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
UTILS = ROOT / "utils"
PIPELINE = ("render.py", "stamps.py", "parse_template.py", "split_tags.py", "placeholders.py",
            "build_notebooks.py", "execute_notebooks.py", "write_outputs.py")
ENVIRONMENT = ("requirements.txt", "constraints.txt")
VERSIONS = ("solution", "question")

_UTILS_IMPORT = re.compile(r"^\s*(?:from\s+utils\.(\w+)|import\s+utils\.(\w+)"
                           r"|from\s+utils\s+import\s+\(?([\w\s,]+)\)?|from\s+\.(\w+)\s+import)",
                           re.MULTILINE)


def say(line: str, stream=sys.stdout) -> None:
    """Print one whole line in one write: parallel workers share the terminal, and
    print() may write a line and its newline separately, gluing two lines together."""
    stream.flush()
    os.write(stream.fileno(), (line + "\n").encode())


def output_paths(template: Path, out: Path) -> dict[str, Path]:
    stem = template.stem
    return {f"{version}{suffix}": out / f"{version}s" / f"{stem}{suffix}"
            for version in VERSIONS for suffix in (".ipynb", ".md")}


def utils_dependencies(text: str) -> list[Path]:
    """The utils modules a template imports, directly or through other utils modules."""
    found: set[Path] = set()
    pending = [text]
    while pending:
        for match in _UTILS_IMPORT.finditer(pending.pop()):
            names = [name for group in match.groups() if group
                     for name in re.split(r"[\s,]+", group) if name]
            for name in names:
                path = UTILS / f"{name}.py"
                if path.exists() and path not in found:
                    found.add(path)
                    pending.append(path.read_text(encoding="utf-8"))
    init = UTILS / "__init__.py"
    return sorted(found | ({init} if found and init.exists() else set()))


def input_digest(template: Path, execute: bool) -> str:
    """A hash of everything a lab's notebooks are made from."""
    data = template.read_bytes()
    inputs = [SCRIPTS / name for name in PIPELINE] + [ROOT / name for name in ENVIRONMENT]
    inputs += utils_dependencies(data.decode("utf-8", errors="replace"))
    digest = hashlib.sha256(f"execute={execute}\n".encode())
    digest.update(data)
    for path in inputs:
        if path.exists():
            digest.update(f"\n{path.relative_to(ROOT)}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def stamp_path(template: Path, out: Path) -> Path:
    return out / ".stamps" / f"{template.stem}.json"


def is_up_to_date(template: Path, out: Path, execute: bool) -> bool:
    return stamp_is_current(stamp_path(template, out), input_digest(template, execute),
                            output_paths(template, out).values())


def render_one(template: Path, out: Path, execute: bool) -> float:
    """Render one template; raise TemplateError or ExecutionError, writing nothing."""
    from build_notebooks import build_notebook
    from parse_template import read_template
    from split_tags import split_template
    from write_outputs import markdown_bytes, notebook_bytes, write_all

    start = time.monotonic()
    say(f"[start]  {template}")
    digest = input_digest(template, execute)
    parsed = read_template(template)
    cells = dict(zip(("question", "solution"), split_template(parsed)))
    paths = output_paths(template, out)
    files: dict[Path, bytes] = {}
    for version in VERSIONS:
        notebook = build_notebook(cells[version], parsed.metadata)
        if execute:
            from execute_notebooks import execute_notebook
            ipynb = paths[f"{version}.ipynb"]
            ipynb.parent.mkdir(parents=True, exist_ok=True)

            def describe_cell(index, version=version, ipynb=ipynb):
                line = cells[version][index].first_line if index is not None else 1
                return f"{template}:{line}: {version} notebook {ipynb}, cell {index}"
            execute_notebook(notebook, ipynb.parent, describe_cell)
        files[paths[f"{version}.ipynb"]] = notebook_bytes(notebook)
        files[paths[f"{version}.md"]] = markdown_bytes(notebook)
    files[stamp_path(template, out)] = stamp_bytes(template, digest)
    write_all(files)
    return time.monotonic() - start


def _render_reporting(template: Path, out: Path, execute: bool) -> tuple[bool, float, str]:
    """Worker: (ok, seconds, error message). Errors a user can cause become messages."""
    from execute_notebooks import ExecutionError
    from parse_template import TemplateError

    start = time.monotonic()
    try:
        return True, render_one(template, out, execute), ""
    except (TemplateError, ExecutionError) as error:
        return False, time.monotonic() - start, str(error)


def find_templates(names: list[str]) -> list[Path]:
    if names:
        return [Path(name) for name in names]
    return sorted((ROOT / "labs").glob("*.md"), key=lambda p: p.name)


def display(path: Path) -> Path:
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="*", metavar="TEMPLATE",
                        help="lab templates (default: every labs/*.md)")
    parser.add_argument("--out", type=Path, default=Path("build"), help="build folder (default: build)")
    parser.add_argument("--no-execute", action="store_true", help="write notebooks without outputs")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                        help="labs rendered in parallel (default: number of cores)")
    parser.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    parser.add_argument("--sheets", action="store_true",
                        help="then make HTML and PDF sheets of every lab that built (make_sheets.py)")
    args = parser.parse_args(argv)
    execute = not args.no_execute

    templates = [display(path) for path in find_templates(args.templates)]
    missing = [path for path in templates if not path.is_file()]
    for path in missing:
        print(f"{path}:1: no such template", file=sys.stderr)
    stems: dict[str, Path] = {}
    for path in templates:
        if path.stem in stems and path not in missing:
            print(f"{path}:1: writes the same notebooks as {stems[path.stem]}", file=sys.stderr)
            missing.append(path)
        stems.setdefault(path.stem, path)
    if missing:
        return 2

    stale = [t for t in templates if args.force or not is_up_to_date(t, args.out, execute)]
    for template in templates:
        if template not in stale:
            say(f"[ok]     {template} (up to date)")
    failed: list[Path] = []
    jobs = max(1, min(args.jobs, len(stale)))
    with ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else contextlib.nullcontext() as pool:
        results = (pool.map(_render_reporting, stale, [args.out] * len(stale), [execute] * len(stale))
                   if pool else (_render_reporting(t, args.out, execute) for t in stale))
        for template, (ok, seconds, message) in zip(stale, results):
            if ok:
                say(f"[done]   {template} in {seconds:.1f} s")
            else:
                failed.append(template)
                say(message, sys.stderr)
                say(f"[FAILED] {template} after {seconds:.1f} s")
    built = len(stale) - len(failed)
    print(f"{len(templates)} labs: {built} built, {len(templates) - len(stale)} up to date, "
          f"{len(failed)} failed" + "".join(f"\n  failed: {t}" for t in failed))
    if args.sheets and not execute:
        print("--sheets needs executed notebooks; ignored with --no-execute", file=sys.stderr)
    if args.sheets and execute:
        from make_sheets import main as make_sheets_main
        built = [str(t) for t in templates if t not in failed]
        if built and make_sheets_main([*built, "--out", str(args.out)] + ["--force"] * args.force):
            return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
