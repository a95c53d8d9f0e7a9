"""Preparing a lab: its template rendered into two notebooks, and for each notebook
either the outputs of the last good build (its code has not changed) or a job to
execute it."""
from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

from courseware.layout import VERSIONS, stamp_path
from courseware.notebooks.inputs import execution_environment, execution_key
from courseware.notebooks.stamps import output_paths, recorded_notebook


@dataclasses.dataclass
class Lab:
    template: Path
    digest: str
    cells: dict = dataclasses.field(default_factory=dict)       # version -> RenderedCells
    notebooks: dict = dataclasses.field(default_factory=dict)   # version -> notebook
    status: dict = dataclasses.field(default_factory=dict)      # version -> how it got outputs
    record: dict = dataclasses.field(default_factory=dict)      # version -> stamp entry
    started: float = dataclasses.field(default_factory=time.monotonic)
    announced: bool = False        # its "[start]" line is printed
    question_failure: str | None = None    # told once the solution has run
    failed: bool = False

    def describe(self) -> str:
        states = set(self.status.values())
        if len(states) == 1:
            return states.pop()
        return ", ".join(f"{version} {self.status[version]}" for version in VERSIONS)


@dataclasses.dataclass
class Job:
    lab: Lab | None
    version: str
    cwd: Path
    seconds: float                 # as the last build took; inf when unknown


def recorded(template: Path, version: str, out: Path, force: bool) -> dict:
    """The last good build's entry for one notebook ({} with ``force``)."""
    return {} if force else recorded_notebook(stamp_path(out, template.stem), version)


def prepare_lab(template: Path, digest: str, out: Path, execute: bool, force: bool
                ) -> tuple[Lab, list[Job]]:
    """The lab's notebooks, and a job for each one that must be executed; raises
    TemplateError for a template with mistakes."""
    from courseware.notebooks.build import build_notebook
    from courseware.notebooks.reuse import reuse_outputs
    from courseware.template.parse import TemplateError, read_template
    from courseware.template.tags import split_template

    lab = Lab(template, digest)
    parsed = read_template(template)
    if not any("".join(cell.lines).strip() for cell in parsed.cells):
        what = "has no cell, only a header" if template.read_text().strip() else "is empty"
        raise TemplateError(template, [(1, f"the template {what}: no text and no code "
                                           "(an empty lab is almost always a mistake)")])
    lab.cells = dict(zip(("question", "solution"), split_template(parsed)))
    environment = execution_environment(template.read_text(encoding="utf-8", errors="replace"))
    paths, jobs = output_paths(template, out), []
    for version in VERSIONS:
        notebook = lab.notebooks[version] = build_notebook(lab.cells[version], parsed.metadata)
        if not execute:
            lab.status[version] = "not executed"
            continue
        key, last = execution_key(notebook, environment), recorded(template, version, out, force)
        lab.record[version] = {"key": key, "seconds": last.get("seconds")}
        if last.get("key") == key and reuse_outputs(notebook, paths[f"{version}.ipynb"]):
            lab.status[version] = "outputs reused"
        else:
            seconds = last.get("seconds")
            jobs.append(Job(lab, version, paths[f"{version}.ipynb"].parent,
                            seconds if isinstance(seconds, (int, float)) else math.inf))
    return lab, jobs
