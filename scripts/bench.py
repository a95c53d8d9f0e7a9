#!/usr/bin/env python
"""Build timings on this machine, printed, not asserted (machines are noisy).

    python scripts/bench.py [--jobs N] [--sheets-only] [--skip-make-test]

Works on copies of labs/*.md in a temporary folder, so no template is touched. Prints:
the clean build of all labs; the sheets of all labs from clean (what `make sheets` does
once the notebooks are built) and their no-op rebuild; a second clean build and whether
its notebooks are byte-identical to the first; the no-op rebuild (renderer and `make`);
the rebuild after a prose-only edit and after a solution-only edit of one template;
`make test` after a build (in this checkout: it builds `build/` first if needed); the
naive pipeline (split each template, then `jupytext --to ipynb --execute` every
question and solution file one after another), with the ratio between the two; and for
each notebook, run alone, its time in a kernel (start, execute, stop) against its code
as a plain Python script (the Jupyter overhead), with totals. With --sheets-only it
stops after the sheets. Every time comes with the CPU seconds spent.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import courseware.fast_imports  # noqa: F401  (before anything imports nbformat)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def cpu_seconds(who=resource.RUSAGE_CHILDREN) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


class Seconds(float):
    """Wall-clock seconds that also know the CPU seconds spent (processes and their
    children, kernels included): on a shared machine the wall clock says little."""
    cpu = 0.0

    def __format__(self, spec) -> str:
        return f"{float(self):{spec}} s ({self.cpu:.2f} s CPU)"


def timed(command: list, **kwargs) -> tuple[Seconds, subprocess.CompletedProcess]:
    start, cpu = time.perf_counter(), cpu_seconds()
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    seconds = Seconds(time.perf_counter() - start)
    seconds.cpu = cpu_seconds() - cpu
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, command))} failed:\n{result.stderr}{result.stdout}")
    return seconds, result


def notebooks(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("*s/*.ipynb"))}


def last_line(result) -> str:
    lines = result.stdout.strip().splitlines()
    return "; ".join(line.split(" in ", 1)[-1] for line in lines if line.startswith("[done]"))


def edit_solution_line(template: Path) -> None:
    """Add a comment inside the first solution block of a code cell: the solution's
    code changes, the question's does not."""
    lines, fence = template.read_text().split("\n"), False
    for index, line in enumerate(lines):
        fence = (not fence) if line.strip().startswith("```") else fence
        if fence and line.strip() == "#!TAG HWBEGIN":
            indent = line[: len(line) - len(line.lstrip())]
            lines.insert(index + 1, f"{indent}# edited by the bench")
            template.write_text("\n".join(lines))
            return
    sys.exit(f"bench: {template} has no solution block in a code cell")


def plain_script(notebook) -> str:
    """The code the kernel runs (tagged cells skipped), as one Python script."""
    return "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code"
                       and "skip-execution" not in cell.metadata.get("tags", []))


async def run_in_kernel(notebook, cwd: Path) -> Seconds:
    from courseware.notebooks.execute import Kernel, execute_notebook
    start, cpu = time.perf_counter(), cpu_seconds() + cpu_seconds(resource.RUSAGE_SELF)
    kernel = Kernel(cwd)
    try:
        await kernel.start()
        await execute_notebook(kernel, notebook, 600, {})
    finally:
        await kernel.stop()                 # the kernel is reaped: its CPU time is counted
    seconds = Seconds(time.perf_counter() - start)
    seconds.cpu = cpu_seconds() + cpu_seconds(resource.RUSAGE_SELF) - cpu
    return seconds


