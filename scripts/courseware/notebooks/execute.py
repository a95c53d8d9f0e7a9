"""Step 4 of the pipeline: run a notebook in a fresh kernel, cell by cell (nbclient).

Async, so that one process drives several kernels at once and can start the next
kernel while others run. Cells tagged ``skip-execution`` (from ``#!TAG SKIPQUESTEXEC``)
are skipped by nbclient itself. A failure says which cell (``ExecutionError.index``).
"""
from __future__ import annotations

import os
import shutil
import tempfile

from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

# Figures embed dates (PDF) unless SOURCE_DATE_EPOCH is set; hashing must not depend
# on the run; and float sums may change with the number of threads, so every kernel
# uses one (labs build in parallel, one per core, and nbval re-runs them the same way).
REPRODUCIBLE_ENV = {"SOURCE_DATE_EPOCH": "0", "PYTHONHASHSEED": "0",
                    "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# A local kernel over loopback: its TCP warning is noise; no history file on disk.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.hist_file=:memory:"]
STARTUP_TIMEOUT = 60


def socket_place() -> dict:
    """Where a new kernel listens: Unix sockets in a folder of its own, not TCP ports.
    Kernels that other processes start at the same moment (parallel builds, pytest
    workers) can be handed the same free port and die with "Address already in use";
    a fresh folder is one kernel's alone. ``release_socket_place`` removes it."""
    return {"transport": "ipc", "ip": os.path.join(tempfile.mkdtemp(prefix="kernel-"), "socket")}


def release_socket_place(manager) -> None:
    if manager.transport == "ipc":
        shutil.rmtree(os.path.dirname(manager.ip), ignore_errors=True)


class ExecutionError(Exception):
    """Cell ``index`` failed (``error``: its error output), timed out or killed the kernel."""

    def __init__(self, index: int, what: str, error: dict | None = None):
        self.index, self.what, self.error = index, what, error or {}
        super().__init__(what)


class Kernel:
    """A python3 kernel started in ``cwd``; ``stop()`` kills it and removes its files."""

    def __init__(self, cwd):
        self.manager = AsyncKernelManager(kernel_name="python3", **socket_place())
        self.cwd, self.client = cwd, None

    async def start(self) -> None:
        env = {**os.environ, **REPRODUCIBLE_ENV}
        await self.manager.start_kernel(cwd=str(self.cwd), env=env, extra_arguments=KERNEL_ARGUMENTS)
        self.client = self.manager.client()
        self.client.start_channels()
        await self.client.wait_for_ready(timeout=STARTUP_TIMEOUT)
        self.client.allow_stdin = False

    async def stop(self) -> None:
        if self.client is not None:
            self.client.stop_channels()
        if self.manager.has_kernel:
            # A kernel that has run its notebook has nothing left to save: kill it now.
            await self.manager.shutdown_kernel(now=True)
        release_socket_place(self.manager)


async def execute_notebook(kernel: Kernel, notebook, timeout: int, counts: dict[int, int]) -> None:
    """Execute ``notebook`` in place in a started ``kernel``; ``counts`` gets execution
    count -> cell index, so that a traceback's ``In[N]`` can be found in the template."""
    client = NotebookClient(notebook, timeout=timeout, km=kernel.manager, kernel_name="python3",
                            record_timing=False, coalesce_streams=True)
    client.kc = kernel.client
    client.reset_execution_trackers()
    reply = await client.async_wait_for_reply(client.kc.kernel_info())
    notebook.metadata["language_info"] = reply["content"]["language_info"]
    index = 0
    try:
        for index, cell in enumerate(notebook.cells):
            count = client.code_cells_executed + 1
            counts[count] = index
            await client.async_execute_cell(cell, index, execution_count=count)
    except CellExecutionError as error:
        outputs = [o for o in notebook.cells[index].get("outputs", []) if o.output_type == "error"]
        raise ExecutionError(index, "failed", outputs[-1] if outputs else
                             {"ename": error.ename, "evalue": error.evalue}) from None
    except CellTimeoutError:
        raise ExecutionError(index, f"did not finish within {timeout} s") from None
    except DeadKernelError as error:
        raise ExecutionError(index, f"the kernel died ({error})") from None
