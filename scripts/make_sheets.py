#!/usr/bin/env python
"""Step 6 of the pipeline: printable sheets of every built notebook, HTML and PDF.

    python scripts/make_sheets.py [TEMPLATE ...] [--out DIR] [--force]

For ``labs/NN-topic.md`` it reads ``DIR/{questions,solutions}/NN-topic.ipynb`` (build
them first) and writes ``DIR/sheets/NN-topic-{question,solution}.{html,pdf}``. The PDF
goes through nbconvert's LaTeX route (xelatex, with pandoc for the Markdown); figures
come as vector graphics where the notebook has a PDF version of them. The title is the
lab's number and name, taken from the template's first heading; the date is the build's.
Question sheets leave blank space where a solution was removed from the text.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import re
import shutil
import sys
import time
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
REQUIRED_TOOLS = ("xelatex", "pandoc")
DEBIAN_PACKAGES = "texlive-xetex texlive-fonts-recommended texlive-plain-generic lmodern pandoc"
ANSWER_SPACE = {"html": '\n\n<div style="height: 10em; border: 1px dashed #aaa; margin: 1em 0"></div>\n',
                "pdf": "\n\n\\vspace{5cm}\n"}
VERSIONS = {"question": "Questions", "solution": "Solutions"}


class SheetError(Exception):
    pass


def missing_tools() -> list[str]:
    return [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]


def lab_title(notebook) -> str:
    """'Lab 3: Gradient descent ...' from the first heading of the first text cell."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = re.match(r"#\s+(.+)", cell.source.lstrip())
            if match:
                return match.group(1).strip()
            break
    return ""


def sheet_notebook(notebook, version: str, target: str):
    """A copy made for printing: the title in the metadata instead of the first
    heading (the other headings move up a level), and room to answer where a solution
    was removed."""
    sheet = copy.deepcopy(notebook)
    title = lab_title(sheet)
    if title:
        first = sheet.cells[0]
        first.source = re.sub(r"^\s*#\s+.+\n*", "", first.source, count=1)
        if not first.source.strip():
            sheet.cells.pop(0)
        sheet.metadata["title"] = f"{title} ({VERSIONS[version]})"
    for cell in sheet.cells:
        if title and cell.cell_type == "markdown":   # '## Exercise 1' becomes section 1
            cell.source = re.sub(r"^#(#+\s)", r"\1", cell.source, flags=re.MULTILINE)
        lines = cell.source.split("\n")
        for line in reversed(cell.metadata.get("answer_space", [])):
            lines.insert(line, ANSWER_SPACE[target])
        cell.source = "\n".join(lines)
    return sheet


def export(notebook, target: str, name: str) -> bytes:
    from nbconvert import HTMLExporter, PDFExporter
    from nbconvert.exporters.pdf import LatexFailed

    exporter = HTMLExporter() if target == "html" else PDFExporter()
    if target == "html":
        exporter.embed_images = True             # one self-contained file
    try:
        body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": name}})
    except LatexFailed as error:
        log = "\n".join(str(error.output).splitlines()[-15:])
        raise SheetError(f"xelatex failed:\n{log}") from None
    return body.encode("utf-8") if isinstance(body, str) else body


def sheet_paths(stem: str, out: Path) -> dict[tuple[str, str], Path]:
    return {(version, target): out / "sheets" / f"{stem}-{version}.{target}"
            for version in VERSIONS for target in ("html", "pdf")}


def digest(stem: str, out: Path) -> str:
    hasher = hashlib.sha256((SCRIPTS / "make_sheets.py").read_bytes())
    for version in VERSIONS:
        hasher.update((out / f"{version}s" / f"{stem}.ipynb").read_bytes())
    return hasher.hexdigest()


def make_sheets(template: Path, out: Path, force: bool = False) -> str:
    """Write the four sheets of one lab; returns 'built' or 'up to date'."""
    import nbformat
    from stamps import stamp_bytes, stamp_is_current
    from write_outputs import write_all

    stem = template.stem
    for version in VERSIONS:
        path = out / f"{version}s" / f"{stem}.ipynb"
        if not path.exists():
            raise SheetError(f"{path} does not exist: render the lab first (make)")
    stamp = out / ".stamps" / f"{stem}-sheets.json"
    paths = sheet_paths(stem, out)
    current = digest(stem, out)
    if not force and stamp_is_current(stamp, current, paths.values()):
        return "up to date"
    notebooks = {version: nbformat.read(out / f"{version}s" / f"{stem}.ipynb", as_version=4)
                 for version in VERSIONS}
    files = {}
    for (version, target), path in paths.items():
        sheet = sheet_notebook(notebooks[version], version, target)
        files[path] = export(sheet, target, f"{stem}-{version}")
    files[stamp] = stamp_bytes(template, current)
    write_all(files)
    return "built"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build"))
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    missing = missing_tools()
    if missing:
        print(f"make_sheets: {' and '.join(missing)} not found; PDF sheets need them. "
              f"Install them with: sudo apt-get install {DEBIAN_PACKAGES}", file=sys.stderr)
        return 2
    templates = args.templates or sorted((ROOT / "labs").glob("*.md"))
    failed = []
    for template in templates:
        start = time.monotonic()
        try:
            status = make_sheets(template, args.out, args.force)
            print(f"[{status}] sheets of {template} in {time.monotonic() - start:.1f} s", flush=True)
        except SheetError as error:
            failed.append(template)
            print(f"{template}:1: sheets failed: {error}", file=sys.stderr, flush=True)
    print(f"{len(templates)} labs: {len(failed)} failed" + "".join(f"\n  failed: {t}" for t in failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
