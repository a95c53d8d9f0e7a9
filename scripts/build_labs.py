"""Build the labs that are out of date: each notebook is executed or gets its outputs
carried over, and each lab is written as soon as its two notebooks are done.

Notebooks, not labs, are the unit of work: the longest first (as timed by the last
build), at most ``jobs`` at a time, with one kernel started ahead so that the next
notebook finds it ready. One process drives every kernel (asyncio), so that Ctrl-C or
SIGTERM stops them all, writes nothing half-done and leaves no file behind.
"""
from __future__ import annotations

import asyncio
import dataclasses
import math
import signal
import time
from pathlib import Path

from lab_inputs import execution_environment, execution_key
from stamps import VERSIONS, output_paths, recorded_notebook, stamp_bytes, stamp_path


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
    lab: Lab
    version: str
    cwd: Path
    seconds: float                 # as the last build took; inf when unknown


class KernelPool:
    """Kernels started ahead of need, per working folder."""

    def __init__(self):
        self.starting: dict[Path, list[asyncio.Task]] = {}

    @staticmethod
    async def _start(cwd: Path):
        from execute_notebooks import Kernel
        cwd.mkdir(parents=True, exist_ok=True)       # the notebook's folder: its working folder
        kernel = Kernel(cwd)
        try:
            await kernel.start()
        except BaseException:
            await kernel.stop()
            raise
        return kernel

    def prestart(self, cwd: Path) -> None:
        self.starting.setdefault(cwd, []).append(asyncio.ensure_future(self._start(cwd)))

    async def take(self, cwd: Path):
        waiting = self.starting.get(cwd)
        return await (waiting.pop(0) if waiting else self._start(cwd))

    async def close(self) -> None:
        """Stop the kernels nobody took."""
        for task in [task for tasks in self.starting.values() for task in tasks]:
            task.cancel()
            try:
                await (await task).stop()
            except BaseException:            # cancelled or failed: _start cleaned up
                pass


