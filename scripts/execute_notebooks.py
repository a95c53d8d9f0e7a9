"""Step 4 of the pipeline: run a notebook with nbclient, cell by cell.

Cells tagged ``skip-execution`` (from ``#!TAG SKIPQUESTEXEC``) are skipped by nbclient
itself. A failure names the template line where the failing cell starts.
"""
from __future__ import annotations

import os

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

# Figures embed dates (PDF) unless SOURCE_DATE_EPOCH is set; hashing must not depend
# on the run; and float sums may change with the number of threads, so every kernel
# uses one (labs build in parallel, one per core, and nbval re-runs them the same way).
REPRODUCIBLE_ENV = {"SOURCE_DATE_EPOCH": "0", "PYTHONHASHSEED": "0",
                    "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class ExecutionError(Exception):
    pass


def execute_notebook(notebook, cwd, describe_cell, timeout: int = 600) -> None:
    """Execute in place. ``describe_cell(index)`` -> 'PATH:LINE: ... cell N' for errors."""
    os.environ.update(REPRODUCIBLE_ENV)          # inherited by the kernel
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}},
                            record_timing=False, coalesce_streams=True,
                            # a local kernel over loopback: its TCP warning is noise
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
    client.reset_execution_trackers()
    index = None
    try:
        with client.setup_kernel():
            reply = client.wait_for_reply(client.kc.kernel_info())
            notebook.metadata["language_info"] = reply["content"]["language_info"]
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
    except CellExecutionError as error:
        raise ExecutionError(f"{describe_cell(index)} failed: {error.ename}: "
                             f"{error.evalue}".rstrip(": ")) from None
    except CellTimeoutError:
        raise ExecutionError(f"{describe_cell(index)} did not finish within {timeout} s") from None
    except DeadKernelError as error:
        raise ExecutionError(f"{describe_cell(index)}: the kernel died ({error})") from None
