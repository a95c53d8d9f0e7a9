"""Finishing a lab: its four files and its stamp written, all or none, or its failure
told in template lines; either way one line that says how it ended."""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from courseware.layout import VERSIONS, stamp_path
from courseware.notebooks.prepare import Job, Lab
from courseware.notebooks.stamps import output_paths, stamp_bytes


class Results:
    """How each lab ended: ``built`` and ``failed`` (templates, in the order they ended);
    ``say`` prints a whole line (``error=True``: to stderr)."""

    def __init__(self, out: Path, say: Callable[..., None]):
        self.out, self.say = out, say
        self.built: list[Path] = []
        self.failed: list[Path] = []

    def finish(self, lab: Lab) -> None:
        """Write the lab's four files and its stamp, all or none."""
        from courseware.notebooks.write import markdown_bytes, notebook_bytes, write_all
        paths, files = output_paths(lab.template, self.out), {}
        for version in VERSIONS:
            files[paths[f"{version}.ipynb"]] = notebook_bytes(lab.notebooks[version])
            files[paths[f"{version}.md"]] = markdown_bytes(lab.notebooks[version])
        files[stamp_path(self.out, lab.template.stem)] = stamp_bytes(lab.template, lab.digest, lab.record)
        write_all(files)
        self.built.append(lab.template)
        self.say(f"[done]   {lab.template} in {time.monotonic() - lab.started:.1f} s ({lab.describe()})")

    def fail(self, lab: Lab, message: str) -> None:
        lab.failed = True
        self.failed.append(lab.template)
        self.say(message, error=True)
        self.say(f"[FAILED] {lab.template} after {time.monotonic() - lab.started:.1f} s")


def describe_error(job: Job, error, counts: dict[int, int]) -> str:
    """An ExecutionError of a job told as ``TEMPLATE:LINE: ...`` and its traceback."""
    from courseware.notebooks.cell_errors import describe_failure
    cells = job.lab.cells[job.version]
    where = f"{job.version} notebook {job.cwd / job.lab.template.stem}.ipynb, cell {error.index}"
    if error.what != "failed":
        return f"{job.lab.template}:{cells[error.index].first_line}: {where} {error.what}"
    line, traceback = describe_failure(job.lab.template, cells, counts, error.index, error.error)
    what = f"{error.error.get('ename', 'Error')}: {error.error.get('evalue', '')}".rstrip(": ")
    return "\n".join([f"{job.lab.template}:{line}: {where} failed: {what}", *traceback])
