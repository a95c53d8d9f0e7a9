"""Step 3 of the pipeline: rendered cells -> an nbformat notebook (no outputs yet)."""
from __future__ import annotations

import nbformat

from courseware.template.tags import RenderedCell

DEFAULT_KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def build_notebook(cells: list[RenderedCell], template_metadata: dict) -> nbformat.NotebookNode:
    """Cells -> notebook. Cell ids are positional, so two builds give the same bytes
    and an id says nothing about what a solution contained."""
    metadata = {key: value for key, value in template_metadata.items() if key != "jupytext"}
    metadata.setdefault("kernelspec", DEFAULT_KERNELSPEC)
    notebook = nbformat.v4.new_notebook(metadata=metadata)
    makers = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
              "raw": nbformat.v4.new_raw_cell}
    for index, cell in enumerate(cells):
        notebook.cells.append(makers[cell.cell_type](
            source=cell.source, metadata=dict(cell.metadata), id=f"cell-{index}"))
    return notebook
