"""Running the notebooks of the labs that are out of date, and ending each lab as soon
as its two notebooks are done (``finish``).

Notebooks, not labs, are the unit of work: the longest first (as timed by the last
build), at most ``jobs`` at a time, with one kernel started ahead so that the next
notebook finds it ready. One process drives every kernel (asyncio), so that Ctrl-C or
SIGTERM stops them all, writes nothing half-done and leaves no file behind.
"""
from __future__ import annotations

import asyncio
import math
import signal
import time
from pathlib import Path

from courseware.layout import VERSIONS
from courseware.notebooks.finish import Results, describe_error
from courseware.notebooks.prepare import Job, Lab, prepare_lab, recorded
from courseware.notebooks.stamps import output_paths


class KernelPool:
    """Kernels started ahead of need, per working folder."""

    def __init__(self):
        self.starting: dict[Path, list[asyncio.Task]] = {}

    @staticmethod
    async def _start(cwd: Path):
        from courseware.notebooks.execute import Kernel
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


class Scheduler:
    """Builds labs; ``results.built``, ``results.failed`` and ``unfinished`` say how each
    ended, and ``signal`` which signal stopped the build (None if none did)."""

    def __init__(self, out: Path, execute: bool, force: bool, jobs: int, timeout: int, say):
        self.out, self.execute, self.force = out, execute, force
        self.jobs, self.timeout = max(1, jobs), timeout
        self.results = Results(out, say)
        self.say = say
        self.unfinished: list[Path] = []
        self.signal: int | None = None
        self.tasks: list[asyncio.Task] = []
        self.stopping: set[asyncio.Task] = set()     # tasks stopping their kernel
        self.pool = KernelPool()
        self.prestarted = 0                          # notebooks in line with a kernel started

    @property
    def built(self) -> list[Path]:
        return self.results.built

    @property
    def failed(self) -> list[Path]:
        return self.results.failed

    def prepare(self, template: Path, digest: str) -> list[Job]:
        """The lab's jobs; a lab with none is written now, one with mistakes fails now."""
        from courseware.template.parse import TemplateError
        try:
            lab, jobs = prepare_lab(template, digest, self.out, self.execute, self.force)
        except TemplateError as error:
            self.results.fail(Lab(template, digest), str(error))
            return []
        if not jobs:
            self.results.finish(lab)
        return jobs

    # -- executing ----------------------------------------------------------------------

    async def run_job(self, job: Job, order: list[Job], running: asyncio.Semaphore) -> None:
        from courseware.notebooks.execute import ExecutionError, execute_notebook
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
                        failure = describe_error(job, error, counts)
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
            self.results.fail(lab, failure)
            for task, other in zip(self.tasks, order):
                if other.lab is lab and other is not job and task not in self.stopping:
                    task.cancel()
        elif len(lab.status) == len(VERSIONS):
            self.results.finish(lab)

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
                                 recorded(t, v, self.out, self.force).get("seconds") or math.inf)
                             for t, _ in stale for v in VERSIONS
                             if self.execute and "key" not in recorded(t, v, self.out, self.force)),
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