def jupyter_overhead(templates: list[Path], tmp: Path) -> None:
    """Each notebook alone: in a kernel, then as `python script.py`."""
    from courseware.notebooks.build import build_notebook
    from courseware.notebooks.execute import REPRODUCIBLE_ENV
    from courseware.template.parse import read_template
    from courseware.template.tags import split_template

    env = {**os.environ, **REPRODUCIBLE_ENV, "MPLBACKEND": "Agg"}
    print("\nJupyter overhead, one notebook at a time: kernel (start, run, stop) vs python script.py")
    print(f"{'notebook':36} {'kernel':>22} {'python':>22} {'overhead':>8}")
    totals = {"kernel": [0.0, 0.0], "python": [0.0, 0.0]}
    for template in templates:
        parsed = read_template(template)
        for version, cells in zip(("question", "solution"), split_template(parsed)):
            notebook = build_notebook(cells, parsed.metadata)
            cwd = tmp / "overhead" / f"{version}s"
            cwd.mkdir(parents=True, exist_ok=True)
            script = cwd / f"{template.stem}.py"
            script.write_text(plain_script(notebook))
            in_kernel = asyncio.run(run_in_kernel(notebook, cwd))
            plain, _ = timed([PYTHON, script.name], cwd=cwd, env=env)
            for name, seconds in (("kernel", in_kernel), ("python", plain)):
                totals[name][0] += seconds
                totals[name][1] += seconds.cpu
            print(f"{version + 's/' + template.stem:36} {in_kernel:8.2f} {plain:8.2f} "
                  f"{in_kernel - plain:+6.2f} s")
    (kernel, kernel_cpu), (plain, plain_cpu) = totals["kernel"], totals["python"]
    print(f"{'total':36} {kernel:8.2f} s ({kernel_cpu:.2f} s CPU) {plain:8.2f} s ({plain_cpu:.2f} s CPU) "
          f"{kernel - plain:+6.2f} s; CPU {kernel_cpu - plain_cpu:+.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sheets-only", action="store_true",
                        help="time the clean build and the sheets, nothing else")
    parser.add_argument("--skip-make-test", action="store_true", help="do not time `make test`")
    args = parser.parse_args()
    render = [PYTHON, ROOT / "scripts" / "render.py", "--jobs", str(args.jobs)]
    make = ["make", "--no-print-directory", "-C", ROOT, "-o", ".venv/.installed"]

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        labs = tmp / "labs"
        shutil.copytree(ROOT / "labs", labs)
        templates = sorted(labs.glob("*.md"))
        print(f"{len(templates)} labs, {args.jobs} jobs, on {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f} at the start\n")

        clean, result = timed([*render, *templates, "--out", tmp / "a"])
        print(result.stdout.rstrip())
        print(f"\nclean build:                 {clean:7.2f}")
        sheets = [PYTHON, ROOT / "scripts" / "make_sheets.py", *templates, "--out", tmp / "a",
                  "--jobs", str(args.jobs)]
        sheets_clean, result = timed(sheets)
        print(result.stdout.rstrip())
        print(f"sheets from clean:           {sheets_clean:7.2f}  "
              f"({len(list((tmp / 'a' / 'sheets').iterdir()))} files)")
        sheets_noop, result = timed(sheets)
        assert result.stdout.count("[up to date]") == len(templates), result.stdout
        print(f"sheets no-op rebuild:        {sheets_noop:7.3f}")
        if args.sheets_only:
            return 0
        again, _ = timed([*render, *templates, "--out", tmp / "b"])
        same = notebooks(tmp / "a") == notebooks(tmp / "b")
        print(f"second clean build:          {again:7.2f}  "
              f"(notebooks byte-identical to the first: {'yes' if same else 'NO'})")

        noop, result = timed([*render, *templates, "--out", tmp / "a"])
        assert "0 built" in result.stdout, result.stdout
        print(f"no-op rebuild (renderer):    {noop:7.3f}")
        make_labs = [*make, "labs", f"OUT={tmp / 'make-out'}"]
        timed(make_labs)                                 # the first run builds
        make_noop, _ = timed(make_labs)
        print(f"no-op rebuild (make labs):   {make_noop:7.3f}")

        edited = templates[0]
        edited.write_text(edited.read_text() + "\nOne more line of prose.\n")
        prose, result = timed([*render, *templates, "--out", tmp / "a"])
        print(f"prose-only edit, one lab:    {prose:7.2f}  ({last_line(result)})")
        edit_solution_line(edited)
        solution, result = timed([*render, *templates, "--out", tmp / "a"])
        print(f"solution-only edit, one lab: {solution:7.2f}  ({last_line(result)})")
        timed([*render, *templates, "--out", tmp / "fresh"])
        same = notebooks(tmp / "a") == notebooks(tmp / "fresh")
        print(f"  rebuilt notebooks byte-identical to a clean build of the edited labs: "
              f"{'yes' if same else 'NO'}")

        if not args.skip_make_test:
            timed([*make, "labs"])                       # `make test` after a build
            make_test, _ = timed([*make, "test"])
            print(f"make test after a build:     {make_test:7.2f}  (labs in {ROOT / 'labs'})")

        timed([*render, *templates, "--out", tmp / "naive", "--no-execute"])
        naive = Seconds(0.0)
        for twin in sorted((tmp / "naive").glob("*s/*.md")):
            seconds, _ = timed([Path(PYTHON).parent / "jupytext", "--to", "ipynb", "--execute",
                                "--output", tmp / "naive" / f"{twin.parent.name}-{twin.stem}.ipynb", twin])
            naive, cpu = Seconds(naive + seconds), naive.cpu + seconds.cpu
            naive.cpu = cpu
        best = min(clean, again)
        print(f"naive pipeline (sequential): {naive:7.2f}  "
              f"(the best clean build, {float(best):.2f} s, is {naive / best:.1f}x faster; in CPU time {naive.cpu / best.cpu:.1f}x)")

        jupyter_overhead(templates, tmp)
        print(f"\nload average {os.getloadavg()[0]:.1f} at the end (2 cores; others share them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
