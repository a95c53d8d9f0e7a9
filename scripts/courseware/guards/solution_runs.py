"""A lab's solution cells run one at a time in a kernel of their own, for the guards
that rebuild solutions under other conditions: ``robust`` (other seeds and thread
counts) and ``mistakes`` (students' mistakes written into the solution).

The kernel runs as the build's kernels do (``execute_notebooks.REPRODUCIBLE_ENV``)
except for what a guard varies: the seed offset (``utils.seeding``) and the number of
threads. Each failure is told in template lines, as the build tells it.
"""
from __future__ import annotations

import dataclasses
import os
import queue
import time
from pathlib import Path

from courseware.notebooks.cell_errors import describe_failure
from courseware.notebooks.execute import (KERNEL_ARGUMENTS, REPRODUCIBLE_ENV, STARTUP_TIMEOUT,
                                          release_socket_place, socket_place)
from courseware.template.parse import parse_template
from courseware.template.tags import RenderedCell, split_template

OFFSET_VARIABLE = "LABS_SEED_OFFSET"      # utils.seeding reads it


def solution_cells(path, text: str) -> list[RenderedCell]:
    """The solution's cells of a template text (TemplateError if it does not render)."""
    return split_template(parse_template(path, text))[1]


def kernel_environment(offset: int, threads: int) -> dict[str, str]:
    threads_text = str(threads)
    return {**os.environ, **REPRODUCIBLE_ENV, OFFSET_VARIABLE: str(offset),
            "OMP_NUM_THREADS": threads_text, "MKL_NUM_THREADS": threads_text}


@dataclasses.dataclass(frozen=True)
class Failure:
    index: int          # the cell
    line: int           # template line of the failing statement
    ename: str          # "CheckFailed", "TypeError", ... or "Timeout", "DeadKernel"
    evalue: str

    @property
    def by_check(self) -> bool:
        """Raised by a check: CheckFailed or a subclass (GradientCheckError, ...)."""
        return self.ename.endswith(("CheckFailed", "CheckError"))

    @property
    def message(self) -> str:
        return f"{self.ename}: {self.evalue}".rstrip(": ")


class SolutionKernel:
    """A python3 kernel for one lab; ``run(cells, index)`` executes one cell and returns
    its Failure or None. Use as a context manager; ``restart()`` after a Failure whose
    kernel cannot go on (a time-out, a dead kernel)."""

    def __init__(self, template, *, offset: int = 0, threads: int = 1, cwd: Path | None = None):
        self.template, self.offset, self.threads = str(template), offset, threads
        self.cwd = cwd or Path.cwd()
        self.manager = self.client = None
        self.counts: dict[int, int] = {}        # execution count -> cell index

    def __enter__(self) -> "SolutionKernel":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        from jupyter_client.manager import KernelManager
        self.manager = KernelManager(kernel_name="python3", **socket_place())
        self.manager.start_kernel(cwd=str(self.cwd), env=kernel_environment(self.offset, self.threads),
                                  extra_arguments=KERNEL_ARGUMENTS)
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=STARTUP_TIMEOUT)
        self.counts = {}

    def stop(self) -> None:
        if self.client is not None:
            self.client.stop_channels()
        if self.manager is not None:
            if self.manager.has_kernel:
                self.manager.shutdown_kernel(now=True)
            release_socket_place(self.manager)
        self.manager = self.client = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def run(self, cells: list[RenderedCell], index: int, timeout: float) -> Failure | None:
        """Execute code cell ``index`` of ``cells`` (markdown cells do nothing)."""
        cell = cells[index]
        if cell.cell_type != "code":
            return None
        errors: list[dict] = []

        def keep_error(message) -> None:          # the display outputs are not needed
            if message["msg_type"] == "error":
                errors.append(message["content"])

        try:
            reply = self.client.execute_interactive(cell.source, timeout=max(1.0, timeout),
                                                    output_hook=keep_error, allow_stdin=False)
        except TimeoutError:
            return Failure(index, cell.first_line, "Timeout", f"the cell did not finish within {timeout:.0f} s")
        except (RuntimeError, queue.Empty) as error:
            return Failure(index, cell.first_line, "DeadKernel", f"the kernel died ({error})")
        content = reply["content"]
        self.counts[content.get("execution_count") or 0] = index
        if content.get("status") != "error":
            return None
        error = errors[-1] if errors else content
        line, _ = describe_failure(self.template, cells, self.counts, index, error)
        return Failure(index, line, error.get("ename", "Error"), error.get("evalue", ""))


def run_all(kernel: SolutionKernel, cells: list[RenderedCell], budget: float) -> list[Failure]:
    """Every cell in order, going on after a failure (as a student's Run All with
    errors allowed would): every failing cell, not just the first."""
    failures, start = [], time.monotonic()
    for index in range(len(cells)):
        remaining = budget - (time.monotonic() - start)
        if remaining <= 0:
            failures.append(Failure(index, cells[index].first_line, "Timeout",
                                    f"the run did not finish within {budget:.0f} s"))
            break
        failure = kernel.run(cells, index, remaining)
        if failure is not None:
            failures.append(failure)
            if failure.ename in ("Timeout", "DeadKernel"):
                break
    return failures
