"""Step 4a of the pipeline: carry a notebook's outputs over from its last good build.

A notebook whose execution key (code cells, kernel, environment: see
``inputs.execution_key``) is the one its stamp records gets the outputs of the
notebook that build wrote, cell for cell, instead of being executed again. The whole
notebook is reused or none of it: a kernel's state flows from cell to cell.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from courseware.notebooks.inputs import executed_code


def code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def reuse_outputs(notebook, previous: Path) -> bool:
    """Copy outputs, execution counts and the kernel's language_info from the notebook
    at ``previous`` into ``notebook``; False (``notebook`` untouched) when that file is
    missing, unreadable or its code differs."""
    try:
        old = nbformat.read(previous, as_version=4)
    except (OSError, ValueError, nbformat.reader.NotJSONError):
        return False
    new_cells, old_cells = code_cells(notebook), code_cells(old)
    # The key matched, so the code is the same unless the file was edited by hand.
    if executed_code(notebook) != executed_code(old) or "language_info" not in old.metadata:
        return False
    for new, old_cell in zip(new_cells, old_cells):
        new.outputs = old_cell.outputs
        new.execution_count = old_cell.execution_count
    notebook.metadata["language_info"] = old.metadata["language_info"]
    return True
