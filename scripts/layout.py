"""Where the build puts things: the one owner of the output layout.

``labs/NN-topic.md`` becomes ``OUT/questions/NN-topic.ipynb`` (and ``.md``),
``OUT/solutions/NN-topic.ipynb`` (and ``.md``), and the sheets
``OUT/sheets/NN-topic-{question,solution}.{html,pdf}``.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ("question", "solution")


def built_notebook(out: Path, version: str, stem: str, suffix: str = ".ipynb") -> Path:
    return out / f"{version}s" / f"{stem}{suffix}"


def sheet_path(out: Path, version: str, stem: str, target: str) -> Path:
    return out / "sheets" / f"{stem}-{version}.{target}"


# OUT/release/STUDENT/ and OUT/release/STUDENT.zip (scripts/make_release.py).
STUDENT = "dl-labs"
ASSISTANT = "dl-labs-solutions"
