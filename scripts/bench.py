#!/usr/bin/env python
"""Build timings on this machine, printed, not asserted (machines are noisy).

    python scripts/bench.py [--jobs N] [--sheets-only]

Works on copies of labs/*.md in a temporary folder, so nothing in the repository is
touched. Prints: the clean build of all labs; the sheets of all labs from clean (what
`make sheets` does once the notebooks are built) and their no-op rebuild; a second
clean build and whether its notebooks are byte-identical to the first; the no-op
rebuild (renderer and `make`); the rebuild after editing one template; and the naive
pipeline (split each template, then `jupytext --to ipynb --execute` every question and
solution file one after another), with the ratio between the two. With --sheets-only
it stops after the sheets.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def timed(command: list, **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, command))} failed:\n{result.stderr}{result.stdout}")
    return seconds, result


def notebooks(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("*s/*.ipynb"))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sheets-only", action="store_true",
                        help="time the clean build and the sheets, nothing else")
    args = parser.parse_args()
    render = [PYTHON, ROOT / "scripts" / "render.py", "--jobs", str(args.jobs)]

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        labs = tmp / "labs"
        shutil.copytree(ROOT / "labs", labs)
        templates = sorted(labs.glob("*.md"))
        print(f"{len(templates)} labs, {args.jobs} jobs, on {os.cpu_count()} cores\n")

        clean, result = timed([*render, *templates, "--out", tmp / "a"])
        print(result.stdout.rstrip())
        print(f"\nclean build:                 {clean:7.2f} s")
        sheets = [PYTHON, ROOT / "scripts" / "make_sheets.py", *templates, "--out", tmp / "a",
                  "--jobs", str(args.jobs)]
        sheets_clean, result = timed(sheets)
        print(result.stdout.rstrip())
        print(f"sheets from clean:           {sheets_clean:7.2f} s  "
              f"({len(list((tmp / 'a' / 'sheets').iterdir()))} files)")
        sheets_noop, result = timed(sheets)
        assert result.stdout.count("[up to date]") == len(templates), result.stdout
        print(f"sheets no-op rebuild:        {sheets_noop:7.3f} s")
        if args.sheets_only:
            return 0
        again, _ = timed([*render, *templates, "--out", tmp / "b"])
        same = notebooks(tmp / "a") == notebooks(tmp / "b")
        print(f"second clean build:          {again:7.2f} s  "
              f"(notebooks byte-identical to the first: {'yes' if same else 'NO'})")

        noop, result = timed([*render, *templates, "--out", tmp / "a"])
        assert "0 built" in result.stdout, result.stdout
        print(f"no-op rebuild (renderer):    {noop:7.3f} s")
        make_labs = ["make", "--no-print-directory", "-C", ROOT, "labs", f"OUT={tmp / 'make-out'}"]
        timed(make_labs)                                 # the first run builds
        make_noop, _ = timed(make_labs)
        print(f"no-op rebuild (make labs):   {make_noop:7.3f} s")

        edited = templates[0]
        edited.write_text(edited.read_text() + "\nOne more line of prose.\n")
        one, result = timed([*render, *templates, "--out", tmp / "a"])
        print(f"one template edited:         {one:7.2f} s  "
              f"({result.stdout.strip().splitlines()[-1]})")

        timed([*render, *templates, "--out", tmp / "naive", "--no-execute"])
        naive = 0.0
        for twin in sorted((tmp / "naive").glob("*s/*.md")):
            seconds, _ = timed([Path(PYTHON).parent / "jupytext", "--to", "ipynb", "--execute",
                                "--output", tmp / "naive" / f"{twin.parent.name}-{twin.stem}.ipynb", twin])
            naive += seconds
        best = min(clean, again)
        print(f"naive pipeline (sequential): {naive:7.2f} s  "
              f"(the best clean build, {best:.2f} s, is {naive / best:.1f}x faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
