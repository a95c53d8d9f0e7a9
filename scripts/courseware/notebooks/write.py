"""Step 5 of the pipeline: write a lab's notebooks, all of them or none.

Each file is written to a temporary name beside its target and then renamed, so a
reader (or a crash) never sees half a notebook, and a failed render leaves what an
earlier good run wrote byte for byte as it was.
"""
from __future__ import annotations

import os
from pathlib import Path

import jupytext
import nbformat


def notebook_bytes(notebook) -> bytes:
    nbformat.validate(notebook)
    return (nbformat.writes(notebook) + "\n").encode("utf-8")


def markdown_bytes(notebook) -> bytes:
    """The jupytext Markdown twin: diffs well, opens in Jupyter; outputs are dropped."""
    return jupytext.writes(notebook, fmt="md").encode("utf-8")


def write_all(files: dict[Path, bytes]) -> None:
    temporaries = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temporary.write_bytes(data)
            temporaries.append((temporary, path))
        for temporary, path in temporaries:
            os.replace(temporary, path)
    finally:
        for temporary, _ in temporaries:
            temporary.unlink(missing_ok=True)