class Builder:
    """Builds labs; ``built``, ``failed`` and ``unfinished`` say how each ended, and
    ``signal`` which signal stopped the build (None if none did)."""

    def __init__(self, out: Path, execute: bool, force: bool, jobs: int, timeout: int, say):
        self.out, self.execute, self.force = out, execute, force
        self.jobs, self.timeout, self.say = max(1, jobs), timeout, say
        self.built: list[Path] = []
        self.failed: list[Path] = []
        self.unfinished: list[Path] = []
        self.signal: int | None = None
        self.tasks: list[asyncio.Task] = []
        self.stopping: set[asyncio.Task] = set()     # tasks stopping their kernel
        self.pool = KernelPool()
        self.prestarted = 0                          # notebooks in line with a kernel started

    # -- preparing a lab: template -> notebooks, outputs reused where they can be ------

    def recorded(self, template: Path, version: str) -> dict:
        return {} if self.force else recorded_notebook(stamp_path(template, self.out), version)

    def prepare(self, template: Path, digest: str) -> list[Job]:
        """The lab's notebooks; those to execute come back as jobs, the lab is written now
        if there are none."""
        from build_notebooks import build_notebook
        from parse_template import TemplateError, read_template
        from reuse_outputs import reuse_outputs
        from split_tags import split_template

        lab = Lab(template, digest)
        try:
            parsed = read_template(template)
            if not any("".join(cell.lines).strip() for cell in parsed.cells):
                what = "has no cell, only a header" if template.read_text().strip() else "is empty"
                raise TemplateError(template, [(1, f"the template {what}: no text and no code "
                                                   "(an empty lab is almost always a mistake)")])
            lab.cells = dict(zip(("question", "solution"), split_template(parsed)))
        except TemplateError as error:
            self.fail(lab, str(error))
            return []
        environment = execution_environment(template.read_text(encoding="utf-8", errors="replace"))
        paths, jobs = output_paths(template, self.out), []
        for version in VERSIONS:
            notebook = lab.notebooks[version] = build_notebook(lab.cells[version], parsed.metadata)
            if not self.execute:
                lab.status[version] = "not executed"
                continue
            key, recorded = execution_key(notebook, environment), self.recorded(template, version)
            lab.record[version] = {"key": key, "seconds": recorded.get("seconds")}
            if recorded.get("key") == key and reuse_outputs(notebook, paths[f"{version}.ipynb"]):
                lab.status[version] = "outputs reused"
            else:
                seconds = recorded.get("seconds")
                jobs.append(Job(lab, version, paths[f"{version}.ipynb"].parent,
                                seconds if isinstance(seconds, (int, float)) else math.inf))
        if not jobs:
            self.finish(lab)
        return jobs

    # -- ending a lab -------------------------------------------------------------------

    def finish(self, lab: Lab) -> None:
        """Write the lab's four files and its stamp, all or none."""
        from write_outputs import markdown_bytes, notebook_bytes, write_all
        paths, files = output_paths(lab.template, self.out), {}
        for version in VERSIONS:
            files[paths[f"{version}.ipynb"]] = notebook_bytes(lab.notebooks[version])
            files[paths[f"{version}.md"]] = markdown_bytes(lab.notebooks[version])
        files[stamp_path(lab.template, self.out)] = stamp_bytes(lab.template, lab.digest, lab.record)
        write_all(files)
        self.built.append(lab.template)
        self.say(f"[done]   {lab.template} in {time.monotonic() - lab.started:.1f} s ({lab.describe()})")

    def fail(self, lab: Lab, message: str) -> None:
        lab.failed = True
        self.failed.append(lab.template)
        self.say(message, error=True)
        self.say(f"[FAILED] {lab.template} after {time.monotonic() - lab.started:.1f} s")

    def describe_error(self, job: Job, error, counts: dict[int, int]) -> str:
        from cell_errors import describe_failure
        cells = job.lab.cells[job.version]
        where = f"{job.version} notebook {job.cwd / job.lab.template.stem}.ipynb, cell {error.index}"
        if error.what != "failed":
            return f"{job.lab.template}:{cells[error.index].first_line}: {where} {error.what}"
        line, traceback = describe_failure(job.lab.template, cells, counts, error.index, error.error)
        what = f"{error.error.get('ename', 'Error')}: {error.error.get('evalue', '')}".rstrip(": ")
        return "\n".join([f"{job.lab.template}:{line}: {where} failed: {what}", *traceback])

    # -- executing ----------------------------------------------------------------------

    async def run_job(self, job: Job, order: list[Job], running: asyncio.Semaphore) -> None:
        from execute_notebooks import ExecutionError, execute_notebook
        lab, kernel, failure = job.lab, None, None
        try:
            async with running:
                if lab.failed:
                    return
                # the kernel of the next notebook in line boots while this one runs
                while self.prestarted < min(order.index(job) + 2, len(order)):
                    self.pool.prestart(order[self.prestarted].cwd)
                    self.prestarted += 1
                try:
                    kernel = await self.pool.take(job.cwd)
                except Exception as error:               # no kernel: nothing can run
                    failure = f"{lab.template}:1: {job.version} notebook: the kernel did not start ({error!r})"
                else:
                    if not lab.announced:
                        lab.announced, lab.started = True, time.monotonic()
                        self.say(f"[start]  {lab.template}")
                    start, counts = time.monotonic(), {}
                    try:
                        await execute_notebook(kernel, lab.notebooks[job.version], self.timeout, counts)
                    except ExecutionError as error:
                        failure = self.describe_error(job, error, counts)
                    else:
                        lab.record[job.version]["seconds"] = round(time.monotonic() - start, 2)
        finally:
            if kernel is not None:
                self.stopping.add(asyncio.current_task())    # not to be cancelled now
                await kernel.stop()
        if self.signal is not None or lab.failed:
            return                               # the build is stopping, or a sibling failed
        if failure is None:
            lab.status[job.version] = "executed"
        elif job.version == "question" and "solution" not in lab.status:
            # A cell both share fails in both: say it of the solution, whichever ends first.
            lab.question_failure = failure
            return
        failure = failure or (lab.question_failure if "solution" in lab.status else None)
        if failure is not None:
            self.fail(lab, failure)
            for task, other in zip(self.tasks, order):
                if other.lab is lab and other is not job and task not in self.stopping:
                    task.cancel()
        elif len(lab.status) == len(VERSIONS):
            self.finish(lab)

    def interrupt(self, signum: int) -> None:
        if self.signal is None:
            self.signal = signum
            for task in self.tasks:
                if task not in self.stopping:
                    task.cancel()

    async def build(self, stale: list[tuple[Path, str]]) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.interrupt, signum)
        try:
            # Kernels for notebooks that will surely run start now, while templates parse.
            surely = sorted((Job(None, v, output_paths(t, self.out)[f"{v}.ipynb"].parent,
                                 self.recorded(t, v).get("seconds") or math.inf)
                             for t, _ in stale for v in VERSIONS
                             if self.execute and "key" not in self.recorded(t, v)),
                            key=lambda job: -job.seconds)
            for job in surely[: self.jobs + 1]:
                self.pool.prestart(job.cwd)
            jobs: list[Job] = []
            for template, digest in stale:
                await asyncio.sleep(0)               # a signal is handled between labs
                if self.signal is not None:
                    break
                jobs += self.prepare(template, digest)
            if self.signal is None and jobs:
                order = sorted(jobs, key=lambda job: -job.seconds)   # stable: template order
                self.prestarted = min(len(surely), self.jobs + 1)
                running = asyncio.Semaphore(self.jobs)
                self.tasks = [asyncio.ensure_future(self.run_job(job, order, running)) for job in order]
                results = await asyncio.gather(*self.tasks, return_exceptions=True)
                errors = [r for r in results if isinstance(r, Exception)]
                if errors and self.signal is None:
                    raise errors[0]                  # a bug, not a lab's mistake: show it
        finally:
            await self.pool.close()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
        done = set(self.built) | set(self.failed)
        self.unfinished = [template for template, _ in stale if template not in done]
